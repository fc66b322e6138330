"""Annotations: the spans each annotator (and the gold set) has, as objects or plain rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from annotator.errors import NotFoundError
from annotator.model import Annotation, Span
from annotator.store.connection import Connection
from annotator.store.rows import article_chunks


class Annotations(Connection):
    """Reads of the ``annotations`` table (the ledger writes it, see :mod:`annotator.store.decisions`)."""

    def annotations(
        self, article_id: str, annotator: str, *, start: int | None = None, end: int | None = None
    ) -> list[Annotation]:
        """The annotator's spans on an article (only those overlapping ``[start, end)`` when given)."""
        where, args = "", [article_id, annotator]
        if start is not None and end is not None:
            where = ' AND start < ? AND "end" > ?'
            args += [end, start]
        rows = self.conn.execute(
            'SELECT id, article_id, annotator, layer, start, "end", label, origin, source FROM annotations'
            f' WHERE article_id = ? AND annotator = ?{where} ORDER BY start, "end", layer, label',
            args,
        ).fetchall()
        return [Annotation(*r) for r in rows]

    def annotation(self, annotation_id: int) -> Annotation:
        """One span by its id (:class:`NotFoundError` when it is gone)."""
        row = self.conn.execute(
            'SELECT id, article_id, annotator, layer, start, "end", label, origin, source FROM annotations WHERE id = ?',
            (annotation_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no span {annotation_id}; it may have been deleted")
        return Annotation(*row)

    def all_annotations(self, annotator: str | None = None) -> Iterator[Annotation]:
        """Every span (of ``annotator`` when given), by article, annotator and start."""
        sql = 'SELECT id, article_id, annotator, layer, start, "end", label, origin, source FROM annotations'
        args: list[Any] = []
        if annotator is not None:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        sql += " ORDER BY article_id, annotator, start"
        for r in self.conn.execute(sql, args):
            yield Annotation(*r)

    def annotation_spans(self, articles: Sequence[str] | None = None) -> Iterator[tuple[str, str, Span]]:
        """``(article_id, annotator, span)`` of every annotation (of ``articles`` when given).

        For the review functions, which read every span of every annotator: no Annotation
        object per row (they made ``annotator agreement`` spend half its time reading).
        """
        sql = 'SELECT article_id, annotator, layer, start, "end", label FROM annotations'
        for where, args in article_chunks(articles):
            for aid, who, layer, start, end, label in self.conn.execute(
                sql + where + " ORDER BY article_id, annotator", args
            ):
                yield aid, who, Span(start, end, label, layer)

    def annotation_rows(
        self, articles: Sequence[str] | None = None
    ) -> list[tuple[str, str, str, int, int, str]]:
        """``(article_id, annotator, layer, start, end, label)`` of every annotation, as plain rows.

        The order of :meth:`annotation_spans`, without a Span per row: agreement over thousands
        of articles spent more time making them than measuring.
        """
        sql = 'SELECT article_id, annotator, layer, start, "end", label FROM annotations'
        rows: list[tuple[str, str, str, int, int, str]] = []
        for where, args in article_chunks(articles):
            rows.extend(self.conn.execute(sql + where + " ORDER BY article_id, annotator", args))
        return rows
