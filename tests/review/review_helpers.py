"""Small articles with planted agreements and disagreements, shared by the review tests."""

from __future__ import annotations

from annotator.model import ENTITY, ISSUE, Span
from annotator.review.spans import ArticleSpans


def span(text: str, phrase: str, label: str, layer: str = ENTITY, occurrence: int = 0) -> Span:
    """The span of ``phrase`` (its n-th occurrence) in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return Span(start, start + len(phrase), label, layer)


def issue(text: str, phrase: str, label: str) -> Span:
    return span(text, phrase, label, ISSUE)


# Texts for the token boundaries: plain sentences, and runs of spaces and blank lines.
TOKEN_TEXTS = [
    "Angela Merkel met Joe Biden in Berlin to discuss steel tariffs and gas.",
    "The European Union imposed sanctions on Russia over the war.",
    "  Prices rose   again; rents, too.\n\nNobody   was surprised.",
]

MEETING = "The President met Angela Merkel in Berlin and the European Union on Monday about health care."


def meeting() -> ArticleSpans:
    """Three annotators: one agreed span, a label conflict, a boundary shift, a one-sided span.

    On the issue layer: one agreed issue, and a label conflict (health / economy / health).
    """
    t = MEETING
    berlin = span(t, "Berlin", "GPE")
    eu = span(t, "European Union", "ORG")
    merkel = span(t, "Angela Merkel", "PERSON")
    care = issue(t, "health care", "health")
    meeting_issue = issue(t, "met Angela Merkel", "diplomacy")
    return ArticleSpans(
        "meeting",
        t,
        {
            "ann": [berlin, eu, merkel, span(t, "Monday", "DATE"), care, meeting_issue],
            "bob": [berlin, eu, merkel, issue(t, "health care", "economy"), meeting_issue],
            "cat": [
                berlin,
                span(t, "European Union", "NORP"),
                span(t, "Merkel", "PERSON"),
                care,
                meeting_issue,
            ],
        },
    )
