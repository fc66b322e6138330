"""Suggestions: what suggesters proposed, each read with one annotator's decision on it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from annotator import model as m
from annotator.errors import NotFoundError
from annotator.model import Changes, Span, SuggestedSpan, Suggestion, SuggestionRow
from annotator.store.articles import Articles


class Suggestions(Articles):
    """Reads and writes of the ``suggestions`` table."""

    def store_suggestions(
        self, results: Iterable[tuple[str, Sequence[SuggestedSpan]]], sources: Iterable[str]
    ) -> Changes:
        """Replace the suggestions of ``sources`` on each given article (one transaction).

        Decisions are keyed by span, not by suggestion row, so they survive re-suggesting.
        """
        sources = list(sources)
        touched: set[str] = set()
        n = 0
        with self._write() as c:
            for aid, spans in results:
                length = self._length(aid)
                if sources:
                    marks = ",".join("?" * len(sources))
                    c.execute(
                        f"DELETE FROM suggestions WHERE article_id = ? AND source IN ({marks})",
                        [aid, *sources],
                    )
                rows = []
                for s in spans:
                    m.check_span(s.start, s.end, s.label, s.layer, length)
                    rows.append((aid, s.layer, s.start, s.end, s.label, s.source, s.score))
                c.executemany(
                    'INSERT INTO suggestions(article_id, layer, start, "end", label, source, score) VALUES (?,?,?,?,?,?,?)',
                    rows,
                )
                n += len(rows)
                touched.add(aid)
        return Changes(articles=frozenset(touched), spans=True, counts=(("suggestions", n),))

    def suggestions(
        self,
        article_id: str,
        annotator: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> list[Suggestion]:
        """Suggestions of an article, each with the status of ``annotator``'s decision on it.

        With ``start`` and ``end``, only those overlapping ``[start, end)`` (a window redrawing
        what one decision touched reads a few rows, not the whole article).
        """
        return [
            Suggestion(r[0], article_id, *r[1:])
            for r in self.suggestion_rows(article_id, annotator, start=start, end=end)
        ]

    def suggestion_rows(
        self,
        article_id: str,
        annotator: str | None = None,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> list[SuggestionRow]:
        """:meth:`suggestions` as :class:`~annotator.model.SuggestionRow` tuples (for the window).

        Same rows in the same order: text order, the same span from two sources folded into one.
        """
        where, args = "", [annotator or "", article_id]
        if start is not None and end is not None:
            where = ' AND g.start < ? AND g."end" > ?'
            args += [end, start]
        # In the order of the index suggestions_by_position, which holds every column read: one
        # scan of it, no sort.
        rows = self.conn.execute(
            f"""
            SELECT g.id, g.layer, g.start, g."end", g.label, g.source, g.score,
              coalesce(d.status, '{m.PENDING}')
            FROM suggestions g LEFT JOIN decisions d ON d.article_id = g.article_id AND d.annotator = ?
              AND d.layer = g.layer AND d.start = g.start AND d."end" = g."end" AND d.label = g.label
            WHERE g.article_id = ?{where} ORDER BY g.start, g."end", g.layer, g.label, g.id
            """,
            args,
        )
        # Read on every open (2,400 rows for 20,000 words), so kept lean: each row becomes the
        # named tuple without a Python call (SuggestionRow._make is one).
        make = tuple.__new__
        out = []
        keep = out.append
        prev = None
        for r in rows:
            key = r[1:5]
            # The same span from two sources is one question for the annotator; rows are sorted
            # by span, so its copies are adjacent and the first (lowest id) is kept.
            if key != prev:
                prev = key
                keep(make(SuggestionRow, r))
        return out

    def suggestion(self, suggestion_id: int) -> Suggestion:
        """One suggestion by its id (:class:`NotFoundError` once a new suggest run replaced it)."""
        row = self.conn.execute(
            'SELECT id, article_id, layer, start, "end", label, source, score FROM suggestions WHERE id = ?',
            (suggestion_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"no suggestion {suggestion_id}; it may have been replaced by a new suggest run"
            )
        return Suggestion(*row)

    def has_suggestions(self) -> bool:
        """Whether any article has a suggestion (cheap, unlike counting them by source)."""
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM suggestions)").fetchone()[0] == 1

    def suggestion_sources(self) -> list[tuple[str, int]]:
        """``(source, count)`` of the suggestions, by source."""
        return self.conn.execute(
            "SELECT source, count(*) FROM suggestions GROUP BY source ORDER BY source"
        ).fetchall()

    def suggestion_spans(self) -> Iterator[tuple[str, Span]]:
        """``(article_id, span)`` of every current suggestion (for the model as a pseudo-annotator)."""
        for r in self.conn.execute(
            "SELECT DISTINCT article_id, layer, start, \"end\", label FROM suggestions WHERE source != 'import'"
        ):
            yield r[0], Span(r[2], r[3], r[4], r[1])
