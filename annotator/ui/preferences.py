"""Edit > Preferences: who is annotating, where the default database lives, which key is which label.

The name and the key bindings belong to the open database (the name is remembered in it, the
keys are its labels'), the folder to the user: it is saved with
:func:`annotator.paths.set_preference`, so the window and every command find the same default
database. Window geometry and the like stay in ``QSettings``; nothing here duplicates them.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator import paths
from annotator.errors import AnnotatorError
from annotator.model import Changes
from annotator.ui.dialogs import existing_directory
from annotator.ui.errors import show_error
from annotator.ui.session import Session

KEYS = tuple("123456789")
FOLDER_PREFERENCE = "database_folder"
NO_KEY = "—"


class PreferencesDialog(QDialog):
    """The Preferences dialog; OK applies every change at once, Cancel none.

    Parameters
    ----------
    session
        The window's session: its annotator, its database's labels.
    parent
        The window it belongs to.
    """

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Preferences")
        self.name_edit = QLineEdit(session.annotator)
        self.name_edit.setCompleter(QCompleter(session.store.annotators(), self.name_edit))
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)

        chosen = paths.preferences().get(FOLDER_PREFERENCE)
        self._folder = chosen if isinstance(chosen, str) else ""
        self.folder_edit = QLineEdit(self._folder)
        self.folder_edit.setPlaceholderText(str(paths.data_dir()))
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        folder_note = QLabel(
            "Where annotator keeps annotator.db when started without a database named"
            " (from the next start on; $ANNOTATOR_DB and $ANNOTATOR_HOME still win)."
        )
        folder_note.setWordWrap(True)
        folder_note.setEnabled(False)  # the palette's muted text colour

        form = QFormLayout()
        form.addRow("Annotator &name:", self.name_edit)
        folder_label = QLabel("Default database &folder:")
        folder_label.setBuddy(self.folder_edit)
        form.addRow(folder_label, folder_row)
        form.addRow("", folder_note)
        self.keys_table = self._make_keys_table()
        keys_label = QLabel("Label &keys (entities: the digit; issues: Shift and the digit):")
        keys_label.setBuddy(self.keys_table)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(keys_label)
        layout.addWidget(self.keys_table, 1)
        layout.addWidget(buttons)
        self.resize(620, 560)

    # -- building ---------------------------------------------------------------------------

    def _make_keys_table(self) -> QTableWidget:
        labels = self.session.store.labels()
        table = QTableWidget(len(labels), 3, self)
        table.setHorizontalHeaderLabels(["Layer", "Label", "Key"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._keys: dict[tuple[str, str], QComboBox] = {}
        self._original: dict[tuple[str, str], str | None] = {}
        for row, lab in enumerate(labels):
            table.setItem(row, 0, QTableWidgetItem(lab.layer))
            item = QTableWidgetItem(lab.name)
            item.setToolTip(lab.description)
            table.setItem(row, 1, item)
            combo = QComboBox()
            combo.addItem(NO_KEY, None)
            for key in sorted({*KEYS, *([lab.key] if lab.key else [])}):
                combo.addItem(key, key)
            combo.setCurrentIndex(max(combo.findData(lab.key), 0))
            combo.currentIndexChanged.connect(
                lambda _i, k=(lab.layer, lab.name): self._on_key_combo_changed(k)
            )
            table.setCellWidget(row, 2, combo)
            self._keys[(lab.layer, lab.name)] = combo
            self._original[(lab.layer, lab.name)] = lab.key
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(QComboBox().sizeHint().height() + 2)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        return table

    # -- what the user changed ----------------------------------------------------------------

    def key_combo(self, layer: str, name: str) -> QComboBox:
        """The key chooser of one label."""
        return self._keys[(layer, name)]

    def bindings(self) -> dict[tuple[str, str], str | None]:
        """``(layer, label) -> key`` as the dialog shows them now."""
        return {k: combo.currentData() for k, combo in self._keys.items()}

    def _on_key_combo_changed(self, changed: tuple[str, str]) -> None:
        # A key picks one label per layer: giving it to this label takes it from the other one,
        # as `annotator labels key` does.
        key = self._keys[changed].currentData()
        if key is None:
            return
        for other, combo in self._keys.items():
            if other != changed and other[0] == changed[0] and combo.currentData() == key:
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)

    def _on_name_edit_text_changed(self, text: str) -> None:
        self._ok.setEnabled(bool(text.strip()))

    def _on_browse_clicked(self) -> None:
        start = self.folder_edit.text().strip() or str(paths.database_folder())
        folder = existing_directory(self, "Default database folder", start)
        if folder:
            self.folder_edit.setText(folder)

    # -- applying -----------------------------------------------------------------------------

    def apply(self) -> Changes:
        """Write every change; what changed in the database (the window redraws from it)."""
        session, store = self.session, self.session.store
        changes = Changes()
        with store.transaction():
            for (layer, name), key in self.bindings().items():
                if key != self._original[(layer, name)]:
                    changes |= store.update_label(layer, name, key=key, clear_key=key is None)
        self._original = self.bindings()
        if changes.labels:
            session.notify(changes)
        name = self.name_edit.text().strip()
        if name and name != session.annotator:
            session.set_annotator(name)
        folder = self.folder_edit.text().strip()
        if folder != self._folder:
            paths.set_preference(FOLDER_PREFERENCE, folder or None)
            self._folder = folder
        return changes

    def accept(self) -> None:
        try:
            self.apply()
        except (AnnotatorError, OSError) as e:
            show_error(self, e)
            return
        super().accept()


def show_preferences(window: QWidget) -> None:
    """Show the Preferences dialog for ``window``'s session."""
    PreferencesDialog(window.session, window).exec()
