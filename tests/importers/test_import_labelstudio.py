"""Label Studio JSON exports."""

from __future__ import annotations

import json

import pytest

from annotator.errors import InputError
from annotator.importers import read
from annotator.model import ISSUE

TEXT = "Apple hired Tim Cook in Cupertino."


def region(start, end, labels, text=None, kind="labels", from_name="label", **extra):
    value = {"start": start, "end": end, "labels": labels}
    if text is not None:
        value["text"] = text
    return {
        "id": f"r{start}",
        "from_name": from_name,
        "to_name": "text",
        "type": kind,
        "value": value,
        **extra,
    }


def test_real_label_studio_predictions(interop):
    path = interop / "labelstudio" / "lsf_named_entity_tasks_with_predictions.json"
    result = read(path)
    assert result.format == "labelstudio"
    [doc] = result.docs
    raw = json.loads(path.read_text(encoding="utf-8"))[0]
    assert doc.text == raw["data"]["text"]
    assert doc.spans == [] and doc.annotators == []
    [suggestion] = doc.suggestions
    value = raw["predictions"][0]["result"][0]["value"]
    assert doc.text[suggestion.start : suggestion.end] == value["text"] == "February 22"
    assert (suggestion.label, suggestion.layer, suggestion.source) == (
        "Date",
        "entity",
        "labelstudio:model 1",
    )
    assert doc.location == f"{path}: record 1"


def test_annotations_users_predictions_and_skipped_results(write_file):
    tasks = [
        {
            "id": 1,
            "data": {"text": TEXT, "title": "Hiring"},
            "meta": {"batch": 3},
            "annotations": [
                {
                    "id": 10,
                    "completed_by": 10,
                    "result": [
                        region(0, 5, ["ORG"], "Apple"),
                        region(12, 20, ["PERSON"]),  # no value.text: allowed
                        region(0, 34, ["Technology"], from_name="issue"),
                        {"type": "choices", "value": {"choices": ["Business"]}},
                        {"type": "relation", "from_id": "r0", "to_id": "r12"},
                    ],
                },
                {"id": 11, "completed_by": {"id": 5, "email": "ann@example.org"}, "result": []},
                {"id": 12, "completed_by": 7, "was_cancelled": True, "result": [region(0, 5, ["ORG"])]},
            ],
            "predictions": [
                {"model_version": "m1", "score": 0.5, "result": [region(24, 33, ["GPE"], score=0.87)]},
                {"model_version": "m1", "score": 0.4, "result": [region(0, 5, ["ORG"])]},
            ],
        }
    ]
    result = read(write_file("ls.json", json.dumps(tasks)))
    [doc] = result.docs
    assert [(doc.text[s.start : s.end], s.label, s.layer, s.annotator) for s in doc.spans] == [
        ("Apple", "ORG", "entity", "10"),
        ("Tim Cook", "PERSON", "entity", "10"),
        (TEXT, "Technology", ISSUE, "10"),
    ]
    assert doc.annotators == ["10", "ann@example.org"]  # the cancelled one is not done
    assert [(doc.text[s.start : s.end], s.label, s.source, s.score) for s in doc.suggestions] == [
        ("Cupertino", "GPE", "labelstudio:m1", 0.87),
        ("Apple", "ORG", "labelstudio:m1", 0.4),
    ]
    assert doc.title == "Hiring"
    assert doc.meta["batch"] == 3 and doc.meta["labelstudio_id"] == 1
    joined = "\n".join(result.warnings)
    assert "'choices'" in joined and "'relation'" in joined and "cancelled" in joined


def test_single_task_legacy_completions_and_first_string_in_data(write_file):
    task = {
        "data": {"body": TEXT, "n": 1},
        "completions": [{"completed_by": 3, "result": [region(0, 5, ["ORG"])]}],
    }
    [doc] = read(write_file("ls.json", json.dumps(task))).docs
    assert doc.text == TEXT
    assert [(doc.text[s.start : s.end], s.annotator) for s in doc.spans] == [("Apple", "3")]
    assert doc.meta == {"n": 1}


def test_labelstudio_jsonl(write_file):
    lines = [
        json.dumps(
            {"data": {"text": TEXT}, "annotations": [{"completed_by": 1, "result": [region(0, 5, ["ORG"])]}]}
        )
    ]
    path = write_file("ls.jsonl", "\n".join(lines))
    result = read(path)
    assert result.format == "labelstudio"
    assert result.docs[0].location == f"{path}:1"


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ({"data": {"n": 1}, "annotations": [{"result": [region(0, 5, ["ORG"])]}]}, "has no text"),
        ({"data": {"text": TEXT}, "annotations": [{"result": [region(0, 99, ["ORG"])]}]}, "outside the text"),
        (
            {"data": {"text": TEXT}, "annotations": [{"result": [region(0, 5, ["ORG"], "Pear")]}]},
            "offsets do not match",
        ),
        ({"data": {"text": TEXT}, "annotations": [{"result": [region(0, 5, [])]}]}, "no labels"),
        (
            {
                "data": {"text": TEXT},
                "annotations": [{"result": [region(0, 5, ["ORG"]), region(3, 9, ["X"])]}],
            },
            "overlap",
        ),
        ({"data": {"text": TEXT}, "annotations": {"result": []}}, "must be a list"),
    ],
)
def test_malformed_tasks_name_the_record(write_file, task, message):
    path = write_file("ls.json", json.dumps([{"data": {"text": "fine"}}, task]))
    with pytest.raises(InputError, match=message) as info:
        read(path, "labelstudio")
    assert f"{path}: record 2" in str(info.value)


def test_labelstudio_format_refuses_plain_records(write_file):
    path = write_file("x.json", json.dumps([{"text": "plain"}]))
    with pytest.raises(InputError, match="not Label Studio"):
        read(path, "labelstudio")
