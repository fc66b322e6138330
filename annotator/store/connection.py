"""The connection to one database file: opening (checks, migrations, WAL) and transactions.

Every other part of the store is a mixin over :class:`Connection`: it reads through
``self.conn`` and writes inside ``self._write()``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from annotator.errors import NewerDatabaseError, StoreError
from annotator.store import schema

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000
# The page size of a new file (SQLite's default is 4,096 bytes). A news article of 500 words
# and its row fill most of a page of 4,096, so each took a page and its WAL frame of its own;
# every page written costs two system calls and, after the commit, a read and a write more
# when it is checkpointed. Importing 20,000 texts took 0.71 s here with pages of 4,096,
# 0.63 s with 8,192; 10,000 Prodigy tasks with their 590,000 spans 2.38 -> 2.12 s. Files made
# before keep theirs (a page size is fixed once a file has tables).
PAGE_SIZE = 8192
# How long a write keeps retrying while another program holds the write lock, in seconds.
LOCK_WAIT_S = 60.0


def _read_only_mount(path: Path) -> bool:
    """Whether ``path`` lies on a file system mounted read-only (root may write anywhere else)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def writable(path: str | os.PathLike[str]) -> bool:
    """Whether the database at ``path`` (and its folder, for the WAL files) can be written."""
    p = Path(path)
    return (
        os.access(p, os.W_OK) and os.access(p.parent, os.W_OK) and not _read_only_mount(p)
    )


