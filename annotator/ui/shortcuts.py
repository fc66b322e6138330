"""Every keyboard shortcut of the window in one table, and the ``?`` dialog that lists them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# (group, keys, what it does). The article view handles the single keys while it (or a
# list beside it) has focus; the Ctrl shortcuts work anywhere in the window.
SHORTCUTS: list[tuple[str, str, str]] = [
    ("Move", "Tab", "Next undecided suggestion (scrolls to it)"),
    ("Move", "Shift+Tab", "Previous undecided suggestion"),
    ("Move", "Click", "Focus the span under the mouse"),
    ("Move", "Esc", "Unfocus the span"),
    ("Move", "Ctrl+Tab / F6", "To the article list, its filters and search (with Shift: backwards)"),
    ("Move", "Enter (in a list)", "Open the article or span chosen there and return to the text"),
    ("Decide", "A", "Accept the focused suggestion"),
    ("Decide", "X", "Reject the focused suggestion (or remove the focused span)"),
    ("Decide", "Shift+A", "Accept all undecided suggestions in the article"),
    ("Decide", "Delete", "Remove the focused span (a suggestion is rejected)"),
    ("Label", "1 … 9", "Entity label with that key: on the selection (new span) or the focused span"),
    ("Label", "Shift+1 … Shift+9", "Issue label with that key, the same way"),
    ("Label", "Shift+arrows / mouse", "Select text; a label key then makes it a span snapped to whole words"),
    ("Label", "Ctrl+E", "Character mode: keep the exact selection instead of snapping to words"),
    ("Boundaries", "[", "Focused span: start one token earlier"),
    ("Boundaries", "]", "Focused span: end one token later"),
    ("Boundaries", "{", "Focused span: start one token later"),
    ("Boundaries", "}", "Focused span: end one token earlier"),
    (
        "Article",
        "Enter",
        "Mark the article done and open the next one to do (asks about undecided suggestions)",
    ),
    ("Article", "Ctrl+Enter", "The same, from anywhere in the window"),
    ("History", "Ctrl+Z", "Undo your last action (also after a restart or on another article)"),
    ("History", "Ctrl+Shift+Z / Ctrl+Y", "Redo"),
    ("File", "Ctrl+O", "Open or create a database"),
    ("File", "Ctrl+I", "Import files"),
    ("File", "Ctrl+Q", "Quit (everything is already saved)"),
    ("Labels", "Ctrl+L", "Labels in this project: which labels are suggested, shown and counted"),
    ("View", "Ctrl+Shift+E", "Show or hide the entities"),
    ("View", "Ctrl+Shift+I", "Show or hide the issues"),
    ("View", "Ctrl++ / Ctrl+-", "Larger / smaller text"),
    ("View", "Ctrl+R", "Review mode: settle disagreements between annotators"),
    # Model menu (annotator/ui/learning.py).
    ("Model", "Ctrl+Shift+T", "Retrain from your annotations in the background; scores before and after"),
    ("Model", "Ctrl+Shift+U", "List the articles the trained model is least sure about first"),
    ("Model", "N", "Focused issue suggestion: not this issue here (a taxonomy exception)"),
    ("Help", "? or F1", "This list"),
]


class ShortcutsDialog(QDialog):
    """A table of every shortcut, grouped by what it is for.

    Parameters
    ----------
    parent
        The window it belongs to.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(len(SHORTCUTS), 3, self)
        table.setHorizontalHeaderLabels(["", "Keys", "Does"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        last_group = None
        for row, (group, keys, does) in enumerate(SHORTCUTS):
            g = QTableWidgetItem(group if group != last_group else "")
            last_group = group
            k = QTableWidgetItem(keys)
            font = k.font()
            font.setBold(True)
            k.setFont(font)
            table.setItem(row, 0, g)
            table.setItem(row, 1, k)
            table.setItem(row, 2, QTableWidgetItem(does))
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Compact rows, so the whole list fits a 1280x800 screen without scrolling.
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 4)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        table_height = header.sizeHint().height() + rows.length() + 2 * table.frameWidth() + 2
        table.setMinimumHeight(min(table_height, 620))
        height = min(table_height + buttons.sizeHint().height() + 3 * layout.spacing() + 24, 760)
        self.resize(720, height)
