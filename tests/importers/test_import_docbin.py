"""spaCy DocBin files."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import DocBin, Span

from annotator.errors import InputError
from annotator.importers import read
from annotator.model import ISSUE


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def save(path, docs, user_data=True):
    DocBin(docs=docs, store_user_data=user_data).to_disk(path)
    return path


def test_real_docbin_matches_the_prodigy_task(interop):
    result = read(interop / "spacy" / "projects_ner_tweets_demo.spacy")
    assert result.format == "spacy"
    [doc] = result.docs
    assert doc.text.startswith("I'm seeing Ed Sheeran")
    assert [(doc.text[s.start : s.end], s.label, s.layer) for s in doc.spans] == [
        ("Ed Sheeran", "PERSON", "entity")
    ]
    assert doc.annotators == [None]
    # The same document as the Prodigy sample: the same span at the same offsets.
    prodigy = read(interop / "prodigy" / "projects_ner_tweets_demo.jsonl").docs[0]
    assert prodigy.text == doc.text
    assert [(s.start, s.end, s.label) for s in prodigy.spans] == [
        (s.start, s.end, s.label) for s in doc.spans
    ]


def test_ents_issue_group_incorrect_spans_and_other_groups(tmp_path, nlp):
    doc = nlp("Angela Merkel visited Paris and Berlin on Monday")
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 3, 4, "GPE")]
    doc.spans["issues"] = [Span(doc, 0, 8, "Diplomacy")]
    doc.spans["incorrect_spans"] = [Span(doc, 5, 6, "PERSON")]
    doc.spans["sc"] = [Span(doc, 1, 2, "SURNAME"), Span(doc, 7, 8, "DATE"), Span(doc, 6, 8, "TIME")]
    doc.user_data["title"] = "Visit"
    doc.user_data["url"] = "http://x"
    doc.user_data["bad"] = b"\x00\x01"  # bytes survive msgpack, not JSON
    doc.cats = {"POLITICS": 1.0}
    result = read(save(tmp_path / "a.spacy", [doc]))
    [imported] = result.docs
    got = [(imported.text[s.start : s.end], s.label, s.layer, s.answer) for s in imported.spans]
    assert got == [
        ("Angela Merkel", "PERSON", "entity", "accept"),
        ("Paris", "GPE", "entity", "accept"),
        ("Angela Merkel visited Paris and Berlin on Monday", "Diplomacy", ISSUE, "accept"),
        ("Berlin", "PERSON", "entity", "reject"),
        ("on Monday", "TIME", "entity", "accept"),
    ]
    assert imported.title == "Visit"
    assert imported.meta == {"title": "Visit", "url": "http://x", "cats": {"POLITICS": 1.0}}
    joined = "\n".join(result.warnings)
    assert "'sc'" in joined and "dropped" in joined and "'bad'" in joined
    assert imported.location.endswith("a.spacy: record 1")


def test_unannotated_doc_is_not_done(tmp_path, nlp):
    [imported] = read(save(tmp_path / "a.spacy", [nlp("no entities set here")])).docs
    assert imported.spans == [] and imported.annotators == []


def test_exact_spans_annotator_and_answer_from_user_data(tmp_path, nlp):
    doc = nlp("Merkel visited Paris")
    doc.ents = [Span(doc, 0, 1, "PERSON")]
    doc.user_data.update({"annotator": "alice", "answer": "accept", "spans": [[0, 5, "PERSON", "entity"]]})
    rejected = nlp("Merkel visited Paris")
    rejected.user_data.update({"annotator": "bob", "answer": "reject", "spans": [[15, 20, "GPE", "entity"]]})
    first, second = read(save(tmp_path / "a.spacy", [doc, rejected])).docs
    assert [(s.start, s.end, s.label, s.annotator, s.answer) for s in first.spans] == [
        (0, 5, "PERSON", "alice", "accept")
    ]
    assert first.annotators == ["alice"]
    assert [(s.start, s.end, s.label, s.annotator, s.answer) for s in second.spans] == [
        (15, 20, "GPE", "bob", "reject")
    ]
    assert second.annotators == []
    assert "spans" not in first.meta


def test_not_a_docbin(write_file):
    path = write_file("a.spacy", b"this is not msgpack at all")
    with pytest.raises(InputError, match="not a spaCy DocBin") as info:
        read(path)
    assert str(path) in str(info.value)


def test_empty_docbin_file(write_file):
    with pytest.raises(InputError, match="empty"):
        read(write_file("a.spacy", b""))


def test_bad_exact_span_names_the_record(tmp_path, nlp):
    good = nlp("fine text")
    bad = nlp("Merkel visited Paris")
    bad.user_data["spans"] = [[0, 50, "PERSON", "entity"]]
    path = save(tmp_path / "a.spacy", [good, bad])
    with pytest.raises(InputError, match="outside the text") as info:
        read(path)
    assert f"{path}: record 2" in str(info.value)


def test_real_prodigy_docbin_with_empty_docs_imports_the_rest(interop):
    # A published project's dev set from Prodigy's data-to-spacy: 686 docs, 11 of them empty
    # (no text, an empty incorrect_spans group). spaCy trains on it; so must we import it.
    path = interop / "spacy" / "NER-prodigy-logWandB_corpus_dev.spacy"
    if not path.exists():
        pytest.skip("the Prodigy DocBin sample is not in ../shared/data yet")
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    empty = [d for d in docs if not d.text.strip()]
    result = read(path)
    assert len(result.docs) == len(docs) - len(empty) == 675
    entities = sum(len(d.ents) for d in docs)
    assert sum(1 for d in result.docs for s in d.spans if s.answer == "accept") == entities
    assert result.warnings == [
        f"records with no text and no annotations were skipped (11 times, first at {path}: record 10)"
    ]
