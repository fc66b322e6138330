"""Who has a database open, told through advisory locks on small files beside it.

SQLite has one writer at a time. A command that writes a lot (``annotator import``) writes
fastest in one long transaction, but a window on the same database then waits for every
decision until the command is done. So a window says it is there, and an import that sees it
writes in short transactions instead (:mod:`annotator.store.shared_import`).

- ``<db>-open``: a window (:class:`~annotator.ui.session.Session`) holds a shared lock on it
  while it has the database open; :func:`anyone_open` asks whether somebody does.
- ``<db>-importing``: an import writing in short transactions holds a shared lock on it while
  it runs; an exclusive lock had without waiting (:func:`importing`) means no such import runs,
  so an unfinished one recorded in the database died (:mod:`annotator.store.import_runs`).

The locks are ``flock`` locks: the system drops them when the process ends, however it ends,
so a window killed or crashed leaves nobody "present". Where there is no ``flock`` (Windows)
nobody is ever present and every import takes its one-transaction path, as before. A file that
cannot be made (read-only folder) is the same: nobody present, nothing held.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

OPEN_SUFFIX = "-open"
IMPORTING_SUFFIX = "-importing"
SUFFIXES = (OPEN_SUFFIX, IMPORTING_SUFFIX)


def side_file(db: str | os.PathLike[str], suffix: str) -> Path:
    """The file beside the database ``db`` named with ``suffix`` (``news.db-open``)."""
    p = Path(db).resolve()  # as SQLite does for its own side files
    return p.with_name(p.name + suffix)


class Held:
    """A lock on one side file, held until :meth:`release` (or the process ends)."""

    def __init__(self, fh: IO[bytes], path: Path):
        self._fh: IO[bytes] | None = fh
        self.path = path

    @property
    def held(self) -> bool:
        return self._fh is not None

    def share(self) -> None:
        """Turn an exclusive lock into a shared one (not atomic: it is let go for a moment)."""
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        """Let the lock go (again: nothing)."""
        fh, self._fh = self._fh, None
        if fh is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()

    def __enter__(self) -> Held:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock(path: Path, mode: int, create: bool) -> Held | None:
    """``mode`` (``LOCK_SH``/``LOCK_EX``, with ``LOCK_NB``) on ``path``; None when not had."""
    if fcntl is None:
        return None
    try:
        fh = open(path, "a+b" if create else "rb")  # noqa: SIM115 - held open while locked
    except OSError:
        return None
    try:
        fcntl.flock(fh.fileno(), mode)
    except OSError:  # BlockingIOError: someone holds a lock that conflicts
        fh.close()
        return None
    return Held(fh, path)


def hold_open(db: str | os.PathLike[str]) -> Held | None:
    """Say "a window has ``db`` open" until released; None where that cannot be said."""
    return _lock(side_file(db, OPEN_SUFFIX), fcntl.LOCK_SH if fcntl else 0, create=True)


def anyone_open(db: str | os.PathLike[str]) -> bool:
    """Whether a window (of any process, this one too) has ``db`` open."""
    if fcntl is None:
        return False
    path = side_file(db, OPEN_SUFFIX)
    if not path.exists():
        return False
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False


def importing(db: str | os.PathLike[str], exclusive: bool) -> Held | None:
    """A lock on ``<db>-importing``; None when not had (or where there is no ``flock``).

    Exclusive: had at once, or not at all, only when no import writing in short transactions
    runs (nor another process is cleaning up after one). Shared: what each such import holds
    while it runs; waits while somebody holds the exclusive lock (a clean-up, short).
    """
    if fcntl is None:
        return None
    mode = fcntl.LOCK_EX | fcntl.LOCK_NB if exclusive else fcntl.LOCK_SH
    return _lock(side_file(db, IMPORTING_SUFFIX), mode, create=True)


__all__ = ["SUFFIXES", "Held", "anyone_open", "hold_open", "importing", "side_file"]
