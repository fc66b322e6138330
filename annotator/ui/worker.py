"""Run a function of the store on a worker thread, on a database connection of its own.

The GUI thread owns the session's :class:`~annotator.store.Store` connection. Slow work (import,
suggest, export, training, agreement, the review queue) runs as ``fn(store, progress=...,
cancelled=...)`` on a worker thread with its own ``Store`` opened there on the session's
database file, closed when the function returns, raises or is cancelled. The function hands
plain data back, delivered on the GUI thread through the :class:`~annotator.ui.tasks.Task`'s
signals; announcing what changed (``session.notify``) is left to the result handler.

    def count(store, progress, cancelled):
        return store.article_count()

    run_on_store(session, count, on_result=lambda n: print(n))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from annotator.errors import StoreError
from annotator.ui.tasks import Task, Work, run_task, run_with_progress

StoreWork = Callable[..., Any]
"""``fn(store, progress=..., cancelled=...)``: what runs on the worker's own store."""


def on_own_store(db_path: str | Path, fn: StoreWork, transaction: bool = False) -> Work:
    """``fn`` as the work of a :class:`~annotator.ui.tasks.Task`: run with a Store of its own.

    Parameters
    ----------
    db_path
        The database file; the Store is opened on it in the worker thread.
    fn
        Called as ``fn(store, progress=progress, cancelled=cancelled)``.
    transaction
        Run ``fn`` inside one transaction, so a cancel or an error leaves the database as it was.
    """
    path = Path(db_path)

    def work(progress, cancelled):
        from annotator.store import Store

        if not path.exists():  # Store() would make a new, empty database there
            raise StoreError(f"{path} no longer exists; nothing was done")
        store = Store(path)
        try:
            if transaction:
                with store.transaction():
                    return fn(store, progress=progress, cancelled=cancelled)
            return fn(store, progress=progress, cancelled=cancelled)
        finally:
            store.close()

    return work


def run_on_store(
    session,
    fn: StoreWork,
    label: str | None = None,
    parent: QWidget | None = None,
    *,
    transaction: bool = False,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_cancel: Callable[[], None] | None = None,
    modal: bool = True,
    show_after_ms: int = 300,
) -> Task:
    """Run ``fn(store, progress=..., cancelled=...)`` on a worker with its own store on the session's database.

    Parameters
    ----------
    session
        The window's :class:`~annotator.ui.session.Session`; its database path is read now,
        on the GUI thread.
    fn
        The work; returns plain data (no rows tied to its connection).
    label
        Show a :class:`~annotator.ui.tasks.TaskProgressDialog` with this text and a Cancel
        button; None runs without a dialog (errors go to ``on_error`` only).
    parent
        The window owning the dialog.
    transaction
        See :func:`on_own_store`.
    on_result, on_error, on_cancel
        Called on the GUI thread with the result, the exception, or nothing. With a
        ``label`` and no ``on_error``, the error is shown in a dialog.
    modal, show_after_ms
        See :class:`~annotator.ui.tasks.TaskProgressDialog`.

    Returns
    -------
    Task
        The started task (when the session's database file is gone, a task that fails with
        :attr:`Session.lost_reason <annotator.ui.session.Session.lost_reason>`); ``task.db_path`` is the database it works on (compare it with
        :func:`same_database` before applying a result to the session).
    """
    db_path = Path(session.db_path)
    if session.check_file():
        work = on_own_store(db_path, fn, transaction=transaction)
    else:
        work = _refused(session.lost_reason)
    if label is not None:
        task = run_with_progress(
            work,
            label,
            parent,
            on_result=on_result,
            on_error=on_error,
            on_cancel=on_cancel,
            show_after_ms=show_after_ms,
            modal=modal,
        )
    else:
        task = run_task(work)
        for signal, handler in (
            (task.finished, on_result),
            (task.failed, on_error),
            (task.cancelled, on_cancel),
        ):
            if handler is not None:
                signal.connect(handler)
    task.db_path = db_path
    return task


def _refused(reason: str) -> Work:
    """Work that does nothing but fail: the session's database file is gone, and a store
    opened on its name would be another file (or a new, empty one)."""

    def work(progress, cancelled):
        raise StoreError(reason)

    return work


def same_database(session, db_path: str | Path) -> bool:
    """True while the session still has the database at ``db_path`` open (the user may have
    opened another one while the work ran: its result then belongs to no window)."""
    return Path(session.db_path) == Path(db_path)
