"""A corpus of articles of different lengths, with a suggestion each, shared by the team tests."""

from __future__ import annotations

import random

from annotator import model as m
from annotator.model import Label, SuggestedSpan
from annotator.store import Store

SOURCE = "spacy:test@1"


def texts(n: int, seed: int = 1, start: int = 0) -> list[str]:
    """``n`` distinct articles of 30 to 600 words; each starts with "Paris"."""
    rng = random.Random(seed)
    return [
        "Paris " + " ".join(f"w{rng.randrange(500)}" for _ in range(rng.randrange(30, 600))) + f" end{i}"
        for i in range(start, start + n)
    ]


def make_corpus(path, n: int = 60, seed: int = 1) -> Store:
    """A corpus database of ``n`` articles, each with the suggestion "Paris" (GPE)."""
    store = Store(path)
    store.ensure_labels([Label("GPE", m.ENTITY, "#112233", "1"), Label("TRADE", m.ISSUE, "#445566")])
    add_articles(store, texts(n, seed))
    return store


def add_articles(store: Store, new: list[str]) -> None:
    changes = store.add_articles(new)
    store.store_suggestions(
        [(aid, [SuggestedSpan(0, 5, "GPE", m.ENTITY, SOURCE)]) for aid in sorted(changes.articles)], [SOURCE]
    )


def finish(path, annotator: str, ids, state: str = m.DONE) -> None:
    """Mark ``ids`` with ``state`` for ``annotator`` in the database at ``path``, as the window does."""
    with Store(path) as st:
        for aid in ids:
            st.set_state(annotator, aid, state)
