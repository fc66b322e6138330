"""The store: what lands in the database after each user action."""

from __future__ import annotations

import sqlite3

import pytest

from annotator import model as m
from annotator.errors import LabelError, NewerDatabaseError, NothingToDo, SpanError, StoreError
from annotator.model import Label, Span, SuggestedSpan
from annotator.store import Store, schema

TEXT = "Alice Smith met Bob in Paris to talk about trade and new tariffs."
# offsets: Alice Smith 0-11, Bob 16-19, Paris 23-28, talk 32-36, trade 43-48, tariffs 57-64


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "a.db")
    s.ensure_labels(
        [
            Label("PERSON", "entity", "#ff0000", "1"),
            Label("GPE", "entity", "#00ff00", "2"),
            Label("TRADE", "issue", "#0000ff"),
            Label("TARIFFS", "issue", "#00ffff", parent="TRADE"),
        ]
    )
    yield s
    s.close()


@pytest.fixture
def article(store):
    ch = store.add_articles([TEXT])
    aid = next(iter(ch.articles))
    store.store_suggestions(
        [
            (
                aid,
                [
                    SuggestedSpan(0, 11, "PERSON", "entity", "spacy:test@1"),
                    SuggestedSpan(16, 19, "PERSON", "entity", "spacy:test@1"),
                    SuggestedSpan(23, 28, "GPE", "entity", "spacy:test@1"),
                    SuggestedSpan(43, 48, "TRADE", "issue", "taxonomy:t@1"),
                    SuggestedSpan(57, 64, "TARIFFS", "issue", "taxonomy:t@1"),
                ],
            )
        ],
        ["spacy:test@1", "taxonomy:t@1"],
    )
    return aid


def sugg(store, aid, text, who="ann"):
    return next(s for s in store.suggestions(aid, who) if TEXT[s.start : s.end] == text)


def test_new_database_is_wal_with_busy_timeout(tmp_path):
    s = Store(tmp_path / "x.db")
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert s.integrity_check() == "ok"


def test_reimport_of_the_same_text_is_a_no_op(store):
    first = store.add_articles([TEXT, "Another article."])
    again = store.add_articles([TEXT])
    assert len(first.articles) == 2
    assert again.articles == frozenset()
    assert store.article_count() == 2
    assert store.article(m.article_id(TEXT)).title == TEXT


def test_accept_reject_correct_land_in_the_database(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.reject("ann", sugg(store, article, "Bob").id)
    store.correct("ann", sugg(store, article, "Paris").id, label="PERSON")
    anns = store.annotations(article, "ann")
    assert [(TEXT[a.start : a.end], a.label, a.origin) for a in anns] == [
        ("Alice Smith", "PERSON", "accepted"),
        ("Paris", "PERSON", "corrected"),
    ]
    status = {TEXT[s.start : s.end]: s.status for s in store.suggestions(article, "ann")}
    assert status == {
        "Alice Smith": "accepted",
        "Bob": "rejected",
        "Paris": "corrected",
        "trade": "pending",
        "tariffs": "pending",
    }
    # another annotator still sees everything pending
    assert {s.status for s in store.suggestions(article, "other")} == {"pending"}
    assert store.state("ann", article) == m.IN_PROGRESS


def test_rejected_suggestions_are_kept_as_negative_examples(store, article):
    store.reject("ann", sugg(store, article, "Bob").id)
    rows = [d for d in store.decisions("ann") if d["decision"] == "rejected"]
    assert rows == [
        {
            "article_id": article,
            "annotator": "ann",
            "layer": "entity",
            "start": 16,
            "end": 19,
            "label": "PERSON",
            "source": "spacy:test@1",
            "decision": "rejected",
            "at": rows[0]["at"],
            "result": None,
        }
    ]


def test_resuggesting_replaces_suggestions_but_keeps_decisions(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.reject("ann", sugg(store, article, "Bob").id)
    store.store_suggestions(
        [
            (
                article,
                [
                    SuggestedSpan(0, 11, "PERSON", "entity", "spacy:test@1"),
                    SuggestedSpan(16, 19, "PERSON", "entity", "spacy:test@1"),
                ],
            )
        ],
        ["spacy:test@1"],
    )
    status = {(TEXT[s.start : s.end], s.source): s.status for s in store.suggestions(article, "ann")}
    assert status[("Alice Smith", "spacy:test@1")] == "accepted"
    assert status[("Bob", "spacy:test@1")] == "rejected"
    assert ("Paris", "spacy:test@1") not in status  # replaced
    assert ("trade", "taxonomy:t@1") in status  # other source untouched
    assert len(store.annotations(article, "ann")) == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(5, 5, "empty"), (10, 4, "ends before"), (-1, 3, "negative"), (60, 200, "outside the text")],
)
def test_bad_spans_are_refused_with_a_clear_error(store, article, start, end, message):
    with pytest.raises(SpanError, match=message):
        store.add_span("ann", article, Span(start, end, "PERSON"))
    assert store.annotations(article, "ann") == []


