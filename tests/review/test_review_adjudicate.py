"""The reviewer's choices give the right gold spans, and impossible ones say why."""

from __future__ import annotations

import pytest
from review_helpers import MEETING, issue, meeting, span

from annotator import model as m
from annotator import ops
from annotator.errors import AnnotatorError, SpanError
from annotator.model import ENTITY, ISSUE, Span
from annotator.review.adjudicate import choices, gold_spans, resolve
from annotator.review.disagreements import BOUNDARY_SHIFT, ONE_SIDED, consensus, find_disagreements
from annotator.review.spans import ArticleSpans
from annotator.store import Store

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


# -- settling through the store, label by label (ops.settle) ------------------------------------------

ISSUE_TEXT = "Washington imposed new tariffs on Chinese steel on Monday."
WASHINGTON = (0, 10, "GPE")
TARIFFS = (23, 30, "TARIFFS")  # "tariffs"
TRADE = (23, 47, "TRADE")  # "tariffs on Chinese steel"


def test_settling_an_issue_region_keeps_gold_of_other_labels_inside_it(tmp_path):
    """Issue disagreements are per label: settling TRADE over "tariffs on Chinese steel" must
    not remove the agreed TARIFFS on "tariffs", nor another label settled over the same region."""
    economy = (34, 47, "ECONOMY")  # "Chinese steel", inside the TRADE region
    with Store(tmp_path / "review.db") as s:
        ops.ensure_default_labels(s)
        s.add_articles([ISSUE_TEXT])
        aid = m.article_id(ISSUE_TEXT)
        spans = {
            "alice": [WASHINGTON, TARIFFS, economy],
            "bob": [WASHINGTON, TARIFFS, TRADE],
            "carol": [WASHINGTON, TARIFFS, TRADE],
        }
        for who, mine in spans.items():
            for start, end, label in mine:
                s.add_span(who, aid, Span(start, end, label, s.layer_of(label)))
            s.set_state(who, aid, m.DONE)
        ops.add_agreed_gold(s, "rita")
        _, open_ = ops.article_review(s, aid)
        by_label = {next(v for v in d.versions.values() if v).label: d for d in open_}
        assert set(by_label) == {"TRADE", "ECONOMY"}
        ops.settle(s, "rita", by_label["ECONOMY"], "take:alice")
        ops.settle(s, "rita", by_label["TRADE"], "take_none")
        gold = {(a.layer, a.start, a.end, a.label) for a in s.gold_spans(aid)}
        assert gold == {(m.ENTITY, *WASHINGTON), (m.ISSUE, *TARIFFS), (m.ISSUE, *economy)}


def test_two_issue_disagreements_on_the_same_region_are_settled_one_by_one(tmp_path):
    """alice marks ECONOMY and bob TRADE on the same words, carol nothing: two one-sided issue
    disagreements with one region. Settling one must leave the other in the queue."""
    economy = (23, 47, "ECONOMY")
    with Store(tmp_path / "review.db") as s:
        ops.ensure_default_labels(s)
        s.add_articles([ISSUE_TEXT])
        aid = m.article_id(ISSUE_TEXT)
        spans = {"alice": [WASHINGTON, economy], "bob": [WASHINGTON, TRADE], "carol": [WASHINGTON]}
        for who, mine in spans.items():
            for start, end, label in mine:
                s.add_span(who, aid, Span(start, end, label, s.layer_of(label)))
            s.set_state(who, aid, m.DONE)
        ops.add_agreed_gold(s, "rita")
        _, open_ = ops.article_review(s, aid)
        assert [d.kind for d in open_] == ["one_sided", "one_sided"]
        by_label = {next(v for v in d.versions.values() if v).label: d for d in open_}
        ops.settle(s, "rita", by_label["ECONOMY"], "take_none")
        _, still_open = ops.article_review(s, aid)
        assert [next(v for v in d.versions.values() if v).label for d in still_open] == ["TRADE"]
        ops.settle(s, "rita", still_open[0], "take:bob")
        assert ops.article_review(s, aid)[1] == []
        gold = {(a.layer, a.start, a.end, a.label) for a in s.gold_spans(aid)}
        assert gold == {(m.ENTITY, *WASHINGTON), (m.ISSUE, *TRADE)}
        # undo and redo of the second settlement
        s.undo("rita")
        assert [d.region for d in ops.article_review(s, aid)[1]] == [(23, 47)]
        s.redo("rita")
        assert ops.article_review(s, aid)[1] == []
