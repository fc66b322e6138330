"""Small dialogs of the window: who is annotating, and the file dialog every picker uses."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from PySide6.QtCore import QFileInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFileIconProvider,
    QLabel,
    QVBoxLayout,
    QWidget,
)

# Login names of machines and containers, not of people: never proposed as an annotator's name.
_NO_PERSON = frozenset({"root", "admin", "administrator", "user", "ubuntu", "vagrant", "docker", "nobody"})


def system_user() -> str:
    """The login name, proposed as the annotator's name ("" when unknown or not a person's)."""
    try:
        name = getpass.getuser() or ""
    except Exception:  # noqa: BLE001 - no login name in some containers
        return ""
    return "" if name.lower() in _NO_PERSON else name


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
        self.combo.lineEdit().setPlaceholderText("Your name, for example Ana")
        self.combo.lineEdit().selectAll()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.combo.editTextChanged.connect(self._on_combo_text_changed)
        self._on_combo_text_changed(proposed)  # no name proposed: OK waits for one
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.combo)
        layout.addWidget(buttons)
        # The buttons were parented first, so they lead the focus chain: without this the OK
        # button has the focus, typing a name goes nowhere and its space presses OK.
        self.setTabOrder(self.combo, buttons)
        self.combo.setFocus()
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


class _NoSniffIconProvider(QFileIconProvider):
    """File types and icons from the name only: no file is ever opened to sniff its content.

    Qt's default provider reads a file to tell its type. Opening and closing a database file
    in this process drops every POSIX lock SQLite holds on it, so another process (say
    ``annotator suggest`` in a terminal) then believes it is alone, checkpoints and deletes
    the window's live write-ahead log: later writes are lost and reads see a "malformed" file.
    """

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt override
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"

    def icon(self, what):  # Qt override: QFileInfo or an IconType
        if isinstance(what, QFileInfo):
            kind = QFileIconProvider.IconType.Folder if what.isDir() else QFileIconProvider.IconType.File
            return super().icon(kind)
        return super().icon(what)


def file_dialog(parent: QWidget | None, caption: str, directory: str = "") -> QFileDialog:
    """A file dialog that never opens the files it lists (see :class:`_NoSniffIconProvider`).

    On Linux and other Unix systems Qt's own dialog is used: a native GTK dialog would run in
    this process too and read file contents to guess their types.

    Parameters
    ----------
    parent
        The window the dialog belongs to.
    caption
        Window title.
    directory
        The folder shown first.
    """
    dlg = QFileDialog(parent, caption, directory)
    if sys.platform not in ("win32", "darwin"):
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    provider = _NoSniffIconProvider()
    dlg.setIconProvider(provider)
    dlg._icon_provider = provider  # the dialog does not own it: keep it alive as long as the dialog
    return dlg


def _pick(dlg: QFileDialog, name_filter: str) -> list[str]:
    if name_filter:
        dlg.setNameFilter(name_filter)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return []
    return dlg.selectedFiles()


def open_file_names(
    parent: QWidget | None, caption: str, directory: str = "", name_filter: str = ""
) -> list[str]:
    """Existing files picked by the user (none when cancelled), through :func:`file_dialog`."""
    dlg = file_dialog(parent, caption, directory)
    dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    return _pick(dlg, name_filter)


def existing_directory(parent: QWidget | None, caption: str, directory: str = "") -> str:
    """A folder picked by the user ("" when cancelled), through :func:`file_dialog`."""
    dlg = file_dialog(parent, caption, directory)
    dlg.setFileMode(QFileDialog.FileMode.Directory)
    dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
    picked = _pick(dlg, "")
    return picked[0] if picked else ""


def save_file_name(parent: QWidget | None, caption: str, path: str = "", name_filter: str = "") -> str:
    """A file name to write to ("" when cancelled), through :func:`file_dialog`."""
    dlg = file_dialog(parent, caption, str(Path(path).parent) if path else "")
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    if path:
        dlg.selectFile(Path(path).name)
    picked = _pick(dlg, name_filter)
    return picked[0] if picked else ""
