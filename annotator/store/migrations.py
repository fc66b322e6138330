"""Named, append-only schema steps, each applied in one transaction with the record of it.

The idea and the record are sqlite-utils' (``sqlite_utils.Migrations``): the steps applied are
rows of its ``_sqlite_migrations`` table, made with the same statements, so a database reads
the same to either. The runner is this one because importing sqlite-utils imports numpy, and
pandas when it is installed (0.2-0.5 s), at the start of every command that makes a database.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

# sqlite-utils' table and index, as it makes them.
MIGRATIONS_TABLE = "_sqlite_migrations"
_CREATE_TABLE = (
    'CREATE TABLE IF NOT EXISTS "_sqlite_migrations" (\n   "id" INTEGER PRIMARY KEY,\n'
    '   "migration_set" TEXT,\n   "name" TEXT,\n   "applied_at" TEXT\n)'
)
_CREATE_INDEX = (
    'CREATE UNIQUE INDEX IF NOT EXISTS "idx__sqlite_migrations_migration_set_name"\n'
    '    ON "_sqlite_migrations" ("migration_set", "name")'
)


class StepDatabase:
    """What a step is given: the connection, and ``execute`` on it (as on a sqlite-utils
    ``Database``, which steps written for sqlite-utils use)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        """Run one statement on the connection."""
        return self.conn.execute(sql, parameters)


Step = Callable[[StepDatabase], None]


class Migrations:
    """The steps of one migration set, in the order they were registered.

    Parameters
    ----------
    name
        The migration set (one database may hold several).
    """

    def __init__(self, name: str, steps: tuple[tuple[str, Step], ...] = ()):
        self.name = name
        self._steps: list[tuple[str, Step]] = list(steps)

    def __call__(self, *, name: str) -> Callable[[Step], Step]:
        """Register the decorated function as the step ``name``, after the others."""

        def register(fn: Step) -> Step:
            if name in self.names:
                raise ValueError(f"step {name!r} is already registered in set {self.name!r}")
            self._steps.append((name, fn))
            return fn

        return register

    @property
    def steps(self) -> list[tuple[str, Step]]:
        """``(name, function)`` of each step, in order."""
        return list(self._steps)

    @property
    def names(self) -> list[str]:
        """The names of the steps, in order: what this version knows."""
        return [name for name, _ in self._steps]

    def with_step(self, name: str, fn: Step) -> Migrations:
        """A copy with one step more (for tests of upgrades)."""
        copy = Migrations(self.name, tuple(self._steps))
        copy(name=name)(fn)
        return copy

    def applied(self, conn: sqlite3.Connection) -> list[str]:
        """The names of the steps applied to the database, in the order they were applied.

        A file that is not a database raises :class:`sqlite3.DatabaseError`.
        """
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
        ).fetchone():
            return []
        return [
            r[0]
            for r in conn.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", (self.name,)
            )
        ]

    def pending(self, conn: sqlite3.Connection) -> list[str]:
        """The names of the steps :meth:`apply` would run, in order."""
        done = set(self.applied(conn))
        return [name for name in self.names if name not in done]

    def apply(self, conn: sqlite3.Connection) -> None:
        """Apply every pending step, each in one transaction with its record: a step that fails
        leaves nothing behind and stays pending. ``conn`` is in autocommit mode."""
        with _transaction(conn):
            conn.execute(_CREATE_TABLE)
            conn.execute(_CREATE_INDEX)
        for name, fn in self._steps:
            with _transaction(conn):
                if name in self.applied(conn):  # another program applied it meanwhile
                    continue
                fn(StepDatabase(conn))
                conn.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE}(migration_set, name, applied_at) VALUES (?, ?, ?)",
                    (self.name, name, str(datetime.now(UTC))),
                )


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
