"""One write that waits for the write lock only briefly, so a window can wait without freezing.

A :class:`~annotator.store.Store` write waits up to a minute while another program (an import
in a terminal) holds the database's write lock: right for a command, a frozen window for the
GUI thread. :func:`try_write` takes the lock waiting at most a few milliseconds and, when it
cannot, runs nothing and says so; the caller keeps the write and tries again later (the window
does, with its event loop running between the attempts: :mod:`annotator.ui.write_wait`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from annotator.errors import StoreError

T = TypeVar("T")

POLL_S = 0.001  # between two tries for the write lock


def _busy(e: sqlite3.Error) -> bool:
    return "locked" in str(e) or "busy" in str(e)


def _begin_immediate(store, wait_ms: int) -> bool:
    """BEGIN IMMEDIATE, waiting at most ``wait_ms`` for the write lock; False when not had.

    The lock is asked for every :data:`POLL_S`, not through SQLite's busy handler: that one
    sleeps longer and longer between its tries (up to 100 ms), so a writer that lets the lock
    go for a few milliseconds between short transactions (an import beside a window,
    :mod:`annotator.store.shared_import`) would take it again before the waiting one woke.
    """
    conn = store.conn
    (before,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute("PRAGMA busy_timeout = 0")
    deadline = time.perf_counter() + max(0, wait_ms) / 1000
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as e:
                if not _busy(e):
                    raise StoreError(f"cannot write {store.path}: {e}") from None
                if time.perf_counter() >= deadline:
                    return False
            time.sleep(POLL_S)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(before)}")


def try_write(store, write: Callable[[], T], wait_ms: int = 20) -> tuple[bool, T | None]:
    """Run ``write`` in one transaction if the write lock can be had within ``wait_ms``.

    Parameters
    ----------
    store
        The open :class:`~annotator.store.Store`.
    write
        The write: store calls, run inside the transaction taken here (each call's own
        transaction becomes a savepoint of it), all or nothing.
    wait_ms
        How long to wait for another connection to release the write lock.

    Returns
    -------
    tuple
        ``(True, what write returned)``, or ``(False, None)`` when another connection holds
        the write lock: nothing was run.

    Raises
    ------
    StoreError
        The database cannot be written (read-only, full disk, I/O error); errors of
        ``write`` itself propagate as raised, the transaction rolled back.
    """
    conn = store.conn
    if conn.in_transaction:  # inside a transaction of the caller's: it holds the lock
        return True, write()
    if not _begin_immediate(store, wait_ms):
        return False, None
    try:
        with store.transaction():
            result = write()
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise StoreError(f"cannot write {store.path}: {e}; nothing was written") from None
    return True, result


__all__ = ["try_write"]
