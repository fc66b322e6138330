"""Bulk import: all of a file or nothing, known labels on their layer."""

from __future__ import annotations

import pytest

from annotator import model as m
from annotator.errors import SpanError, StoreError
from annotator.store import Store


def test_import_docs_is_all_or_nothing(store):
    docs = [
        m.ImportedDoc(
            "First text here.", "f.jsonl:1", spans=[m.ImportedSpan(0, 5, "NEWLABEL", annotator="zoe")]
        ),
        m.ImportedDoc("Second text.", "f.jsonl:2", spans=[m.ImportedSpan(0, 6, "PERSON")]),
    ]
    with pytest.raises(StoreError, match="does not say who"):
        store.import_docs(docs, annotator=None)
    assert store.article_count() == 0
    assert "NEWLABEL" not in [lab.name for lab in store.labels()]
    report = store.import_docs(docs, annotator="me")
    assert (report.articles_added, report.annotations) == (2, 2)
    assert [lab.name for lab in report.labels_created] == ["NEWLABEL"]
    again = store.import_docs(docs, annotator="me")
    assert (again.articles_added, again.articles_known, again.annotations) == (0, 2, 0)


def test_import_maps_known_issue_labels_to_the_issue_layer(store):
    report = store.import_docs(
        [
            m.ImportedDoc(
                "Trade talks resumed.", "x:1", spans=[m.ImportedSpan(0, 5, "TRADE")], annotators=["me"]
            )
        ],
        annotator="me",
    )
    aid = m.article_id("Trade talks resumed.")
    assert [(a.layer, a.label) for a in store.annotations(aid, "me")] == [("issue", "TRADE")]
    assert report.labels_created == []
    assert store.state("me", aid) == m.DONE


def _doc(text, spans, where="f.jsonl:1", **kw):
    return m.ImportedDoc(text, where, spans=[m.ImportedSpan(*s) for s in spans], **kw)


CRLF = "Ann Lee met Bo Ray.\r\nThen trade talks."
LF = CRLF.replace("\r\n", "\n")


def _mixed():
    """A file with two annotators, a rejected span, a repeated article, a span whose label
    the database has on the issue layer, predictions and a copy of one span."""
    return [
        _doc(
            LF,
            [
                (0, 7, "PERSON", "entity", "ann"),
                (12, 18, "PERSON", "entity", "ann"),
                (0, 7, "PERSON", "entity", "ann"),
            ],
            annotators=["ann"],
        ),
        _doc(
            LF, [(0, 3, "PERSON", "entity", "bob"), (12, 18, "GPE", "entity", "bob", "reject")], "f.jsonl:2"
        ),
        _doc(
            "Trade and tariffs.",
            [(0, 5, "TRADE", "entity", "ann"), (10, 17, "NEW", "entity", "ann")],
            "f.jsonl:3",
        ),
        _doc(
            "Predicted only.",
            [],
            "f.jsonl:4",
            suggestions=[m.SuggestedSpan(0, 9, "GPE", "entity", "model:x@1", 0.5)],
        ),
        _doc(LF, [(25, 30, "TRADE", "issue", "ann")], "f.jsonl:5"),
    ]


def _dump(store):
    tables = {
        "articles": "id, norm_id, title, text, source, meta, words",
        "labels": "*",
        "annotations": 'id, article_id, annotator, layer, start, "end", label, origin, source',
        "suggestions": "*",
        "decisions": 'article_id, annotator, layer, start, "end", label, source, status, annotation_id',
        "article_states": "article_id, annotator, state",
        "ledger": "id, annotator, article_id, kind, detail",
    }
    rows = {
        t: store.conn.execute(f"SELECT {cols} FROM {t} ORDER BY rowid").fetchall()
        for t, cols in tables.items()
    }
    rows["indexes"] = store.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    ).fetchall()
    return rows


@pytest.mark.parametrize(
    ("flush", "rebuild", "per_insert"), [(1, 1, 128), (2, 10**9, 2), (3, 1, 3), (10**6, 10**9, 2)]
)
def test_the_rows_do_not_depend_on_chunks_nor_on_rebuilt_indexes(
    store, monkeypatch, flush, rebuild, per_insert
):
    """Rows written a few at a time, several to a statement, with the indexes dropped and built
    again or kept, are the rows of one write into the indexes as they are."""
    from annotator.store import bulk, bulk_rows

    store.import_docs(_mixed(), "dflt")
    expected = _dump(store)
    monkeypatch.setattr(bulk, "_FLUSH_ROWS", flush)
    monkeypatch.setattr(bulk, "_REBUILD_MIN_ROWS", rebuild)
    monkeypatch.setattr(bulk_rows, "ROWS_PER_INSERT", per_insert)
    again = Store(store.path.with_name("again.db"))
    again.ensure_labels(store.labels())
    again.conn.execute("DELETE FROM labels WHERE name = 'NEW'")  # made by the first import
    report = again.import_docs(_mixed(), "dflt")
    assert (report.annotations, report.rejections, report.suggestions) == (6, 1, 1)
    assert _dump(again) == expected
    again.close()


def test_a_repeated_article_is_checked_against_itself_once_written(store, monkeypatch):
    from annotator.store import bulk

    monkeypatch.setattr(bulk, "_FLUSH_ROWS", 1)  # the first copy is written before the second is read
    indexes = store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
    docs = [
        _doc(LF, [(0, 7, "PERSON", "entity", "ann")]),
        _doc("Between them.", [(0, 7, "PERSON", "entity", "ann")], "f.jsonl:2"),
        _doc(LF, [(4, 10, "PERSON", "entity", "ann")], "f.jsonl:3"),
    ]
    with pytest.raises(SpanError, match="f.jsonl:3: PERSON 4-10 of ann overlaps"):
        store.import_docs(docs)
    assert store.article_count() == 0
    assert (
        store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall() == indexes
    )


