"""JSON Lines / JSON: plain input, Prodigy tasks and doccano records."""

from __future__ import annotations

import json
import re

import pytest

from annotator.errors import InputError
from annotator.importers import read
from annotator.model import ISSUE

# --- plain input -------------------------------------------------------------------------


def test_plain_input_records(write_jsonl):
    path = write_jsonl(
        "in.jsonl",
        [
            {"text": "Uber’s Lesson", "meta": {"source": "The New York Times", "title": "Uber"}},
            {"text": "Second", "title": "  Top   title ", "url": "http://x"},
        ],
    )
    result = read(path)
    first, second = result.docs
    assert first.text == "Uber’s Lesson"
    assert first.title == "Uber"
    assert first.source == "The New York Times"
    assert first.meta == {"source": "The New York Times", "title": "Uber"}
    assert first.location == f"{path}:1"
    assert second.title == "Top title"
    assert second.source == str(path)
    assert second.meta == {"url": "http://x"}
    assert first.spans == [] and first.annotators == []


def test_json_lines_of_every_shape_read_as_json_loads_reads_each_line(write_file):
    """Lines parsed in place in the file's text or (spaced, CRLF, blank, last without a
    newline) one by one: the same records, numbered by line."""
    content = (
        '{"text": "one"}\r\n  {"text": "two"}  \n\n \t\n{"text": "three", "n": [1, 2]}\r\n{"text": "four"}'
    )
    docs = read(write_file("shapes.jsonl", content)).docs
    assert [(d.text, d.location.rsplit(":", 1)[1]) for d in docs] == [
        ("one", "1"),
        ("two", "2"),
        ("three", "5"),
        ("four", "6"),
    ]
    assert docs[2].meta == {"n": [1, 2]}


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        # An object going on past its line is an error of that line, not one record of two lines.
        ('{"text": "ok"}\n{"text":\n "two"}\n', 2, "invalid JSON: Expecting value (column 9)"),
        ('{"text": "ok"}\n{"text": "two"} {"x": 1}\n', 2, "invalid JSON: Extra data (column 17)"),
    ],
)
def test_a_json_line_is_one_value_on_one_line(write_file, content, line, message):
    with pytest.raises(InputError, match=re.escape(message)) as info:
        read(write_file("bad.jsonl", content))
    assert info.value.line == line


def test_json_array_and_single_object(write_file, spans_of):
    docs = read(write_file("a.json", json.dumps([{"text": "one"}, {"text": "two"}], indent=2))).docs
    assert [d.text for d in docs] == ["one", "two"]
    assert docs[1].location.endswith("a.json: record 2")
    single = read(write_file("b.json", json.dumps({"text": "alone", "label": [[0, 5, "X"]]}))).docs
    assert spans_of(single[0]) == [("alone", "X", "entity", None, "accept")]


def test_real_prodigy_raw_headlines(interop):
    result = read(interop / "prodigy" / "prodigy-recipes_news_headlines_raw.jsonl")
    assert len(result.docs) == 200
    assert all(d.spans == [] and d.text for d in result.docs)
    assert result.docs[0].meta["source"] == "The New York Times"


# --- Prodigy -----------------------------------------------------------------------------


def tokens(text: str) -> list[dict]:
    out, pos = [], 0
    for i, word in enumerate(text.split(" ")):
        out.append({"text": word, "start": pos, "end": pos + len(word), "id": i, "ws": True})
        pos += len(word) + 1
    return out


def test_real_prodigy_task_spans_match_token_slices(interop):
    path = interop / "prodigy" / "projects_ner_tweets_demo.jsonl"
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    [doc] = read(path).docs
    [span] = doc.spans
    toks = record["tokens"]
    raw = record["spans"][0]
    token_text = doc.text[toks[raw["token_start"]]["start"] : toks[raw["token_end"]]["end"]]
    assert doc.text[span.start : span.end] == token_text == "Ed Sheeran"
    assert (span.label, span.answer, span.annotator) == ("PERSON", "accept", None)
    assert doc.annotators == [None]  # an accepted manual task: done
    assert "tokens" not in doc.meta and "spans" not in doc.meta
    assert doc.meta["_view_id"] == "ner_manual"


