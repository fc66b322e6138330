"""What the main window's Review menu does: review mode, agreement, feedback, and merge.

:class:`ReviewMenu` is the controller behind the Review menu: the main window declares the
menu's actions (:data:`annotator.ui.main_window.REVIEW_MENU`) and calls into it. Each entry
opens its window or dialog for the window's session, or merges other annotators' databases
into the open one on a worker with its own store (:func:`annotator.ui.worker.run_on_store`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox

from annotator import model as m
from annotator.model import Changes
from annotator.ui.errors import show_error
from annotator.ui.tasks import Task
from annotator.ui.worker import run_on_store

REVIEW_KEY = "Ctrl+R"


def merge_summary(reports: Sequence) -> str:
    """What a merge brought in, one paragraph per database (as the command line prints it)."""
    return "\n".join(line for r in reports for line in r.summary_lines())


class ReviewMenu(QObject):
    """What the window's Review menu does.

    Parameters
    ----------
    window
        The :class:`~annotator.ui.main_window.MainWindow` (its session; it owns the windows
        and dialogs opened here).

    Attributes
    ----------
    review_window : ReviewWindow or None
        Review mode, once opened (one per main window; opened again, it is raised).
    agreement_dialog, feedback_dialog : QDialog or None
        The last agreement and feedback dialogs opened.
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.review_window = None
        self.agreement_dialog = None
        self.feedback_dialog = None

    @property
    def session(self):
        return self.window.session

    def open_review(self):
        """Show review mode for the window's session."""
        from annotator.ui.review_view import ReviewWindow

        rw = self.review_window
        if rw is None:
            rw = self.review_window = ReviewWindow(self.session, self.window)
        rw.show()
        rw.raise_()
        rw.activateWindow()
        rw.view.setFocus()
        return rw

    def open_agreement(self):
        """Show the agreement dialog for the window's session."""
        from annotator.ui.agreement_view import AgreementDialog

        dlg = self.agreement_dialog = AgreementDialog(self.session, self.window)
        dlg.article_opened.connect(self._on_agreement_article_opened)
        dlg.show()
        return dlg

    def _on_agreement_article_opened(self, _article_id: str) -> None:
        self.window.raise_()
        self.window.activateWindow()

    def open_feedback(self, annotator: str | None = None):
        """Ask which annotator (unless given) and show their feedback report."""
        from annotator.ui.agreement_view import FeedbackDialog

        if annotator is None:
            annotator = self._ask_feedback_annotator()
            if annotator is None:
                return None
        dlg = self.feedback_dialog = FeedbackDialog(self.session, annotator, self.window)
        dlg.show()
        return dlg

    def _ask_feedback_annotator(self) -> str | None:
        s, w = self.session, self.window
        names = [n for n in s.store.annotators() if n not in (m.GOLD, s.annotator)] or [
            n for n in s.store.annotators() if n != m.GOLD
        ]
        if not names:
            QMessageBox.information(w, "Feedback", "There are no annotators in this database yet.")
            return None
        name, ok = QInputDialog.getItem(w, "Feedback", "Feedback for annotator:", names, 0, False)
        return name if ok and name else None

    def merge_databases(
        self, paths: Sequence[str | Path] | None = None, on_done: Callable | None = None
    ) -> Task | None:
        """Pick databases (unless given) and merge them into the open one in the background.

        The summary is shown in a message box; ``on_done(reports or error)`` is called
        instead when given (tests).
        """
        from annotator import ops

        if paths is None:
            paths = self._ask_merge_paths()
            if not paths:
                return None
        todo = [str(p) for p in paths]
        s, w = self.session, self.window

        def on_result(reports) -> None:
            s.notify(Changes(spans=True, states=True, labels=True))
            if on_done is not None:
                on_done(reports)
            else:
                QMessageBox.information(w, "Merged", merge_summary(reports))

        def on_error(exc: BaseException) -> None:
            if on_done is not None:
                on_done(exc)
            else:
                show_error(w, exc)

        return run_on_store(
            s,
            lambda store, progress, cancelled: ops.merge(store, todo, progress=progress),
            f"Merging {len(todo)} database{'s' * (len(todo) != 1)}…",
            w,
            on_result=on_result,
            on_error=on_error,
        )

    def _ask_merge_paths(self) -> list[str]:
        from annotator.ui.dialogs import open_file_names

        # Never a plain QFileDialog: its type sniffing would open the live database file.
        return open_file_names(
            self.window,
            "Merge other annotators' databases",
            str(Path(self.session.db_path).parent),
            "Annotator databases (*.db *.sqlite *.sqlite3);;All files (*)",
        )


__all__ = ["REVIEW_KEY", "ReviewMenu", "merge_summary"]
