"""Label confusion between annotators: same boundaries paired, a missing span against "(none)"."""

from __future__ import annotations

from annotator.model import ENTITY, ISSUE, Span
from annotator.review.confusion import NONE, label_confusion
from annotator.review.spans import ArticleSpans

TEXT = "Paris met Berlin and Rome on trade."


def _art(**spans) -> ArticleSpans:
    return ArticleSpans("a1", TEXT, {name: list(s) for name, s in spans.items()})


def test_same_boundaries_pair_their_labels_and_a_lone_span_meets_none():
    art = _art(
        alice=[Span(0, 5, "GPE", ENTITY), Span(10, 16, "GPE", ENTITY), Span(21, 25, "GPE", ENTITY)],
        bob=[Span(0, 5, "GPE", ENTITY), Span(10, 16, "ORG", ENTITY), Span(29, 34, "TRADE", ISSUE)],
    )
    c = label_confusion([art], ENTITY)
    assert c.count("GPE", "GPE") == 1
    assert c.count("GPE", "ORG") == c.count("ORG", "GPE") == 1
    assert c.count("GPE", NONE) == 1  # Rome, which bob did not mark
    assert c.labels == ("GPE", "ORG", NONE)  # most used first, none last
    assert c.worst() == [("(none)", "GPE", 1), ("GPE", "ORG", 1)]
    assert label_confusion([art], ISSUE).count("TRADE", NONE) == 1


def test_counts_add_up_over_pairs_and_leave_out_excluded_names():
    art = _art(
        alice=[Span(0, 5, "GPE", ENTITY)],
        bob=[Span(0, 5, "ORG", ENTITY)],
        carol=[Span(0, 5, "ORG", ENTITY)],
        model=[Span(0, 5, "PERSON", ENTITY)],
    )
    c = label_confusion([art, art], ENTITY, exclude={"model"})
    # pairs alice/bob, alice/carol (GPE-ORG), bob/carol (ORG-ORG), on two articles
    assert c.count("GPE", "ORG") == 4 and c.count("ORG", "ORG") == 2
    assert "PERSON" not in c.labels
    assert label_confusion([_art(alice=[Span(0, 5, "GPE", ENTITY)])], ENTITY).counts == {}