def test_prodigy_annotator_layers_and_answers(write_jsonl, spans_of):
    text = "Merkel met Macron in Paris"
    path = write_jsonl(
        "p.jsonl",
        [
            {
                "text": text,
                "spans": [
                    {"start": 0, "end": 6, "label": "PERSON"},
                    {"start": 11, "end": 17, "label": "PERSON", "layer": "entity"},
                    {"start": 0, "end": 26, "label": "Diplomacy", "layer": "issue"},
                ],
                "answer": "accept",
                "_annotator_id": "news-alice",
                "_session_id": "news-alice-2",
            },
            {
                "text": text,
                "spans": [{"start": 21, "end": 26, "label": "GPE"}],
                "answer": "reject",
                "_session_id": "bob",
            },
            {"text": text, "spans": [{"start": 21, "end": 26, "label": "GPE"}], "answer": "ignore"},
            {
                "text": text,
                "spans": [
                    {"start": 21, "end": 26, "label": "GPE"},
                    {"start": 0, "end": 6, "label": "PERSON"},
                ],
                "answer": "reject",
                "_annotator_id": "carol",
            },
            {
                "text": text,
                "spans": [{"start": 21, "end": 26, "label": "GPE"}],
                "answer": "accept",
                "_is_binary": True,
                "_annotator_id": "dan",
            },
        ],
    )
    result = read(path)
    assert result.format == "jsonl"
    manual, rejected, ignored, manual_reject, binary_accept = result.docs
    assert spans_of(manual) == [
        ("Merkel", "PERSON", "entity", "news-alice", "accept"),
        ("Macron", "PERSON", "entity", "news-alice", "accept"),
        (text, "Diplomacy", ISSUE, "news-alice", "accept"),
    ]
    assert manual.annotators == ["news-alice"]
    assert spans_of(rejected) == [("Paris", "GPE", "entity", "bob", "reject")]
    assert rejected.annotators == []
    assert ignored.spans == [] and ignored.annotators == []
    assert manual_reject.spans == []
    assert spans_of(binary_accept) == [("Paris", "GPE", "entity", "dan", "accept")]
    assert binary_accept.annotators == []  # one binary answer does not finish the article
    assert any("ignore" in w for w in result.warnings)
    assert any("rejected manual" in w for w in result.warnings)


def test_prodigy_spans_from_token_indices_only(write_jsonl, spans_of):
    text = "Angela Merkel visited Paris"
    path = write_jsonl(
        "p.jsonl",
        [
            {
                "text": text,
                "tokens": tokens(text),
                "spans": [{"token_start": 0, "token_end": 1, "label": "PER"}],
            }
        ],
    )
    assert spans_of(read(path, "prodigy").docs[0]) == [("Angela Merkel", "PER", "entity", None, "accept")]


def test_prodigy_textcat_label_is_meta_not_spans(write_jsonl):
    path = write_jsonl("p.jsonl", [{"text": "Sports news", "label": "SPORTS", "answer": "accept"}])
    doc = read(path).docs[0]
    assert doc.spans == [] and doc.meta["label"] == "SPORTS"


# --- doccano -----------------------------------------------------------------------------


def test_real_doccano_export_shape(interop, spans_of):
    path = interop / "doccano" / "doccano_export_sequence_labeling_example.jsonl"
    docs = read(path).docs
    assert [spans_of(d) for d in docs] == [
        [("EU", "ORG", "entity", None, "accept"), ("German", "MISC", "entity", None, "accept")],
        [("Peter Blackburn", "PERSON", "entity", None, "accept")],
        [("Obama", "PERSON", "entity", None, "accept")],
    ]
    assert docs[0].annotators == [None]


def test_real_doccano_entities_and_relations(interop):
    path = interop / "doccano" / "doccano_import_relation_extraction_entities_example.jsonl"
    result = read(path, "doccano")
    [doc] = result.docs
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert [(s.start, s.end, s.label) for s in doc.spans] == [
        (e["start_offset"], e["end_offset"], e["label"]) for e in raw["entities"]
    ]
    assert [doc.text[s.start : s.end] for s in doc.spans] == [
        "Google",
        "September 4, 1998",
        "Larry Page",
        "Sergey Brin",
    ]
    assert doc.meta["relations"] == raw["relations"]
    assert any("relations" in w for w in result.warnings)


