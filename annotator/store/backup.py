"""The open database's file: is it still the one that was opened, and a copy from the connection.

A database file deleted, moved or replaced while a :class:`~annotator.store.Store` has it
open goes on taking writes, into a file nobody will find again: SQLite writes to the open
file, not to its name. :func:`same_file` tells whether the name still leads to the file that
was opened (device and inode, ``st_dev``/``st_ino``), and :func:`save_copy` writes the open
database to a new file through SQLite's backup API, which reads from the open connection and
so works after the file is gone.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import weakref
from pathlib import Path

from annotator.errors import StoreError

FileIdentity = tuple[int, int]

# Per store: the absolute path it was opened under and the identity of the file there.
_OPENED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def file_identity(path: str | os.PathLike[str]) -> FileIdentity | None:
    """``(st_dev, st_ino)`` of the file at ``path``, or None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def same_file(store) -> bool:
    """True while ``store.path`` still names the file the store has open.

    The file's identity is taken the first time a store is asked about (the window's session
    asks as soon as it takes a store); False from then on when the file was deleted, moved
    away, or replaced by another file under the same name.
    """
    known = _OPENED.get(store)
    if known is None:
        path = Path(store.path).absolute()
        known = _OPENED[store] = (path, file_identity(path))
    path, identity = known
    return identity is not None and file_identity(path) == identity


def save_copy(store, path: str | os.PathLike[str]) -> Path:
    """Write the database ``store`` has open to a new file at ``path``; returns the path.

    The copy is written under a temporary name and renamed when whole, so a failure never
    leaves half a database at ``path``.

    Raises
    ------
    StoreError
        ``path`` is the store's own file name, or a database in use there (its write-ahead
        log would be applied to the copy), or the copy cannot be written.
    """
    target = Path(path).absolute()
    if target == Path(store.path).absolute():
        raise StoreError(f"{target} is the file that went missing; save the copy under another name")
    for suffix in ("-wal", "-shm"):
        if Path(f"{target}{suffix}").exists():
            raise StoreError(
                f"{target} is a database in use ({target.name}{suffix} exists); choose another name"
            )
    part = target.with_name(f".{target.name}.part")
    try:
        part.unlink(missing_ok=True)
        dest = sqlite3.connect(str(part))
        try:
            store.conn.backup(dest)
        finally:
            dest.close()
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
    except (OSError, sqlite3.Error) as e:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise StoreError(f"cannot write the copy {target}: {reason}") from None
    return target


__all__ = ["file_identity", "same_file", "save_copy"]
