"""Feedback for an annotator: what the reviewer changed and which habits show."""

from __future__ import annotations

import pytest
from review_helpers import issue, span

from annotator.errors import AnnotatorError
from annotator.review.feedback import (
    ADDED,
    INCLUDES_DETERMINERS,
    INCLUDES_PUNCTUATION,
    KEPT,
    MOVED,
    RELABELLED,
    REMOVED,
    STOPS_SHORT,
    feedback_report,
)
from annotator.review.spans import ArticleSpans

T = "The Prime Minister visited the White House and a Senate office. Congress met Obama on health care."


def article() -> ArticleSpans:
    return ArticleSpans(
        "a1",
        T,
        {
            "dan": [
                span(T, "the White House", "FAC"),  # determiner included
                span(T, "a Senate office", "ORG"),  # determiner included
                span(T, "office.", "FAC"),  # trailing punctuation included
                span(T, "Prime", "TITLE"),  # stops short
                span(T, "Obama", "ORG"),  # relabelled
                span(T, "met", "EVENT"),  # removed by the reviewer
                issue(T, "health care", "health"),  # kept
            ],
            "gold": [
                span(T, "White House", "FAC"),
                span(T, "Senate", "ORG"),
                span(T, "office", "FAC"),
                span(T, "Prime Minister", "TITLE"),
                span(T, "Obama", "PERSON"),
                span(T, "Congress", "ORG"),  # added by the reviewer
                issue(T, "health care", "health"),
            ],
        },
    )


def test_changes_are_counted_by_kind():
    report = feedback_report([article()], "dan")
    assert report.articles == 1
    assert report.counts[KEPT] == 1
    assert report.counts[RELABELLED] == 1
    assert report.counts[ADDED] == 1
    assert report.counts[REMOVED] == 1
    assert report.counts[MOVED] == 4
    assert report.confusion[("ORG", "PERSON")] == 1
    assert report.confusion[("O", "ORG")] == 1
    assert report.confusion[("EVENT", "O")] == 1
    relabel = next(c for c in report.changes if c.kind == RELABELLED)
    assert (relabel.before_text, relabel.before.label, relabel.after.label) == ("Obama", "ORG", "PERSON")


def test_boundary_habits_are_read_from_the_text():
    report = feedback_report([article()], "dan")
    determiners = report.habit(INCLUDES_DETERMINERS)
    assert determiners is not None and determiners.count == 2
    assert ("a1", "the White House", "White House") in determiners.examples
    assert report.habits[0].name == INCLUDES_DETERMINERS  # most frequent first
    assert report.habit(INCLUDES_PUNCTUATION).count == 1
    assert report.habit(STOPS_SHORT).examples == (("a1", "Prime", "Prime Minister"),)


def test_html_is_self_contained_and_escaped():
    t = 'Hello <script>alert("x")</script> from the Acme & Co board.'
    art = ArticleSpans(
        "<id>",
        t,
        {
            "<b>eve</b>": [span(t, "<script>alert", "ORG"), span(t, "the Acme & Co", "ORG")],
            "gold": [span(t, "Acme & Co", "ORG")],
        },
    )
    page = feedback_report([art], "<b>eve</b>").to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;alert" in page
    assert "Acme &amp; Co" in page
    assert "&lt;b&gt;eve&lt;/b&gt;" in page
    assert "http" not in page  # nothing fetched from elsewhere


def test_no_shared_articles_is_an_error():
    art = ArticleSpans("a", T, {"dan": []})
    with pytest.raises(AnnotatorError, match="no article has spans from both 'dan' and 'gold'"):
        feedback_report([art], "dan")


def test_text_summary_for_the_command_line():
    text = feedback_report([article()], "dan").to_text()
    assert "dan against gold: 1 article (" in text  # one article, not "1 articles"
    assert "includes determiners" in text and "'the White House' -> 'White House'" in text
    assert "ORG -> PERSON: 1" in text


def test_html_headers_never_break_inside_a_label():
    page = feedback_report([article()], "dan").to_html()
    assert "white-space:nowrap" in page[: page.index("</style>")]
    assert "<p>1 article compared with gold;" in page
