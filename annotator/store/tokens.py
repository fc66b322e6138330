"""The token boundary cache: each article's token boundaries per tokenizer, kept so measures
over tokens need not run the tokenizer again. A cache, not user data: no ledger, no Changes.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence

from annotator.store import connection
from annotator.store.connection import Connection
from annotator.store.rows import article_chunks


class TokenCache(Connection):
    """Reads and writes of the ``token_bounds`` table."""

    def token_bounds(self, articles: Sequence[str], tokenizer: str) -> dict[str, bytes]:
        """The cached token boundaries of ``articles`` made by ``tokenizer``.

        Parameters
        ----------
        articles
            Article ids.
        tokenizer
            The tokenizer's name with its version; rows of any other name are not returned.

        Returns
        -------
        dict
            Article id -> packed boundaries (see :meth:`put_token_bounds`), for the articles
            that have them; the others are left out.
        """
        out: dict[str, bytes] = {}
        sql = "SELECT article_id, bounds FROM token_bounds"
        for where, args in article_chunks(articles):
            out.update(self.conn.execute(sql + where + " AND tokenizer = ?", [*args, tokenizer]))
        return out

    def put_token_bounds(self, tokenizer: str, rows: Iterable[tuple[str, bytes]]) -> bool:
        """Cache token boundaries, all in one transaction, if the database can take them now.

        A cache is not a user action: no ledger row, no :class:`Changes`. It never waits for a
        lock, nor for the background integrity check, and never raises: a read-only, locked,
        damaged or full database just is not written. Rows of other versions of the same
        tokenizer (the name up to ``@``) for these articles are dropped: they are superseded.

        Parameters
        ----------
        tokenizer
            The tokenizer's name with its version, e.g. ``"spacy.blank:en@3.8.18"``.
        rows
            ``(article id, packed boundaries)``; the packing is the caller's (for the token
            measures: little-endian int32, the starts and then the ends).

        Returns
        -------
        bool
            True when the rows were written.
        """
        rows = list(rows)
        if not rows:
            return True
        if self._damage is not None or (self._verifying is not None and self._verifying.is_alive()):
            return False
        family = tokenizer.split("@", 1)[0] + "@"
        conn = self.conn
        outer = conn.in_transaction
        try:
            if not outer:
                conn.execute("PRAGMA busy_timeout = 0")
                try:
                    conn.execute("BEGIN IMMEDIATE")
                finally:
                    conn.execute(f"PRAGMA busy_timeout = {connection.BUSY_TIMEOUT_MS}")
            with self._savepoint() if outer else contextlib.nullcontext():
                for where, args in article_chunks([aid for aid, _ in rows]):
                    conn.execute(
                        f"DELETE FROM token_bounds{where} AND substr(tokenizer, 1, ?) = ? AND tokenizer != ?",
                        [*args, len(family), family, tokenizer],
                    )
                conn.executemany(
                    "INSERT OR REPLACE INTO token_bounds(article_id, tokenizer, bounds) VALUES (?, ?, ?)",
                    ((aid, tokenizer, blob) for aid, blob in rows),
                )
            if not outer:
                conn.execute("COMMIT")
        except sqlite3.Error:
            if not outer and conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            return False
        return True

    def drop_token_bounds(self) -> int:
        """Forget every cached token boundary (they are made again when next needed).

        Returns
        -------
        int
            The number of rows dropped.
        """
        with self._write() as c:
            return c.execute("DELETE FROM token_bounds").rowcount
