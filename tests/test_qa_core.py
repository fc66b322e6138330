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


def test_settling_an_issue_region_keeps_gold_of_other_labels_inside_it(tmp_path):
    """Issue disagreements are per label: settling TRADE over "tariffs on Chinese steel" must
    not remove the agreed TARIFFS on "tariffs", nor another label settled over the same region."""
    from annotator.model import Span

    economy = (34, 47, "ECONOMY")  # "Chinese steel", inside the TRADE region
    with Store(tmp_path / "review.db") as s:
        ops.ensure_default_labels(s)
        s.add_articles([TEXT])
        aid = m.article_id(TEXT)
        spans = {
            "alice": [WASHINGTON, TARIFFS, economy],
            "bob": [WASHINGTON, TARIFFS, TRADE],
            "carol": [WASHINGTON, TARIFFS, TRADE],
        }
        for who, mine in spans.items():
            for start, end, label in mine:
                s.add_span(who, aid, Span(start, end, label, s.layer_of(label)))
            s.set_state(who, aid, m.DONE)
        ops.add_agreed_gold(s, "rita")
        _, open_ = ops.article_review(s, aid)
        by_label = {next(v for v in d.versions.values() if v).label: d for d in open_}
        assert set(by_label) == {"TRADE", "ECONOMY"}
        ops.settle(s, "rita", by_label["ECONOMY"], "take:alice")
        ops.settle(s, "rita", by_label["TRADE"], "take_none")
        gold = {(a.layer, a.start, a.end, a.label) for a in s.gold_spans(aid)}
        assert gold == {(m.ENTITY, *WASHINGTON), (m.ISSUE, *TARIFFS), (m.ISSUE, *economy)}


def test_two_issue_disagreements_on_the_same_region_are_settled_one_by_one(tmp_path):
    """alice marks ECONOMY and bob TRADE on the same words, carol nothing: two one-sided issue
    disagreements with one region. Settling one must leave the other in the queue."""
    from annotator.model import Span

    economy = (23, 47, "ECONOMY")
    with Store(tmp_path / "review.db") as s:
        ops.ensure_default_labels(s)
        s.add_articles([TEXT])
        aid = m.article_id(TEXT)
        spans = {"alice": [WASHINGTON, economy], "bob": [WASHINGTON, TRADE], "carol": [WASHINGTON]}
        for who, mine in spans.items():
            for start, end, label in mine:
                s.add_span(who, aid, Span(start, end, label, s.layer_of(label)))
            s.set_state(who, aid, m.DONE)
        ops.add_agreed_gold(s, "rita")
        _, open_ = ops.article_review(s, aid)
        assert [d.kind for d in open_] == ["one_sided", "one_sided"]
        by_label = {next(v for v in d.versions.values() if v).label: d for d in open_}
        ops.settle(s, "rita", by_label["ECONOMY"], "take_none")
        _, still_open = ops.article_review(s, aid)
        assert [next(v for v in d.versions.values() if v).label for d in still_open] == ["TRADE"]
        ops.settle(s, "rita", still_open[0], "take:bob")
        assert ops.article_review(s, aid)[1] == []
        gold = {(a.layer, a.start, a.end, a.label) for a in s.gold_spans(aid)}
        assert gold == {(m.ENTITY, *WASHINGTON), (m.ISSUE, *TRADE)}
        # undo and redo of the second settlement
        s.undo("rita")
        assert [d.region for d in ops.article_review(s, aid)[1]] == [(23, 47)]
        s.redo("rita")
        assert ops.article_review(s, aid)[1] == []


def test_merge_puts_a_line_ending_or_normalisation_twin_onto_our_article(tmp_path):
    """A CRLF (or NFD) copy of an article is reported and merged onto ours, offsets mapped."""
    from annotator.model import Span
    from annotator.store.merge import merge_database

    lf = "Oil prices rose.\nThe EU agreed an embargo on Tuesday.\n"
    crlf = lf.replace("\n", "\r\n")
    nfc = "Cafe\u0301s in Zu\u0308rich closed. The EU said so."  # decomposed here ...
    import unicodedata

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


def test_import_puts_a_line_ending_twin_onto_the_article_already_here(tmp_path):
    """carol's export has CRLF where alice's had LF: one article, both annotators' spans on it."""
    lf = "Oil prices rose.\nThe EU agreed an embargo on Tuesday.\n"
    crlf = lf.replace("\n", "\r\n")
    i, j = lf.index("EU"), crlf.index("Tuesday")
    files = {
        "alice.jsonl": {"text": lf, "label": [[i, i + 2, "ORG"]]},
        "carol.jsonl": {"text": crlf, "label": [[j, j + 7, "DATE"]]},
    }
    with Store(tmp_path / "review.db") as s:
        ops.ensure_default_labels(s)
        for name, record in files.items():
            path = tmp_path / name
            path.write_text(json.dumps(record) + "\n", encoding="utf-8")
            (result,) = ops.import_paths(s, [path], annotator=name.split(".")[0])
            assert result.ok, result.error
        assert s.article_count() == 1
        assert result.report.twins == [(m.article_id(crlf), m.article_id(lf))]
        aid = m.article_id(lf)
        got = {(a.annotator, lf[a.start : a.end], a.label) for a in s.all_annotations()}
        assert got == {("alice", "EU", "ORG"), ("carol", "Tuesday", "DATE")}
        assert s.state("carol", aid) == m.DONE
