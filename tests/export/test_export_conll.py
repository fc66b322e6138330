"""CoNLL IOB2 export: tags, sentences, the annotator_text comment."""

from __future__ import annotations

import io
import json

from annotator.export import ExportRecord, ExportSpan, write
from annotator.model import Article, article_id


def export(records, warn=None, keep_text=True) -> str:
    # Most tests here read the exact-text layout (--keep-text); the plain default has its own.
    out = io.StringIO()
    assert write("conll", records, out, warn=warn, keep_text=keep_text) == len(records)
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
        assert lines[0] == "-DOCSTART- -X- O O"  # spaCy's form: its converter finds no entity in it
        assert lines[1].startswith("# annotator_text = ")
        assert json.loads(lines[1].removeprefix("# annotator_text = ")) == record.article.text
    # Each document ends with a blank line.
    assert raw.endswith("\n\n")
    assert first[-1] == "" and first[-2] != "-DOCSTART- -X- O O"
    # The CRLF and emoji do not break the comment line.
    assert "\r" not in first[1]


def test_iob2_tags(tricky):
    lines = documents(export([tricky.record]))[0]
    tags = [pair for sentence in sentences(lines) for pair in sentence]
    tagged = {token: tag for token, tag in tags}
    assert tagged["Angela"] == "B-PERSON" and tagged["Merkel"] == "I-PERSON"
    assert tagged["Obama"] == "B-PERSON"
    assert tagged["New"] == "B-GPE" and tagged["York"] == "I-GPE"
    # "ealth-ca" starts and ends inside tokens: they are split there ("h" "ealth" "-" "ca" "re").
    assert tagged["h"] == "O" and tagged["ealth"] == "B-ORG" and tagged["-"] == "I-ORG"
    assert tagged["ca"] == "I-ORG" and tagged["re"] == "O"
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
        ["Tax", "cuts", "and", "h", "ealth", "-", "ca", "re", "costs", "rose", "𝔘", "percent", "."],
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
        (ExportSpan(14, 23, "ORG", "entity"), ExportSpan(11, 17, "PERSON", "entity")),
    )
    warnings: list[str] = []
    lines = documents(export([record], warn=warnings.append))[0]
    # "Merkel" is split where ORG starts; ORG still overlaps PERSON and is left out.
    assert sentences(lines)[0][1:4] == [("Mer", "B-PERSON"), ("kel", "I-PERSON"), ("spoke", "O")]
    assert len(warnings) == 1


def test_entity_of_only_whitespace_is_left_out_with_a_warning():
    text = "A  B"
    record = ExportRecord(Article(article_id(text), text), "alice", (ExportSpan(2, 3, "X", "entity"),))
    warnings: list[str] = []
    lines = documents(export([record], warn=warnings.append))[0]
    assert sentences(lines) == [[("A", "O"), ("B", "O")]]
    assert "whitespace" in warnings[0]


def test_entities_inside_tokens_round_trip_exactly(tmp_path):
    """A span that starts or ends inside a spaCy token comes back at the same offsets.

    "iPhone" is inside the token "iPhones", and "NewYork"/"London" share the token
    "NewYorkLondon": the token is split where an entity starts or ends.
    """
    from annotator.importers import read

    text = "Apple sold iPhones in NewYorkLondon last year."
    spans = (
        ExportSpan(11, 17, "PRODUCT", "entity"),
        ExportSpan(22, 29, "GPE", "entity"),
        ExportSpan(29, 35, "GPE", "entity"),
        ExportSpan(0, 5, "ORG", "entity"),
    )
    record = ExportRecord(Article(article_id(text), text), "alice", spans)
    warnings: list[str] = []
    path = tmp_path / "a.conll"
    path.write_text(export([record], warn=warnings.append), encoding="utf-8")
    [doc] = read(path).docs
    assert doc.text == text
    assert sorted((s.start, s.end, s.label) for s in doc.spans) == sorted(
        (s.start, s.end, s.label) for s in spans
    )
    assert warnings == []
