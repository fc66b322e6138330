"""The open article's spans without a widget: marks, pending order, one action's update, lanes."""

from __future__ import annotations

from annotator import model as m
from annotator.model import Annotation, Span, SpanUpdate, SuggestionRow
from annotator.ui.article_spans import (
    ANNOTATION,
    SUGGESTION,
    ArticleSpans,
    SortedRanges,
    issue_lanes,
    merge_ranges,
)

AID, WHO = "a1", "ana"


def sugg(i, start, end, label="GPE", layer=m.ENTITY, status=m.PENDING) -> SuggestionRow:
    return SuggestionRow(i, layer, start, end, label, "test@1", None, status)


def ann(i, start, end, label="GPE", layer=m.ENTITY) -> Annotation:
    return Annotation(i, AID, WHO, layer, start, end, label, m.ORIGIN_ACCEPTED, "test@1")


def test_reading_marks_pending_suggestions_and_annotations_and_keeps_text_order():
    spans = ArticleSpans()
    old = spans.read(
        [sugg(2, 20, 25), sugg(1, 0, 5), sugg(3, 8, 12, status=m.REJECTED)], [ann(7, 30, 34, "ORG")]
    )
    assert old == set()
    assert [s.id for s in spans.pending] == [1, 2]  # sorted, rejected ones left out
    assert spans.marks == {
        (0, 5, m.ENTITY, "GPE", True),
        (20, 25, m.ENTITY, "GPE", True),
        (30, 34, m.ENTITY, "ORG", False),
    }
    assert [f.kind for f in spans.spans_at(31)] == [ANNOTATION]
    assert spans.spans_at(9) == []  # a rejected suggestion is not drawn
    assert spans.lookup(SUGGESTION, 3) is None and spans.lookup(SUGGESTION, 1).start == 0
    assert spans.next_pending((0, 5, m.ENTITY, 1), 1).id == 2
    assert spans.next_pending((20, 25, m.ENTITY, 2), 1).id == 1  # wraps around
    assert spans.next_pending((0, 5, m.ENTITY, 1), -1).id == 2
    assert spans.annotation_of(Span(30, 34, "ORG")).id == 7


def test_one_action_replaces_only_the_rows_in_its_ranges_and_says_what_changed():
    spans = ArticleSpans()
    spans.read([sugg(1, 0, 5), sugg(2, 20, 25)], [])
    # Accepting suggestion 1: it is accepted now, and an annotation covers its words.
    up = SpanUpdate(AID, WHO, ((0, 5),), (sugg(1, 0, 5, status=m.ACCEPTED),), (ann(9, 0, 5),))
    changed, dirty = spans.apply(up)
    assert changed == {(0, 5, m.ENTITY, "GPE", True), (0, 5, m.ENTITY, "GPE", False)}
    assert dirty == [(0, 5), (0, 5)]
    assert [s.id for s in spans.pending] == [2]
    assert spans.lookup(ANNOTATION, 9) is not None
    assert spans.marks == {(0, 5, m.ENTITY, "GPE", False), (20, 25, m.ENTITY, "GPE", True)}
    # The same rows again change nothing that is drawn.
    assert spans.apply(up) is None


def test_issue_underlines_share_lanes_only_where_they_do_not_overlap():
    marks = [
        (0, 10, m.ISSUE, "TRADE", False),
        (2, 5, m.ISSUE, "TARIFFS", True),
        (12, 20, m.ISSUE, "ENERGY", True),
    ]
    assert issue_lanes(marks) == [
        (0, 10, "TRADE", False, 0),
        (2, 5, "TARIFFS", True, 1),
        (12, 20, "ENERGY", True, 0),
    ]
    spans = ArticleSpans()
    spans.read([sugg(1, 2, 5, "TARIFFS", m.ISSUE)], [ann(4, 0, 10, "TRADE", m.ISSUE)])
    assert spans.lanes == 2
    assert spans.issue_lines_at(3) == [("TRADE", False, 0), ("TARIFFS", True, 1)]


def test_sorted_ranges_find_what_overlaps_and_ranges_merge():
    index = SortedRanges([(0, 100, "long"), (10, 12, "a"), (50, 60, "b")])
    assert index.overlapping(11, 13) == [(0, 100, "long"), (10, 12, "a")]
    index.discard((0, 100, "long"))
    index.add((70, 71, "c"))
    assert index.overlapping_any([(55, 56), (70, 80), (58, 59)]) == [(50, 60, "b"), (70, 71, "c")]
    lazy = SortedRanges(source=lambda: [(5, 6, "x")])
    assert lazy.overlapping(0, 10) == [(5, 6, "x")]
    assert merge_ranges([(5, 8), (0, 2), (2, 3), (7, 10)]) == [(0, 3), (5, 10)]
