"""Reads of whole tables: the rows exporters write, every recorded state, and the counts of
``annotator stats``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from annotator import model as m
from annotator.model import Article
from annotator.store.articles import Articles
from annotator.store.rows import article_chunks
from annotator.store.settings import Settings


class BulkReads(Settings, Articles):
    """Reads for exporters, review and statistics, in as few queries as possible."""

    def export_rows(
        self, annotator: str | None = None, suggestions: bool = False, articles: Sequence[str] | None = None
    ) -> Iterator[tuple[Article, str | None, list[Sequence], str, str]]:
        """Rows for exporters: ``(article, annotator, spans, state, last_time)``.

        Each span is a plain list or tuple ``(start, end, label, layer, source, origin, score)``,
        in no particular order (exporters sort). With ``suggestions`` each article comes once with its
        current suggestions (annotator None, origin ``"suggestion"``). Otherwise one row per
        article and annotator that has annotations or a done/skipped state; ``last_time`` is the
        later of its state change and its newest annotation.
        """
        art_sql = "SELECT id, text, title, source, meta FROM articles"
        args: list[Any] = []
        if articles is not None:
            art_sql += f" WHERE id IN ({','.join('?' * len(articles))})"
            args = list(articles)
        art_sql += " ORDER BY rowid"
        cur = self.conn.cursor()
        if suggestions:
            spans_by: dict[str, list] = {}
            for r in self.conn.execute(
                "SELECT article_id, start, \"end\", label, layer, source, 'suggestion', score FROM suggestions"
            ):
                spans_by.setdefault(r[0], []).append(r[1:])
            for r in cur.execute(art_sql, args):
                yield (
                    Article(r[0], r[1], r[2], r[3], json.loads(r[4])),
                    None,
                    spans_by.get(r[0], []),
                    m.TODO,
                    "",
                )
            return
        who_sql = " WHERE annotator = ?" if annotator else ""
        who_args = [annotator] if annotator else []
        # One row per (article, annotator), its spans as one JSON array built by SQLite and
        # decoded by json.loads when the row is yielded: no Python work per span. (Annotations
        # have no score; SQLite's JSON would round a float to 15 digits.)
        groups: dict[tuple[str, str], tuple[str, str]] = {
            (aid, who): (spans, created)
            for aid, who, created, spans in self.conn.execute(
                "SELECT article_id, annotator, max(created_at),"
                ' json_group_array(json_array(start, "end", label, layer, source, origin, NULL))'
                f" FROM annotations{who_sql} GROUP BY article_id, annotator",
                who_args,
            )
        }
        states: dict[tuple[str, str], tuple[str, str]] = {
            (r[0], r[1]): (r[2], r[3])
            for r in self.conn.execute(
                f"SELECT article_id, annotator, state, updated_at FROM article_states{who_sql}", who_args
            )
        }
        by_article: dict[str, set[str]] = {}
        for aid, who in set(groups) | {k for k, v in states.items() if v[0] in (m.DONE, m.SKIPPED)}:
            by_article.setdefault(aid, set()).add(who)
        for r in cur.execute(art_sql, args):
            whos = by_article.get(r[0])
            if not whos:
                continue
            art = Article(r[0], r[1], r[2], r[3], json.loads(r[4]))
            for who in sorted(whos):
                state, at = states.get((r[0], who), (m.IN_PROGRESS, ""))
                spans, created = groups.get((r[0], who), ("[]", ""))
                yield art, who, json.loads(spans), state, max(at, created)

    def article_states(
        self, annotator: str | None = None, articles: Sequence[str] | None = None
    ) -> Iterator[tuple[str, str, str]]:
        """``(article_id, annotator, state)`` of every recorded state (of ``articles`` when given)."""
        sql = "SELECT article_id, annotator, state FROM article_states"
        for where, args in article_chunks(articles):
            if annotator is not None:
                where = (where + " AND" if where else " WHERE") + " annotator = ?"
                args = [*args, annotator]
            yield from self.conn.execute(sql + where, args)

    def stats(self) -> dict[str, Any]:
        """Counts for `annotator stats`: articles, annotators, decisions, spans per label, progress."""
        c = self.conn
        out: dict[str, Any] = {
            "database": str(self.path),
            "articles": self.article_count(),
            "words": c.execute("SELECT coalesce(sum(words), 0) FROM articles").fetchone()[0],
            "suggestions": dict(
                c.execute("SELECT source, count(*) FROM suggestions GROUP BY source").fetchall()
            ),
            "annotators": {},
        }
        for who in self.annotators():
            done, total = self.progress(who)
            out["annotators"][who] = {
                "done": done,
                "total": total,
                "in_progress": c.execute(
                    "SELECT count(*) FROM article_states WHERE annotator = ? AND state = 'in_progress'",
                    (who,),
                ).fetchone()[0],
                "decisions": dict(
                    c.execute(
                        "SELECT status, count(*) FROM decisions WHERE annotator = ? GROUP BY status", (who,)
                    ).fetchall()
                ),
                "actions": c.execute(
                    "SELECT count(*) FROM ledger WHERE annotator = ? AND undone = 0", (who,)
                ).fetchone()[0],
            }
        out["spans"] = {
            f"{layer}:{label}": n
            for layer, label, n in c.execute(
                "SELECT layer, label, count(*) FROM annotations GROUP BY layer, label ORDER BY layer, count(*) DESC"
            )
        }
        return out
