"""Settings (key -> value) and the annotators known by name."""

from __future__ import annotations

from annotator.store.connection import Connection
from annotator.store.rows import check_annotator, now


class Settings(Connection):
    """Reads and writes of the ``settings`` and ``annotators`` tables."""

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """The value stored under ``key`` (``default`` when there is none)."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_setting(self, key: str, value: str | None) -> None:
        """Store ``value`` under ``key`` (no write when it is unchanged)."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is not None and row[0] == value:
            return  # unchanged: no write (the window sets it on every start)
        with self._write() as c:
            c.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))

    def add_annotator(self, name: str) -> None:
        """Register an annotator name (no-op when known)."""
        name = check_annotator(name)
        if self.conn.execute("SELECT 1 FROM annotators WHERE name = ?", (name,)).fetchone():
            return  # known: no write (the window adds its annotator on every start)
        with self._write() as c:
            c.execute("INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (name, now()))

    def annotators(self) -> list[str]:
        """Every annotator who has a name here or any work, sorted."""
        rows = self.conn.execute(
            "SELECT name FROM annotators UNION SELECT DISTINCT annotator FROM annotations"
            " UNION SELECT DISTINCT annotator FROM decisions ORDER BY 1"
        ).fetchall()
        return [r[0] for r in rows]
