"""A suggestion and an accepted span differ in shape: a dashed box around a light fill, or a solid fill."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotator.ui.mark_painter import box_rect


def _near(a: QColor, b: QColor, tolerance: int = 70) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tolerance


def edge_pixels(window, start: int, end: int) -> tuple[int, QColor]:
    """How many pixels on the top edge of the span's box have its line colour; the fill inside."""
    view = window.view
    view.viewport().repaint()
    image = view.viewport().grab().toImage()
    (rect,) = view.range_rects(start, end)
    box = box_rect(rect)
    line = view.line_colour("entity", "ORG")
    dashes = sum(_near(QColor(image.pixel(x, box.top())), line, 10) for x in range(box.left(), box.right()))
    fill = QColor(image.pixel(int(rect.center().x()), int(rect.bottom() - 2)))
    return dashes, fill


def test_a_suggestion_is_boxed_and_an_accepted_span_is_filled(window, qtbot, ui_data):
    view = window.view
    start = ui_data.text1.index("Siemens")
    end = start + len("Siemens")
    view.clear_focus()  # the focus outline would cover the box
    dashes, light = edge_pixels(window, start, end)
    assert dashes >= 4, "no dashed box drawn around the suggestion"
    view.set_focus_span("suggestion", next(s.id for s in view.pending() if s.start == start))
    qtbot.keyClick(view, Qt.Key.Key_A)
    view.clear_focus()
    dashes, solid = edge_pixels(window, start, end)
    assert dashes == 0, "an accepted span has no box"
    colour = view.label_colour("entity", "ORG")
    assert _near(solid, colour, 40) and not _near(light, colour, 120)
