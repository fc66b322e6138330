"""QA findings on the core that span the importers and the store (issues 2 and 4)."""

from __future__ import annotations

import json
import sqlite3

from annotator import model as m
from annotator import ops
from annotator.store import Store

TEXT = "Washington imposed new tariffs on Chinese steel on Monday."
WASHINGTON = (0, 10, "GPE")
TARIFFS = (23, 30, "TARIFFS")  # "tariffs"
TRADE = (23, 47, "TRADE")  # "tariffs on Chinese steel"


def _import(tmp_path, name: str, record: dict, annotator: str | None = "bob"):
    path = tmp_path / name
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    store = Store(tmp_path / f"{name}.db")
    ops.ensure_default_labels(store)
    (result,) = ops.import_paths(store, [path], annotator=annotator)
    return store, result


def _rows(store: Store) -> set[tuple]:
    return {(a.layer, a.start, a.end, a.label) for a in store.all_annotations()}


def test_overlapping_issue_spans_from_a_file_naming_no_layer_import(tmp_path):
    """doccano and Prodigy files name no layer: TARIFFS and TRADE are issues, which may overlap."""
    records = {
        "doccano.jsonl": {"text": TEXT, "label": [list(WASHINGTON), list(TARIFFS), list(TRADE)]},
        "prodigy.jsonl": {
            "text": TEXT,
            "spans": [
                dict(zip(("start", "end", "label"), s, strict=True)) for s in (WASHINGTON, TARIFFS, TRADE)
            ],
            "answer": "accept",
            "_annotator_id": "bob",
        },
    }
    for name, record in records.items():
        store, result = _import(tmp_path, name, record)
        assert result.ok, f"{name}: {result.error}"
        assert _rows(store) == {
            (m.ENTITY, *WASHINGTON),
            (m.ISSUE, *TARIFFS),
            (m.ISSUE, *TRADE),
        }
        store.close()


def test_overlapping_entities_in_a_file_are_still_refused_with_the_line_and_nothing_written(tmp_path):
    ok = {"text": "Oslo is cold.", "label": [[0, 4, "GPE"]]}
    bad = {"text": TEXT, "label": [[0, 10, "GPE"], [4, 15, "ORG"]]}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ok) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    store = Store(tmp_path / "bad.db")
    ops.ensure_default_labels(store)
    (result,) = ops.import_paths(store, [path], annotator="bob")
    assert not result.ok
    assert f"{path}:2:" in str(result.error) and "overlap" in str(result.error)
    store.close()
    with sqlite3.connect(tmp_path / "bad.db") as c:
        assert c.execute("SELECT count(*) FROM articles").fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM annotations").fetchone() == (0,)
