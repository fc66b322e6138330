"""Labels: only known labels take spans, and a label's name is data."""

from __future__ import annotations

import pytest

from annotator.errors import LabelError
from annotator.model import Label, Span


def test_unknown_label_is_refused(store, article):
    with pytest.raises(LabelError, match="no entity label 'NOPE'"):
        store.add_span("ann", article, Span(0, 5, "NOPE"))


def test_label_names_are_data_not_sql(store, article):
    evil = "x'); DROP TABLE articles;--"
    store.ensure_labels([Label(evil, "entity")])
    store.add_span("ann", article, Span(0, 5, evil))
    assert store.article_count() == 1
    assert store.annotations(article, "ann")[0].label == evil
