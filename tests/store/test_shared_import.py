"""An import beside an open window: short transactions, the same rows, all or nothing still."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from annotator import model as m
from annotator import ops
from annotator.errors import Cancelled
from annotator.model import Label, Span, SuggestedSpan
from annotator.store import Store, bulk, presence, shared_import
from annotator.store.import_runs import clean_unfinished
from annotator.store.shared_import import SharedImport

HERE_TEXT = "Angela Merkel met Joe Biden in Berlin on Monday."
TWIN_TEXT = "Olaf Scholz spoke in Hamburg.\nThen he left."
# Columns that differ between any two runs (times) or by the order rows were written (ids).
_VARYING = {"id", "annotation_id", "created_at", "updated_at", "decided_at", "at", "started_at", "applied_at"}


def _content(db) -> dict[str, list[tuple]]:
    """Every row of every table but the times and ids, sorted: what an import leaves."""
    c = sqlite3.connect(db)
    try:
        out = {}
        tables = c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        for (table,) in tables.fetchall():
            cols = [r[1] for r in c.execute(f"PRAGMA table_info({table})") if r[1] not in _VARYING]
            rows = c.execute(f"SELECT {', '.join(json.dumps(k) for k in cols)} FROM {table}").fetchall()
            out[table] = sorted((tuple(map(_timeless, row)) for row in rows), key=repr)
        return out
    finally:
        c.close()


def _timeless(value):
    """A ledger effect's row without its times and ids."""
    if isinstance(value, str) and value.startswith("{"):
        return json.dumps({k: v for k, v in json.loads(value).items() if k not in _VARYING}, sort_keys=True)
    return value


def _line(text: str, who: str | None = "alice", spans=(), **extra) -> str:
    rec = {"text": text, "spans": [{"start": a, "end": b, "label": lab} for a, b, lab in spans], **extra}
    if who is not None:
        rec["_annotator_id"] = who
    return json.dumps(rec)


def _filler(i: int) -> str:
    text = f"Story {i}: the Bundesbank in Frankfurt raised rates, said Christine Lagarde on day {i}."
    return _line(text, spans=[(10, 20, "ORG"), (24, 33, "GPE"), (46, 63, "PERSON")])


