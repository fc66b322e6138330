"""Review mode's keys: which key presses are review mode's, and the action each one runs.

The digits take an annotator's version, ``B`` takes both (issue layer), ``N`` none, ``E``
edits, ``Tab``/``Shift+Tab`` move between disagreements, ``Enter`` opens the next article,
``Ctrl+Z``/``Ctrl+Shift+Z`` (or ``Ctrl+Y``) undo and redo.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from annotator.ui.article_view import digit_of

KEYS_HINT = (
    "1–9 take that annotator's version · B take both (issues) · N take none · E edit ·"
    " Tab / Shift+Tab next / previous · Enter next article · Ctrl+Z / Ctrl+Shift+Z undo / redo"
)

_PLAIN_KEYS = {
    Qt.Key.Key_B: ("take_both", ()),
    Qt.Key.Key_N: ("take_none", ()),
    Qt.Key.Key_E: ("edit", ()),
    Qt.Key.Key_Tab: ("focus_next", (1,)),
    Qt.Key.Key_Backtab: ("focus_next", (-1,)),
    Qt.Key.Key_Return: ("next_article", ()),
    Qt.Key.Key_Enter: ("next_article", ()),
}


def _modifiers(event: QKeyEvent):
    return event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier


def is_review_key(event: QKeyEvent) -> bool:
    """True when ``event`` is one of review mode's keys (they win over the window's shortcuts)."""
    mods = _modifiers(event)
    if mods == Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier:
        return event.key() == Qt.Key.Key_Z
    if mods == Qt.KeyboardModifier.ControlModifier:
        return event.key() in (Qt.Key.Key_Z, Qt.Key.Key_Y)
    if mods & ~Qt.KeyboardModifier.ShiftModifier:
        return False
    return event.key() in _PLAIN_KEYS or (
        digit_of(event) is not None and not (mods & Qt.KeyboardModifier.ShiftModifier)
    )


def review_command(event: QKeyEvent) -> tuple[str, tuple] | None:
    """The action bound to ``event``: the name of a :class:`~annotator.ui.review_view.ReviewView`
    method and its arguments, or None when the key is not review mode's."""
    if not is_review_key(event):
        return None
    key = event.key()
    mods = _modifiers(event)
    shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
    if mods & Qt.KeyboardModifier.ControlModifier:
        return ("redo", ()) if key == Qt.Key.Key_Y or shift else ("undo", ())
    if key == Qt.Key.Key_Tab and shift:
        return ("focus_next", (-1,))
    if key in _PLAIN_KEYS:
        return _PLAIN_KEYS[key]
    digit = digit_of(event)
    return None if digit is None else ("take", (digit[0],))


__all__ = ["KEYS_HINT", "is_review_key", "review_command"]
