"""Bulk reads: the spans and states of some articles, for review and export."""

from __future__ import annotations

from annotator import model as m
from annotator.model import Span


def test_annotation_spans_and_states_of_some_articles(store, article):
    other = next(iter(store.add_articles(["Second article about visas."]).articles))
    store.add_span("ann", article, Span(0, 11, "PERSON"))
    store.add_span("ann", other, Span(0, 6, "PERSON"))
    store.set_state("ann", other, m.DONE)
    assert [(aid, who, sp.label) for aid, who, sp in store.annotation_spans([other])] == [
        (other, "ann", "PERSON")
    ]
    assert len(list(store.annotation_spans())) == 2
    assert list(store.article_states(articles=[other])) == [(other, "ann", "done")]
    assert list(store.article_states("nobody", articles=[other])) == []
