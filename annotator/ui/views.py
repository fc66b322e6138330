"""Item views, models and the scroll bar shared by the panels and dialogs.

The views: Enter or Return activates the current row everywhere, and their scroll bars draw
their groove from a cache (:class:`CachedGrooveScrollBar`).

Qt's own ``activated`` signal fires on Enter only on some platforms; the panels need it on all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QScrollBar,
    QStyle,
    QStyleOptionSlider,
    QTableView,
    QTreeView,
    QWidget,
)

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _emit_enter(view: QAbstractItemView, event: QKeyEvent) -> bool:
    """Emit ``view.enter_pressed`` for Enter/Return on a valid row; True when handled."""
    if event.key() in _ENTER and view.currentIndex().isValid():
        view.enter_pressed.emit(view.currentIndex())
        event.accept()
        return True
    return False


_CC_SCROLL_BAR = QStyle.ComplexControl.CC_ScrollBar
_GROOVE = QStyle.SubControl.SC_ScrollBarGroove
_ALL_BUT_GROOVE = QStyle.SubControl.SC_All & ~QStyle.SubControl.SC_ScrollBarGroove
_SLIDER = QStyle.SubControl.SC_ScrollBarSlider
_NEAR_END = 4  # pixels: a handle closer than this to either end is drawn as Qt does
_ARROWS = QStyle.SubControl.SC_ScrollBarAddLine | QStyle.SubControl.SC_ScrollBarSubLine


class CachedGrooveScrollBar(QScrollBar):
    """A scroll bar that paints its groove from a pixmap made once per size, state and palette.

    Fusion fills the groove with a gradient on every repaint, and a bar repaints whenever its
    view scrolls: 1.3 ms for the article view's bar, each time a decision moved the focus out
    of sight. The handle and the arrows are drawn over the cached groove as Fusion draws them,
    so the pixels are the same. Fusion's groove covers the whole bar, so the widgets behind it
    are not painted first. Other styles (which may draw transient, see-through bars) paint as
    they always do.

    Parameters
    ----------
    orientation
        ``Qt.Orientation.Vertical`` or ``Horizontal``.
    parent
        Parent widget.
    """

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None):
        super().__init__(orientation, parent)
        self._groove: QPixmap | None = None
        self._groove_key: tuple | None = None
        self._handle_pixmap: QPixmap | None = None
        self._handle_key: tuple | None = None
        self._cached = False
        self._check_style()

    def _check_style(self) -> None:
        style = self.style()
        self._cached = style.metaObject().className() == "QFusionStyle" and not style.styleHint(
            QStyle.StyleHint.SH_ScrollBar_Transient, None, self
        )
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, self._cached)
        self._groove = self._groove_key = None
        self._handle_pixmap = self._handle_key = None

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.StyleChange:
            self._check_style()
        super().changeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self._cached:
            super().paintEvent(event)
            return
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        ratio = self.devicePixelRatioF()
        key = (
            opt.rect.width(),
            opt.rect.height(),
            opt.orientation,
            int(opt.state.value),
            int(opt.activeSubControls.value),
            self.palette().cacheKey(),
            ratio,
        )
        if key != self._groove_key:
            groove = QPixmap(opt.rect.size() * ratio)
            groove.setDevicePixelRatio(ratio)
            # Opaque like the bar (a transparent start rounds the groove's edge line differently).
            groove.fill(self.palette().window().color())
            only = QStyleOptionSlider(opt)
            only.subControls = _GROOVE
            painter = QPainter(groove)
            style.drawComplexControl(_CC_SCROLL_BAR, only, painter, self)
            painter.end()
            self._groove, self._groove_key = groove, key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._groove)
        handle = self._handle(opt)
        if handle is None:
            opt.subControls = _ALL_BUT_GROOVE
        else:
            painter.drawPixmap(handle[0], handle[1])
            opt.subControls = _ARROWS
        style.drawComplexControl(_CC_SCROLL_BAR, opt, painter, self)
        painter.end()

    def _handle(self, opt: QStyleOptionSlider) -> tuple[QPoint, QPixmap] | None:
        """Where to draw the handle and its pixels over the groove, from a cache when it can be.

        Fusion fills the handle with a gradient across the bar (0.9 ms for a long one): the same
        on every line of it, so a handle of one length looks the same wherever it is in the middle
        of the groove, and scrolling an article moves it there. Kept per length, drawn by Fusion
        over the cached groove; None when not drawn from the cache.
        """
        style = self.style()
        slider = style.subControlRect(_CC_SCROLL_BAR, opt, _SLIDER, self)
        if not slider.isValid() or slider.isEmpty():
            return None
        vertical = opt.orientation == Qt.Orientation.Vertical
        at = QStyleOptionSlider(opt)
        at.sliderPosition = at.sliderValue = opt.minimum
        start = style.subControlRect(_CC_SCROLL_BAR, at, _SLIDER, self)
        at.sliderPosition = at.sliderValue = opt.maximum
        end = style.subControlRect(_CC_SCROLL_BAR, at, _SLIDER, self)
        # Drawn where it is first; used wherever it is in the middle: a few pixels away from the
        # handle at either end (where the groove ends). At the ends (a new article: at the start,
        # of its own length) it is drawn as Qt does: caching those would cost more than it saves.
        near = min(
            abs((slider.top() - start.top()) if vertical else (slider.left() - start.left())),
            abs((end.top() - slider.top()) if vertical else (end.left() - slider.left())),
        )
        if near < _NEAR_END:
            return None
        key = (slider.width(), slider.height(), self._groove_key)
        if key != self._handle_key:
            # Fusion draws the handle's end lines one pixel beyond its rectangle.
            grown = slider.adjusted(0, -1, 0, 1) if vertical else slider.adjusted(-1, 0, 1, 0)
            ratio = self._groove.devicePixelRatio()
            full = QPixmap(self._groove)
            painter = QPainter(full)
            only = QStyleOptionSlider(opt)
            only.subControls = _SLIDER
            style.drawComplexControl(_CC_SCROLL_BAR, only, painter, self)
            painter.end()
            pixmap = full.copy(
                round(grown.x() * ratio),
                round(grown.y() * ratio),
                round(grown.width() * ratio),
                round(grown.height() * ratio),
            )
            pixmap.setDevicePixelRatio(ratio)
            self._handle_pixmap, self._handle_key = pixmap, key
        return (
            QPoint(slider.x(), slider.y() - 1) if vertical else QPoint(slider.x() - 1, slider.y()),
            self._handle_pixmap,
        )


def use_cached_groove_scroll_bars(area: QAbstractScrollArea) -> None:
    """Give ``area`` a :class:`CachedGrooveScrollBar` in each direction (its policies stay)."""
    area.setVerticalScrollBar(CachedGrooveScrollBar(Qt.Orientation.Vertical))
    area.setHorizontalScrollBar(CachedGrooveScrollBar(Qt.Orientation.Horizontal))


class EnterTableView(QTableView):
    """A table view whose ``enter_pressed(index)`` fires on Enter or Return."""

    enter_pressed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        use_cached_groove_scroll_bars(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not _emit_enter(self, event):
            super().keyPressEvent(event)


class EnterTreeView(QTreeView):
    """A tree view whose ``enter_pressed(index)`` fires on Enter or Return."""

    enter_pressed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        use_cached_groove_scroll_bars(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not _emit_enter(self, event):
            super().keyPressEvent(event)


class RowTableModel(QAbstractTableModel):
    """A flat read-only table of rows; subclasses say what each cell shows."""

    HEADERS: tuple[str, ...] = ()
    TIPS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def rows(self) -> list[Any]:
        """The rows shown, in order."""
        return list(self._rows)

    def row(self, i: int) -> Any:
        return self._rows[i]

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self.TIPS):
            return self.TIPS[section] or None
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.cell(self._rows[index.row()], index.column(), role, index.row())

    def cell(self, row: Any, column: int, role: int, i: int) -> Any:  # pragma: no cover - overridden
        return None