def _mixed_file(path, fillers: int = 40, tail: str | None = None) -> None:
    """New articles (spans of two annotators, one twice, a rejected span, suggestions, new labels),
    spans and suggestions onto an article here, and a twin of one here."""
    lines = [_filler(i) for i in range(fillers // 2)]
    lines += [
        _line("Nadia Morales visited Lagos.", spans=[(0, 13, "PERSON"), (22, 27, "HARBOUR")]),
        _line("Nadia Morales visited Lagos.", "bob", spans=[(0, 13, "PERSON")]),
        _line("Nadia Morales visited Lagos.", spans=[(14, 21, "ORG"), (22, 27, "HARBOUR")]),
        _line("Tariffs on steel rose.", spans=[(0, 7, "GPE")], answer="reject", _is_binary=True),
        _line(HERE_TEXT, spans=[(31, 37, "GPE")]),
        _line(TWIN_TEXT.replace("\n", "\r\n"), spans=[(22, 29, "GPE")]),
    ]
    lines += [_filler(i) for i in range(fillers // 2, fillers)]
    if tail is not None:
        lines.append(tail)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _suggestions_file(path) -> None:
    """Suggestions for an article here (they replace the ones of the same source) and a new one."""
    recs = [
        {
            "text": HERE_TEXT,
            "spans": [{"start": 0, "end": 13, "label": "PERSON", "origin": "suggestion", "source": "m@1"}],
        },
        {
            "text": "Floods hit the coast.",
            "spans": [
                {
                    "start": 0,
                    "end": 6,
                    "label": "CLIMATE",
                    "layer": "issue",
                    "origin": "suggestion",
                    "source": "m@1",
                }
            ],
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def _make_db(path) -> Store:
    s = Store(path)
    s.ensure_labels([Label("PERSON", m.ENTITY), Label("GPE", m.ENTITY), Label("ORG", m.ENTITY)])
    s.add_articles([HERE_TEXT, TWIN_TEXT])
    aid = m.article_id(HERE_TEXT)
    s.store_suggestions([(aid, [SuggestedSpan(18, 27, "PERSON", m.ENTITY, "m@1", 0.4)])], ["m@1"])
    s.add_span("carol", aid, Span(0, 13, "PERSON"))
    return s


@pytest.fixture
def tiny_transactions(monkeypatch):
    """A handful of rows per transaction: even a small file takes many."""
    monkeypatch.setattr(shared_import, "FIRST_ROWS", 7)
    monkeypatch.setattr(shared_import, "MAX_ROWS", 7)
    monkeypatch.setattr(shared_import, "GAP_S", 0)


def _import(tmp_path, name: str, files, present: bool, **kw):
    db = tmp_path / f"{name}.db"
    store = _make_db(db)
    held = presence.hold_open(db) if present else None
    try:
        results = ops.import_paths(store, files, annotator="me", **kw)
    finally:
        if held is not None:
            held.release()
        store.close()
    return db, results


def test_beside_a_window_the_import_writes_the_same_rows_in_many_transactions(
    tmp_path, tiny_transactions, monkeypatch
):
    src, sugg = tmp_path / "mixed.jsonl", tmp_path / "sugg.jsonl"
    _mixed_file(src)
    _suggestions_file(sugg)
    fast_db, fast = _import(tmp_path, "fast", [src, sugg], present=False)
    commits = []
    real = shared_import._FileImport._commit
    monkeypatch.setattr(
        shared_import._FileImport, "_commit", lambda self, w: commits.append(1) or real(self, w)
    )
    shared_db, shared = _import(tmp_path, "shared", [src, sugg], present=True)
    assert len(commits) > 10
    assert [r.ok for r in shared] == [True, True]
    for a, b in zip(fast, shared, strict=True):
        ra, rb = a.report, b.report
        assert (ra.articles_added, ra.articles_known, ra.annotations, ra.rejections, ra.suggestions) == (
            rb.articles_added,
            rb.articles_known,
            rb.annotations,
            rb.rejections,
            rb.suggestions,
        )
        assert ra.labels_created == rb.labels_created and ra.twins == rb.twins
        assert ra.changes == rb.changes
    assert fast[0].report.twins and fast[0].report.rejections and fast[0].report.labels_created
    assert fast[1].report.suggestions == 2
    assert _content(shared_db) == _content(fast_db)


def test_an_error_found_late_in_the_file_leaves_nothing_of_it(tmp_path, tiny_transactions):
    src = tmp_path / "late.jsonl"
    overlapping = _line("A late story about Berlin.", spans=[(0, 6, "ORG"), (2, 10, "GPE")])
    _mixed_file(src, fillers=60, tail=overlapping)
    db = tmp_path / "late.db"
    store = _make_db(db)
    before = _content(db)
    held = presence.hold_open(db)
    (res,) = ops.import_paths(store, [src], annotator="me")
    held.release()
    store.close()
    assert not res.ok and "overlap" in str(res.error) and res.report is None
    assert _content(db) == before


def test_a_stop_midway_leaves_nothing_and_lets_the_window_go_on(tmp_path, tiny_transactions, monkeypatch):
    src = tmp_path / "many.jsonl"
    _mixed_file(src, fillers=80)
    db = tmp_path / "stop.db"
    _make_db(db).close()
    before = _content(db)
    real = shared_import._FileImport._commit
    calls = []

    def ctrl_c_on_the_fifth(self, write):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        real(self, write)

    monkeypatch.setattr(shared_import._FileImport, "_commit", ctrl_c_on_the_fifth)
    store = Store(db)
    held = presence.hold_open(db)
    try:
        with pytest.raises(KeyboardInterrupt):
            ops.import_paths(store, [src], annotator="me")
        assert store.conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL again
    finally:
        held.release()
        store.close()
    assert _content(db) == before


def _docs(n: int, start: int = 0) -> list[m.ImportedDoc]:
    out = []
    for i in range(start, start + n):
        text = f"Report {i}: Olaf Scholz met traders in Hamburg."
        out.append(
            m.ImportedDoc(text, f"f:{i}", spans=[m.ImportedSpan(10, 21, "PERSON", m.ENTITY, "imp", "accept")])
        )
    return out


def test_undo_keeps_the_articles_someone_worked_on_meanwhile(tmp_path, tiny_transactions):
    db = tmp_path / "kept.db"
    store = _make_db(db)
    before = store.article_count()
    run = SharedImport(store, "f.jsonl")
    run.start()
    run.add(_docs(30), description="prodigy:f.jsonl")
    touched = m.article_id("Report 3: Olaf Scholz met traders in Hamburg.")
    with Store(db) as window:  # another connection, as the window's
        window.add_span("carol", touched, Span(28, 35, "GPE"))
        window.set_state("dave", m.article_id("Report 7: Olaf Scholz met traders in Hamburg."), m.DONE)
    undone = run.abort()
    assert undone.removed == 28 and len(undone.kept) == 2
    assert "2 articles someone worked on while it ran are kept" in undone.message("was stopped")
    assert store.article_count() == before + 2
    # the work of theirs is whole, and what the import put on those articles stays with it
    assert [a.label for a in store.annotations(touched, "carol")] == ["GPE"]
    assert [a.label for a in store.annotations(touched, "imp")] == ["PERSON"]
    assert store.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (0,)
    assert store.integrity_check() == "ok"
    store.close()


def test_a_run_that_died_is_taken_back_by_the_next_import(tmp_path, tiny_transactions):
    db = tmp_path / "dead.db"
    store = _make_db(db)
    before = _content(db)
    run = SharedImport(store, "dead.jsonl")
    run.start()
    run.add(_docs(20), description="prodigy:dead.jsonl")
    run.run.release()  # the process died: its lock went with it, its record stays
    assert store.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (1,)
    assert store.article_count() == 22
    store.close()
    notes = []
    src = tmp_path / "next.jsonl"
    src.write_text(_filler(1) + "\n", encoding="utf-8")
    with Store(db) as again:
        (res,) = ops.import_paths(again, [src], annotator="me", note=notes.append)
        assert res.ok and again.article_count() == 3
    assert len(notes) == 1 and "dead.jsonl" in notes[0] and "20 articles it had added are removed" in notes[0]
    with Store(db) as again:  # the new file's article, imported once more: nothing new
        assert clean_unfinished(again) == []
        again.conn.execute("DELETE FROM ledger WHERE kind = 'import'")
        aid = m.article_id(json.loads(_filler(1))["text"])
        for table in ("annotations", "article_states"):
            again.conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (aid,))
        again.conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
        again.conn.execute("DELETE FROM annotators WHERE name = 'alice'")
    assert _content(db) == before


def test_a_run_still_running_elsewhere_is_not_taken_back(tmp_path, tiny_transactions):
    db = tmp_path / "alive.db"
    store = _make_db(db)
    run = SharedImport(store, "alive.jsonl")
    run.start()
    run.add(_docs(5), description="prodigy:alive.jsonl")
    with Store(db) as other:
        assert clean_unfinished(other) == []
        assert other.article_count() == 7
    assert run.finish() == [None]
    assert store.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (0,)
    store.close()


def test_a_cancel_between_transactions_takes_the_run_back(tmp_path, tiny_transactions):
    db = tmp_path / "cancel.db"
    store = _make_db(db)
    run = SharedImport(store, "c.jsonl")
    run.start()
    asked = []
    with pytest.raises(Cancelled):
        run.add(_docs(40), description="c", cancelled=lambda: asked.append(1) or len(asked) > 2)
    assert store.article_count() > 2
    run.abort()
    assert store.article_count() == 2
    store.close()


def test_nobody_present_takes_the_one_transaction_path(tmp_path, monkeypatch):
    src = tmp_path / "one.jsonl"
    _mixed_file(src, fillers=4)
    used = []
    real_run = bulk.BulkImport.run
    monkeypatch.setattr(bulk.BulkImport, "run", lambda self: used.append("bulk") or real_run(self))
    real_add = SharedImport.add
    monkeypatch.setattr(
        SharedImport, "add", lambda self, *a, **k: used.append("shared") or real_add(self, *a, **k)
    )
    db, (res,) = _import(tmp_path, "nobody", [src], present=False)
    assert res.ok and used == ["bulk"]
    assert not presence.side_file(db, presence.IMPORTING_SUFFIX).exists()
    used.clear()
    _, (res,) = _import(tmp_path, "somebody", [src], present=True)
    assert res.ok and used == ["shared"]
    # A caller's transaction (the window's own import runs in one) keeps the one-transaction path.
    used.clear()
    store = _make_db(tmp_path / "inside.db")
    held = presence.hold_open(store.path)
    with store.transaction():
        (res,) = ops.import_paths(store, [src], annotator="me")
    held.release()
    store.close()
    assert res.ok and used == ["bulk"]


def test_presence_is_seen_by_other_processes_and_goes_with_the_process(tmp_path):
    db = tmp_path / "p.db"
    Store(db).close()
    ask = [
        sys.executable,
        "-c",
        "import sys; from annotator.store import presence; print(presence.anyone_open(sys.argv[1]))",
        str(db),
    ]

    def others_see() -> str:
        return subprocess.run(ask, capture_output=True, text=True, check=True).stdout.strip()

    assert not presence.anyone_open(db) and others_see() == "False"
    held = presence.hold_open(db)
    assert held is not None and presence.anyone_open(db) and others_see() == "True"
    held.release()
    assert others_see() == "False"
    hold = "import sys, time; from annotator.store import presence; h = presence.hold_open(sys.argv[1]); print(1, flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", hold, str(db)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "1"
    assert presence.anyone_open(db)
    child.kill()
    child.wait()
    child.stdout.close()
    assert not presence.anyone_open(db)
