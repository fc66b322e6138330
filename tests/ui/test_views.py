"""Shared views: the flat scroll bar looks flat, shows hover and drag, and scrolls as Qt's does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QHoverEvent, QImage, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QPlainTextEdit,
    QStyle,
    QStyleFactory,
    QStyleOptionSlider,
)

from annotator.ui.views import EnterTableView, EnterTreeView, FlatScrollBar

_CC = QStyle.ComplexControl.CC_ScrollBar


def _editor(qtbot, style_name="Fusion"):
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    style = QStyleFactory.create(style_name)
    edit.setStyle(style)
    edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    edit.setPlainText("\n".join(f"line {i} " + "word " * (i % 40) for i in range(300)))
    edit.setVerticalScrollBar(FlatScrollBar(Qt.Orientation.Vertical))
    edit.setHorizontalScrollBar(FlatScrollBar(Qt.Orientation.Horizontal))
    for bar in (edit.verticalScrollBar(), edit.horizontalScrollBar()):
        bar.setStyle(style)
    edit.setGeometry(400, 200, 320, 480)  # away from the pointer: not hovered
    edit.show()
    qtbot.waitExposed(edit)
    return edit


def _rect(bar, control):
    opt = QStyleOptionSlider()
    bar.initStyleOption(opt)
    return bar.style().subControlRect(_CC, opt, control, bar)


def _handle_inside(bar) -> set[int]:
    """The colours of the handle's pixels, but for a 2-pixel rim where its edge is antialiased."""
    image = bar.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    rect = _rect(bar, QStyle.SubControl.SC_ScrollBarSlider)
    thick = min(rect.width(), rect.height())
    # Inside the straight part: the rounded ends are a half-thickness long.
    if bar.orientation() == Qt.Orientation.Vertical:
        inner = rect.adjusted(4, thick // 2 + 1, -4, -(thick // 2 + 1))
    else:
        inner = rect.adjusted(thick // 2 + 1, 4, -(thick // 2 + 1), -4)
    assert inner.width() > 1 and inner.height() > 1
    return {
        image.pixel(x, y)
        for x in range(inner.left(), inner.right() + 1)
        for y in range(inner.top(), inner.bottom() + 1)
    }


@pytest.mark.parametrize("style_name", ["Fusion", "Windows"])
def test_the_handle_is_one_flat_colour_darker_when_hovered_and_dragged(qtbot, style_name):
    edit = _editor(qtbot, style_name)
    bar = edit.verticalScrollBar()
    for value in (0, 37, bar.maximum()):
        bar.setValue(value)
        for b in (bar, edit.horizontalScrollBar()):
            colours = _handle_inside(b)
            assert len(colours) == 1
    normal = _handle_inside(bar)
    # The groove around the handle is flat too.
    image = bar.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    page = _rect(bar, QStyle.SubControl.SC_ScrollBarSubPage)
    assert len({image.pixel(x, page.center().y()) for x in range(page.left(), page.right() + 1)}) == 1
    assert image.pixel(page.center()) not in normal

    centre = QPointF(_rect(bar, QStyle.SubControl.SC_ScrollBarSlider).center())
    assert normal == {bar.handle_colour().rgb()}
    QApplication.sendEvent(bar, QHoverEvent(QEvent.Type.HoverEnter, centre, centre, QPointF(-1, -1)))
    hovered = _handle_inside(bar)
    assert len(hovered) == 1 and hovered != normal
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    pressed = _handle_inside(bar)
    assert len(pressed) == 1 and pressed not in (normal, hovered)
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    assert _handle_inside(bar) == hovered
    QApplication.sendEvent(bar, QHoverEvent(QEvent.Type.HoverLeave, centre, centre, centre))
    assert _handle_inside(bar) == normal
    # Scrolled away from under the pointer (the pointer is elsewhere here): not hovered.
    QApplication.sendEvent(bar, QHoverEvent(QEvent.Type.HoverEnter, centre, centre, QPointF(-1, -1)))
    assert _handle_inside(bar) == hovered
    bar.setValue(bar.maximum() // 2)
    assert _handle_inside(bar) == normal


def test_the_bar_scrolls_with_the_mouse(qtbot):
    edit = _editor(qtbot)
    bar = edit.verticalScrollBar()
    bar.setValue(0)
    start = _rect(bar, QStyle.SubControl.SC_ScrollBarSlider).center()
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(bar, start + QPoint(0, 60))
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=start + QPoint(0, 60))
    dragged = bar.value()
    assert dragged > 0
    page = _rect(bar, QStyle.SubControl.SC_ScrollBarAddPage).center()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=page)
    assert bar.value() > dragged
    paged = bar.value()
    arrow = _rect(bar, QStyle.SubControl.SC_ScrollBarSubLine)
    if not arrow.isEmpty():
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=arrow.center())
        assert bar.value() < paged


def test_the_side_panel_views_use_it(qtbot):
    for view in (EnterTableView(), EnterTreeView()):
        qtbot.addWidget(view)
        assert isinstance(view.verticalScrollBar(), FlatScrollBar)
        assert isinstance(view.horizontalScrollBar(), FlatScrollBar)


class _Paints(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_table_header_is_not_redrawn_when_the_selected_row_changes(qtbot):
    model = QStandardItemModel(20, 4)
    model.setHorizontalHeaderLabels(["Label", "Text", "Layer", "State"])
    view = EnterTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.selectRow(1)  # the first current cell: its column's section may be drawn again
    QApplication.processEvents()
    header = view.horizontalHeader()
    paints = _Paints(header.viewport())
    for row in (3, 7, 12):
        view.selectRow(row)
        QApplication.processEvents()
    assert paints.count == 0
    assert header.sectionsClickable()
    model.setHorizontalHeaderLabels(["Label", "Text", "Layer", "Status"])  # its own titles still redraw it
    QApplication.processEvents()
    assert paints.count > 0
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Status"
