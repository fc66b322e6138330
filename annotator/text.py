"""Tokens of an article: the one tokenizer the core uses for snapping, export and agreement.

The window never imports spaCy itself; it asks here for token boundaries.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

_SURROGATE = re.compile("[\ud800-\udfff]")


def spacy_safe(text: str) -> str:
    """``text`` with each lone surrogate as U+FFFD: spaCy cannot encode one; offsets stay put."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


@lru_cache(maxsize=1)
def tokenizer():
    """spaCy's English rule tokenizer (no model weights, fast), created once."""
    import spacy

    return spacy.blank("en").tokenizer


def tokenizer_name() -> str:
    """Name recorded with token indices, so they keep their meaning."""
    import spacy

    return f"spacy.blank:en@{spacy.__version__}"


@dataclass(frozen=True, slots=True)
class Tokens:
    """Token boundaries of one text, as code-point offsets."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.starts)

    def snap(self, start: int, end: int) -> tuple[int, int]:
        """Widen ``[start, end)`` to the whole tokens it touches; whitespace at the edges is dropped.

        Returns the input unchanged when it touches no token (e.g. only spaces).
        """
        if start >= end or not self.starts:
            return start, end
        i = bisect.bisect_right(self.ends, start)  # first token ending after start
        j = bisect.bisect_left(self.starts, end) - 1  # last token starting before end
        if i > j or i >= len(self.starts) or j < 0:
            return start, end
        return self.starts[i], self.ends[j]

    def shift_start(self, start: int, end: int, step: int) -> int:
        """``start`` moved by ``step`` tokens (negative: left); the span keeps at least one token."""
        if not self.starts:
            return start
        base = max(0, bisect.bisect_right(self.starts, start) - 1)
        if self.starts[base] != start and step < 0:
            k = base + step + 1
        elif self.starts[base] != start and self.starts[base] > start:
            k = base + step - 1
        else:
            k = base + step
        k = min(max(0, k), len(self.starts) - 1)
        new = self.starts[k]
        return new if new < end else start

    def shift_end(self, start: int, end: int, step: int) -> int:
        """``end`` moved by ``step`` tokens (positive: right); the span keeps at least one token."""
        if not self.ends:
            return end
        j = min(bisect.bisect_left(self.ends, end), len(self.ends) - 1)
        if self.ends[j] != end and step > 0:
            k = j + step - 1
        else:
            k = j + step
        k = min(max(0, k), len(self.ends) - 1)
        new = self.ends[k]
        return new if new > start else end


def tokens(text: str) -> Tokens:
    """Token boundaries of ``text`` (whitespace tokens left out)."""
    doc = tokenizer()(spacy_safe(text))
    starts = []
    ends = []
    for t in doc:
        if t.is_space:
            continue
        starts.append(t.idx)
        ends.append(t.idx + len(t.text))
    return Tokens(tuple(starts), tuple(ends))
