"""Articles: adding them, reading them, and where each annotator is with them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from annotator import model as m
from annotator.errors import NotFoundError, StoreError
from annotator.model import Article, ArticleRow, Changes
from annotator.store.connection import Connection
from annotator.store.rows import WORD, as_article, now, title_of, to_json


class Articles(Connection):
    """Reads and writes of the ``articles`` table, and the per-annotator states read with them."""

    def add_articles(self, articles: Iterable[Article | dict | str]) -> Changes:
        """Add articles (text, or Article/dict with text/title/source/meta); known texts are skipped."""
        added: set[str] = set()
        with self._write():
            for a in articles:
                aid, is_new = self._insert_article(as_article(a))
                if is_new:
                    added.add(aid)
        return Changes(articles=frozenset(added), counts=(("articles_added", len(added)),))

    def _insert_article(self, a: Article) -> tuple[str, bool]:
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO articles(id, norm_id, title, text, source, meta, words, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.id,
                m.normalised_text_id(a.text),
                a.title or title_of(a.text),
                a.text,
                a.source,
                to_json(a.meta or {}),
                len(WORD.findall(a.text)),
                now(),
            ),
        )
        return a.id, cur.rowcount == 1

    def article(self, article_id: str) -> Article:
        """One article by its id (:class:`NotFoundError` when there is none)."""
        row = self.conn.execute(
            "SELECT id, text, title, source, meta FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return Article(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"))

    def has_article(self, article_id: str) -> bool:
        """Whether an article with this id is here."""
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def article_count(self) -> int:
        """The number of articles."""
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def article_ids(
        self,
        annotator: str | None = None,
        state: str | None = None,
        label: str | None = None,
        search: str | None = None,
    ) -> list[str]:
        """Ids of the articles matching the filters, in import order.

        ``state`` needs ``annotator``; ``label`` keeps articles where the annotator has a span
        or a suggestion (of any status) with that label; ``search`` is a case-insensitive substring of
        the title or text.
        """
        sql = "SELECT a.id FROM articles a"
        where: list[str] = []
        args: list[Any] = []
        if state is not None:
            if state not in m.STATES:
                raise StoreError(f"unknown state {state!r}; use one of {', '.join(m.STATES)}")
            if state == m.TODO:
                where.append(
                    "NOT EXISTS (SELECT 1 FROM article_states s WHERE s.article_id = a.id AND s.annotator = ?"
                    " AND s.state != 'todo')"
                )
                args.append(annotator or "")
            else:
                where.append(
                    "EXISTS (SELECT 1 FROM article_states s WHERE s.article_id = a.id AND s.annotator = ?"
                    " AND s.state = ?)"
                )
                args += [annotator or "", state]
        if label is not None:
            where.append(
                "(EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = a.id AND n.annotator = ? AND n.label = ?)"
                " OR EXISTS (SELECT 1 FROM suggestions g WHERE g.article_id = a.id AND g.label = ?))"
            )
            args += [annotator or "", label, label]
        if search:
            where.append("(instr(lower(a.title), lower(?)) > 0 OR instr(lower(a.text), lower(?)) > 0)")
            args += [search, search]
        if not where:
            # Every id: read the id index (covering, a few MB) and sort by rowid here, rather
            # than walk the whole table with its texts in rowid order (100,000 articles: 0.4 s
            # from a cold cache down to 0.12 s; this runs when the window starts).
            return [r[1] for r in sorted(self.conn.execute("SELECT rowid, id FROM articles").fetchall())]
        sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.rowid"
        return [r[0] for r in self.conn.execute(sql, args)]

    def article_rows(
        self, ids: Sequence[str], annotator: str, hidden: Iterable[tuple[str, str]] = ()
    ) -> list[ArticleRow]:
        """List rows (title, state, pending suggestions, accepted spans) for the given ids.

        Suggestions of the ``hidden`` ``(layer, label)`` pairs (out of the label scope) are not
        counted as pending.
        """
        if not ids:
            return []
        hide = sorted(f"{layer}:{label}" for layer, label in hidden)
        hidden_where = f" AND (g.layer || ':' || g.label) NOT IN ({','.join('?' * len(hide))})" if hide else ""
        out: dict[str, ArticleRow] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = list(ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"""
                SELECT a.id, a.title, a.words,
                  coalesce((SELECT state FROM article_states s WHERE s.article_id = a.id AND s.annotator = ?), 'todo'),
                  (SELECT count(*) FROM (SELECT DISTINCT layer, start, "end", label FROM suggestions g
                    WHERE g.article_id = a.id{hidden_where} AND NOT EXISTS (
                      SELECT 1 FROM decisions d WHERE d.article_id = g.article_id AND d.annotator = ?
                      AND d.layer = g.layer AND d.start = g.start AND d."end" = g."end" AND d.label = g.label))),
                  (SELECT count(*) FROM annotations n WHERE n.article_id = a.id AND n.annotator = ?)
                FROM articles a WHERE a.id IN ({marks})
                """,
                [annotator, *hide, annotator, annotator, *chunk],
            ).fetchall()
            for r in rows:
                out[r[0]] = ArticleRow(r[0], r[1], r[3], r[4], r[5], r[2])
        return [out[i] for i in ids if i in out]

    def texts(self, ids: Sequence[str] | None = None) -> Iterator[tuple[str, str]]:
        """``(id, text)`` of the given articles (all when None), in import order."""
        if ids is None:
            yield from self.conn.execute("SELECT id, text FROM articles ORDER BY rowid")
            return
        for chunk_start in range(0, len(ids), 500):
            chunk = list(ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(chunk))
            yield from self.conn.execute(
                f"SELECT id, text FROM articles WHERE id IN ({marks}) ORDER BY rowid", chunk
            )

    def find_articles(self, prefixes: Sequence[str]) -> list[str]:
        """Resolve article ids or unique id prefixes (as typed on the command line)."""
        found = []
        for p in prefixes:
            rows = self.conn.execute("SELECT id FROM articles WHERE id LIKE ? || '%'", (p,)).fetchall()
            if not rows:
                raise NotFoundError(f"no article id starts with {p!r}", hint="`annotator stats` lists counts")
            if len(rows) > 1:
                raise NotFoundError(f"{len(rows)} article ids start with {p!r}; give more characters")
            found.append(rows[0][0])
        return found

    def _length(self, article_id: str) -> int:
        row = self.conn.execute("SELECT length(text) FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return row[0]

    # -- where each annotator is ------------------------------------------------------------

    def state(self, annotator: str, article_id: str) -> str:
        """Where ``annotator`` is with the article: to do, in progress, done or skipped."""
        row = self.conn.execute(
            "SELECT state FROM article_states WHERE article_id = ? AND annotator = ?", (article_id, annotator)
        ).fetchone()
        return row[0] if row else m.TODO

    def next_article(self, annotator: str, after: str | None = None) -> str | None:
        """The next article still to do (or in progress) for ``annotator``, after ``after`` in list order."""
        start_rowid = 0
        if after is not None:
            row = self.conn.execute("SELECT rowid FROM articles WHERE id = ?", (after,)).fetchone()
            start_rowid = row[0] if row else 0
        sql = (
            "SELECT a.id FROM articles a WHERE a.rowid {op} ? AND NOT EXISTS (SELECT 1 FROM article_states s"
            " WHERE s.article_id = a.id AND s.annotator = ? AND s.state IN ('done', 'skipped')) ORDER BY a.rowid LIMIT 1"
        )
        row = self.conn.execute(sql.format(op=">"), (start_rowid, annotator)).fetchone()
        if row is None and after is not None:
            row = self.conn.execute(sql.format(op="<"), (start_rowid, annotator)).fetchone()
        return row[0] if row else None

    def progress(self, annotator: str) -> tuple[int, int]:
        """``(done, total)`` articles for ``annotator`` (skipped counts as done)."""
        done = self.conn.execute(
            "SELECT count(*) FROM article_states WHERE annotator = ? AND state IN ('done', 'skipped')",
            (annotator,),
        ).fetchone()[0]
        return done, self.article_count()