def test_doccano_shapes_numeric_labels_and_users(write_jsonl, spans_of):
    text = "EU rejects German call"
    path = write_jsonl(
        "d.jsonl",
        [
            {"id": 7, "text": text, "labels": [[0, 2, 3]], "meta": {}, "annotation_approver": None},
            {
                "id": 1,
                "text": text,
                "annotations": [
                    {"label": 12, "start_offset": 0, "end_offset": 2, "user": 1},
                    {"label": 12, "start_offset": 11, "end_offset": 17, "user": 1},
                    {"label": 13, "start_offset": 0, "end_offset": 10, "user": 2},
                ],
            },
            {"text": text, "label": ["positive"]},
            {"text": text, "label": []},
        ],
    )
    labels, users, category, empty = read(path).docs
    assert spans_of(labels) == [("EU", "3", "entity", None, "accept")]
    assert labels.meta == {"id": 7, "annotation_approver": None}
    assert spans_of(users) == [
        ("EU", "12", "entity", "1", "accept"),
        ("German", "12", "entity", "1", "accept"),
        ("EU rejects", "13", "entity", "2", "accept"),  # overlaps user 1's span: another annotator
    ]
    assert users.annotators == ["1", "2"]
    assert category.spans == [] and category.meta["label"] == ["positive"]
    assert empty.spans == [] and empty.annotators == []


def test_doccano_document_categories_stay_in_meta_and_are_reported(write_jsonl):
    path = write_jsonl(
        "d.jsonl",
        [
            {"text": "EU rejects German call", "annotations": [{"label": 3, "user": 1, "prob": 0.0}]},
            {"text": "Trade talks", "label": ["positive"]},
        ],
    )
    result = read(path, "doccano")
    assert [d.spans for d in result.docs] == [[], []]
    assert result.docs[0].meta["annotations"] == [{"label": 3, "user": 1, "prob": 0.0}]
    assert result.warnings == [
        "doccano document categories (labels without offsets) are kept in meta, not imported as spans"
        f" (2 times, first at {path}:1)"
    ]


def test_forced_format_refuses_another_tools_records(write_jsonl):
    path = write_jsonl("d.jsonl", [{"text": "EU", "label": [[0, 2, "ORG"]]}])
    with pytest.raises(InputError, match="looks like doccano, not Prodigy") as info:
        read(path, "prodigy")
    assert f"{path}:1" in str(info.value)


# --- malformed input ---------------------------------------------------------------------

BAD = [
    ('{"text": "ok"}\n{"text": "broken"\n', 2, "invalid JSON"),
    # No text but spans: the spans would be lost, so the file is refused.
    ('{"text": "ok"}\n\n{"title": "no text", "label": [[0, 2, "ORG"]]}\n', 3, "no 'text' field"),
    ('{"text": "ok"}\n{"text": "", "spans": [{"start": 0, "end": 1, "label": "X"}]}\n', 2, "empty"),
    ('{"text": 5}\n', 1, "must be a string"),
    ('{"text": "ok"}\n["a list"]\n', 2, "expected a JSON object"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "X"}]}\n', 1, "outside the text"),
    ('{"text": "abc", "spans": [{"start": -1, "end": 2, "label": "X"}]}\n', 1, "negative"),
    ('{"text": "abc", "spans": [{"start": 2, "end": 1, "label": "X"}]}\n', 1, "ends before it starts"),
    ('{"text": "abc", "spans": [{"start": 1, "end": 1, "label": "X"}]}\n', 1, "empty"),
    ('{"text": "abc", "spans": [{"start": 0, "end": 1}]}\n', 1, "no label"),
    (
        '{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "X", "layer": "topic"}]}\n',
        1,
        "unknown layer",
    ),
    ('{"text": "abc", "spans": [{"start": 0.5, "end": 1, "label": "X"}]}\n', 1, "whole numbers"),
    ('{"text": "abc", "spans": [{"label": "X"}]}\n', 1, "no start and end"),
    (
        '{"text": "abc", "spans": [{"start": 0, "end": 2, "label": "X", "text": "bc"}]}\n',
        1,
        "offsets do not match",
    ),
    ('{"text": "abc", "answer": "maybe"}\n', 1, "accept, reject or ignore"),
    (
        '{"text": "abcdef", "spans": [{"start": 0, "end": 3, "label": "X"}, {"start": 2, "end": 5, "label": "Y"}]}\n',
        1,
        "overlap",
    ),
    ('{"text": "abc", "label": [[0, 9, "X"]]}\n', 1, "outside the text"),
    ('{"text": "abc", "label": [[0, 1]]}\n', 1, "must be [start, end, label]"),
    ('{"text": "abc", "entities": [{"label": "X", "start_offset": 2}]}\n', 1, "whole numbers"),
    # A doccano item that is neither a span nor one of doccano's category annotations.
    ('{"text": "abc", "annotations": ["ORG"]}\n', 1, "annotations item 1 is not a span: 'ORG'"),
    (
        '{"text": "abc", "annotations": [{"label": "X", "start_offset": 0, "end_offset": 1}, 7]}\n',
        1,
        "item 2",
    ),
    (
        '{"text": "abc", "annotations": [{"label": "ORG", "offsets": [0, 2]}]}\n',
        1,
        "annotations item 1 has no start_offset/end_offset (its fields: label, offsets)",
    ),
    ('{"text": "abc", "entities": [{"label": "ORG"}]}\n', 1, "entities item 1 has no start_offset"),
    (
        '{"text": "abcdef", "annotations": [{"label": 1, "start_offset": 0, "end_offset": 3, "user": 4},'
        ' {"label": 2, "start_offset": 1, "end_offset": 2, "user": 4}]}\n',
        1,
        "annotator 4",
    ),
    ("just words\n", 1, "not JSON"),
]


