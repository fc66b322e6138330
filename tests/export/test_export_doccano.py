"""doccano JSONL export: shape, both layers, layer names in meta."""

from __future__ import annotations

import io
import json

from annotator.export import ExportRecord, ExportSpan, write
from annotator.model import Article, article_id


def export(records) -> list[dict]:
    out = io.StringIO()
    assert write("doccano", records, out) == len(records)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_shape(tricky):
    [line] = export([tricky.record])
    record = tricky.record
    assert set(line) == {"id", "text", "label", "meta", "annotator"}
    assert line["id"] == record.article.id
    assert line["text"] == record.article.text
    assert line["annotator"] == "alice"
    assert line["label"] == sorted([s.start, s.end, s.label] for s in record.spans)
    for start, end, _label in line["label"]:
        assert any(line["text"][start:end] == record.article.text[s.start : s.end] for s in record.spans)
    assert line["meta"]["title"] == "Merkel meets Obama"
    assert line["meta"]["source"] == "wire"
    assert line["meta"]["section"] == "world"
    assert line["meta"]["article_id"] == record.article.id
    assert "answer" not in line["meta"]


def test_layers_are_kept_in_meta(tricky):
    [line] = export([tricky.record])
    assert line["meta"]["layers"] == {
        "PERSON": "entity",
        "GPE": "entity",
        "ORG": "entity",
        "TAXES": "issue",
        "HEALTH": "issue",
    }
    assert "span_layers" not in line["meta"]


def test_label_on_both_layers_lists_its_spans():
    text = "Energy prices and the Energy Ministry."
    record = ExportRecord(
        Article(article_id(text), text),
        "alice",
        (
            ExportSpan(0, 13, "ENERGY", "issue"),
            ExportSpan(22, 37, "ENERGY", "entity"),
            ExportSpan(22, 28, "X", "entity"),
        ),
        answer="reject",
    )
    [line] = export([record])
    assert line["meta"]["layers"] == {"X": "entity"}
    assert line["meta"]["span_layers"] == [[0, 13, "ENERGY", "issue"], [22, 37, "ENERGY", "entity"]]
    assert line["meta"]["answer"] == "reject"


def test_suggestions_have_no_annotator_and_unicode_is_raw():
    text = "😀 Zoë\u00a0Smith\r\nwon."
    record = ExportRecord(Article(article_id(text), text), None, (ExportSpan(2, 11, "PERSON", "entity"),))
    out = io.StringIO()
    write("doccano", [record], out)
    assert "😀 Zoë" in out.getvalue()
    [line] = [json.loads(x) for x in out.getvalue().splitlines()]
    assert "annotator" not in line
    assert line["text"][2:11] == "Zoë\u00a0Smith"
