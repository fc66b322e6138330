"""The keys of the article view: what each one does, and digit keys on any keyboard layout.

The view looks a key press up here (:func:`key_action`) and runs the action it names, so the
bindings are one table to read. The main window passes the same keys on to the view while a
list beside it has focus (:func:`is_forwarded_key`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent

from annotator import model as m

_Key = Qt.Key
_SHIFT = Qt.KeyboardModifier.ShiftModifier

# Shifted digit keys when the physical key is unknown (offscreen, VNC): US, UK, German, Nordic.
_SHIFTED_DIGITS = {
    "!": 1,
    "@": 2,
    '"': 2,
    "#": 3,
    "£": 3,
    "§": 3,
    "$": 4,
    "¤": 4,
    "%": 5,
    "^": 6,
    "&": 7,
    "/": 7,
    "*": 8,
    "(": 9,
}
# Physical digit keys 1-9: X11/Wayland key codes, Windows virtual keys, macOS virtual keys.
_XKB_DIGITS = {10 + i: i + 1 for i in range(9)}
_WIN_DIGITS = {0x31 + i: i + 1 for i in range(9)}
_MAC_DIGITS = {0x12: 1, 0x13: 2, 0x14: 3, 0x15: 4, 0x17: 5, 0x16: 6, 0x1A: 7, 0x1C: 8, 0x19: 9}

# An action: the name of an ArticleView method and its arguments.
Action = tuple[str, tuple]

# Keys by (key, shifted); ``None`` for shifted: with or without Shift. Looked up before the
# typed text, so A is "accept" whatever the layout types for it.
KEY_ACTIONS: dict[tuple[Qt.Key, bool | None], Action] = {
    (_Key.Key_Backtab, None): ("focus_next", (-1,)),
    (_Key.Key_Tab, True): ("focus_next", (-1,)),
    (_Key.Key_Tab, False): ("focus_next", (1,)),
    (_Key.Key_A, False): ("accept_focused", ()),
    (_Key.Key_A, True): ("accept_all", ()),
    (_Key.Key_X, False): ("reject_focused", ()),
    (_Key.Key_Delete, None): ("delete_focused", ()),
    (_Key.Key_Backspace, None): ("delete_focused", ()),
    (_Key.Key_Return, False): ("done_and_next", ()),
    (_Key.Key_Enter, False): ("done_and_next", ()),
    (_Key.Key_Question, None): ("request_help", ()),
}
# Keys by the text they type (brackets sit on different keys in every layout).
TEXT_ACTIONS: dict[str, Action] = {
    "?": ("request_help", ()),
    "[": ("move_edge", ("start", True)),
    "]": ("move_edge", ("end", True)),
    "{": ("move_edge", ("start", False)),
    "}": ("move_edge", ("end", False)),
}
# Looked up after the text: Escape types a control character some platforms report as text.
LAST_KEY_ACTIONS: dict[Qt.Key, Action] = {_Key.Key_Escape: ("clear_focus", ())}

# Keys the view takes from window shortcuts while it has focus (Tab is taken in its event()).
_OVERRIDE_KEYS = frozenset(
    {
        _Key.Key_A,
        _Key.Key_X,
        _Key.Key_Delete,
        _Key.Key_Backspace,
        _Key.Key_Return,
        _Key.Key_Enter,
        _Key.Key_Question,
    }
)
# Keys a list beside the view passes on to it (the lists keep arrows, Enter, Tab and Delete).
_FORWARDED_KEYS = frozenset({_Key.Key_A, _Key.Key_X, _Key.Key_Question})


def digit_of(event: QKeyEvent) -> tuple[int, bool] | None:
    """``(digit, shifted)`` for a press of a digit key 1-9, on any keyboard layout, else None."""
    shifted = bool(event.modifiers() & _SHIFT)
    platform = QGuiApplication.platformName()
    physical = None
    if platform in ("xcb", "wayland"):
        physical = _XKB_DIGITS.get(event.nativeScanCode())
    elif platform == "windows":
        physical = _WIN_DIGITS.get(event.nativeVirtualKey())
    elif platform == "cocoa":
        physical = _MAC_DIGITS.get(event.nativeVirtualKey())
    if physical is not None:
        return physical, shifted
    key = event.key()
    if _Key.Key_1.value <= key <= _Key.Key_9.value:
        return key - _Key.Key_0.value, shifted
    text = event.text()
    if text in _SHIFTED_DIGITS:
        return _SHIFTED_DIGITS[text], True
    return None


def _plain_or_shifted(event: QKeyEvent) -> bool:
    """True when no modifier but Shift (and the keypad's) is held."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return not mods & ~_SHIFT


def key_action(event: QKeyEvent) -> Action | None:
    """The view's action for ``event``, or None when the key is not one of the view's.

    A digit labels with the entity bound to it, Shift+digit with the issue.
    """
    if not _plain_or_shifted(event):
        return None
    shifted = bool(event.modifiers() & _SHIFT)
    key = event.key()
    found = KEY_ACTIONS.get((key, shifted)) or KEY_ACTIONS.get((key, None))
    if found is None:
        found = TEXT_ACTIONS.get(event.text()) or LAST_KEY_ACTIONS.get(key)
    if found is not None:
        return found
    digit = digit_of(event)
    if digit is None:
        return None
    n, digit_shifted = digit
    return ("apply_label_key", (n, m.ISSUE if digit_shifted else m.ENTITY))


def is_view_key(event: QKeyEvent) -> bool:
    """True for the keys the view keeps from the window's shortcuts while it has focus."""
    if not _plain_or_shifted(event):
        return False
    return (
        event.key() in _OVERRIDE_KEYS
        or event.text() in ("[", "]", "{", "}", "?")
        or digit_of(event) is not None
    )


def is_forwarded_key(event: QKeyEvent) -> bool:
    """True for the keys a list beside the view hands to the view: A, X, ?, brackets, digits."""
    return (
        event.key() in _FORWARDED_KEYS
        or event.text() in ("[", "]", "{", "}", "?")
        or digit_of(event) is not None
    )


def pane_direction(event: QKeyEvent) -> bool | None:
    """Ctrl+Tab / F6: True to move to the next pane, False (with Shift) to the previous; else None."""
    key = event.key()
    mods = event.modifiers()
    shift = bool(mods & _SHIFT)
    if key in (_Key.Key_Tab, _Key.Key_Backtab) and mods & Qt.KeyboardModifier.ControlModifier:
        return key == _Key.Key_Tab and not shift
    if key == _Key.Key_F6 and not mods & ~_SHIFT:
        return not shift
    return None
