"""Scoring suggestions against a gold file: the figures `annotator evaluate` prints."""

from __future__ import annotations

import json

import pytest

from annotator.cli import main
from annotator.errors import AnnotatorError
from annotator.suggest.evaluate import GoldArticle, load_gold, score

TEXT = "Angela Merkel met Emmanuel Macron in Paris to discuss tariffs and the trade war."


def _gold() -> GoldArticle:
    return GoldArticle(
        TEXT,
        entities=((0, 13, "PERSON"), (18, 33, "PERSON"), (37, 42, "GPE")),
        issues=((54, 61, "TARIFFS"), (70, 79, "TRADE")),
    )


def test_entities_are_scored_exactly_per_label_over_the_labels_in_scope():
    predicted = [(0, 13, "PERSON"), (18, 26, "PERSON"), (37, 42, "GPE"), (46, 53, "DATE")]
    report = score([_gold()], [(predicted, [])])
    # Merkel and Paris right; "Emmanuel" is a wrong boundary (one false positive, one miss).
    assert (report.entity["PERSON"].tp, report.entity["PERSON"].fp, report.entity["PERSON"].fn) == (1, 1, 1)
    assert report.entity["GPE"].f == 1.0
    # DATE is outside the scope: neither right nor wrong.
    assert "DATE" not in report.entity
    assert report.entity_total.p == pytest.approx(2 / 3) and report.entity_total.r == pytest.approx(2 / 3)


def test_issues_count_by_overlap_without_and_with_the_label_and_exactly():
    # "trade" inside "the trade war" overlaps the gold phrase; "discuss" is wrong.
    predicted = [(54, 61, "TARIFFS"), (70, 75, "ECONOMY"), (43, 53, "DIPLOMACY")]
    report = score([_gold()], [([], predicted)])
    assert (report.issue_overlap.p, report.issue_overlap.r) == (pytest.approx(2 / 3), 1.0)
    assert (report.issue_overlap_label.p, report.issue_overlap_label.r) == (pytest.approx(1 / 3), 0.5)
    assert report.issue_exact_total.tp == 1 and report.issue_exact["TRADE"].fn == 1


def test_nothing_predicted_scores_zero_not_an_error():
    report = score([_gold()], [([], [])])
    assert report.entity_total.f == 0.0 and report.issue_overlap.r == 0.0
    assert "0.000" in report.format_table()


def _write(tmp_path, records, name="gold.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_load_gold_keeps_a_split_and_names_the_bad_line(tmp_path):
    good = {
        "text": "Paris",
        "spans": [{"start": 0, "end": 5, "label": "GPE", "layer": "entity"}],
        "meta": {"split": "dev"},
    }
    path = _write(tmp_path, [good, {**good, "meta": {"split": "test"}}])
    assert [a.split for a in load_gold(path, split="test")] == ["test"]
    bad = _write(
        tmp_path, [good, {"text": "Paris", "spans": [{"start": 3, "end": 9, "label": "GPE"}]}], "bad.jsonl"
    )
    with pytest.raises(AnnotatorError, match=r"bad.jsonl:2: .*outside the text"):
        load_gold(bad)
    with pytest.raises(AnnotatorError, match="no articles in split 'x'"):
        load_gold(path, split="x")


def test_the_command_prints_a_table_and_json(tmp_path, capsys):
    record = {
        "text": "New tariffs on steel.",
        "spans": [{"start": 4, "end": 11, "label": "TARIFFS", "layer": "issue"}],
    }
    path = _write(tmp_path, [record])
    import spacy

    from annotator import suggest

    # The blank pipeline is what `--model` would load here: no entity recogniser, so issues only.
    original = suggest.Suggester

    class IssuesOnly(original):
        def __init__(self, model=None, taxonomy=None):
            super().__init__(nlp=spacy.blank("en"), entities=False, taxonomy=taxonomy)

    suggest.Suggester = IssuesOnly
    try:
        assert main(["evaluate", str(path), "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["issue"]["overlap"]["r"] == 1.0 and data["articles"] == 1
        assert main(["evaluate", str(path)]) == 0
        assert "by overlap" in capsys.readouterr().out
    finally:
        suggest.Suggester = original
    assert main(["evaluate", str(tmp_path / "missing.jsonl")]) == 1
    assert "no such evaluation file" in capsys.readouterr().err
