"""Item views, models and the scroll bar shared by the panels and dialogs.

The views: Enter or Return activates the current row everywhere, and their scroll bars are
painted flat (:class:`FlatScrollBar`).

Qt's own ``activated`` signal fires on Enter only on some platforms; the panels need it on all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QRect,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QCursor, QKeyEvent, QPainter, QPalette, QRegion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QHeaderView,
    QScrollBar,
    QStyle,
    QStyleOption,
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
_SC = QStyle.SubControl
_ARROWS = {
    (Qt.Orientation.Vertical, _SC.SC_ScrollBarSubLine): QStyle.PrimitiveElement.PE_IndicatorArrowUp,
    (Qt.Orientation.Vertical, _SC.SC_ScrollBarAddLine): QStyle.PrimitiveElement.PE_IndicatorArrowDown,
    (Qt.Orientation.Horizontal, _SC.SC_ScrollBarSubLine): QStyle.PrimitiveElement.PE_IndicatorArrowLeft,
    (Qt.Orientation.Horizontal, _SC.SC_ScrollBarAddLine): QStyle.PrimitiveElement.PE_IndicatorArrowRight,
}
_INSET = 2  # pixels between the handle and the bar's long edges


class FlatScrollBar(QScrollBar):
    """A scroll bar painted flat: a plain groove and a rounded handle in palette colours.

    Fusion fills the groove and the handle with gradients on every repaint, and a bar repaints
    whenever its view scrolls or opens an article.
    Flat fills cost next to nothing and need no cache. The style still lays the bar out
    (``subControlRect``), so it is as large and scrolls as before; only the painting differs.
    Styles with transient, see-through bars (macOS) paint as they always do.

    The handle is ``QPalette.Mid``, darker under the pointer and darker still while dragged;
    the groove is ``QPalette.Window``; arrow buttons are the style's arrows on the groove.

    Parameters
    ----------
    orientation
        ``Qt.Orientation.Vertical`` or ``Horizontal``.
    parent
        Parent widget.
    """

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None):
        super().__init__(orientation, parent)
        self._flat = True
        self._hovered = False
        self._check_style()

    def _check_style(self) -> None:
        self._flat = not self.style().styleHint(QStyle.StyleHint.SH_ScrollBar_Transient, None, self)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, self._flat)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.StyleChange:
            self._check_style()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        # Qt keeps the control under the pointer to itself (it sets it on the style option only
        # in its own paintEvent), so the bar tracks whether the pointer is over the handle.
        kind = event.type()
        if kind in (QEvent.Type.HoverEnter, QEvent.Type.HoverMove, QEvent.Type.HoverLeave):
            over = kind != QEvent.Type.HoverLeave and self._handle_rect().contains(event.position().toPoint())
            if over != self._hovered:
                self._hovered = over
                self.update()
        return super().event(event)

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:  # noqa: N802 - Qt override
        super().sliderChange(change)
        # Scrolled by the wheel or the keyboard: the handle may have left the pointer (or come
        # under it) without a hover event.
        if self._hovered or self.underMouse():
            over = self.underMouse() and self._handle_rect().contains(self.mapFromGlobal(QCursor.pos()))
            if over != self._hovered:
                self._hovered = over
                self.update()

    def _handle_rect(self, opt: QStyleOptionSlider | None = None) -> QRect:
        if opt is None:
            opt = QStyleOptionSlider()
            self.initStyleOption(opt)
        return self.style().subControlRect(_CC_SCROLL_BAR, opt, _SC.SC_ScrollBarSlider, self)

    def handle_colour(self) -> QColor:
        """The handle's colour now: normal, under the pointer, or dragged (darkest)."""
        colour = self.palette().color(QPalette.ColorRole.Mid)
        if self.isSliderDown():
            return colour.darker(135)
        return colour.darker(115) if self._hovered else colour

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self._flat:
            super().paintEvent(event)
            return
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        palette = self.palette()
        painter = QPainter(self)
        painter.fillRect(opt.rect, palette.color(QPalette.ColorRole.Window))
        for (orientation, control), arrow in _ARROWS.items():
            if orientation != opt.orientation:
                continue
            rect = style.subControlRect(_CC_SCROLL_BAR, opt, control, self)
            if rect.isEmpty():
                continue
            button = QStyleOption(opt)
            button.rect = rect
            style.drawPrimitive(arrow, button, painter, self)
        if opt.minimum != opt.maximum:
            handle = self._handle_rect(opt)
            if opt.orientation == Qt.Orientation.Vertical:
                handle = handle.adjusted(_INSET, 1, -_INSET, -1)
                radius = handle.width() / 2
            else:
                handle = handle.adjusted(1, _INSET, -1, -_INSET)
                radius = handle.height() / 2
            if not handle.isEmpty():
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.handle_colour())
                painter.drawRoundedRect(QRectF(handle), radius, radius)
        painter.end()


