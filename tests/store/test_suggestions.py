"""Suggestions: replaced per source, read with one annotator's decisions, in text order."""

from __future__ import annotations

from store_helpers import TEXT, sugg

from annotator import model as m
from annotator.model import Span, SuggestedSpan


def test_resuggesting_replaces_suggestions_but_keeps_decisions(store, article):
    store.accept("ann", sugg(store, article, "Alice Smith").id)
    store.reject("ann", sugg(store, article, "Bob").id)
    store.store_suggestions(
        [
            (
                article,
                [
                    SuggestedSpan(0, 11, "PERSON", "entity", "spacy:test@1"),
                    SuggestedSpan(16, 19, "PERSON", "entity", "spacy:test@1"),
                ],
            )
        ],
        ["spacy:test@1"],
    )
    status = {(TEXT[s.start : s.end], s.source): s.status for s in store.suggestions(article, "ann")}
    assert status[("Alice Smith", "spacy:test@1")] == "accepted"
    assert status[("Bob", "spacy:test@1")] == "rejected"
    assert ("Paris", "spacy:test@1") not in status  # replaced
    assert ("trade", "taxonomy:t@1") in status  # other source untouched
    assert len(store.annotations(article, "ann")) == 1


def test_pending_count_counts_a_span_suggested_by_two_sources_once(store, article):
    store.store_suggestions(
        [(article, [SuggestedSpan(0, 11, "PERSON", "entity", "other:model@2")])], ["other:model@2"]
    )
    assert len(store.suggestions(article, "ann")) == 5
    assert store.article_rows([article], "ann")[0].pending == 5


def test_suggestions_and_annotations_read_by_range(store, article):
    """A range read returns exactly the rows of the whole read that overlap [start, end)."""
    store.store_suggestions(
        [(article, [SuggestedSpan(23, 28, "GPE", "entity", "spacy:other@1")])], ["spacy:other@1"]
    )
    store.accept("ann", sugg(store, article, "Bob").id)
    store.reject("ann", sugg(store, article, "Paris").id)
    store.add_span("ann", article, Span(32, 36, "TRADE", "issue"))
    every = store.suggestions(article, "ann")
    spans = store.annotations(article, "ann")
    for start, end in [(0, 64), (0, 1), (11, 16), (17, 18), (19, 23), (20, 35), (27, 28), (36, 43), (60, 64)]:
        assert store.suggestions(article, "ann", start=start, end=end) == [
            s for s in every if s.start < end and start < s.end
        ]
        assert store.annotations(article, "ann", start=start, end=end) == [
            a for a in spans if a.start < end and start < a.end
        ]
    # Paris suggested by two sources is still one row, with the annotator's decision.
    (paris,) = store.suggestions(article, "ann", start=23, end=24)
    assert paris.status == m.REJECTED


def test_an_articles_suggestions_are_read_in_order_from_the_index_without_a_sort(store, article):
    ran = []  # the statements suggestion_rows runs, with their parameters filled in
    store.conn.set_trace_callback(ran.append)
    store.suggestion_rows(article, "ann")
    store.conn.set_trace_callback(None)
    query = next(q for q in ran if "FROM suggestions" in q)
    plan = " / ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + query))
    assert "COVERING INDEX suggestions_by_position" in plan
    assert "TEMP B-TREE" not in plan


def test_suggestion_rows_are_the_suggestions_as_tuples(store, article):
    store.store_suggestions(
        [(article, [SuggestedSpan(0, 11, "PERSON", "entity", "other:model@2")])], ["other:model@2"]
    )
    store.reject("ann", store.suggestions(article, "ann")[1].id)
    for kw in ({}, {"start": 0, "end": 12}):
        full = store.suggestions(article, "ann", **kw)
        rows = store.suggestion_rows(article, "ann", **kw)
        assert rows == [(s.id, s.layer, s.start, s.end, s.label, s.source, s.score, s.status) for s in full]
        assert [(r.id, r.status, r.source) for r in rows] == [(s.id, s.status, s.source) for s in full]
    assert store.suggestion_rows(article, "ann")[1].status == m.REJECTED
