"""Merge: another database's work side by side with ours, the same rows whatever its size, in
time proportional to it."""

from __future__ import annotations

import unicodedata

import pytest

from annotator import model as m
from annotator import ops
from annotator.errors import NothingToDo
from annotator.model import ImportedDoc, ImportedSpan, Label, Span, SuggestedSpan
from annotator.store import Store
from annotator.store import merge as merge_module
from annotator.store.merge import merge_database

TEXT = "Alice Smith met Bob in Paris.\nThey talked about trade."
CRLF = TEXT.replace("\n", "\r\n")  # the same article with a Windows line ending
OTHER = "Carl Jones flew to Berlin."
LABELS = [Label("PERSON", "entity"), Label("GPE", "entity"), Label("TRADE", "issue")]


def _ours(path):
    s = Store(path)
    s.ensure_labels(LABELS)
    s.import_docs([ImportedDoc(TEXT, "ours:1", spans=[ImportedSpan(0, 11, "PERSON", annotator="alice")])])
    return s


def _theirs(path):
    """Bob's work on the CRLF twin of our article and on an article we lack; Alice's one span there."""
    with Store(path) as s:
        s.ensure_labels([*LABELS, Label("ORG", "entity", "#123456")])
        s.import_docs(
            [
                ImportedDoc(
                    CRLF,
                    "theirs:1",
                    spans=[
                        ImportedSpan(0, 11, "PERSON", annotator="bob"),
                        ImportedSpan(23, 28, "GPE", annotator="bob"),
                        ImportedSpan(
                            CRLF.index("trade"), CRLF.index("trade") + 5, "TRADE", "issue", annotator="bob"
                        ),
                        ImportedSpan(3, 9, "ORG", annotator="alice"),  # overlaps hers here
                        ImportedSpan(23, 30, "GPE", annotator="carol"),  # ends inside the CRLF
                    ],
                ),
                ImportedDoc(OTHER, "theirs:2", spans=[ImportedSpan(0, 10, "PERSON", annotator="bob")]),
            ]
        )
        other = m.article_id(OTHER)
        s.store_suggestions(
            [(other, [SuggestedSpan(19, 25, "GPE", "entity", "spacy:x@1", 0.5)])], ["spacy:x@1"]
        )
        s.accept("bob", s.suggestions(other, "bob")[0].id)
        s.set_state("bob", other, m.DONE)


def _rows(store, table, cols):
    return store.conn.execute(f"SELECT {cols} FROM {table} ORDER BY rowid").fetchall()


def test_a_merge_brings_their_work_beside_ours_exactly(tmp_path):
    ours = _ours(tmp_path / "ours.db")
    _theirs(tmp_path / "theirs.db")
    report = merge_database(ours, tmp_path / "theirs.db")
    aid, other = m.article_id(TEXT), m.article_id(OTHER)
    assert (report.articles_added, report.articles_known) == (1, 1)
    assert report.twins == [(m.article_id(CRLF), aid)]
    assert (report.annotations, report.conflicts, report.unmapped) == (5, 1, 1)
    assert (report.suggestions, report.decisions, report.states) == (1, 1, 1)
    assert report.labels_created == ["ORG (entity)"]
    assert report.annotators == {"alice", "bob"}
    assert _rows(ours, "articles", "id") == [(aid,), (other,)]
    assert _rows(ours, "annotations", 'article_id, annotator, layer, start, "end", label, origin') == [
        (aid, "alice", "entity", 0, 11, "PERSON", "imported"),
        (other, "bob", "entity", 0, 10, "PERSON", "imported"),
        (other, "bob", "entity", 19, 25, "GPE", "accepted"),
        (aid, "bob", "entity", 0, 11, "PERSON", "imported"),
        (aid, "bob", "entity", 23, 28, "GPE", "imported"),
        (
            aid,
            "bob",
            "issue",
            TEXT.index("trade"),
            TEXT.index("trade") + 5,
            "TRADE",
            "imported",
        ),  # CRLF -> LF
    ]
    (decision,) = list(ours.decisions("bob"))
    assert (decision["decision"], decision["result"]) == (
        "accepted",
        {"start": 19, "end": 25, "label": "GPE"},
    )
    assert ours.state("bob", other) == m.DONE
    assert [e["kind"] for e in ours.ledger("bob")] == ["merged:import", "merged:accept", "merged:state"]
    with pytest.raises(NothingToDo):
        ours.undo("bob")  # merged history is not undoable here
    ours.close()


def test_merging_the_same_file_twice_changes_nothing(tmp_path):
    ours = _ours(tmp_path / "ours.db")
    _theirs(tmp_path / "theirs.db")
    merge_database(ours, tmp_path / "theirs.db")
    tables = (
        "articles",
        "annotations",
        "suggestions",
        "decisions",
        "article_states",
        "ledger",
        "ledger_effects",
    )
    before = {t: _rows(ours, t, "*") for t in tables}
    again = merge_database(ours, tmp_path / "theirs.db")
    assert (again.articles_added, again.annotations, again.suggestions, again.decisions, again.history) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert {t: _rows(ours, t, "*") for t in tables} == before
    ours.close()


