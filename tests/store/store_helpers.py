"""What the store tests share: the text of their article and a suggestion found by its text."""

from __future__ import annotations

TEXT = "Alice Smith met Bob in Paris to talk about trade and new tariffs."
# offsets: Alice Smith 0-11, Bob 16-19, Paris 23-28, talk 32-36, trade 43-48, tariffs 57-64


def sugg(store, aid, text, who="ann"):
    return next(s for s in store.suggestions(aid, who) if TEXT[s.start : s.end] == text)
