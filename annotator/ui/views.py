"""Item views and models shared by the panels and dialogs.

The views: Enter or Return activates the current row everywhere.

Qt's own ``activated`` signal fires on Enter only on some platforms; the panels need it on all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QTreeView

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _emit_enter(view: QAbstractItemView, event: QKeyEvent) -> bool:
    """Emit ``view.enter_pressed`` for Enter/Return on a valid row; True when handled."""
    if event.key() in _ENTER and view.currentIndex().isValid():
        view.enter_pressed.emit(view.currentIndex())
        event.accept()
        return True
    return False


class EnterTableView(QTableView):
    """A table view whose ``enter_pressed(index)`` fires on Enter or Return."""

    enter_pressed = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not _emit_enter(self, event):
            super().keyPressEvent(event)


class EnterTreeView(QTreeView):
    """A tree view whose ``enter_pressed(index)`` fires on Enter or Return."""

    enter_pressed = Signal(QModelIndex)

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
