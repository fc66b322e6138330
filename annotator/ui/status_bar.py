"""The main window's status bar: who, how far along, what the model is doing, which database.

From left to right (permanent widgets): the annotator (click to switch); a progress bar of the
project's articles done; the decisions made today; the undecided suggestions left in the open
article; while work runs in the background (suggest, retrain), its articles n of N and the
time left; the model state; the database file.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QToolButton

from annotator.store.activity import DecisionCounter
from annotator.ui.tasks import Task, time_left_text


def _label(tip: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    if tip:
        label.setToolTip(tip)
    return label


class WindowStatus(QObject):
    """Builds and updates the status bar of the main window.

    Parameters
    ----------
    window
        The main window; its ``session`` is read for the counts.

    Attributes
    ----------
    annotator_button : QToolButton
    progress : QProgressBar
        Articles done of the project's total ("3 of 8 done").
    today_label, undecided_label, model_label, db_label : QLabel
    work_progress : QProgressBar
        Shown only while background work reports progress ("suggesting 3 of 8 · about 20 s left").
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self._counter = DecisionCounter()
        bar = window.statusBar()
        self.annotator_button = QToolButton()
        self.annotator_button.setAutoRaise(True)
        self.annotator_button.setToolTip("Who is annotating: click to switch")
        self.progress = QProgressBar()
        self.progress.setObjectName("project_progress")
        self.progress.setToolTip("Articles of this project you have marked done (or skipped)")
        self.progress.setTextVisible(True)
        self.progress.setFixedWidth(170)
        self.today_label = _label("Decisions you made today (accepted, rejected, corrected, added, removed)")
        self.undecided_label = _label("Undecided suggestions left in the open article (Tab goes to the next)")
        self.work_progress = QProgressBar()
        self.work_progress.setObjectName("work_progress")
        self.work_progress.setFixedWidth(300)
        self.work_progress.hide()
        self.model_label = _label()
        self.db_label = _label()
        self.db_label.setEnabled(False)
        for w in (
            self.annotator_button,
            self.progress,
            self.today_label,
            self.undecided_label,
            self.work_progress,
            self.model_label,
            self.db_label,
        ):
            bar.addPermanentWidget(w)
        self._work_started: float | None = None
        self._work_name = ""
        self.set_model_state("idle")

    # -- updates -----------------------------------------------------------------------------------

    def set_model_state(self, state: str) -> None:
        """The model state: idle, loading, suggesting, training…, ranking…"""
        self.model_label.setText(f"model: {state}")

    def update(self) -> None:
        """Annotator, project progress, decisions today and database, read again."""
        s = self.window.session
        self.annotator_button.setText(f"Annotator: {s.annotator}")
        done, total = s.store.progress(s.annotator)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, total))
        self.progress.setFormat(f"{done} of {total} done" if total else "no articles yet")
        self.update_today()
        self.db_label.setText(str(s.db_path))
        self.db_label.setToolTip(f"The database: {s.db_path}")
        self.window.setWindowTitle(f"annotator — {Path(s.db_path).name}")

    def update_today(self) -> None:
        """Decisions made today (a count over today's ledger rows only)."""
        s = self.window.session
        try:
            n = self._counter.today(s.store, s.annotator)
        except Exception:  # noqa: BLE001 - a count for the eye only; the window goes on
            return
        self.today_label.setText(f"{n} decision{'s' * (n != 1)} today")

    def update_article(self, undecided: int | None) -> None:
        """Undecided suggestions left in the open article (None: no article open)."""
        if undecided is None:
            self.undecided_label.setText("")
            return
        self.undecided_label.setText(f"{undecided} undecided here" if undecided else "all decided here")

    def track(self, task: Task, name: str) -> None:
        """Show ``task``'s progress as ``name`` n of N with the time left, until it is done."""
        self._work_name = name
        self._work_started = None
        self.work_progress.setRange(0, 0)  # busy until the first report
        self.work_progress.setFormat(f"{name}: starting…")
        self.work_progress.show()
        task.progressed.connect(self._on_task_progressed)
        task.done.connect(self._on_task_done)

    def _on_task_progressed(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self._work_started is None:
            self._work_started = (now, done)
        self.work_progress.setRange(0, max(total, 1))
        self.work_progress.setValue(min(done, total))
        left = time_left_text(self._work_started, done, total, now)
        self.work_progress.setFormat(f"{self._work_name} {done} of {total}" + (f" · {left}" if left else ""))

    def _on_task_done(self) -> None:
        self.work_progress.hide()
        self._work_started = None
