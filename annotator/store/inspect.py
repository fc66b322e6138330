"""Looking at a database file without opening it as a :class:`~annotator.store.Store` (nothing written)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def applied_steps(db_path: str | Path) -> list[str] | None:
    """The schema steps applied to the database at ``db_path``, read without writing to it.

    None when the file does not exist or is not a database.
    """

    from annotator.store.schema import migrations

    path = Path(db_path)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return migrations.applied(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
