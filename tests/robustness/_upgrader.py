"""Child process for the schema-upgrade crash test: opens a database with one slow extra migration.

Usage: ``python _upgrader.py DB MARKER_DIR ROWS``

It registers ``0099_slow_test`` (a table filled with ROWS rows), touches ``MARKER_DIR/backup``
when the pre-upgrade backup starts and ``MARKER_DIR/migrating`` when the migration starts, then
opens the database with :class:`Store`, which backs it up and upgrades it. The test kills it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.store import Store
from annotator.store.schema import migrations

SLOW = "0099_slow_test"


def main() -> None:
    db, markers, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])

    @migrations(name=SLOW)
    def _slow(database) -> None:
        (markers / "migrating").touch()
        database.execute("CREATE TABLE slow_test (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        for i in range(0, n, 1000):
            database.conn.executemany(
                "INSERT INTO slow_test(id, payload) VALUES (?, ?)",
                ((j, "x" * 40) for j in range(i, min(n, i + 1000))),
            )

    backup = Store._backup

    def _marked_backup(self, version):
        (markers / "backup").touch()
        return backup(self, version)

    Store._backup = _marked_backup
    store = Store(db)
    (markers / "opened").write_text(str(store.backup_path))
    store.close()


if __name__ == "__main__":
    main()
