"""Small dialogs of the window: who is annotating."""

from __future__ import annotations

import getpass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)


def system_user() -> str:
    """The login name, proposed as the annotator's name ("annotator" when unknown)."""
    try:
        return getpass.getuser() or "annotator"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "annotator"


class AnnotatorDialog(QDialog):
    """Asks who is annotating; known names are offered, a new name can be typed.

    Parameters
    ----------
    proposed
        The name filled in.
    known
        Names already in the database.
    first_start
        Word the question for the first start.
    parent
        Parent widget.
    """

    def __init__(
        self, proposed: str, known: list[str], first_start: bool = False, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("Who is annotating?" if first_start else "Switch annotator")
        text = (
            "Your decisions are recorded under your name. Type it, or keep the one proposed."
            if first_start
            else "Decisions from now on are recorded under this name."
        )
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for name in known:
            self.combo.addItem(name)
        self.combo.setEditText(proposed)
        self.combo.lineEdit().selectAll()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.combo.editTextChanged.connect(self._on_combo_text_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.combo)
        layout.addWidget(buttons)
        self.resize(420, self.sizeHint().height())

    def _on_combo_text_changed(self, text: str) -> None:
        self._ok.setEnabled(bool(text.strip()))

    def name(self) -> str:
        """The name chosen, stripped."""
        return self.combo.currentText().strip()


def ask_annotator(
    parent: QWidget | None, proposed: str, known: list[str], first_start: bool = False
) -> str | None:
    """Show :class:`AnnotatorDialog`; the name, or None when cancelled."""
    dlg = AnnotatorDialog(proposed, known, first_start, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted or not dlg.name():
        return None
    return dlg.name()
