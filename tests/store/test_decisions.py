"""Decisions: what lands in the database after each action of an annotator."""

from __future__ import annotations

import pytest
from store_helpers import TEXT, sugg

from annotator import model as m
from annotator.errors import SpanError
from annotator.model import Span


def test_accept_reject_correct_land_in_the_database(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.reject("ann", sugg(store, article, "Bob").id)
    store.correct("ann", sugg(store, article, "Paris").id, label="PERSON")
    anns = store.annotations(article, "ann")
    assert [(TEXT[a.start : a.end], a.label, a.origin) for a in anns] == [
        ("Alice Smith", "PERSON", "accepted"),
        ("Paris", "PERSON", "corrected"),
    ]
    status = {TEXT[s.start : s.end]: s.status for s in store.suggestions(article, "ann")}
    assert status == {
        "Alice Smith": "accepted",
        "Bob": "rejected",
        "Paris": "corrected",
        "trade": "pending",
        "tariffs": "pending",
    }
    # another annotator still sees everything pending
    assert {s.status for s in store.suggestions(article, "other")} == {"pending"}
    assert store.state("ann", article) == m.IN_PROGRESS


def test_rejected_suggestions_are_kept_as_negative_examples(store, article):
    store.reject("ann", sugg(store, article, "Bob").id)
    rows = [d for d in store.decisions("ann") if d["decision"] == "rejected"]
    assert rows == [
        {
            "article_id": article,
            "annotator": "ann",
            "layer": "entity",
            "start": 16,
            "end": 19,
            "label": "PERSON",
            "source": "spacy:test@1",
            "decision": "rejected",
            "at": rows[0]["at"],
            "result": None,
        }
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(5, 5, "empty"), (10, 4, "ends before"), (-1, 3, "negative"), (60, 200, "outside the text")],
)
def test_bad_spans_are_refused_with_a_clear_error(store, article, start, end, message):
    with pytest.raises(SpanError, match=message):
        store.add_span("ann", article, Span(start, end, "PERSON"))
    assert store.annotations(article, "ann") == []


def test_entity_spans_may_not_overlap_but_issues_may(store, article):
    store.add_span("ann", article, Span(0, 11, "PERSON"))
    with pytest.raises(SpanError, match="overlaps the entity PERSON 0-11"):
        store.add_span("ann", article, Span(6, 15, "GPE"))
    # another annotator may
    store.add_span("bob", article, Span(6, 15, "GPE"))
    # issues overlap each other and entities
    store.add_span("ann", article, Span(43, 64, "TRADE", "issue"))
    store.add_span("ann", article, Span(57, 64, "TARIFFS", "issue"))
    store.add_span("ann", article, Span(0, 15, "TRADE", "issue"))
    assert len(store.annotations(article, "ann")) == 4


def test_update_and_delete(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    ann = store.annotations(article, "ann")[0]
    store.update_span("ann", ann.id, end=5)
    assert TEXT[store.annotation(ann.id).start : store.annotation(ann.id).end] == "Alice"
    assert store.annotation(ann.id).origin == "corrected"
    store.delete_span("ann", ann.id)
    assert store.annotations(article, "ann") == []
    # deleting an accepted suggestion turns it into a rejection
    assert sugg(store, article, "Alice Smith").status == "rejected"


def test_accept_all_skips_overlapping_entities(store, article):
    store.add_span("ann", article, Span(16, 22, "GPE"))  # "Bob in" overlaps suggestion Bob
    ch = store.accept_all("ann", article)
    assert ch.count("accepted") == 4
    assert ch.count("skipped") == 1
    store.undo("ann")
    assert len(store.annotations(article, "ann")) == 1
