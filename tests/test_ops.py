"""annotator.ops: what a caller (the CLI, the window) gets from each operation.

Two annotators' Prodigy files about two articles, with one planted disagreement (alice calls
"Joe Biden" a PERSON, bob an ORG); suggestions come from the taxonomy on a blank pipeline, so
no model is loaded.
"""

from __future__ import annotations

import io
import json

import pytest
import spacy

from annotator import model as m
from annotator import ops
from annotator.errors import AnnotatorError, Cancelled, InputError
from annotator.paths import resource
from annotator.store import Store
from annotator.store.provenance import TRAINED_MODEL, USER_TAXONOMY

TEXT1 = "Angela Merkel met Joe Biden in Berlin to discuss steel tariffs and natural gas."
TEXT2 = "The European Union imposed sanctions on Russia over the war."
ALICE = [(TEXT1, [(0, 13, "PERSON"), (18, 27, "PERSON")]), (TEXT2, [(4, 18, "ORG")])]
BOB = [(TEXT1, [(0, 13, "PERSON"), (18, 27, "ORG")]), (TEXT2, [(4, 18, "ORG")])]
BUNDLED = "taxonomy:news-issues@3"


def _prodigy(path, who, rows):
    lines = (
        json.dumps(
            {
                "text": text,
                "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
                "answer": "accept",
                "_annotator_id": who,
            }
        )
        for text, spans in rows
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    return _prodigy(tmp_path / "alice.jsonl", "alice", ALICE), _prodigy(tmp_path / "bob.jsonl", "bob", BOB)


@pytest.fixture
def store(tmp_path, files):
    """Both annotators' work imported, with the bundled labels."""
    with Store(tmp_path / "team.db") as s:
        ops.ensure_default_labels(s)
        assert all(r.ok for r in ops.import_paths(s, files))
        yield s


def _blank_suggest(store, **kwargs):
    return ops.suggest(store, nlp=spacy.blank("en"), entities=False, **kwargs)


# -- labels and import --------------------------------------------------------------------------


def test_default_labels_are_created_once(tmp_path):
    with Store(tmp_path / "labels.db") as s:
        created = ops.ensure_default_labels(s)
        names = {(lab.layer, lab.name) for lab in created}
        assert {("entity", "PERSON"), ("entity", "ORG"), ("issue", "TARIFFS")} <= names
        assert ops.ensure_default_labels(s) == []
        assert {(lab.layer, lab.name) for lab in s.labels()} == names


def test_import_reports_each_file_and_progress(tmp_path, files):
    calls = []
    with Store(tmp_path / "x.db") as s:
        results = ops.import_paths(s, files, progress=lambda done, total: calls.append((done, total)))
        assert [(r.path.name, r.format, r.ok) for r in results] == [
            ("alice.jsonl", "jsonl", True),
            ("bob.jsonl", "jsonl", True),
        ]
        alice, bob = (r.report for r in results)
        assert (alice.articles_added, alice.annotations, alice.annotators) == (2, 3, {"alice"})
        assert (bob.articles_added, bob.articles_known, bob.annotators) == (0, 2, {"bob"})
        assert s.article_count() == 2
    assert calls == [(1, 2), (2, 2)]


def test_a_broken_file_is_reported_and_does_not_stop_the_others(tmp_path, files):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "Half a record\n', encoding="utf-8")
    with Store(tmp_path / "x.db") as s:
        results = ops.import_paths(s, [broken, files[0]])
        assert [r.ok for r in results] == [False, True]
        assert isinstance(results[0].error, InputError) and results[0].report is None
        assert "broken.jsonl" in str(results[0].error)
        assert s.article_count() == 2  # alice's two articles, nothing of the broken file


def test_importing_nothing_or_the_database_itself_is_refused(tmp_path, store):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no files to import"):
        ops.import_paths(store, [empty])
    (result,) = ops.import_paths(store, [store.path], format="jsonl")
    assert not result.ok and "database being imported into" in str(result.error)
    assert store.article_count() == 2


def test_a_cancelled_import_writes_nothing(tmp_path, files):
    with Store(tmp_path / "x.db") as s:
        with pytest.raises(Cancelled):
            ops.import_paths(s, files, cancelled=lambda: True)
        assert s.article_count() == 0


# -- suggest ------------------------------------------------------------------------------------


def test_suggest_reports_what_it_wrote(store):
    calls = []
    summary = _blank_suggest(store, progress=lambda done, total: calls.append((done, total)))
    assert (summary.articles, summary.words) == (2, len(TEXT1.split()) + len(TEXT2.split()))
    assert summary.spans == {BUNDLED: 4} and summary.seconds > 0
    found = {
        (TEXT1[s.start : s.end], s.label, s.source, s.status)
        for s in store.suggestions(m.article_id(TEXT1), "alice")
    }
    assert found == {("tariffs", "TARIFFS", BUNDLED, m.PENDING), ("natural gas", "ENERGY", BUNDLED, m.PENDING)}
    assert calls[-1] == (2, 2)


def test_suggesting_again_replaces_rather_than_adds(store):
    _blank_suggest(store)
    _blank_suggest(store)
    assert len(store.suggestions(m.article_id(TEXT1), "alice")) == 2


def test_suggest_uses_the_taxonomy_recorded_for_the_database_and_drops_the_older_version(tmp_path, store):
    _blank_suggest(store)
    data = json.loads(resource("taxonomy.json").read_text(encoding="utf-8"))
    data["version"] += 1
    own = tmp_path / "own.taxonomy.json"
    own.write_text(json.dumps(data), encoding="utf-8")
    store.set_setting(USER_TAXONOMY, str(own))
    store.set_setting(TRAINED_MODEL, str(tmp_path / "gone"))  # recorded, but no longer there
    summary = _blank_suggest(store)
    newer = f"taxonomy:news-issues@{data['version']}"
    assert summary.spans == {newer: 4}
    sources = {s.source for aid in store.article_ids() for s in store.suggestions(aid, "alice")}
    assert sources == {newer}


# -- export -------------------------------------------------------------------------------------


def test_export_to_a_stream_writes_one_record_per_article_and_annotator(store):
    out = io.StringIO()
    assert ops.export(store, "prodigy", out) == 4
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted((r["text"] == TEXT1, len(r["spans"])) for r in records) == [
        (False, 1),
        (False, 1),
        (True, 2),
        (True, 2),
    ]
    only_bob = io.StringIO()
    assert ops.export(store, "doccano", only_bob, annotator="bob") == 2


def test_export_to_a_path_leaves_only_the_finished_file(tmp_path, store):
    target = tmp_path / "out.jsonl"
    assert ops.export(store, "prodigy", target) == 4
    assert len(target.read_text(encoding="utf-8").splitlines()) == 4
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_refuses_what_it_cannot_write(tmp_path, store):
    with pytest.raises(AnnotatorError, match="prodigy, doccano, spacy, conll, labelstudio, brat, ledger"):
        ops.export(store, "xml", tmp_path / "out.xml")
    with pytest.raises(AnnotatorError, match="no text to tokenize"):
        ops.export(store, "ledger", io.StringIO(), tokens=True)
    assert not (tmp_path / "out.xml").exists()


def test_the_ledger_lists_decisions_then_actions(store):
    _blank_suggest(store)
    (tariffs, *_) = [s for s in store.suggestions(m.article_id(TEXT1), "alice") if s.label == "TARIFFS"]
    store.accept("alice", tariffs.id)
    rows = list(ops.ledger_rows(store, "alice"))
    kinds = [r["type"] for r in rows]
    assert kinds == sorted(kinds, key=["decision", "action"].index)
    assert {r["kind"] for r in rows if r["type"] == "action"} >= {"import"}
    assert any(r["type"] == "decision" and r["decision"] == m.ACCEPTED for r in rows)


# -- demo ---------------------------------------------------------------------------------------


def test_the_demo_adds_its_articles_once(tmp_path):
    assert ops.demo_paths(), "the demo articles are bundled"
    with Store(tmp_path / "demo.db") as s:
        first = ops.load_demo(s)
        assert len(first.articles) == len(ops.demo_paths()) == s.article_count()
        assert len(ops.load_demo(s).articles) == 0
        assert s.labels()


# -- several annotators -------------------------------------------------------------------------


def test_agreement_needs_two_annotators(tmp_path, files):
    with Store(tmp_path / "alone.db") as s:
        ops.import_paths(s, files[:1])
        with pytest.raises(AnnotatorError, match="two annotators"):
            ops.agreement(s)


def test_agreement_compares_the_annotators(store):
    report = ops.agreement(store, include_model=False)
    # 2 of alice's 3 entity spans are bob's exactly, and the other way round
    assert report.pair("alice", "bob", "entity").exact.f1 == pytest.approx(2 / 3)


def test_span_columns_add_the_model_when_asked(store):
    _blank_suggest(store)
    assert ops.span_columns(store).annotators == [("alice", "bob"), ("alice", "bob")]
    assert ops.span_columns(store, include_model=True).annotators == [("alice", "bob", ops.MODEL)] * 2


def test_the_review_queue_holds_the_open_disagreements_until_settled(store):
    (entry, consensus, open_) = ops.review_queue(store)[0]
    assert entry.article_id == m.article_id(TEXT1)
    assert [(d.kind, TEXT1[d.start : d.end]) for d in open_] == [("label_conflict", "Joe Biden")]
    assert [(s.start, s.end, s.label) for s in consensus.agreed] == [(0, 13, "PERSON")]
    assert ops.article_review(store, m.article_id(TEXT2))[1] == []  # full agreement there

    changes = ops.settle(store, "rita", open_[0], "take:bob")
    assert changes.articles and ops.review_queue(store) == []
    gold = {(a.start, a.end, a.label) for a in store.annotations(m.article_id(TEXT1), m.GOLD)}
    assert (18, 27, "ORG") in gold


def test_agreed_spans_go_to_gold_once_and_feedback_needs_gold(store):
    with pytest.raises(AnnotatorError, match="gold"):
        ops.feedback(store, "alice")
    assert ops.add_agreed_gold(store, "rita") == 2  # Merkel, and the European Union
    assert ops.add_agreed_gold(store, "rita") == 0
    (_, _, open_) = ops.review_queue(store)[0]
    ops.settle(store, "rita", open_[0], "take:bob")
    text = ops.feedback(store, "alice").to_text()
    assert text.startswith("alice against gold: 2 articles")
    assert "PERSON -> ORG: 1" in text  # the one span the reviewer relabelled


def test_merge_brings_another_database_in(tmp_path, files):
    other = tmp_path / "carol.db"
    with Store(other) as s:
        ops.import_paths(s, [_prodigy(tmp_path / "carol.jsonl", "carol", [(TEXT2, [(40, 46, "GPE")])])])
    calls = []
    with Store(tmp_path / "team.db") as s:
        ops.import_paths(s, files)
        reports = ops.merge(s, [other], progress=lambda done, total: calls.append((done, total)))
        assert len(reports) == 1 and reports[0].summary_lines()
        assert [(a.start, a.end, a.label) for a in s.annotations(m.article_id(TEXT2), "carol")] == [
            (40, 46, "GPE")
        ]
    assert calls == [(1, 1)]


def test_an_oversized_article_is_suggested_in_pieces_and_the_others_too(tmp_path):
    big = ("Steel tariffs rose again.\n\n" * 12_000) + "The end."
    with Store(tmp_path / "big.db") as s:
        ops.ensure_default_labels(s)
        s.add_articles([big, TEXT1])
        summary = _blank_suggest(s)
        assert summary.articles == 2
        for aid, text in s.texts():
            got = [text[x.start : x.end].lower() for x in s.suggestions(aid) if x.label == "TARIFFS"]
            assert got == ["tariffs"] * text.count("tariffs"), len(text)
