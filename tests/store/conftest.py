"""Fixtures of the store tests: a database with labels, and an article with suggestions."""

from __future__ import annotations

import pytest
from store_helpers import TEXT

from annotator.model import Label, SuggestedSpan
from annotator.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "a.db")
    s.ensure_labels(
        [
            Label("PERSON", "entity", "#ff0000", "1"),
            Label("GPE", "entity", "#00ff00", "2"),
            Label("TRADE", "issue", "#0000ff"),
            Label("TARIFFS", "issue", "#00ffff", parent="TRADE"),
        ]
    )
    yield s
    s.close()


@pytest.fixture
def article(store):
    ch = store.add_articles([TEXT])
    aid = next(iter(ch.articles))
    store.store_suggestions(
        [
            (
                aid,
                [
                    SuggestedSpan(0, 11, "PERSON", "entity", "spacy:test@1"),
                    SuggestedSpan(16, 19, "PERSON", "entity", "spacy:test@1"),
                    SuggestedSpan(23, 28, "GPE", "entity", "spacy:test@1"),
                    SuggestedSpan(43, 48, "TRADE", "issue", "taxonomy:t@1"),
                    SuggestedSpan(57, 64, "TARIFFS", "issue", "taxonomy:t@1"),
                ],
            )
        ],
        ["spacy:test@1", "taxonomy:t@1"],
    )
    return aid
