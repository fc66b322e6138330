"""Exact translation between the core's code-point offsets and Qt's UTF-16 positions.

Offsets in the core are Python code points; Qt's document counts UTF-16 units and breaks lines
at ``\\r``. Every widget that shows article text (the article view, the review view) maps
offsets through :class:`TextMap`.
"""

from __future__ import annotations

import bisect
import re

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class TextMap:
    """Exact translation between code-point offsets (core) and UTF-16 positions (Qt).

    Parameters
    ----------
    text
        The article text as stored.

    Attributes
    ----------
    display
        The text handed to Qt: same length in code points, with ``\\r`` replaced so that Qt
        neither merges ``\\r\\n`` into one position nor counts a lone ``\\r`` differently, and
        lone surrogates (which Qt would drop) replaced by U+FFFD.
    length
        The text's length in code points.
    """

    def __init__(self, text: str):
        self.length = len(text)
        display = text.replace("\r\n", " \n").replace("\r", "\n")
        if text.isascii():  # no surrogates, nothing outside the BMP: skip both scans
            self.display = display
            self._astral: list[int] = []
            self._astral_q: list[int] = []
            return
        self.display = _SURROGATE.sub("\ufffd", display)
        # Only texts with characters outside the BMP need a table; most news text has none.
        self._astral = [mt.start() for mt in _ASTRAL.finditer(text)]
        self._astral_q = [c + k for k, c in enumerate(self._astral)]

    @property
    def is_identity(self) -> bool:
        """True when every offset is its own Qt position (no character outside the BMP)."""
        return not self._astral

    def to_qt(self, offset: int) -> int:
        """Qt position of code-point ``offset``."""
        if not self._astral:
            return offset
        return offset + bisect.bisect_left(self._astral, offset)

    def from_qt(self, pos: int) -> int:
        """Code-point offset of Qt position ``pos`` (the middle of a pair maps to its character)."""
        if not self._astral:
            return max(0, min(pos, self.length))
        k = bisect.bisect_right(self._astral_q, pos - 2)  # pairs wholly before pos
        offset = pos - k
        if k < len(self._astral_q) and self._astral_q[k] == pos - 1:
            offset -= 1
        return max(0, min(offset, self.length))
