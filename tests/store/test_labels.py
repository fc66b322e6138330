"""Labels: only known labels take spans, and a label's name is data."""

from __future__ import annotations

import pytest

from annotator.errors import LabelError
from annotator.model import Label, Span
from annotator.store import Store


def test_unknown_label_is_refused(store, article):
    with pytest.raises(LabelError, match="no entity label 'NOPE'"):
        store.add_span("ann", article, Span(0, 5, "NOPE"))


def test_label_names_are_data_not_sql(store, article):
    evil = "x'); DROP TABLE articles;--"
    store.ensure_labels([Label(evil, "entity")])
    store.add_span("ann", article, Span(0, 5, evil))
    assert store.article_count() == 1
    assert store.annotations(article, "ann")[0].label == evil


@pytest.mark.parametrize("name", ["ORG\x00", "PER\tSON", "GPE\u200b", "A\u2028B"])
def test_a_label_with_control_or_invisible_characters_is_refused(tmp_path, name):
    with Store(tmp_path / "l.db") as s:
        with pytest.raises(LabelError, match="control or invisible characters"):
            s.ensure_labels([Label(name, "entity")])
        assert name not in {lab.name for lab in s.labels()}
