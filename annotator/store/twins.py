"""Articles that differ only in line endings or Unicode normalisation (*twins*).

Both texts are folded piece by piece: CRLF and CR become LF, and a character with the
combining marks after it becomes its NFC form. When the folded texts are equal, an offset at a
piece boundary of one text maps to the same boundary of the other; an offset inside a piece
(between CR and LF, or before a combining mark) has no counterpart.
"""

from __future__ import annotations

import unicodedata


class Twin:
    """Maps offsets in ``theirs`` to offsets in ``ours``; ``ok`` is False when the texts do not
    fold to the same characters (then nothing maps)."""

    def __init__(self, theirs: str, ours: str):
        folded_theirs, self._forward = fold(theirs)
        folded_ours, ours_bounds = fold(ours)
        self.ok = folded_theirs == folded_ours
        self._back = {f: i for i, f in ours_bounds.items()}

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """``(start, end)`` in our text, or None if either end falls inside a folded piece."""
        if not self.ok:
            return None
        a, b = self._forward.get(start), self._forward.get(end)
        if a is None or b is None:
            return None
        s, e = self._back.get(a), self._back.get(b)
        return (s, e) if s is not None and e is not None and s < e else None


def fold(text: str) -> tuple[str, dict[int, int]]:
    """The folded text and the folded offset of every piece boundary of ``text``."""
    pieces: list[str] = []
    bounds: dict[int, int] = {}
    i, n, pos = 0, len(text), 0
    while i < n:
        bounds[i] = pos
        if text[i] == "\r":
            j = i + 2 if text.startswith("\r\n", i) else i + 1
            piece = "\n"
        else:
            j = i + 1
            while j < n and unicodedata.combining(text[j]):
                j += 1
            piece = unicodedata.normalize("NFC", text[i:j])
        pieces.append(piece)
        pos += len(piece)
        i = j
    bounds[n] = pos
    return "".join(pieces), bounds
