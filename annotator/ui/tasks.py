"""Run plain-Python work off the GUI thread, with progress, cooperative cancel and a dialog.

The GUI thread owns the session's Store connection, so work run here must open its own store,
hand plain data back, and leave announcing changes (``session.notify``) to the result handler,
which runs on the GUI thread: :func:`annotator.ui.worker.run_on_store` does the store part.

The work is a callable taking two keyword arguments::

    def work(progress, cancelled):
        for i, item in enumerate(items):
            if cancelled():
                raise Cancelled("import cancelled; nothing was written")
            ...
            progress(i + 1, len(items))
        return result

Progress reports are throttled so a tight loop cannot flood the GUI's event queue. Work made
of several steps can name the step it is in: ``progress(done, total, "Re-suggesting")``; the
progress dialog then shows that text instead of its own label.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.errors import Cancelled
from annotator.store.activity import duration_text

Progress = Callable[[int, int], None]
Work = Callable[..., Any]

# Tasks still running; held here so neither the Task nor its thread is collected mid-run.
_RUNNING: set[Task] = set()

PROGRESS_INTERVAL_S = 0.05


class _Thread(QThread):
    """Runs the work; reports through the Task's signals (queued to the GUI thread)."""

    def __init__(self, task: Task, work: Work):
        super().__init__()
        self._task = task
        self._work = work
        self._last_report = 0.0
        self._phase = ""

    def _progress(self, done: int, total: int, phase: str | None = None) -> None:
        if phase is not None and phase != self._phase:
            self._phase = phase
            self._task._phase.emit(phase)
            self._last_report = 0.0  # a new step reports its first progress at once
        now = time.monotonic()
        if done >= total or now - self._last_report >= PROGRESS_INTERVAL_S:
            self._last_report = now
            self._task._progress.emit(int(done), int(total))

    def run(self) -> None:  # runs in the worker thread
        task = self._task
        try:
            result = self._work(progress=self._progress, cancelled=task.is_cancel_requested)
        except Cancelled:
            task._outcome.emit("cancelled", None)
        except BaseException as exc:  # noqa: BLE001 - every failure is delivered to the GUI
            try:
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            except AttributeError:
                pass
            task._outcome.emit("failed", exc)
        else:
            task._outcome.emit("finished", result)


