"""CoNLL IOB2 export: tags, sentences, the annotator_text comment."""

from __future__ import annotations

import io
import json

from annotator.export import ExportRecord, ExportSpan, write
from annotator.model import Article, article_id


def export(records, warn=None) -> str:
    out = io.StringIO()
    assert write("conll", records, out, warn=warn) == len(records)
    return out.getvalue()


def documents(raw: str) -> list[list[str]]:
    """Lines of each document, DOCSTART line included."""
    docs: list[list[str]] = []
    for line in raw.split("\n"):
        if line.startswith("-DOCSTART-"):
            docs.append([])
        docs[-1].append(line)
    return docs


def sentences(lines: list[str]) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = [[]]
    for line in lines:
        if line.startswith(("-DOCSTART-", "#")):
            continue
        if not line:
            if result[-1]:
                result.append([])
            continue
        token, tag = line.split("\t")
        result[-1].append((token, tag))
    return [s for s in result if s]


def test_document_layout_and_text_comment_round_trip(tricky, plain_record):
    raw = export([tricky.record, plain_record])
    first, second = documents(raw)
    for lines, record in ((first, tricky.record), (second, plain_record)):
        assert lines[0] == "-DOCSTART- -X- -X- O"
        assert lines[1].startswith("# annotator_text = ")
        assert json.loads(lines[1].removeprefix("# annotator_text = ")) == record.article.text
    # Each document ends with a blank line.
    assert raw.endswith("\n\n")
    assert first[-1] == "" and first[-2] != "-DOCSTART- -X- -X- O"
    # The CRLF and emoji do not break the comment line.
    assert "\r" not in first[1]


def test_iob2_tags(tricky):
    lines = documents(export([tricky.record]))[0]
    tags = [pair for sentence in sentences(lines) for pair in sentence]
    tagged = {token: tag for token, tag in tags}
    assert tagged["Angela"] == "B-PERSON" and tagged["Merkel"] == "I-PERSON"
    assert tagged["Obama"] == "B-PERSON"
    assert tagged["New"] == "B-GPE" and tagged["York"] == "I-GPE"
    # "ealth-ca" touches three tokens: all are tagged.
    assert tagged["health"] == "B-ORG" and tagged["-"] == "I-ORG" and tagged["care"] == "I-ORG"
    assert tagged["U.S."] == "B-GPE"
    assert tagged["met"] == "O" and tagged["Tax"] == "O"  # issues are not in CoNLL
    # No I- without the same entity before it.
    previous = "O"
    for _token, tag in tags:
        if tag.startswith("I-"):
            assert previous[2:] == tag[2:] and previous != "O"
        previous = tag


def test_sentences_break_on_line_breaks_but_not_inside_an_entity_and_skip_whitespace(tricky):
    lines = documents(export([tricky.record]))[0]
    got = [[token for token, _tag in s] for s in sentences(lines)]
    assert got == [
        ["😀", "🇩", "🇪", "Angela", "Merkel", "met", "Obama", "in", "New", "York", "on", "Tuesday", "."],
        ["Tax", "cuts", "and", "health", "-", "care", "costs", "rose", "𝔘", "percent", "."],
        ["The", "U.S.", "economy", "grew", "."],
    ]
    for line in lines[2:]:
        if line:
            token, _tag = line.split("\t")
            assert token.strip() == token and token


def test_colliding_entities_warn_and_keep_the_first():
    text = "Chancellor Merkel spoke."
    record = ExportRecord(
        Article(article_id(text), text),
        "alice",
        (ExportSpan(14, 17, "ORG", "entity"), ExportSpan(11, 14, "PERSON", "entity")),
    )
    warnings: list[str] = []
    lines = documents(export([record], warn=warnings.append))[0]
    assert ("Merkel", "B-PERSON") in sentences(lines)[0]
    assert len(warnings) == 1


def test_entity_of_only_whitespace_is_left_out_with_a_warning():
    text = "A  B"
    record = ExportRecord(Article(article_id(text), text), "alice", (ExportSpan(2, 3, "X", "entity"),))
    warnings: list[str] = []
    lines = documents(export([record], warn=warnings.append))[0]
    assert sentences(lines) == [[("A", "O"), ("B", "O")]]
    assert "whitespace" in warnings[0]
