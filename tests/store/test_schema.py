"""The schema steps: a database of an older version is upgraded, after a backup, with its content."""

from __future__ import annotations

import sqlite3

from store_helpers import TEXT

from annotator.model import SuggestedSpan
from annotator.store import Store, schema


def test_older_database_is_upgraded_after_a_backup(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    s = Store(path)
    s.add_articles([TEXT])
    s.close()

    def _add_column(db):
        db.execute("ALTER TABLE articles ADD COLUMN extra TEXT")

    monkeypatch.setattr(schema, "migrations", schema.migrations.with_step("9000_test_column", _add_column))
    s2 = Store(path)
    assert s2.backup_path is not None and s2.backup_path.exists()
    assert "extra" in [r[1] for r in s2.conn.execute("PRAGMA table_info(articles)")]
    s2.close()
    backup = sqlite3.connect(s2.backup_path)
    assert "extra" not in [r[1] for r in backup.execute("PRAGMA table_info(articles)")]
    assert backup.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    backup.close()


def test_a_database_from_before_the_token_cache_is_upgraded_with_its_content(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.add_articles([TEXT])
    con = sqlite3.connect(path)
    _undo_0006(con)
    _undo_0005(con)
    con.execute("DROP TABLE token_bounds")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = '0004_token_bounds'")
    con.commit()
    con.close()
    with Store(path) as s:
        assert s.backup_path is not None and "0003_adjudication_labels" in s.backup_path.name
        assert s.article_count() == 1
        aid = s.article_ids()[0]
        assert s.put_token_bounds("tok@1", [(aid, b"\x01")])
        assert s.token_bounds([aid], "tok@1") == {aid: b"\x01"}


def _undo_0006(con: sqlite3.Connection) -> None:
    """Make a database what it was before 0006_import_runs."""
    con.execute("DROP TABLE import_run_rows")
    con.execute("DROP TABLE import_runs")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_import_runs'")


def _undo_0005(con: sqlite3.Connection) -> None:
    """Make a database what it was before 0005_suggestions_by_position."""
    con.execute("DROP INDEX suggestions_by_position")
    con.execute("CREATE INDEX suggestions_article ON suggestions(article_id)")
    con.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_suggestions_by_position'")


def _suggestion_indexes(con) -> set[str]:
    sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'suggestions'"
    return {r[0] for r in con.execute(sql)}


def test_a_database_from_before_the_position_index_is_upgraded_with_its_content(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.add_articles([TEXT])
        aid = s.article_ids()[0]
        s.store_suggestions([(aid, [SuggestedSpan(0, 4, "PERSON", "entity", "m@1")])], ["m@1"])
        before = s.suggestions(aid, "ann")
    con = sqlite3.connect(path)
    _undo_0006(con)
    _undo_0005(con)
    con.commit()
    assert "suggestions_by_position" not in _suggestion_indexes(con)
    con.close()
    with Store(path) as s:
        assert s.backup_path is not None and "0004_token_bounds" in s.backup_path.name
        assert s.suggestions(aid, "ann") == before
        assert _suggestion_indexes(s.conn) == {"suggestions_by_position", "suggestions_source"}
    assert Store.schema_steps()[-2] == "0005_suggestions_by_position"


def test_a_database_from_before_the_import_runs_is_upgraded_with_its_content(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.add_articles([TEXT])
    con = sqlite3.connect(path)
    _undo_0006(con)
    con.commit()
    con.close()
    with Store(path) as s:
        assert s.backup_path is not None and "0005_suggestions_by_position" in s.backup_path.name
        assert s.article_count() == 1
        assert s.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (0,)
    assert Store.schema_steps()[-1] == "0006_import_runs"


def test_a_new_database_has_every_table_and_index_of_the_steps_in_their_order(tmp_path):
    with Store(tmp_path / "new.db") as s:
        rows = s.conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
    tables = [name for kind, name in rows if kind == "table"]
    indexes = {name for kind, name in rows if kind == "index"}
    assert tables == [
        "_sqlite_migrations",
        "articles",
        "labels",
        "annotators",
        "suggestions",
        "annotations",
        "decisions",
        "article_states",
        "ledger",
        "ledger_effects",
        "settings",
        "adjudications",
        "token_bounds",
        "import_runs",
        "import_run_rows",
    ]
    assert indexes == {
        "idx__sqlite_migrations_migration_set_name",
        "articles_norm",
        "suggestions_source",
        "suggestions_by_position",
        "annotations_article",
        "annotations_annotator",
        "decisions_annotator",
        "article_states_state",
        "ledger_annotator",
    }
