"""The window's writes wait for another program's write lock without freezing the window.

While another program (``annotator import`` in a terminal) holds the database's write lock,
a write from the GUI thread would block it for as long as the lock is held. Here the write is
tried with a short wait for the lock (:func:`annotator.store.write_lock.try_write`); when the
lock is taken, the window's event loop runs between attempts, so the window repaints and says
it is waiting, while the keys and clicks the user makes meanwhile are kept, in order, for
when the write is done: no action is lost, and none runs before the one waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QTimer

from annotator.errors import StoreError
from annotator.store.write_lock import try_write

T = TypeVar("T")

# The usual case: nobody else writes and the lock is had at once; or an import beside the
# window (annotator.store.shared_import) ends its transaction of ~20 ms within this.
FIRST_TRY_MS = 50
TRY_MS = 20  # each later attempt's wait for the lock
EVENTS_MS = 30  # the window's events run this long between attempts
LOCK_WAIT_S = 60.0  # then the action is refused with a message

WAITING_TEXT = "waiting for another program writing to this database…"


def _run_events_for(ms: int) -> None:
    """Let the window repaint and run its timers for ``ms``; user input waits for later."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)


def write_when_free(
    store,
    write: Callable[[], T],
    on_waiting: Callable[[bool], None] | None = None,
    wait_s: float = LOCK_WAIT_S,
) -> T:
    """Run ``write`` in one transaction as soon as the write lock is free; its result.

    Parameters
    ----------
    store
        The session's open :class:`~annotator.store.Store`.
    write
        The write (store calls); run once, all or nothing.
    on_waiting
        Called with True when the write has to wait for another program, and with False
        when the wait is over (written, failed or given up).
    wait_s
        How long to wait before giving up.

    Raises
    ------
    StoreError
        Another program held the write lock for ``wait_s``: nothing was written.
    """
    done, result = try_write(store, write, FIRST_TRY_MS)
    if done:
        return result
    if on_waiting is not None:
        on_waiting(True)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            _run_events_for(EVENTS_MS)
            done, result = try_write(store, write, TRY_MS)
            if done:
                return result
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"another program has been writing to {store.path} for {wait_s:.0f} s;"
                    " your last action was not saved: try it again when that program is done"
                )
    finally:
        if on_waiting is not None:
            on_waiting(False)


__all__ = ["WAITING_TEXT", "write_when_free"]
