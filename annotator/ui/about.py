"""Help > About: what annotator is, and the versions of everything it runs on.

The versions are :func:`annotator.versions.components` (the same lines ``annotator --version``
prints) plus the open database's schema, selectable and copyable for a bug report.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator import __version__, versions
from annotator.paths import resource
from annotator.ui.qtinfo import qt_version

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DESCRIPTION = (
    "Read news articles and accept, reject, correct or add entity and issue spans by keyboard."
    " Every decision is saved at once."
)


def application_icon() -> QIcon:
    """The application's icon, from the bundled PNGs (no SVG plugin needed)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = resource(f"icons/annotator-{size}.png")
        if path.is_file():
            icon.addFile(str(path))
    return icon


class AboutDialog(QDialog):
    """The About box: icon, name and version, what the tool does, and a version report.

    Parameters
    ----------
    db_path
        The open database, whose schema the report names; None leaves it out.
    parent
        The window it belongs to.
    """

    def __init__(self, db_path: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About annotator")
        icon = QLabel()
        icon.setPixmap(application_icon().pixmap(96, 96))
        title = QLabel(f"<b>annotator {__version__}</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        title.setFont(font)
        description = QLabel(DESCRIPTION)
        description.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(description)
        heading.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)

        self.report = versions.report(qt=qt_version(), db_path=db_path)
        self.versions = QPlainTextEdit(self.report)
        self.versions.setReadOnly(True)
        self.versions.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lines = self.report.count("\n") + 1
        self.versions.setFixedHeight(self.versions.fontMetrics().lineSpacing() * (lines + 1) + 12)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("&Copy versions")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.versions)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report)


def show_about(window: QWidget) -> None:
    """Show the About box for ``window`` (its session's database, when it has one)."""
    session = getattr(window, "session", None)
    db_path = Path(session.db_path) if session is not None else None
    AboutDialog(db_path, window).exec()
