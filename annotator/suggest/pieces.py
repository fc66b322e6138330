"""Long texts in pieces: split at paragraph or sentence boundaries, offsets mapped back.

spaCy refuses a text over ``nlp.max_length`` characters and needs memory in proportion to the
longest text of a batch. A suggester cuts each longer text into pieces of at most
:data:`PIECE` characters, at the last paragraph break before the limit (else a line break, a
sentence end, a space, and only as a last resort anywhere), suggests each piece and joins
their spans, shifted to the piece's offset in the whole text.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Iterable, Iterator

from annotator.model import SuggestedSpan
from annotator.suggest.failures import Failed

PIECE = 100_000  # characters: well inside spaCy's default max_length, a few MB of Doc
_CUTS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?][\"'’”)]*\s"), re.compile(r"\s"))


def split(text: str, limit: int = PIECE) -> list[tuple[int, str]]:
    """``(offset, piece)`` pairs covering ``text`` in order, each piece at most ``limit`` long."""
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start, start + limit)
        out.append((start, text[start:end]))
        start = end
    out.append((start, text[start:]))
    return out


def _cut(text: str, start: int, limit: int) -> int:
    window = text[start:limit]
    floor = len(window) // 2  # a cut in the first half would make tiny pieces
    for pattern in _CUTS:
        last = None
        for m in pattern.finditer(window, floor):
            last = m
        if last is not None:
            return start + last.end()
    return limit


class Pieces:
    """Turns a stream of texts into a stream of pieces and the pieces' spans back into texts'.

    Iterate :meth:`texts` into the pipeline and pass its span lists (one per piece, in order)
    to :meth:`join`, which yields one list per original text.
    """

    def __init__(self, texts: Iterable[str], limit: int = PIECE):
        self._texts = texts
        self._limit = limit
        self._offsets: deque[list[int]] = deque()

    def texts(self) -> Iterator[str]:
        for text in self._texts:
            parts = split(text, self._limit) if len(text) > self._limit else [(0, text)]
            self._offsets.append([offset for offset, _ in parts])
            for _, piece in parts:
                yield piece

    def join(self, results: Iterable[list[SuggestedSpan]]) -> Iterator[list[SuggestedSpan]]:
        it = iter(results)
        for spans in it:
            offsets = self._offsets.popleft()
            if len(offsets) == 1:
                yield spans
                continue
            parts = [spans] + [next(it) for _ in offsets[1:]]
            failed = [p for p in parts if isinstance(p, Failed)]
            if failed:  # one piece the pipeline failed on: the whole text failed
                yield failed[0]
                continue
            joined = list(spans)
            for offset, part in zip(offsets[1:], parts[1:], strict=True):
                joined += [dataclasses.replace(s, start=s.start + offset, end=s.end + offset) for s in part]
            joined.sort(key=lambda s: (s.start, s.end, s.layer, s.label))
            yield joined