class Task(QObject):
    """A piece of work running in a background thread.

    Signals are delivered on the GUI thread. Exactly one of :attr:`finished`, :attr:`failed` or
    :attr:`cancelled` is emitted, then :attr:`done`.

    Parameters
    ----------
    work
        Callable called as ``work(progress=..., cancelled=...)`` in a worker thread.
        ``progress(done, total[, phase])`` reports progress (``phase`` names the step the
        work is in, for work made of several steps); ``cancelled()`` is True once :meth:`cancel`
        was called, and the work should then stop and raise :class:`~annotator.errors.Cancelled`.
    parent
        Optional QObject owner.

    Attributes
    ----------
    progressed : Signal(int, int)
        ``(done, total)``, throttled.
    phase_changed : Signal(str)
        The work named the step it is now in.
    finished : Signal(object)
        The work's return value.
    failed : Signal(object)
        The exception the work raised; its formatted traceback is in
        ``exc.__traceback_text__``.
    cancelled : Signal()
        The work raised :class:`~annotator.errors.Cancelled`.
    done : Signal()
        Emitted last, whatever the outcome.
    """

    progressed = Signal(int, int)
    phase_changed = Signal(str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    done = Signal()

    # Emitted from the worker thread; connected (queued) to the public signals above.
    _progress = Signal(int, int)
    _phase = Signal(str)
    _outcome = Signal(str, object)

    def __init__(self, work: Work, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self._running = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.outcome: str | None = None  # "finished", "failed" or "cancelled" once done
        self.last_progress: tuple[int, int] = (0, 0)
        self.phase = ""
        self._thread = _Thread(self, work)
        self._progress.connect(self._on_thread_progress, Qt.ConnectionType.QueuedConnection)
        self._phase.connect(self._on_thread_phase, Qt.ConnectionType.QueuedConnection)
        self._outcome.connect(self._on_thread_outcome, Qt.ConnectionType.QueuedConnection)

    # -- control -----------------------------------------------------------------------------

    def start(self) -> Task:
        """Start the work in its own thread; returns self."""
        self._running = True
        _RUNNING.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop; it sees ``cancelled()`` become True."""
        self._cancel.set()

    def is_cancel_requested(self) -> bool:
        """True once :meth:`cancel` was called (thread-safe; this is the work's ``cancelled``)."""
        return self._cancel.is_set()

    def is_running(self) -> bool:
        """True until the outcome has been delivered on the GUI thread."""
        return self._running

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker thread ends (for shutdown); True if it ended."""
        if msecs < 0:
            return self._thread.wait()
        return self._thread.wait(msecs)

    # -- delivery on the GUI thread ------------------------------------------------------------

    def _on_thread_progress(self, done: int, total: int) -> None:
        self.last_progress = (done, total)
        self.progressed.emit(done, total)

    def _on_thread_phase(self, phase: str) -> None:
        self.phase = phase
        self.phase_changed.emit(phase)

    def _on_thread_outcome(self, outcome: str, value: object) -> None:
        self._thread.wait()  # the run() method has returned; let the thread end cleanly
        self._running = False
        self.outcome = outcome
        try:
            if outcome == "finished":
                self.result = value
                self.finished.emit(value)
            elif outcome == "failed":
                self.error = value  # type: ignore[assignment]
                self.failed.emit(value)
            else:
                self.cancelled.emit()
        finally:
            self.done.emit()
            _RUNNING.discard(self)


def time_left_text(started: tuple[float, int], done: int, total: int, now: float) -> str:
    """ "about 20 s left" from the pace since ``started`` (``(time, done then)``); "" when unknown."""
    t0, done0 = started
    if done <= done0 or done >= total or now <= t0:
        return ""
    per_item = (now - t0) / (done - done0)
    return f"about {duration_text(per_item * (total - done))} left"


def run_task(work: Work, parent: QObject | None = None) -> Task:
    """Start ``work`` in a background thread and return its :class:`Task`."""
    return Task(work, parent).start()


def running_tasks() -> list[Task]:
    """Tasks started and not yet done (e.g. to wait for at shutdown)."""
    return list(_RUNNING)


def stop_all(timeout_ms: int = 10_000) -> bool:
    """Cancel every running task and wait for the threads to end (call before the app quits).

    Returns True when every thread ended within ``timeout_ms`` each. Work that was cancelled
    rolls back its transaction, so quitting mid-import leaves the database as it was.
    """
    ok = True
    for task in running_tasks():
        task.cancel()
    for task in running_tasks():
        ok = task.wait(timeout_ms) and ok
    return ok


class TaskProgressDialog(QProgressDialog):
    """A progress dialog bound to a :class:`Task`, with a Cancel button (window-modal by default).

    The dialog appears after ``show_after_ms`` (short work never flashes a dialog), follows
    the task's progress, turns Cancel into :meth:`Task.cancel`, and closes itself when the
    task is done. The event loop keeps running, so the window repaints and stays responsive.

    Parameters
    ----------
    task
        The task to follow (started or not).
    label
        What is being done ("Importing 3 files…").
    parent
        The window the dialog belongs to.
    show_after_ms
        Delay before the dialog appears.
    modal
        Block input to the window while the work runs (False: the user keeps working, e.g.
        annotating while a model trains).
    """

    def __init__(
        self,
        task: Task,
        label: str,
        parent: QWidget | None = None,
        show_after_ms: int = 300,
        modal: bool = True,
    ):
        super().__init__(label, "Cancel", 0, 0, parent)
        self.task = task
        self._label = label
        self._started: tuple[float, int] | None = None  # (time, done) of the first report
        self.setWindowTitle("Working")
        self.setWindowModality(Qt.WindowModality.WindowModal if modal else Qt.WindowModality.NonModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        # Show only via our timer: QProgressDialog's own timer would pop it up at once.
        self.setMinimumDuration(1_000_000_000)
        self.canceled.connect(self._on_dialog_canceled)
        task.progressed.connect(self._on_task_progressed)
        task.phase_changed.connect(self._on_task_phase_changed)
        task.done.connect(self._on_task_done)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start(show_after_ms)

    def _on_timer_timeout(self) -> None:
        if self.task.is_running():
            self.show()

    def _on_task_progressed(self, done: int, total: int) -> None:
        if total > 0:
            if self.maximum() != total:
                self.setMaximum(total)
            self.setValue(min(done, total))
            now = time.monotonic()
            if self._started is None:
                self._started = (now, done)
            left = time_left_text(self._started, done, total, now)
            if not self.task.is_cancel_requested():
                self.setLabelText(f"{self._label} ({done:,} of {total:,})" + (f" · {left}" if left else ""))

    def _on_task_phase_changed(self, phase: str) -> None:
        self._label = phase
        self._started = None
        self.setMaximum(0)  # busy until the step reports its own progress
        if not self.task.is_cancel_requested():
            self.setLabelText(phase)

    def _on_dialog_canceled(self) -> None:
        self.task.cancel()
        self.setLabelText("Cancelling… (nothing of this run will be kept)")
        self.setCancelButtonText("Cancelling…")
        # QProgressDialog hides itself on cancel; keep it up until the work has stopped.
        if self.task.is_running():
            self.show()

    def _on_task_done(self) -> None:
        self._timer.stop()
        self.reset()
        self.hide()
        self.deleteLater()


def run_with_progress(
    work: Work,
    label: str,
    parent: QWidget | None = None,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    show_after_ms: int = 300,
    modal: bool = True,
) -> Task:
    """Run ``work`` in the background behind a :class:`TaskProgressDialog`.

    Parameters
    ----------
    work
        ``work(progress=..., cancelled=...)``, run in a worker thread.
    label
        Text of the progress dialog.
    parent
        Window owning the dialog.
    on_result, on_error, on_cancel
        Called on the GUI thread with the result, the exception, or nothing. Without
        ``on_error`` the error is shown with :func:`annotator.ui.errors.show_error`.
    show_after_ms, modal
        See :class:`TaskProgressDialog`.

    Returns
    -------
    Task
        The started task (its :attr:`Task.dialog` is the progress dialog).
    """
    # No Qt parent: closing the window must not delete a task whose thread still runs.
    task = Task(work)
    task.dialog = TaskProgressDialog(task, label, parent, show_after_ms=show_after_ms, modal=modal)
    if on_result is not None:
        task.finished.connect(on_result)
    if on_error is not None:
        task.failed.connect(on_error)
    else:
        from annotator.ui.errors import show_error

        task.failed.connect(lambda exc: show_error(parent, exc))
    if on_cancel is not None:
        task.cancelled.connect(on_cancel)
    return task.start()
