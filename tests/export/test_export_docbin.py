"""spaCy DocBin export: read back with a fresh vocab, ents, the issues group, user_data."""

from __future__ import annotations

import io

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.errors import AnnotatorError
from annotator.export import ExportRecord, ExportSpan, write
from annotator.model import Article, article_id


def export(records, warn=None) -> list:
    out = io.BytesIO()
    assert write("spacy", records, out, warn=warn) == len(records)
    # A fresh vocab: everything needed must be in the bytes.
    return list(DocBin().from_bytes(out.getvalue()).get_docs(spacy.blank("en").vocab))


def test_reads_back_with_text_ents_and_issues(tricky):
    [doc] = export([tricky.record])
    text = tricky.record.article.text
    assert doc.text == text
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    t = tricky
    assert ents == [
        (t.merkel.start, t.merkel.end, "PERSON"),
        (t.obama.start, t.obama.end, "PERSON"),
        (t.new_york.start, t.new_york.end, "GPE"),
        # Off token boundaries: expanded to the tokens it touches.
        (text.index("health-care"), text.index("health-care") + len("health-care"), "ORG"),
        (t.economy.start, t.economy.end, "GPE"),
    ]
    issues = [(s.start_char, s.end_char, s.label_) for s in doc.spans["issues"]]
    assert issues == [(t.tax.start, t.tax.end, "TAXES"), (t.health.start, t.health.end, "HEALTH")]


def test_user_data_keeps_article_annotator_and_exact_offsets(tricky):
    [doc] = export([tricky.record])
    data = doc.user_data
    assert data["article_id"] == tricky.record.article.id
    assert data["title"] == "Merkel meets Obama"
    assert data["annotator"] == "alice"
    assert data["answer"] == "accept"
    assert data["timestamp"] == 1707211049
    exact = sorted(tuple(s) for s in data["spans"])
    assert exact == sorted((s.start, s.end, s.label, s.layer) for s in tricky.record.spans)


def test_entity_collision_keeps_the_first_and_warns():
    text = "Chancellor Merkel spoke."
    record = ExportRecord(
        Article(article_id(text), text),
        "alice",
        # "Mer" and "kel" both expand to the token "Merkel".
        (ExportSpan(14, 17, "ORG", "entity"), ExportSpan(11, 14, "PERSON", "entity")),
    )
    warnings: list[str] = []
    [doc] = export([record], warn=warnings.append)
    assert [(e.text, e.label_) for e in doc.ents] == [("Merkel", "PERSON")]
    assert len(warnings) == 1 and "14-17 (ORG)" in warnings[0]


def test_several_records_of_one_article_do_not_share_annotations(tricky):
    other = ExportRecord(tricky.record.article, "bob", (tricky.obama,))
    alice, bob = export([tricky.record, other])
    assert len(alice.ents) == 5
    assert [e.text for e in bob.ents] == ["Obama"]
    assert list(bob.spans["issues"]) == []
    assert bob.user_data["annotator"] == "bob"


def test_empty_text_and_no_spans():
    record = ExportRecord(Article(article_id(""), ""), "alice", ())
    [doc] = export([record])
    assert doc.text == "" and list(doc.ents) == []


def test_needs_a_binary_stream(plain_record):
    with pytest.raises(AnnotatorError, match="bytes"):
        write("spacy", [plain_record], io.StringIO())
