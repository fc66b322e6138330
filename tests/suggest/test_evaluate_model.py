"""The shipped suggestions on the shipped evaluation set stay at the targets (``-m model``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.suggest.evaluate import evaluate, load_gold

pytestmark = pytest.mark.model

EVAL_SET = Path(__file__).resolve().parents[1] / "eval" / "wikinews.jsonl"


@pytest.mark.parametrize("split", [None, "test"])
def test_entities_and_issues_meet_the_targets_out_of_the_box(english, split):
    report = evaluate(load_gold(EVAL_SET, split=split), english)
    assert report.entity_total.f >= 0.80
    assert report.entity["ORG"].f >= 0.65
    assert report.issue_overlap.r >= 0.70 and report.issue_overlap.p >= 0.65