@pytest.mark.parametrize(("content", "line", "message"), BAD)
def test_malformed_jsonl_names_file_and_line(write_file, content, line, message):
    path = write_file("bad.jsonl", content)
    with pytest.raises(InputError) as info:
        read(path)
    assert f"{path}:{line}:" in str(info.value)
    assert message in str(info.value)
    assert info.value.line == line


def test_malformed_json_array_names_the_record(write_file):
    path = write_file("bad.json", json.dumps([{"text": "ok"}, {"text": "abc", "label": [[0, 9, "X"]]}]))
    with pytest.raises(InputError, match="outside the text") as info:
        read(path)
    assert f"{path}: record 2" in str(info.value)


def test_invalid_json_document_names_the_line(write_file):
    path = write_file("bad.json", '[\n  {"text": "ok"},\n  {"text": }\n]')
    with pytest.raises(InputError, match="invalid JSON") as info:
        read(path)
    assert f"{path}:3" in str(info.value)


def test_records_with_nothing_to_import_are_skipped_and_counted(write_file):
    # doccano imports the rest of a file with a record without text; so do we, and say so.
    path = write_file(
        "d.jsonl",
        '{"text": "EU rejects", "label": [[0, 2, "ORG"]]}\n{"title": "no text"}\n'
        '{"text": "  ", "label": []}\n{"text": "Bonn", "label": [[0, 4, "LOC"]]}\n',
    )
    result = read(path)
    assert [d.text for d in result.docs] == ["EU rejects", "Bonn"]
    assert result.warnings == [
        f"records with no text and no annotations were skipped (2 times, first at {path}:2)"
    ]
    with pytest.raises(InputError, match="none of its 2 records has any text"):
        read(write_file("e.jsonl", '{"text": "   "}\n{"text": null}\n'))


def test_empty_json_list(write_file):
    with pytest.raises(InputError, match="no records"):
        read(write_file("a.json", "[]"))


def test_training_data_without_answer_counts_as_done(write_jsonl, spans_of):
    path = write_jsonl(
        "train.jsonl", [{"text": "Paris is big", "spans": [{"start": 0, "end": 5, "label": "GPE"}]}]
    )
    [doc] = read(path).docs
    assert spans_of(doc) == [("Paris", "GPE", "entity", None, "accept")]
    assert doc.annotators == [None]


def test_spans_not_imported_stay_in_meta(write_jsonl):
    raw = [{"start": 0, "end": 5, "label": "GPE"}]
    path = write_jsonl("p.jsonl", [{"text": "Paris is big", "spans": raw, "answer": "ignore"}])
    [doc] = read(path).docs
    assert doc.spans == [] and doc.meta["spans"] == raw


def test_span_text_may_differ_in_whitespace_only(write_jsonl, spans_of):
    text = "New\nYork is big"
    path = write_jsonl(
        "p.jsonl", [{"text": text, "spans": [{"start": 0, "end": 8, "label": "GPE", "text": "New York"}]}]
    )
    assert spans_of(read(path).docs[0]) == [("New\nYork", "GPE", "entity", None, "accept")]
