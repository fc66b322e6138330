"""The article view's key table: what each key does, on any layout, and which keys leave the view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from annotator import model as m
from annotator.ui.article_view import ArticleView
from annotator.ui.keys import (
    KEY_ACTIONS,
    LAST_KEY_ACTIONS,
    TEXT_ACTIONS,
    is_forwarded_key,
    is_view_key,
    key_action,
    pane_direction,
)

K, M = Qt.Key, Qt.KeyboardModifier


def press(key, text: str = "", mods=M.NoModifier) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, key, mods, text)


@pytest.mark.parametrize(
    ("key", "action"),
    [
        ((K.Key_A, "a"), ("accept_focused", ())),
        ((K.Key_A, "A", M.ShiftModifier), ("accept_all", ())),
        ((K.Key_X, "x"), ("reject_focused", ())),
        ((K.Key_Delete,), ("delete_focused", ())),
        ((K.Key_Backspace, "\b", M.ShiftModifier), ("delete_focused", ())),
        ((K.Key_Tab, "\t"), ("focus_next", (1,))),
        ((K.Key_Tab, "\t", M.ShiftModifier), ("focus_next", (-1,))),
        ((K.Key_Backtab, "", M.ShiftModifier), ("focus_next", (-1,))),
        ((K.Key_Return, "\r"), ("done_and_next", ())),
        ((K.Key_Enter, "\r", M.KeypadModifier), ("done_and_next", ())),
        ((K.Key_Question, "?", M.ShiftModifier), ("request_help", ())),
        ((K.Key_BracketLeft, "["), ("move_edge", ("start", True))),
        ((K.Key_BracketRight, "]"), ("move_edge", ("end", True))),
        ((K.Key_BraceLeft, "{", M.ShiftModifier), ("move_edge", ("start", False))),
        ((K.Key_BraceRight, "}", M.ShiftModifier), ("move_edge", ("end", False))),
        ((K.Key_Escape, "\x1b"), ("clear_focus", ())),
        ((K.Key_3, "3"), ("apply_label_key", (3, m.ENTITY))),
        ((K.Key_NumberSign, "#", M.ShiftModifier), ("apply_label_key", (3, m.ISSUE))),
        ((K.Key_section, "§", M.ShiftModifier), ("apply_label_key", (3, m.ISSUE))),
    ],
)
def test_each_key_names_its_action(qapp, key, action):
    assert key_action(press(*key)) == action


@pytest.mark.parametrize(
    "key",
    [
        (K.Key_X, "X", M.ShiftModifier),  # Shift+X is no action (X alone rejects)
        (K.Key_Return, "\r", M.ShiftModifier),
        (K.Key_A, "a", M.ControlModifier),  # the window's shortcuts keep Ctrl and Alt
        (K.Key_3, "3", M.AltModifier),
        (K.Key_Q, "q"),
        (K.Key_0, "0"),
    ],
)
def test_other_keys_are_not_the_views(qapp, key):
    assert key_action(press(*key)) is None


def test_every_action_of_the_table_is_a_method_of_the_view():
    actions = [*KEY_ACTIONS.values(), *TEXT_ACTIONS.values(), *LAST_KEY_ACTIONS.values()]
    assert all(callable(getattr(ArticleView, name, None)) for name, _args in actions)
    assert callable(ArticleView.apply_label_key)


def test_the_view_keeps_its_keys_from_window_shortcuts_and_lists_pass_theirs_on(qapp):
    assert is_view_key(press(K.Key_A, "a")) and is_view_key(press(K.Key_5, "5"))
    assert not is_view_key(press(K.Key_Z, "z", M.ControlModifier))
    assert is_forwarded_key(press(K.Key_X, "x")) and is_forwarded_key(press(K.Key_BracketLeft, "["))
    # The lists keep their own arrows, Enter, Tab and Delete.
    assert not any(is_forwarded_key(press(k)) for k in (K.Key_Down, K.Key_Return, K.Key_Tab, K.Key_Delete))


def test_ctrl_tab_and_f6_move_between_panes(qapp):
    assert pane_direction(press(K.Key_Tab, "", M.ControlModifier)) is True
    assert pane_direction(press(K.Key_Backtab, "", M.ControlModifier | M.ShiftModifier)) is False
    assert pane_direction(press(K.Key_F6)) is True
    assert pane_direction(press(K.Key_F6, "", M.ShiftModifier)) is False
    assert pane_direction(press(K.Key_Tab, "\t")) is None
    assert pane_direction(press(K.Key_F6, "", M.AltModifier)) is None
