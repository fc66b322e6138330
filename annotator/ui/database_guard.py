"""The main window watches its database file, and says when a write waits for another program.

A database file deleted, moved or replaced while the window has it open would go on taking
decisions into a file nobody finds again. The session checks the file before every write
(:meth:`~annotator.ui.session.Session.check_file`); :class:`DatabaseGuard` also checks when
the window is activated and on a timer, so the user hears of it before the next action. Then
it stops (the session refuses every write), says so in a dialog, and offers to save the
session's database to a new file (:func:`annotator.store.backup.save_copy` reads the open
connection, which still holds everything) and to go on working there.

While a write waits for another program's write lock the status bar says so and the cursor
shows the window is busy (:mod:`annotator.ui.write_wait`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from annotator.errors import AnnotatorError
from annotator.store.backup import save_copy
from annotator.ui.errors import show_error
from annotator.ui.write_wait import WAITING_TEXT

CHECK_MS = 2_000


class DatabaseGuard(QObject):
    """Watches the main window's database file and presents a lost file and a waiting write.

    Parameters
    ----------
    window
        The :class:`~annotator.ui.main_window.MainWindow` (its session, status bar and
        ``open_database_path``).

    Attributes
    ----------
    timer : QTimer
        Checks the file every :data:`CHECK_MS` milliseconds.
    lost_box : QMessageBox or None
        The dialog saying the file is gone, while it is shown.
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.lost_box: QMessageBox | None = None
        self.save_button = None
        self._waiting = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        window.installEventFilter(self)
        window.session.database_lost.connect(self._on_session_database_lost)
        window.session.write_waiting.connect(self._on_session_write_waiting)

    def check(self) -> bool:
        """Check the database file now; True while it is the one opened.

        A window that is not shown (closed, or not yet open) says nothing: it takes no action.
        """
        if not self.window.isVisible():
            return True
        return self.window.session.check_file()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.window:
            kind = event.type()
            if kind == QEvent.Type.WindowActivate:
                self.check()
            elif kind in (QEvent.Type.Close, QEvent.Type.Hide):
                self.timer.stop()
            elif kind == QEvent.Type.Show:
                self.timer.start()
        return False

    # -- the file is gone --------------------------------------------------------------------

    def _on_session_database_lost(self, message: str) -> None:
        self.window.statusBar().showMessage("the database file is gone: nothing more is saved to it")
        if self.lost_box is not None:
            self.lost_box.raise_()
            return
        box = self.lost_box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("The database file is gone")
        box.setText(message)
        box.setInformativeText(
            "Save a copy to keep every decision of this session, and go on working in the copy."
        )
        self.save_button = box.addButton("Save a copy…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(self.save_button)
        box.finished.connect(self._on_lost_box_finished)
        box.open()

    def _on_lost_box_finished(self, _result: int) -> None:
        box, self.lost_box = self.lost_box, None
        if box is None:
            return
        chose_save = box.clickedButton() is self.save_button
        box.deleteLater()
        if chose_save:
            path = self.ask_copy_path()
            if path:
                self.save_copy(path)

    def ask_copy_path(self) -> str:
        """Ask where to save the copy ("" when cancelled; replaceable in tests)."""
        from annotator.ui.dialogs import save_file_name

        old = Path(self.window.session.db_path)
        folder = old.parent if old.parent.is_dir() else Path.home()
        return save_file_name(
            self.window,
            "Save the session's database to a new file",
            str(folder / f"{old.stem}-saved{old.suffix or '.db'}"),
            "Annotator databases (*.db *.sqlite *.sqlite3)",
        )

    def save_copy(self, path: str | Path) -> bool:
        """Write the session's database to ``path`` and go on working there; True when done."""
        s = self.window.session
        try:
            target = save_copy(s.store, path)
        except AnnotatorError as e:
            show_error(self.window, e)
            return False
        if not self.window.open_database_path(target):
            return False
        self.window.statusBar().showMessage(f"saved to {target}; working in it from now on", 15_000)
        return True

    # -- another program writes ----------------------------------------------------------------

    def _on_session_write_waiting(self, waiting: bool) -> None:
        if waiting == self._waiting:
            return
        self._waiting = waiting
        bar = self.window.statusBar()
        if waiting:
            bar.showMessage(WAITING_TEXT)
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            if bar.currentMessage() == WAITING_TEXT:
                bar.clearMessage()
            QApplication.restoreOverrideCursor()


__all__ = ["CHECK_MS", "DatabaseGuard"]
