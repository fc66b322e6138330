"""The main window's Review menu: review mode, agreement, feedback for an annotator, and merge.

:func:`install_review_menu` adds the menu; each entry opens its window or dialog for the main
window's session (:func:`open_review`, :func:`open_agreement`, :func:`open_feedback`) or merges
other annotators' databases into the open one in the background (:func:`merge_databases`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from annotator import model as m
from annotator.model import Changes
from annotator.ui.review_view import ReviewWindow


def merge_summary(reports: Sequence) -> str:
    """What a merge brought in, one paragraph per database (as the command line prints it)."""
    return "\n".join(line for r in reports for line in r.summary_lines())


def open_review(window) -> ReviewWindow:
    """Show review mode for ``window``'s session (one review window per main window)."""
    rw = getattr(window, "review_window", None)
    if rw is None:
        rw = ReviewWindow(window.session, window)
        window.review_window = rw
    rw.show()
    rw.raise_()
    rw.activateWindow()
    rw.view.setFocus()
    return rw


def open_agreement(window):
    """Show the agreement dialog for ``window``'s session."""
    from annotator.ui.agreement_view import AgreementDialog

    dlg = AgreementDialog(window.session, window)
    dlg.article_opened.connect(lambda _aid: _raise(window))
    dlg.show()
    window.agreement_dialog = dlg
    return dlg


def _raise(window) -> None:
    window.raise_()
    window.activateWindow()


def open_feedback(window, annotator: str | None = None):
    """Ask which annotator (unless given) and show their feedback report."""
    from annotator.ui.agreement_view import FeedbackDialog

    s = window.session
    if annotator is None:
        names = [n for n in s.store.annotators() if n not in (m.GOLD, s.annotator)] or [
            n for n in s.store.annotators() if n != m.GOLD
        ]
        if not names:
            QMessageBox.information(window, "Feedback", "There are no annotators in this database yet.")
            return None
        annotator, ok = QInputDialog.getItem(window, "Feedback", "Feedback for annotator:", names, 0, False)
        if not ok or not annotator:
            return None
    dlg = FeedbackDialog(s, annotator, window)
    dlg.show()
    window.feedback_dialog = dlg
    return dlg


def merge_databases(window, paths: Sequence[str | Path] | None = None, on_done: Callable | None = None):
    """Pick databases (unless given) and merge them into the open one in the background.

    The summary is shown in a message box; ``on_done(reports)`` is called after it (tests).
    """
    from annotator import ops
    from annotator.store import Store
    from annotator.ui.errors import show_error
    from annotator.ui.tasks import run_with_progress

    s = window.session
    if paths is None:
        from annotator.ui.dialogs import open_file_names

        # Never a plain QFileDialog: its type sniffing would open the live database file.
        files = open_file_names(
            window,
            "Merge other annotators' databases",
            str(Path(s.db_path).parent),
            "Annotator databases (*.db *.sqlite *.sqlite3);;All files (*)",
        )
        if not files:
            return None
        paths = files
    target = s.db_path
    todo = [str(p) for p in paths]

    def work(progress, cancelled):
        with Store(target) as store:
            return ops.merge(store, todo, progress=progress)

    def on_result(reports) -> None:
        s.notify(Changes(spans=True, states=True, labels=True))
        if on_done is not None:
            on_done(reports)
        else:
            QMessageBox.information(window, "Merged", merge_summary(reports))

    def on_error(exc: BaseException) -> None:
        if on_done is not None:
            on_done(exc)
        else:
            show_error(window, exc)

    return run_with_progress(
        work, f"Merging {len(todo)} database{'s' * (len(todo) != 1)}…", window, on_result, on_error
    )


def install_review_menu(window) -> None:
    """Add the Review menu to the main window (before Help): review mode, agreement, feedback, merge."""
    bar = window.menuBar()
    menu = QMenu("&Review", bar)
    help_ = next(
        (a for a in bar.actions() if a.menu() is not None and a.text().replace("&", "") == "Help"), None
    )
    if help_ is not None:
        bar.insertMenu(help_, menu)
    else:
        bar.addMenu(menu)
    window.review_menu = menu

    def act(text: str, slot, shortcut: str | None = None) -> QAction:
        a = QAction(text, window)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(slot)
        menu.addAction(a)
        window.addAction(a)
        return a

    window.act_review = act("&Review mode", lambda: open_review(window), "Ctrl+R")
    window.act_agreement = act("&Agreement…", lambda: open_agreement(window))
    window.act_feedback = act("&Feedback for annotator…", lambda: open_feedback(window))
    menu.addSeparator()
    window.act_merge = act("&Merge databases…", lambda: merge_databases(window))


__all__ = [
    "install_review_menu",
    "merge_databases",
    "merge_summary",
    "open_agreement",
    "open_feedback",
    "open_review",
]
