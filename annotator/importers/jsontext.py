"""JSON text from a file that Python's parser takes but the rest cannot: two edges, located.

- A ``\\ud800``-style escape without its other half: ``json.loads`` makes it a lone surrogate,
  which is no character; UTF-8 cannot encode it and SQLite cannot store it. It is found in the
  raw text (the text of a file is strict UTF-8, so a lone surrogate can only come from such an
  escape), once per file, without walking the parsed values.
- Nesting deeper than the parser can follow: ``json.loads`` recurses once per level of ``[``
  and ``{`` and raises ``RecursionError``; the deepest point is found by a scan of the text.

Both become an :class:`~annotator.errors.InputError` naming the file, line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from annotator.errors import InputError

# A surrogate escape without its other half: a high one (D800-DBFF) not followed at once by a
# low one (DC00-DFFF), or a low one not preceded by a high one. Run over text whose escaped
# backslashes are blanked out first, so that every "\u" left starts a real escape.
# (One literal "\u" first, so the search skips ahead in C to each escape.)
_HIGH = r"\\u[dD][89abAB][0-9a-fA-F]{2}"
_LOW = r"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_LONE_SURROGATE = re.compile(
    rf"\\u(?:[dD][89abAB][0-9a-fA-F]{{2}}(?!{_LOW})|[dD][c-fC-F][0-9a-fA-F]{{2}}(?<!{_HIGH}{_LOW}))"
)
# Where a surrogate escape may start: one pass of the regex engine, which skips ahead to each
# backslash (35 ms over a 74 MB file here, where `"\\ud" in text` and `"\\uD" in text` took 100).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD]")
# What the nesting scan looks at: strings (skipped whole, escapes included) and brackets.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _line_and_column(text: str, pos: int, first_line: int) -> tuple[int, int]:
    line = first_line + text.count("\n", 0, pos)
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def lone_surrogate_escape(text: str) -> tuple[int, str] | None:
    """Offset and hex digits of the first surrogate escape in JSON ``text`` without its other half.

    A high surrogate (``D800``-``DBFF``) counts as paired when a low one (``DC00``-``DFFF``)
    follows it at once, as in ``"\\ud83d\\ude00"`` (one emoji); anything else is lone.
    """
    if _SURROGATE_ESCAPE.search(text) is None:
        return None  # most files, even with escaped accents, stop here
    if "\\\\" in text:
        # An escaped backslash, blanked out pair by pair from the left as the parser reads them
        # (same length, so offsets stay): "\\ud800" is a backslash and the letters u, d, 8, 0, 0.
        text = text.replace("\\\\", "\0\0")
    found = _LONE_SURROGATE.search(text)
    if found is None:
        return None
    return found.start(), found.group()[2:]


def check_surrogates(path: Path, text: str, first_line: int = 1) -> None:
    """Refuse JSON ``text`` (parsed already) holding an escape that decodes to a lone surrogate.

    Parameters
    ----------
    path
        The file, for the message.
    text
        Its JSON text (or one line of it).
    first_line
        The line ``text`` starts on.

    Raises
    ------
    InputError
        Naming the line and column of the escape.
    """
    found = lone_surrogate_escape(text)
    if found is None:
        return
    pos, digits = found
    line, column = _line_and_column(text, pos, first_line)
    raise InputError(
        str(path),
        f"\\u{digits.lower()} (column {column}) is half of a UTF-16 surrogate pair without its other"
        " half, not a character; remove it or replace it (\\ufffd is the replacement character)"
        " and import again",
        line=line,
    )


def deepest_point(text: str) -> tuple[int, int]:
    """The deepest nesting of ``[`` and ``{`` in ``text`` (strings skipped) and where it first is."""
    depth = deepest = where = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        elif char in "]}":
            depth -= 1
    return deepest, where


def too_deep(path: Path, text: str, first_line: int = 1) -> InputError:
    """The error for JSON ``text`` that made the parser run out of recursion."""
    depth, pos = deepest_point(text)
    line, column = _line_and_column(text, pos, first_line)
    return InputError(
        str(path),
        f"invalid JSON for annotator: arrays and objects are nested {depth:,} levels deep (deepest at"
        f" column {column}); annotator reads a few hundred levels at most",
        line=line,
    )


def loads(path: Path, text: str, first_line: int = 1) -> Any:
    """``json.loads(text)``, with nesting too deep for the parser an :class:`InputError`.

    :class:`json.JSONDecodeError` is left to the caller, which knows how to place it.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(path, text, first_line) from None