class Connection:
    """An open annotator database: the file checked, its schema current, in WAL mode.

    See :class:`~annotator.store.Store` for the parameters and what opening raises.
    """

    def __init__(self, path: str | os.PathLike[str], verify: str = "now", read_only: bool = False):
        if verify not in ("now", "background"):
            raise ValueError(f"verify must be 'now' or 'background', not {verify!r}")
        self.path = Path(path)
        self.backup_path: Path | None = None
        self._verifying: threading.Thread | None = None
        self._damage: str | None = None
        existed = self.path.exists() and self.path.stat().st_size > 0
        # A file that cannot be written (read-only media, no permission) is opened for reading:
        # everything that only reads works, and the first write says why it cannot.
        self.read_only = read_only or (existed and not writable(self.path))
        if self.read_only:
            self._open_read_only()
            return
        if not existed:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the folder for {self.path}: {e.strerror}") from None
        try:
            conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn = conn
            if existed:
                if verify == "background" and self._can_verify_later():
                    self._verify_in_background()
                else:
                    self._check_readable()
            else:
                # A new file takes its schema in WAL mode, without waiting for the disk after
                # each step: WAL never leaves a torn file, and the first write (synchronous=FULL,
                # below) makes the steps durable with it. Until then there is nothing to lose.
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                self._set_wal()
                conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(existed)
            self._set_wal()
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as e:
            raise StoreError(self._explain(e)) from None

    def _open_read_only(self) -> None:
        """Open an existing database for reading only: nothing is written, not even the WAL's
        index, so it works on read-only media (``immutable`` when its folder cannot be written)."""
        if not self.path.is_file():
            raise StoreError(f"there is no database at {self.path}", hint="check the path")
        writable_folder = os.access(self.path.parent, os.W_OK) and not _read_only_mount(self.path)
        flags = "mode=ro" if writable_folder else "immutable=1"
        try:
            self.conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?{flags}", uri=True, isolation_level=None, check_same_thread=False
            )
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            migrations = schema.migrations
            applied = migrations.applied(self.conn)
            if not applied and self._table_names():
                raise StoreError(f"{self.path} is a SQLite database but not an annotator database")
            unknown = [name for name in applied if name not in set(migrations.names)]
            if unknown:
                raise NewerDatabaseError(
                    f"{self.path} was written by a newer version of annotator (schema step {unknown[-1]!r})",
                    hint="upgrade annotator to open it",
                )
            if migrations.pending(self.conn):
                raise StoreError(
                    f"{self.path} was written by an older version of annotator and cannot be upgraded where"
                    " it is (it cannot be written)",
                    hint="copy it somewhere writable and open the copy once",
                )
        except sqlite3.DatabaseError as e:
            raise StoreError(self._explain(e)) from None

    @functools.cached_property
    def db(self) -> Database:
        """The connection wrapped by sqlite-utils, for scripts and tests (imported on first use:
        with numpy, and pandas when installed, it takes 0.2-0.5 s)."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)

    # -- opening ---------------------------------------------------------------------------

    def _explain(self, e: sqlite3.Error) -> str:
        text = str(e)
        if "not a database" in text or "malformed" in text:
            return f"{self.path} is not an annotator database or is damaged ({text}); it was left untouched"
        if "locked" in text or "busy" in text:
            return f"{self.path} is locked by another program; close it and try again"
        if "readonly" in text or "read-only" in text:
            return f"{self.path} is read-only; open a copy or change its permissions"
        if "unable to open" in text:
            return f"cannot open {self.path}: check that the folder exists and is writable"
        if "disk" in text and "full" in text:
            return f"the disk holding {self.path} is full; nothing was written"
        if "disk I/O error" in text:
            return f"cannot write {self.path}: disk I/O error (is the disk full or failing?); nothing was written"
        return f"{self.path}: {text}"

    def _check_readable(self) -> None:
        row = self.conn.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            raise StoreError(self._damaged(row))

    def _damaged(self, row: tuple | None) -> str:
        return f"{self.path} is damaged (integrity check: {row[0] if row else 'no answer'}); it was left untouched"

    def _can_verify_later(self) -> bool:
        """True when opening writes nothing: the schema is current and the file is in WAL mode.

        Reading the schema and the migrations also refuses a file that is not a database.
        """
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            return False
        migrations = schema.migrations
        return bool(migrations.applied(self.conn)) and not migrations.pending(self.conn)

    def _verify_in_background(self) -> None:
        def check() -> None:
            try:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
                try:
                    row = conn.execute("PRAGMA quick_check").fetchone()
                finally:
                    conn.close()
                if row is None or row[0] != "ok":
                    self._damage = self._damaged(row)
            except sqlite3.Error as e:
                self._damage = self._explain(e)

        self._verifying = threading.Thread(target=check, name="annotator-verify", daemon=True)
        self._verifying.start()

    @property
    def verified(self) -> bool | None:
        """None while a background check runs; then True, or False when the file is damaged."""
        if self._verifying is not None and self._verifying.is_alive():
            return None
        return self._damage is None

    def _await_verified(self) -> None:
        if self._verifying is not None:
            self._verifying.join()
        if self._damage is not None:
            raise StoreError(self._damage)

    def _set_wal(self) -> None:
        try:
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as e:
            if "readonly" in str(e) or "read-only" in str(e):
                raise
            mode = None
        if mode != "wal" and not os.access(self.path, os.W_OK):
            raise StoreError(f"{self.path} is read-only; open a copy or change its permissions")

    def _migrate(self, existed: bool) -> None:
        migrations = schema.migrations  # looked up now: a test may give it a step more
        known = set(migrations.names)
        applied = migrations.applied(self.conn)
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise NewerDatabaseError(
                f"{self.path} was written by a newer version of annotator (schema step {unknown[-1]!r});"
                " it was left untouched",
                hint="upgrade annotator to open it",
            )
        if existed and not applied and self._table_names():
            raise StoreError(
                f"{self.path} is a SQLite database but not an annotator database; it was left untouched"
            )
        pending = migrations.pending(self.conn)
        if not pending:
            return
        if existed and applied:
            self.backup_path = self._backup(applied[-1])
        if not os.access(self.path, os.W_OK):
            raise StoreError(f"{self.path} is read-only; open a copy or change its permissions")
        migrations.apply(self.conn)

    def _table_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def _backup(self, version: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.stem}.backup-{version}-{stamp}{self.path.suffix or '.db'}")
        # Written under a temporary name and renamed when whole: a crash mid-copy must never
        # leave a file that looks like a backup but holds nothing.
        part = target.with_name(f".{target.name}.part")
        part.unlink(missing_ok=True)
        dest = sqlite3.connect(str(part))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
        return target

    @classmethod
    def schema_steps(cls) -> list[str]:
        """Names of the migrations this version knows, in order."""
        return schema.migrations.names

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with BEGIN IMMEDIATE so writers queue, never deadlock."""
        if self.read_only:
            raise StoreError(
                f"{self.path} is open for reading only (it is on read-only media or cannot be written);"
                " nothing was written",
                hint="copy it somewhere writable to change it",
            )
        self._await_verified()
        conn = self.conn
        if conn.in_transaction:
            with self._savepoint():
                yield conn
            return
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if ("locked" in str(e) or "busy" in str(e)) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise StoreError(self._explain(e)) from None
        try:
            yield conn
        except sqlite3.Error as e:
            # A full disk, an I/O error or a damaged page mid-write: roll back, say it plainly.
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise StoreError(self._explain(e)) from e
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(self._explain(e)) from None

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A transaction nested in the one open: on an error only its own writes are undone."""
        conn = self.conn
        conn.execute("SAVEPOINT annotator_nested")
        try:
            yield
        except BaseException:
            # An error may have ended the whole transaction already, savepoint and all.
            if conn.in_transaction:
                conn.execute("ROLLBACK TO SAVEPOINT annotator_nested")
                conn.execute("RELEASE SAVEPOINT annotator_nested")
            raise
        conn.execute("RELEASE SAVEPOINT annotator_nested")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Self]:
        """Group several writes into one transaction (all or nothing)."""
        try:
            with self._write():
                yield self
        except sqlite3.DatabaseError as e:
            raise StoreError(self._explain(e)) from None

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: "ok" for a healthy database."""
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]