def test_entity_spans_may_not_overlap_but_issues_may(store, article):
    store.add_span("ann", article, Span(0, 11, "PERSON"))
    with pytest.raises(SpanError, match="overlaps the entity PERSON 0-11"):
        store.add_span("ann", article, Span(6, 15, "GPE"))
    # another annotator may
    store.add_span("bob", article, Span(6, 15, "GPE"))
    # issues overlap each other and entities
    store.add_span("ann", article, Span(43, 64, "TRADE", "issue"))
    store.add_span("ann", article, Span(57, 64, "TARIFFS", "issue"))
    store.add_span("ann", article, Span(0, 15, "TRADE", "issue"))
    assert len(store.annotations(article, "ann")) == 4


def test_unknown_label_is_refused(store, article):
    with pytest.raises(LabelError, match="no entity label 'NOPE'"):
        store.add_span("ann", article, Span(0, 5, "NOPE"))


def test_update_and_delete(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    ann = store.annotations(article, "ann")[0]
    store.update_span("ann", ann.id, end=5)
    assert TEXT[store.annotation(ann.id).start : store.annotation(ann.id).end] == "Alice"
    assert store.annotation(ann.id).origin == "corrected"
    store.delete_span("ann", ann.id)
    assert store.annotations(article, "ann") == []
    # deleting an accepted suggestion turns it into a rejection
    assert sugg(store, article, "Alice Smith").status == "rejected"


def test_undo_redo_across_restart(tmp_path, store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.reject("ann", sugg(store, article, "Bob").id)
    store.add_span("ann", article, Span(32, 36, "PERSON"))
    path = store.path
    store.close()

    s2 = Store(path)
    s2.undo("ann")  # the added span
    assert [a.label for a in s2.annotations(article, "ann")] == ["PERSON"]
    s2.undo("ann")  # the rejection
    assert sugg(s2, article, "Bob").status == "pending"
    s2.close()

    s3 = Store(path)
    s3.redo("ann")
    assert sugg(s3, article, "Bob").status == "rejected"
    s3.redo("ann")
    assert [TEXT[a.start : a.end] for a in s3.annotations(article, "ann")] == ["Alice Smith", "talk"]
    with pytest.raises(NothingToDo):
        s3.redo("ann")
    # undo everything, down to the article state
    for _ in range(3):
        s3.undo("ann")
    assert s3.annotations(article, "ann") == []
    assert s3.state("ann", article) == m.TODO
    with pytest.raises(NothingToDo):
        s3.undo("ann")
    s3.close()


def test_a_new_action_ends_redo(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.undo("ann")
    store.reject("ann", sugg(store, article, "Bob").id)
    with pytest.raises(NothingToDo):
        store.redo("ann")


def test_undo_is_per_annotator(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.accept("bob", sugg(store, article, "Paris", "bob").id)
    store.undo("ann")
    assert store.annotations(article, "ann") == []
    assert len(store.annotations(article, "bob")) == 1


def test_accept_all_skips_overlapping_entities(store, article):
    store.add_span("ann", article, Span(16, 22, "GPE"))  # "Bob in" overlaps suggestion Bob
    ch = store.accept_all("ann", article)
    assert ch.count("accepted") == 4
    assert ch.count("skipped") == 1
    store.undo("ann")
    assert len(store.annotations(article, "ann")) == 1


def test_states_progress_and_next(store, article):
    other = next(iter(store.add_articles(["Second text about visas."]).articles))
    assert store.progress("ann") == (0, 2)
    assert store.next_article("ann") == article
    store.set_state("ann", article, m.DONE)
    assert store.progress("ann") == (1, 2)
    assert store.next_article("ann", after=article) == other
    assert store.article_ids("ann", state=m.DONE) == [article]
    assert store.article_ids("ann", state=m.TODO) == [other]
    assert store.article_ids("ann", search="VISAS") == [other]
    rows = store.article_rows([article, other], "ann")
    assert (rows[0].state, rows[0].pending, rows[1].state) == ("done", 5, "todo")


def test_database_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('annotator', '9999_future', 'x')"
    )
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError, match="newer version of annotator"):
        Store(path)
    assert path.read_bytes() == before


def test_older_database_is_upgraded_after_a_backup(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    s = Store(path)
    s.add_articles([TEXT])
    s.close()

    def _add_column(db):
        db.execute("ALTER TABLE articles ADD COLUMN extra TEXT")

    monkeypatch.setattr(schema, "migrations", schema.migrations.with_step("9000_test_column", _add_column))
    s2 = Store(path)
    assert s2.backup_path is not None and s2.backup_path.exists()
    assert "extra" in [r[1] for r in s2.conn.execute("PRAGMA table_info(articles)")]
    s2.close()
    backup = sqlite3.connect(s2.backup_path)
    assert "extra" not in [r[1] for r in backup.execute("PRAGMA table_info(articles)")]
    assert backup.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    backup.close()


def test_corrupt_file_is_refused_untouched(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an annotator database or is damaged"):
        Store(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE stuff (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an annotator database"):
        Store(path)


def test_label_names_are_data_not_sql(store, article):
    evil = "x'); DROP TABLE articles;--"
    store.ensure_labels([Label(evil, "entity")])
    store.add_span("ann", article, Span(0, 5, evil))
    assert store.article_count() == 1
    assert store.annotations(article, "ann")[0].label == evil


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


def test_pending_count_counts_a_span_suggested_by_two_sources_once(store, article):
    store.store_suggestions(
        [(article, [SuggestedSpan(0, 11, "PERSON", "entity", "other:model@2")])], ["other:model@2"]
    )
    assert len(store.suggestions(article, "ann")) == 5
    assert store.article_rows([article], "ann")[0].pending == 5


def test_annotation_spans_and_states_of_some_articles(store, article):
    other = next(iter(store.add_articles(["Second article about visas."]).articles))
    store.add_span("ann", article, Span(0, 11, "PERSON"))
    store.add_span("ann", other, Span(0, 6, "PERSON"))
    store.set_state("ann", other, m.DONE)
    assert [(aid, who, sp.label) for aid, who, sp in store.annotation_spans([other])] == [
        (other, "ann", "PERSON")
    ]
    assert len(list(store.annotation_spans())) == 2
    assert list(store.article_states(articles=[other])) == [(other, "ann", "done")]
    assert list(store.article_states("nobody", articles=[other])) == []


def test_suggestions_and_annotations_read_by_range(store, article):
    """A range read returns exactly the rows of the whole read that overlap [start, end)."""
    store.store_suggestions(
        [(article, [SuggestedSpan(23, 28, "GPE", "entity", "spacy:other@1")])], ["spacy:other@1"]
    )
    store.accept("ann", sugg(store, article, "Bob").id)
    store.reject("ann", sugg(store, article, "Paris").id)
    store.add_span("ann", article, Span(32, 36, "TRADE", "issue"))
    every = store.suggestions(article, "ann")
    spans = store.annotations(article, "ann")
    for start, end in [(0, 64), (0, 1), (11, 16), (17, 18), (19, 23), (20, 35), (27, 28), (36, 43), (60, 64)]:
        assert store.suggestions(article, "ann", start=start, end=end) == [
            s for s in every if s.start < end and start < s.end
        ]
        assert store.annotations(article, "ann", start=start, end=end) == [
            a for a in spans if a.start < end and start < a.end
        ]
    # Paris suggested by two sources is still one row, with the annotator's decision.
    (paris,) = store.suggestions(article, "ann", start=23, end=24)
    assert paris.status == m.REJECTED


def test_touched_spans_name_every_span_an_action_changed(store, article):
    mark = store.ledger_mark()
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    assert set(store.touched_spans(mark + 1)) == {(article, "ann", 0, 11)}
    ann = store.annotations(article, "ann")[0]
    mark = store.ledger_mark()
    store.update_span("ann", ann.id, start=6)  # moved: both places
    assert set(store.touched_spans(mark + 1)) == {(article, "ann", 0, 11), (article, "ann", 6, 11)}
    mark = store.ledger_mark()
    store.set_state("ann", article, m.DONE)  # no span changed
    assert store.touched_spans(mark + 1) == []
    last = store.last_action("ann")["id"]
    store.undo("ann")
    store.undo("ann")  # the move, replayed backwards
    assert set(store.touched_spans(last - 1, last - 1)) == {(article, "ann", 0, 11), (article, "ann", 6, 11)}


# -- the token boundary cache ----------------------------------------------------------------


def test_token_bounds_are_kept_per_article_and_tokenizer(store, article):
    other = next(iter(store.add_articles(["Another text."]).articles))
    assert store.token_bounds([article, other], "tok@1") == {}
    assert store.put_token_bounds("tok@1", [(article, b"\x01\x02"), (other, b"\x03")])
    assert store.put_token_bounds("else@1", [(article, b"\x09")])
    assert store.token_bounds([article, other], "tok@1") == {article: b"\x01\x02", other: b"\x03"}
    assert store.token_bounds([other], "tok@1") == {other: b"\x03"}
    assert store.token_bounds([article], "tok@2") == {}
    # A new version of the tokenizer supersedes the old one's rows; another tokenizer's stay.
    assert store.put_token_bounds("tok@2", [(article, b"\x04")])
    assert store.token_bounds([article, other], "tok@1") == {other: b"\x03"}
    assert store.token_bounds([article], "tok@2") == {article: b"\x04"}
    assert store.token_bounds([article], "else@1") == {article: b"\x09"}
    assert store.drop_token_bounds() == 3
    assert store.token_bounds([article, other], "tok@2") == {}


def test_token_bounds_go_with_their_article(store):
    aid = next(iter(store.add_articles(["Deleted later."]).articles))
    store.put_token_bounds("tok@1", [(aid, b"\x01")])
    with store.transaction():
        store.conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
    assert store.conn.execute("SELECT count(*) FROM token_bounds").fetchone()[0] == 0


def test_caching_token_bounds_never_waits_for_a_lock_nor_raises(store, article, monkeypatch):
    from annotator.store import connection as store_module

    monkeypatch.setattr(store_module, "LOCK_WAIT_S", 30.0)
    other = sqlite3.connect(str(store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        assert store.put_token_bounds("tok@1", [(article, b"\x01")]) is False
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0  # restored
    store.conn.execute("PRAGMA query_only = ON")  # as good as a read-only file
    try:
        assert store.put_token_bounds("tok@1", [(article, b"\x01")]) is False
    finally:
        store.conn.execute("PRAGMA query_only = OFF")
    assert store.token_bounds([article], "tok@1") == {}
    assert not store.conn.in_transaction
    assert store.put_token_bounds("tok@1", [(article, b"\x01")]) is True
    assert store.token_bounds([article], "tok@1") == {article: b"\x01"}


def test_a_database_from_before_the_token_cache_is_upgraded_with_its_content(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.add_articles([TEXT])
    con = sqlite3.connect(path)
    _undo_0005(con)
    con.execute("DROP TABLE token_bounds")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = '0004_token_bounds'")
    con.commit()
    con.close()
    with Store(path) as s:
        assert s.backup_path is not None and "0003_adjudication_labels" in s.backup_path.name
        assert s.article_count() == 1
        aid = s.article_ids()[0]
        assert s.put_token_bounds("tok@1", [(aid, b"\x01")])
        assert s.token_bounds([aid], "tok@1") == {aid: b"\x01"}


def _undo_0005(con: sqlite3.Connection) -> None:
    """Make a database what it was before 0005_suggestions_by_position."""
    con.execute("DROP INDEX suggestions_by_position")
    con.execute("CREATE INDEX suggestions_article ON suggestions(article_id)")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_suggestions_by_position'")


def _suggestion_indexes(con) -> set[str]:
    sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'suggestions'"
    return {r[0] for r in con.execute(sql)}


def test_a_database_from_before_the_position_index_is_upgraded_with_its_content(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.add_articles([TEXT])
        aid = s.article_ids()[0]
        s.store_suggestions([(aid, [SuggestedSpan(0, 4, "PERSON", "entity", "m@1")])], ["m@1"])
        before = s.suggestions(aid, "ann")
    con = sqlite3.connect(path)
    _undo_0005(con)
    con.commit()
    assert "suggestions_by_position" not in _suggestion_indexes(con)
    con.close()
    with Store(path) as s:
        assert s.backup_path is not None and "0004_token_bounds" in s.backup_path.name
        assert s.suggestions(aid, "ann") == before
        assert _suggestion_indexes(s.conn) == {"suggestions_by_position", "suggestions_source"}
    assert Store.schema_steps()[-1] == "0005_suggestions_by_position"


def test_an_articles_suggestions_are_read_in_order_from_the_index_without_a_sort(store, article):
    ran = []  # the statements suggestion_rows runs, with their parameters filled in
    store.conn.set_trace_callback(ran.append)
    store.suggestion_rows(article, "ann")
    store.conn.set_trace_callback(None)
    query = next(q for q in ran if "FROM suggestions" in q)
    plan = " / ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "COVERING INDEX suggestions_by_position" in plan
    assert "TEMP B-TREE" not in plan


def test_suggestion_rows_are_the_suggestions_as_tuples(store, article):
    store.store_suggestions(
        [(article, [SuggestedSpan(0, 11, "PERSON", "entity", "other:model@2")])], ["other:model@2"]
    )
    store.reject("ann", store.suggestions(article, "ann")[1].id)
    for kw in ({}, {"start": 0, "end": 12}):
        full = store.suggestions(article, "ann", **kw)
        rows = store.suggestion_rows(article, "ann", **kw)
        assert rows == [(s.id, s.layer, s.start, s.end, s.label, s.source, s.score, s.status) for s in full]
        assert [(r.id, r.status, r.source) for r in rows] == [(s.id, s.status, s.source) for s in full]
    assert store.suggestion_rows(article, "ann")[1].status == m.REJECTED
