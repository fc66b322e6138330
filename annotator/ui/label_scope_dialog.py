"""The Labels dialog: which labels this project suggests, shows and counts (its label scope).

A tree like the label palette's (entities, issues under their parents), each label with a check
box: checked labels are in scope. The project's choice is kept in its database
(:mod:`annotator.store.scope`); the same as ``annotator labels enable/disable``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.model import ENTITY, ISSUE, Label
from annotator.store.scope import DEFAULT_ENTITY_SCOPE

LabelKey = tuple[str, str]
_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_GROUPS = {ENTITY: "Entities (backgrounds)", ISSUE: "Issues (underlines)"}


def _swatch(colour: str) -> QPixmap:
    pix = QPixmap(12, 12)
    pix.fill(QColor(colour or "#888888"))
    return pix


class LabelScopeDialog(QDialog):
    """Check the labels the project works with; :meth:`labels_off` says which were left out.

    Parameters
    ----------
    labels
        Every label of the database, in the store's order.
    off
        ``(layer, name)`` of the labels out of scope now.
    parent
        The window.

    Attributes
    ----------
    tree : QTreeWidget
        One top-level item per layer (checking it checks its labels), a child per label.
    """

    def __init__(self, labels: list[Label], off: frozenset[LabelKey], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Labels in this project")
        self.setObjectName("label_scope_dialog")
        note = QLabel(
            "Checked labels are suggested, shown and counted in this project; the others are "
            "left out everywhere (File > Suggest, the article, the span list, Tab, the counts). "
            "Spans already made with a label left out are kept, only hidden."
        )
        note.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Label", "Description"])
        self.tree.setUniformRowHeights(True)
        self._items: dict[LabelKey, QTreeWidgetItem] = {}
        for layer in (ENTITY, ISSUE):
            self._add_layer(layer, [lab for lab in labels if lab.layer == layer], off)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        names_only = QPushButton("&Names and issues only")
        names_only.setToolTip("The default: " + ", ".join(DEFAULT_ENTITY_SCOPE) + " and every issue")
        names_only.clicked.connect(self.check_default)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.addButton(names_only, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(560, 620)

    def _add_layer(self, layer: str, labels: list[Label], off: frozenset[LabelKey]) -> None:
        group = QTreeWidgetItem(self.tree, [_GROUPS[layer]])
        group.setFlags(group.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        names = {lab.name for lab in labels}
        placed: dict[str, QTreeWidgetItem] = {}
        pending = list(labels)
        # Parents before children; a parent that is no label of the layer puts its child on top.
        while pending:
            rest = []
            for lab in pending:
                parent_name = lab.parent if lab.parent in names and lab.parent != lab.name else None
                if parent_name is not None and parent_name not in placed:
                    rest.append(lab)
                    continue
                under = placed[parent_name] if parent_name else group
                placed[lab.name] = self._add_label(under, lab, (layer, lab.name) not in off)
            if len(rest) == len(pending):  # a parent cycle: the rest go on top
                for lab in rest:
                    placed[lab.name] = self._add_label(group, lab, (layer, lab.name) not in off)
                break
            pending = rest

    def _add_label(self, under: QTreeWidgetItem, lab: Label, on: bool) -> QTreeWidgetItem:
        item = QTreeWidgetItem(under, [lab.name, lab.description])
        item.setIcon(0, _swatch(lab.colour))
        item.setToolTip(1, lab.description)
        item.setData(0, _KEY_ROLE, (lab.layer, lab.name))
        item.setFlags((item.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsAutoTristate)
        item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._items[(lab.layer, lab.name)] = item
        return item

    # -- reading and setting -------------------------------------------------------------------

    def item(self, layer: str, name: str) -> QTreeWidgetItem:
        """The tree item of a label."""
        return self._items[(layer, name)]

    def labels_off(self) -> frozenset[LabelKey]:
        """The labels left unchecked."""
        return frozenset(k for k, it in self._items.items() if it.checkState(0) != Qt.CheckState.Checked)

    def set_checked(self, layer: str, name: str, on: bool) -> None:
        self._items[(layer, name)].setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def check_default(self) -> None:
        """Check the default scope: the names of :data:`DEFAULT_ENTITY_SCOPE` and every issue."""
        for (layer, name), it in self._items.items():
            on = layer == ISSUE or name in DEFAULT_ENTITY_SCOPE
            it.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