def test_a_failed_import_leaves_the_indexes_it_dropped(store, monkeypatch):
    from annotator.store import bulk

    monkeypatch.setattr(bulk, "_REBUILD_MIN_ROWS", 1)
    indexes = store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
    docs = [
        _doc(LF, [(0, 7, "PERSON", "entity", "ann")]),
        _doc("No one made this.", [(0, 2, "PERSON")], "f.jsonl:2"),
    ]
    with pytest.raises(StoreError, match="f.jsonl:2: the file does not say who"):
        store.import_docs(docs)
    assert (
        store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall() == indexes
    )
    assert store.article_count() == 0


def test_a_twin_goes_onto_our_article_with_its_offsets_mapped(store):
    store.import_docs([_doc(LF, [(0, 7, "PERSON", "entity", "ann")])])
    report = store.import_docs(
        [
            _doc(
                CRLF,
                [
                    (12, 18, "PERSON", "entity", "bob"),
                    (CRLF.index("trade"), CRLF.index("trade") + 5, "TRADE", "issue", "bob"),
                ],
            )
        ]
    )
    aid = m.article_id(LF)
    assert report.twins == [(m.article_id(CRLF), aid)] and report.articles_added == 0
    assert [(LF[a.start : a.end], a.label) for a in store.annotations(aid, "bob")] == [
        ("Bo Ray", "PERSON"),
        ("trade", "TRADE"),
    ]
    with pytest.raises(SpanError, match="inside a line ending"):
        store.import_docs([_doc(CRLF, [(10, 20, "PERSON", "entity", "bob")], "g.jsonl:7")])


def test_new_suggestion_ids_follow_what_the_replaced_import_left(store):
    """An import replaces what an earlier import of the same source said about its articles
    before it writes any suggestion, wherever the article comes in the file."""
    first = [_doc(LF, [(12, 18, "GPE", "entity", "ann", "reject")])]
    store.import_docs(first)
    (old,) = store.conn.execute("SELECT id FROM suggestions").fetchall()
    predicted = _doc(
        "Predicted first.", [], suggestions=[m.SuggestedSpan(0, 9, "GPE", "entity", "model:x@1")]
    )
    store.import_docs([predicted, *first])
    assert store.conn.execute("SELECT id, source FROM suggestions ORDER BY id").fetchall() == [
        (old[0], "model:x@1"),
        (old[0] + 1, "import"),
    ]


@pytest.mark.parametrize("count", [0, 1, 127, 128, 129, 300])
def test_rows_written_many_to_a_statement_keep_their_order_and_constants(count):
    import sqlite3

    from annotator.store.bulk_rows import ROWS_PER_INSERT, insert_rows

    assert ROWS_PER_INSERT == 128
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT, b INTEGER, c TEXT)")
    rows = [(f"r{i}", i) for i in range(count)]
    insert_rows(c, "INSERT INTO t(a, b, c) VALUES ", "(?, ?, 'k')", rows)
    assert c.execute("SELECT id, a, b, c FROM t ORDER BY id").fetchall() == [
        (i + 1, f"r{i}", i, "k") for i in range(count)
    ]


def test_wide_rows_keep_to_the_fewest_parameters_any_sqlite_takes():
    """999 parameters a statement in SQLite before 3.32: rows of 10 values go 99 to a statement."""
    import sqlite3

    from annotator.store.bulk_rows import insert_rows

    c = sqlite3.connect(":memory:")
    c.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    c.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(10))})")
    rows = [tuple(range(i, i + 10)) for i in range(250)]
    insert_rows(c, "INSERT INTO t VALUES ", f"({', '.join('?' * 10)})", rows)
    assert c.execute("SELECT * FROM t ORDER BY rowid").fetchall() == rows


@pytest.mark.parametrize("per_insert", [2, 3, 128])
def test_rows_many_to_a_statement_meet_conflicts_as_one_by_one(monkeypatch, per_insert):
    """An upsert's rows, several to a statement, end as when written one by one: a later row
    of the same key updates the earlier one, the WHERE of the update holds row by row."""
    import sqlite3

    from annotator.store import bulk_rows

    monkeypatch.setattr(bulk_rows, "ROWS_PER_INSERT", per_insert)
    head, row = "INSERT INTO s(a, who, state) VALUES ", "(?, ?, ?)"
    tail = (
        " ON CONFLICT(a, who) DO UPDATE SET state = excluded.state WHERE s.state IN ('todo', 'in_progress')"
    )
    rows = [("x", "ann", "todo"), ("x", "ann", "done"), ("x", "ann", "todo"), ("y", "ann", "in_progress")]
    rows += [("y", "bob", "done"), ("y", "ann", "skipped"), ("z", "ann", "todo")]
    dumps = []
    for write in (
        lambda c: c.executemany(head + row + tail, rows),
        lambda c: bulk_rows.insert_rows(c, head, row, rows, tail),
    ):
        c = sqlite3.connect(":memory:")
        c.execute("CREATE TABLE s (a TEXT, who TEXT, state TEXT, PRIMARY KEY (a, who))")
        write(c)
        dumps.append(c.execute("SELECT a, who, state FROM s ORDER BY rowid").fetchall())
    assert (
        dumps[0]
        == dumps[1]
        == [("x", "ann", "done"), ("y", "ann", "skipped"), ("y", "bob", "done"), ("z", "ann", "todo")]
    )
