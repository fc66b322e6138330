"""Agreement with token boundaries from the store's cache: same figures, spaCy loaded only when needed."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from review_helpers import TOKEN_TEXTS as TEXTS

from annotator import model as m
from annotator import ops
from annotator.model import Label, Span
from annotator.review.agreement import (
    pack_bounds,
    text_tokens,
    tokenizer_name,
)
from annotator.store import Store


@pytest.fixture
def db(tmp_path):
    """Three articles, two annotators who partly agree on entities and issues."""
    path = tmp_path / "a.db"
    with Store(path) as s:
        s.ensure_labels(
            [
                Label("PERSON", "entity"),
                Label("ORG", "entity"),
                Label("GPE", "entity"),
                Label("TRADE", "issue"),
                Label("HOUSING", "issue"),
            ]
        )
        ids = [next(iter(s.add_articles([t]).articles)) for t in TEXTS]
        for who, shift in (("ann", 0), ("bob", 1)):
            s.add_span(who, ids[0], Span(0, 13, "PERSON"))
            s.add_span(who, ids[0], Span(18, 27, "PERSON" if shift == 0 else "ORG"))
            s.add_span(who, ids[0], Span(31 - 3 * shift, 37, "GPE"))
            s.add_span(who, ids[0], Span(49, 62 + 4 * shift, "TRADE", m.ISSUE))
            s.add_span(who, ids[1], Span(4, 18, "ORG"))
            s.add_span(who, ids[2], Span(2, 8 + shift, "HOUSING", m.ISSUE))
            for aid in ids:
                s.set_state(who, aid, m.DONE)
    return path


def _rows(path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT article_id, tokenizer, length(bounds) FROM token_bounds ORDER BY 1"
        ).fetchall()
    finally:
        con.close()


def _uncached(store: Store) -> dict:
    """The figures with the cache out of the way: every text tokenized now, nothing written."""
    real = ops.article_tokens
    ops.article_tokens = lambda store, columns: text_tokens(columns.texts)
    try:
        return ops.agreement(store).to_dict()
    finally:
        ops.article_tokens = real


def test_the_first_run_fills_the_cache_and_every_run_gives_the_same_figures(db):
    with Store(db) as store:
        expected = _uncached(store)
        assert _rows(db) == []
        first = ops.agreement(store).to_dict()
        rows = _rows(db)
        assert len(rows) == len(TEXTS) and {r[1] for r in rows} == {tokenizer_name()}
        second = ops.agreement(store).to_dict()
        assert store.drop_token_bounds() == len(TEXTS)
        emptied = ops.agreement(store).to_dict()
    assert first == second == emptied == expected
    assert first["tokenizer"] == tokenizer_name()
    assert json.dumps(first) == json.dumps(expected)


def test_a_cached_run_does_not_import_spacy(db):
    with Store(db) as store:
        expected = ops.agreement(store).to_dict()
    code = (
        "import json, sys\n"
        "from annotator import ops\n"
        "from annotator.store import Store\n"
        f"with Store({str(db)!r}) as store:\n"
        "    report = ops.agreement(store)\n"
        "print(json.dumps({'spacy': 'spacy' in sys.modules, 'report': report.to_dict()}))\n"
    )
    out = json.loads(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    )
    assert out["spacy"] is False
    assert out["report"] == expected


def test_a_database_that_cannot_be_written_still_gives_the_figures(db):
    with Store(db) as store:
        expected = _uncached(store)
        store.conn.execute("PRAGMA query_only = ON")  # as a read-only file would
        assert ops.agreement(store).to_dict() == expected
        store.conn.execute("PRAGMA query_only = OFF")
        other = sqlite3.connect(str(db), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            assert ops.agreement(store).to_dict() == expected
        finally:
            other.execute("ROLLBACK")
            other.close()
    assert _rows(db) == []


def test_boundaries_of_another_tokenizer_version_are_ignored_and_replaced(db):
    old = "spacy.blank:en@0.0.1"
    with Store(db) as store:
        expected = _uncached(store)
        ids = store.article_ids()
        # Nonsense boundaries under an older spaCy's name: must not be used.
        junk = pack_bounds(np.array([0, 1]), np.array([1, 2]))
        store.put_token_bounds(old, [(aid, junk) for aid in ids])
        assert ops.agreement(store).to_dict() == expected
    rows = _rows(db)
    assert {r[1] for r in rows} == {tokenizer_name()} and len(rows) == len(TEXTS)
