"""The article view's mouse: a click focuses the span under it, a tooltip names it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt


def test_a_click_focuses_the_span_under_the_pointer_and_a_click_elsewhere_unfocuses(window, qtbot, ui_data):
    view = window.view
    start = ui_data.text1.index("Angela Merkel")
    (rect, *_) = view.range_rects(start, start + 13)
    assert view.offset_at(rect.center().toPoint()) in range(start, start + 13)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert (view.focused.label, view.focused.start) == ("PERSON", start)
    far = QPoint(view.viewport().width() - 5, view.viewport().height() - 5)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=far)
    assert view.focused is None and not view.span_bar.isVisible()