def test_the_rows_do_not_depend_on_how_many_are_written_at_once(tmp_path, monkeypatch):
    results = []
    for flush, chunk in ((50_000, 500), (1, 1)):
        monkeypatch.setattr(merge_module, "_FLUSH_ROWS", flush)
        monkeypatch.setattr(merge_module, "_CHUNK", chunk)
        ours = _ours(tmp_path / f"ours-{flush}.db")
        _theirs(tmp_path / f"theirs-{flush}.db")
        merge_database(ours, tmp_path / f"theirs-{flush}.db")
        results.append(
            [
                _rows(ours, "articles", "id, norm_id, title, text, source, meta, words"),
                _rows(
                    ours,
                    "annotations",
                    'id, article_id, annotator, layer, start, "end", label, origin, source',
                ),
                _rows(ours, "suggestions", "*"),
                _rows(
                    ours,
                    "decisions",
                    'article_id, annotator, layer, start, "end", label, status, annotation_id',
                ),
            ]
        )
        ours.close()
    assert results[0] == results[1]


def _work(path, count: int, annotator: str) -> Store:
    s = Store(path)
    s.ensure_labels(LABELS)
    texts = [f"Article {i} names Person{i} and Place{i} once." for i in range(count)]
    s.import_docs(
        [
            ImportedDoc(
                t,
                f"w:{i}",
                spans=[
                    ImportedSpan(len(f"Article {i} names "), t.index(" and"), "PERSON", annotator=annotator)
                ],
            )
            for i, t in enumerate(texts)
        ]
    )
    for t in texts[: count // 2]:
        aid = m.article_id(t)
        s.add_span(annotator, aid, Span(t.index("Place"), t.index(" once"), "GPE"))
    return s


def _vm_work(count: int, tmp_path) -> int:
    """SQLite instructions (in thousands) our side runs to merge ``count`` articles it has."""
    ours = _work(tmp_path / f"ours-{count}.db", count, "alice")
    _work(tmp_path / f"theirs-{count}.db", count, "bob").close()
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    ours.conn.set_progress_handler(tick, 1000)
    merge_database(ours, tmp_path / f"theirs-{count}.db")
    ours.conn.set_progress_handler(None, 0)
    ours.close()
    return steps[0]


def test_merge_work_grows_in_proportion_to_the_articles(tmp_path):
    """Four times the articles, about four times the work (a look-up per span that scanned every
    span of its label made it sixteen times)."""
    small, large = _vm_work(300, tmp_path), _vm_work(1200, tmp_path)
    assert large <= 4.6 * small


def test_line_ending_and_normalisation_twins_from_the_bundled_labels_merge_onto_ours(tmp_path):
    """A CRLF (or NFD) copy of an article is reported and merged onto ours, offsets mapped."""
    lf = "Oil prices rose.\nThe EU agreed an embargo on Tuesday.\n"
    crlf = lf.replace("\n", "\r\n")
    nfc = "Cafe\u0301s in Zu\u0308rich closed. The EU said so."  # decomposed here ...
    nfd, nfc = nfc, unicodedata.normalize("NFC", nfc)  # ... composed in our database

    def db(name: str, who: str, texts: list[str]):
        with Store(tmp_path / name) as s:
            ops.ensure_default_labels(s)
            s.add_articles(texts)
            for t in texts:
                for word, label in (("EU", "ORG"), ("Tuesday", "DATE")):
                    if word in t:
                        i = t.index(word)
                        s.add_span(who, m.article_id(t), Span(i, i + len(word), label))
                s.set_state(who, m.article_id(t), m.DONE)
        return tmp_path / name

    ours, theirs = db("a.db", "alice", [lf, nfc]), db("b.db", "bob", [crlf, nfd])
    with Store(ours) as s:
        report = merge_database(s, theirs)
        assert len(report.twins) == 2 and report.near_duplicates == [] and report.unmapped == 0
        assert s.article_count() == 2
        for text in (lf, nfc):
            aid = m.article_id(text)
            bob = {(text[a.start : a.end], a.label) for a in s.annotations(aid, "bob")}
            alice = {(text[a.start : a.end], a.label) for a in s.annotations(aid, "alice")}
            assert bob == alice and ("EU", "ORG") in bob
            assert s.state("bob", aid) == m.DONE
        counts = s.conn.execute(
            "SELECT (SELECT count(*) FROM annotations), (SELECT count(*) FROM ledger)"
        ).fetchone()
        merge_database(s, theirs)
        assert (
            s.conn.execute(
                "SELECT (SELECT count(*) FROM annotations), (SELECT count(*) FROM ledger)"
            ).fetchone()
            == counts
        )
        assert s.article_count() == 2
