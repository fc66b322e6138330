"""The reviewer's choices give the right gold spans, and impossible ones say why."""

from __future__ import annotations

import pytest
from review_helpers import MEETING, issue, meeting, span

from annotator.errors import AnnotatorError, SpanError
from annotator.model import ENTITY, ISSUE, Span
from annotator.review.adjudicate import choices, gold_spans, resolve
from annotator.review.disagreements import BOUNDARY_SHIFT, ONE_SIDED, consensus, find_disagreements
from annotator.review.spans import ArticleSpans

T = MEETING


def shift():
    return next(d for d in find_disagreements(meeting()) if d.kind == BOUNDARY_SHIFT)


def test_take_an_annotator():
    assert resolve(shift(), "take:cat") == [span(T, "Merkel", "PERSON")]
    assert resolve(shift(), "take:ann") == [span(T, "Angela Merkel", "PERSON")]
    one_sided = next(d for d in find_disagreements(meeting()) if d.kind == ONE_SIDED)
    assert resolve(one_sided, "take:bob") == []


def test_take_none_and_edit():
    assert resolve(shift(), "take_none") == []
    start = T.index("Merkel")
    assert resolve(shift(), f"edit:{start}-{start + 6}:PER") == [Span(start, start + 6, "PER", ENTITY)]
    mine = Span(start, start + 6, "PER", ENTITY)
    assert resolve(shift(), mine, text=T) == [mine]


def test_take_both_on_overlapping_entities_is_refused_with_the_way_out():
    with pytest.raises(AnnotatorError, match="overlap") as err:
        resolve(shift(), "take_both")
    assert "take:ann" in str(err.value)
    assert "take_both" not in choices(shift())


def test_take_both_on_issues_keeps_every_version():
    (conflict,) = find_disagreements(meeting(), layer=ISSUE)
    assert resolve(conflict, "take_both") == [
        issue(T, "health care", "economy"),
        issue(T, "health care", "health"),
    ]
    assert "take_both" in choices(conflict)


def test_take_both_on_entities_that_do_not_overlap():
    one_sided = next(d for d in find_disagreements(meeting()) if d.kind == ONE_SIDED)
    assert resolve(one_sided, "take_both") == [span(T, "Monday", "DATE")]


def test_bad_choices_are_explained():
    with pytest.raises(AnnotatorError, match="use one of take:ann, take:bob, take:cat"):
        resolve(shift(), "take:dan")
    with pytest.raises(AnnotatorError, match="unknown choice 'pick'"):
        resolve(shift(), "pick")
    with pytest.raises(SpanError, match="outside the text"):
        resolve(shift(), f"edit:0-{len(T) + 5}:PER", text=T)
    with pytest.raises(SpanError, match="issue layer"):
        resolve(shift(), Span(0, 3, "health", ISSUE))


def test_gold_spans_join_consensus_and_decisions():
    result = consensus(meeting())
    kinds = [d.kind for d in result.disagreements]
    decisions = {i: "take:ann" for i in range(len(kinds))}
    gold = gold_spans(result, decisions, text=T)
    assert set(gold) == {
        span(T, "Berlin", "GPE"),
        span(T, "European Union", "ORG"),
        span(T, "Angela Merkel", "PERSON"),
        span(T, "Monday", "DATE"),
        issue(T, "health care", "health"),
        issue(T, "met Angela Merkel", "diplomacy"),
    }


def test_gold_spans_refuse_overlapping_entities():
    t = "New York City Council voted."
    art = ArticleSpans("x", t, {"A": [span(t, "New York", "GPE")], "B": [span(t, "City Council", "ORG")]})
    result = consensus(art)
    assert len(result.disagreements) == 2
    with pytest.raises(SpanError, match="overlap"):
        gold_spans(result, ["take:A", f"edit:0-{len('New York City')}:GPE"])
