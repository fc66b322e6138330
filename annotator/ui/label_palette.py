"""The label palette: entity labels and the issue taxonomy (a tree), with colour, key and name."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QVBoxLayout, QWidget

from annotator.model import ENTITY, ISSUE, Changes, Label
from annotator.ui.session import Session
from annotator.ui.views import EnterTreeView

LAYER_ROLE = Qt.ItemDataRole.UserRole + 1
"""Role giving a label item's layer (None on the group headers)."""
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
"""Role giving a label item's name."""

GROUP_TITLES = {ENTITY: "Entities", ISSUE: "Issues"}
NAME, KEY = range(2)


def _label_items(lab: Label) -> list[QStandardItem]:
    name = QStandardItem(lab.name)
    colour = QColor(lab.colour or "#888888")
    name.setData(colour, Qt.ItemDataRole.DecorationRole)
    tip = lab.description or lab.name
    if lab.parent:
        tip += f"\n(part of {lab.parent})"
    name.setToolTip(tip)
    # Issue labels are applied with Shift+key, so "1" of PERSON and "⇧1" of TRADE read apart.
    shown = (f"⇧{lab.key}" if lab.layer == ISSUE else lab.key) if lab.key else ""
    key = QStandardItem(shown)
    pressed = f"Shift+{lab.key}" if lab.layer == ISSUE else lab.key
    key.setToolTip(f"Press {pressed} to apply {lab.name}" if lab.key else "No key")
    key.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    for item in (name, key):
        item.setData(lab.layer, LAYER_ROLE)
        item.setData(lab.name, NAME_ROLE)
        item.setEditable(False)
    return [name, key]


class LabelPaletteModel(QStandardItemModel):
    """Two groups ("Entities", "Issues"): entity labels flat, issues as a tree by ``Label.parent``.

    Columns are Name (with a colour swatch as decoration and the description as tooltip) and
    Key. ``LAYER_ROLE`` and ``NAME_ROLE`` identify a label item; group headers have no layer.

    Parameters
    ----------
    parent
        Optional QObject owner.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["Label", "Key"])

    def set_labels(self, labels: list[Label]) -> None:
        """Replace the content with ``labels`` (in the given order within each parent)."""
        self.beginResetModel()
        self.blockSignals(True)
        try:
            self.removeRows(0, self.rowCount())
            for layer in (ENTITY, ISSUE):
                group = QStandardItem(GROUP_TITLES[layer])
                group.setEditable(False)
                group.setSelectable(False)
                font = group.font()
                font.setBold(True)
                group.setFont(font)
                filler = QStandardItem("")
                filler.setEditable(False)
                filler.setSelectable(False)
                self.appendRow([group, filler])
                self._add_layer(group, [lab for lab in labels if lab.layer == layer])
        finally:
            self.blockSignals(False)
            self.endResetModel()

    @staticmethod
    def _add_layer(group: QStandardItem, labels: list[Label]) -> None:
        names = {lab.name for lab in labels}
        children: dict[str | None, list[Label]] = {}
        for lab in labels:
            # An unknown parent (or a label naming itself) puts the label at the top of its group.
            parent = lab.parent if lab.parent in names and lab.parent != lab.name else None
            children.setdefault(parent, []).append(lab)
        placed: set[str] = set()

        def add(under: QStandardItem, parent: str | None) -> None:
            for lab in children.get(parent, []):
                if lab.name in placed:
                    continue
                placed.add(lab.name)
                row = _label_items(lab)
                under.appendRow(row)
                add(row[0], lab.name)

        add(group, None)
        # Labels caught in a parent cycle are never reached from the top: show them at the top.
        for lab in labels:
            if lab.name not in placed:
                placed.add(lab.name)
                row = _label_items(lab)
                group.appendRow(row)
                add(row[0], lab.name)

    def find_label(self, layer: str, name: str) -> QModelIndex:
        """Index (column 0) of the label, or an invalid index."""
        hits = self.match(
            self.index(0, 0),
            NAME_ROLE,
            name,
            -1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        for index in hits:
            if index.data(LAYER_ROLE) == layer and index.column() == 0:
                return index
        return QModelIndex()


class LabelPalette(QWidget):
    """Entity labels and the issue taxonomy, each with colour swatch, key and description.

    Parameters
    ----------
    session
        The window's session; labels are read from ``session.store`` (those its
        ``label_filter`` shows) and re-read when a change has ``Changes.labels`` or another
        database is opened.
    parent
        Optional parent widget.

    Attributes
    ----------
    label_chosen : Signal(str, str)
        ``(layer, name)`` of a label clicked or chosen with Enter.
    model : LabelPaletteModel
    tree : QTreeView
    """

    label_chosen = Signal(str, str)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.model = LabelPaletteModel(self)
        self.tree = EnterTreeView()
        self.tree.setModel(self.model)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.setExpandsOnDoubleClick(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(KEY, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.setFocusProxy(self.tree)

        self.tree.clicked.connect(self._on_tree_activated)
        self.tree.enter_pressed.connect(self._on_tree_activated)
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the labels again and rebuild the tree (keeping the current label if any)."""
        current = self.current_label()
        shows = self.session.label_filter.shows
        self.model.set_labels([lab for lab in self.session.store.labels() if shows(lab.layer, lab.name)])
        self.tree.expandAll()
        if current is not None:
            self.select_label(*current)

    def current_label(self) -> tuple[str, str] | None:
        """``(layer, name)`` of the current label item, if one is current."""
        index = self.tree.currentIndex()
        layer = index.data(LAYER_ROLE) if index.isValid() else None
        return (layer, index.data(NAME_ROLE)) if layer else None

    @Slot(str, str)
    def select_label(self, layer: str, name: str) -> bool:
        """Make the label current (e.g. the focused span's label) and bring it into sight.

        No signal is emitted. The tree scrolls only when the label is out of sight, and then by
        whole group: the label's group header goes to the top, so the next labels of that group
        are in sight too (the focus moves between entity and issue labels about every other
        decision, and each scroll repaints the whole tree).
        """
        current = self.tree.currentIndex()
        if (
            current.isValid()
            and current.data(LAYER_ROLE) == layer
            and current.data(NAME_ROLE) == name
            and self._in_sight(current)
        ):
            return True  # current and in sight already (the next span often has the same label)
        index = self.model.find_label(layer, name)
        if not index.isValid():
            return False
        # Qt would scroll to a new current item itself (just into sight): once is enough.
        self.tree.setAutoScroll(False)
        try:
            self.tree.setCurrentIndex(index)
        finally:
            self.tree.setAutoScroll(True)
        if not self._in_sight(index):
            group = index
            while group.parent().isValid():
                group = group.parent()
            self.tree.scrollTo(group, QAbstractItemView.ScrollHint.PositionAtTop)
            if not self._in_sight(index):  # deeper in its group than a page
                self.tree.scrollTo(index)
        return True

    def _in_sight(self, index: QModelIndex) -> bool:
        return self.tree.viewport().rect().contains(self.tree.visualRect(index))

    def _on_tree_activated(self, index: QModelIndex) -> None:
        layer = index.data(LAYER_ROLE)
        if layer:
            self.label_chosen.emit(layer, index.data(NAME_ROLE))
        elif index.isValid():  # a group header: Enter or a click folds it
            first = index.siblingAtColumn(0)
            self.tree.setExpanded(first, not self.tree.isExpanded(first))

    def _on_session_changed(self, changes: Changes) -> None:
        if changes.labels:
            self.refresh()
