"""The migration runner: each step once, in one transaction with its record, in sqlite-utils' table."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from annotator.store import Store, schema
from annotator.store.migrations import Migrations


def _conn(path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _schema_of(conn: sqlite3.Connection) -> list[tuple]:
    return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def test_a_new_database_has_the_schema_sqlite_utils_makes_from_the_same_steps(tmp_path):
    """sqlite-utils' own Migrations, given our steps, makes the very same schema and record."""
    Store(tmp_path / "ours.db").close()
    theirs = sqlite_utils.Database(tmp_path / "theirs.db")
    reference = sqlite_utils.Migrations(schema.MIGRATION_SET)
    for name, fn in schema.migrations.steps:
        reference(name=name)(fn)
    reference.apply(theirs)
    ours = _conn(tmp_path / "ours.db")
    assert _schema_of(ours) == _schema_of(theirs.conn)
    # and sqlite-utils reads our record as its own: nothing left to apply
    wrapped = sqlite_utils.Database(ours)
    assert [a.name for a in reference.applied(wrapped)] == Store.schema_steps()
    assert reference.pending(wrapped) == []


def test_a_failing_step_leaves_nothing_and_stays_pending(tmp_path):
    steps = Migrations("test")

    @steps(name="one")
    def _one(db):
        db.execute("CREATE TABLE one (x)")

    @steps(name="two")
    def _two(db):
        db.execute("CREATE TABLE two (x)")
        raise RuntimeError("half way")

    conn = _conn(tmp_path / "x.db")
    with pytest.raises(RuntimeError, match="half way"):
        steps.apply(conn)
    assert steps.applied(conn) == ["one"]
    assert steps.pending(conn) == ["two"]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "one" in tables and "two" not in tables
    assert not conn.in_transaction


def test_steps_are_applied_once_in_order(tmp_path):
    steps = Migrations("test")
    ran = []

    @steps(name="a")
    def _a(db):
        ran.append("a")
        db.conn.executemany("CREATE TABLE IF NOT EXISTS a (x)", [()])

    conn = _conn(tmp_path / "x.db")
    steps.apply(conn)
    more = steps.with_step("b", lambda db: ran.append("b"))
    more.apply(conn)
    more.apply(conn)
    assert ran == ["a", "b"]
    assert more.applied(conn) == ["a", "b"] and steps.names == ["a"]
    with pytest.raises(ValueError, match="already registered"):
        more(name="a")(lambda db: None)


def test_another_set_in_the_same_file_is_not_ours(tmp_path):
    conn = _conn(tmp_path / "x.db")
    Migrations("other").with_step("x1", lambda db: None).apply(conn)
    assert schema.migrations.applied(conn) == []
    assert schema.migrations.pending(conn) == Store.schema_steps()