def use_flat_scroll_bars(area: QAbstractScrollArea) -> None:
    """Give ``area`` a :class:`FlatScrollBar` in each direction (its policies stay)."""
    area.setVerticalScrollBar(FlatScrollBar(Qt.Orientation.Vertical))
    area.setHorizontalScrollBar(FlatScrollBar(Qt.Orientation.Horizontal))


class ColumnHeader(QHeaderView):
    """A table's column header that is not repainted when the selected row changes.

    Qt repaints a header over the region a selection covers. For a row, that is the whole
    header, so every step through the span list (every decision) drew the column titles
    again. It draws nothing different: only a whole selected column is highlighted, and
    these headers highlight none. Clickable like the header QTableView makes itself.
    """

    def __init__(self, parent: QWidget):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(False)

    def visualRegionForSelection(self, selection) -> QRegion:  # noqa: N802 - Qt override
        return QRegion()


class EnterTableView(QTableView):
    """A table view whose ``enter_pressed(index)`` fires on Enter or Return."""

    enter_pressed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHorizontalHeader(ColumnHeader(self))
        use_flat_scroll_bars(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not _emit_enter(self, event):
            super().keyPressEvent(event)


class EnterTreeView(QTreeView):
    """A tree view whose ``enter_pressed(index)`` fires on Enter or Return."""

    enter_pressed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        use_flat_scroll_bars(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not _emit_enter(self, event):
            super().keyPressEvent(event)


def row_table(model: QAbstractItemModel) -> EnterTableView:
    """A table of ``model`` showing whole rows, one selected at a time, never edited.

    Rows have one fixed height (the view never measures them, however many there are), there
    is no row header, and Tab leaves the table instead of moving between cells.
    """
    table = EnterTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    vh = table.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


class ColumnFitter(QObject):
    """Keeps a table's stretching text column readable: hides optional columns when narrow.

    The columns in ``optional`` (in the order they give way) are hidden while the text column
    would get less than ``share`` of the table's width, and shown again when there is room.

    Parameters
    ----------
    table
        The table; watched for resizes.
    text_column
        The column that stretches (a title, a span's text).
    optional
        Columns that may be hidden, the least needed first.
    share
        The part of the width the text column should at least have.
    """

    def __init__(self, table: QTableView, text_column: int, optional: Sequence[int], share: float = 0.45):
        super().__init__(table)
        self.table = table
        self.text_column = text_column
        self.optional = list(optional)
        self.share = share
        table.viewport().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        """Hide or show the optional columns for the table's width now."""
        header = self.table.horizontalHeader()
        width = self.table.viewport().width()
        if width <= 0:
            return
        fixed = [c for c in range(header.count()) if c != self.text_column and c not in self.optional]
        used = sum(header.sectionSize(c) for c in fixed if not header.isSectionHidden(c))
        for c in self.optional:
            header.setSectionHidden(c, False)
        for c in self.optional:
            shown = [o for o in self.optional if not header.isSectionHidden(o)]
            room = width - used - sum(header.sectionSize(o) for o in shown)
            if room >= self.share * width:
                break
            header.setSectionHidden(c, True)


def select_row(table: QAbstractItemView, index: QModelIndex) -> None:
    """Make ``index``'s row the current and only selected row and scroll to it (no activation)."""
    table.selectionModel().setCurrentIndex(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows
        | QItemSelectionModel.SelectionFlag.Current,
    )
    table.scrollTo(index)


_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class RowTableModel(QAbstractTableModel):
    """A flat read-only table of rows; subclasses say what each cell shows (:meth:`cell`).

    Every table of the window is one: the article list (its rows are article ids, the
    articles fetched lazily), the span list, the review queues and the Model menu's reports.

    Attributes
    ----------
    HEADERS, TIPS : tuple of str
        Column titles and their tooltips (subclasses with columns that come and go override
        :meth:`headers` and :meth:`header_tip`).
    ROLES : frozenset of int or None
        The roles :meth:`cell` answers; any other role returns None at once, before the row
        is looked at (``data`` runs for every visible cell and role on each repaint). None:
        every role reaches :meth:`cell`.
    """

    HEADERS: tuple[str, ...] = ()
    TIPS: tuple[str, ...] = ()
    ROLES: frozenset[int] | None = None

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
        self._rows_replaced()
        self.endResetModel()

    def _rows_replaced(self) -> None:
        """Called inside the reset of :meth:`set_rows`, before views read again (indexes, caches)."""

    def headers(self) -> Sequence[str]:
        """The column titles now."""
        return self.HEADERS

    def header_tip(self, section: int) -> str | None:
        """The tooltip of column ``section``, or None."""
        return (self.TIPS[section] or None) if section < len(self.TIPS) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.headers())

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        headers = self.headers()
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tip(section)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        roles = self.ROLES
        if roles is not None and role not in roles:
            return None
        i = index.row()
        if not (0 <= i < len(self._rows)) or not index.isValid():
            return None
        return self.cell(self._rows[i], index.column(), role, i)

    def cell(self, row: Any, column: int, role: int, i: int) -> Any:  # pragma: no cover - overridden
        """What ``column`` of ``row`` (the ``i``-th) shows in ``role``."""
        return None
