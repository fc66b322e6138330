"""Offsets counted in UTF-16 code units, as some Label Studio versions count them.

JavaScript strings are UTF-16: an emoji outside the Basic Multilingual Plane is two units
there and one code point in Python, so every region after it is off by one per emoji (Label
Studio issue #1347). A task's offsets are read one way or the other by the evidence of its
regions, only where the two readings differ:

- a region with its ``text``: the reading whose slice matches that text;
- a region without: the reading whose edges fall on word boundaries, when the other cuts a
  word (or runs past the end of the text).

Regions that vote for both readings at once are refused, with the reason: no reading would
put every span where it was drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CODEPOINTS = "codepoints"
UTF16 = "utf16"


class Utf16Offsets:
    """Code-point offsets of a text from its UTF-16 offsets."""

    def __init__(self, text: str):
        units = [0]
        for ch in text:
            units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
        self._index = {unit: i for i, unit in enumerate(units)}

    def span(self, start: Any, end: Any) -> tuple[int, int] | None:
        """``(start, end)`` in code points; None if an offset is not a whole number on a character edge."""
        if type(start) is not int or type(end) is not int:
            return None
        first, last = self._index.get(start), self._index.get(end)
        return None if first is None or last is None else (first, last)


def differs(text: str) -> bool:
    """True when the two readings can differ: the text holds a character outside the BMP."""
    return not text.isascii() and any(ord(ch) > 0xFFFF for ch in text)


def _same_text(text: str, start: int, end: int, shown: str) -> bool:
    if not 0 <= start < end <= len(text):
        return False
    actual = text[start:end]
    return actual == shown or actual.split() == shown.split()


def _on_edges(text: str, start: int, end: int) -> bool:
    if not 0 <= start < end <= len(text):
        return False
    cuts_start = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    cuts_end = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return not cuts_start and not cuts_end


def votes(text: str, regions: Iterable[tuple[Any, Any, Any]]) -> tuple[int, int]:
    """``(code point votes, UTF-16 votes)`` of regions ``(start, end, text or None)``."""
    convert = Utf16Offsets(text)
    for_codepoints = for_utf16 = 0
    for start, end, shown in regions:
        if type(start) is not int or type(end) is not int:
            continue
        other = convert.span(start, end)
        if other == (start, end):
            continue  # before the first emoji both readings agree
        if isinstance(shown, str):
            as_codepoints = _same_text(text, start, end, shown)
            as_utf16 = other is not None and _same_text(text, *other, shown)
        else:
            as_codepoints = _on_edges(text, start, end)
            as_utf16 = other is not None and _on_edges(text, *other)
        if as_utf16 and not as_codepoints:
            for_utf16 += 1
        elif as_codepoints and not as_utf16:
            for_codepoints += 1
    return for_codepoints, for_utf16
