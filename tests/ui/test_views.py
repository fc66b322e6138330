"""Shared views: the scroll bar that caches its groove and handle looks exactly like Qt's own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPlainTextEdit, QScrollBar, QStyleFactory

from annotator.ui.views import CachedGrooveScrollBar, EnterTableView, EnterTreeView


def _editor(qtbot, bar_class, style, x):
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    edit.setStyle(style)
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    edit.setPlainText("\n".join(f"line {i} " + "word " * (i % 40) for i in range(300)))
    edit.setVerticalScrollBar(bar_class(Qt.Orientation.Vertical))
    edit.setHorizontalScrollBar(bar_class(Qt.Orientation.Horizontal))
    for bar in (edit.verticalScrollBar(), edit.horizontalScrollBar()):
        bar.setStyle(style)
    edit.setGeometry(x, 200, 320, 480)  # apart and away from the pointer: neither is hovered
    edit.show()
    qtbot.waitExposed(edit)
    return edit


def _pixels(bar) -> QImage:
    # Ours is opaque, so its grab comes without an alpha channel: compare like with like.
    return bar.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


@pytest.mark.parametrize("style_name", ["Fusion", "Windows"])
def test_cached_groove_bar_draws_the_same_pixels_as_qt(qtbot, style_name):
    style = QStyleFactory.create(style_name)
    ours = _editor(qtbot, CachedGrooveScrollBar, style, 400)
    qts = _editor(qtbot, QScrollBar, style, 800)
    # The handle at the start, near it, in the middle (drawn once, then moved) and at the end.
    top = qts.verticalScrollBar().maximum()
    for value in (*range(6), 37, 150, 151, 90, *range(top - 5, top), 10_000, 150):
        for edit in (ours, qts):
            edit.verticalScrollBar().setValue(value)
            edit.horizontalScrollBar().setValue(value // 10)
        for ours_bar, qt_bar in (
            (ours.verticalScrollBar(), qts.verticalScrollBar()),
            (ours.horizontalScrollBar(), qts.horizontalScrollBar()),
        ):
            assert _pixels(ours_bar) == _pixels(qt_bar)
    ours.setEnabled(False)
    qts.setEnabled(False)
    assert _pixels(ours.verticalScrollBar()) == _pixels(qts.verticalScrollBar())


def test_the_side_panel_views_use_it(qtbot):
    for view in (EnterTableView(), EnterTreeView()):
        qtbot.addWidget(view)
        assert isinstance(view.verticalScrollBar(), CachedGrooveScrollBar)
        assert isinstance(view.horizontalScrollBar(), CachedGrooveScrollBar)
