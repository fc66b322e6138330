"""Opening a database: WAL, the checks that refuse a newer, damaged or foreign file, and the
integrity check in the background (fast, and a damaged file is still never written)."""

from __future__ import annotations

import sqlite3

import pytest

from annotator.errors import NewerDatabaseError, StoreError
from annotator.store import Store


def test_new_database_is_wal_with_busy_timeout(tmp_path):
    s = Store(tmp_path / "x.db")
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert s.integrity_check() == "ok"


def test_a_new_file_has_pages_of_8192_bytes_and_an_older_one_keeps_its_own(tmp_path):
    with Store(tmp_path / "new.db") as s:
        s.add_articles(["A text of a few words."])
    with Store(tmp_path / "new.db") as s:
        assert s.conn.execute("PRAGMA page_size").fetchone()[0] == 8192
        assert s.article_count() == 1
    old = tmp_path / "old.db"
    with Store(old) as s:
        s.add_articles(["Made with pages of 8,192 bytes."])
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")  # as a file made before pages of 8,192
    conn.close()
    with Store(old) as s:
        s.add_articles(["A second article."])
        assert s.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert s.article_count() == 2


def test_database_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('annotator', '9999_future', 'x')"
    )
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError, match="newer version of annotator"):
        Store(path)
    assert path.read_bytes() == before


def test_corrupt_file_is_refused_untouched(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an annotator database or is damaged"):
        Store(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE stuff (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an annotator database"):
        Store(path)


def _db(path):
    with Store(path) as s:
        s.add_articles([f"article number {i} about tariffs" for i in range(50)])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def test_background_check_of_a_healthy_file_lets_writes_through(tmp_path):
    path = _db(tmp_path / "ok.db")
    with Store(path, verify="background") as s:
        assert s.article_count() == 50
        s.set_setting("last_annotator", "alice")
        assert s.verified is True
        assert s.get_setting("last_annotator") == "alice"


def test_background_check_refuses_the_first_write_to_a_damaged_file(tmp_path):
    path = _db(tmp_path / "bad.db")
    data = bytearray(path.read_bytes())
    page = 4096
    # Damage a page holding articles' text, leaving the schema pages readable.
    at = data.index(b"article number 25 about tariffs") // page * page
    assert at > 0
    data[at + 100 : at + 400] = b"\xff" * 300
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        Store(path)  # the default checks now
    s = Store(path, verify="background")
    with pytest.raises(StoreError, match="damaged"):
        s.add_annotator("bob")
    assert s.verified is False
    s.close()
    assert path.read_bytes() == bytes(data)


def test_background_check_still_refuses_what_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"just some notes\n" * 300)
    with pytest.raises(StoreError, match="not an annotator database"):
        Store(path, verify="background")


def test_unchanged_setting_and_known_annotator_write_nothing(tmp_path):
    path = _db(tmp_path / "same.db")
    with Store(path) as s:
        s.set_setting("last_annotator", "alice")
        s.add_annotator("alice")
        before = s.conn.total_changes
        s.set_setting("last_annotator", "alice")
        s.add_annotator("alice")
        assert s.conn.total_changes == before
        s.set_setting("last_annotator", "bob")
        assert s.get_setting("last_annotator") == "bob"
