"""Item views shared by the side panels: Enter or Return activates the current row everywhere.

Qt's own ``activated`` signal fires on Enter only on some platforms; the panels need it on all.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
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
