"""Bulk import: parsed documents written in one transaction, all of them or nothing.

:class:`BulkImport` is one call of :meth:`Store.import_docs <annotator.store.Store.import_docs>`.
It first finds where every document goes (:mod:`~annotator.store.bulk_articles`: articles
here, twins, near duplicates), then walks the documents once, turning their spans into rows
(:mod:`~annotator.store.bulk_spans`) and writing them in chunks, so memory does not grow
with the file; the transaction makes the chunks one write. Last come one ledger row per
annotator and the import's report.

An import that more than doubles the spans here (a first import, most often) writes them with
the indexes of their table dropped and builds them again at the end, in one sort: inserting
into the two indexes row by row cost as much as the rows themselves.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Sequence
from operator import countOf, itemgetter

from annotator import model as m
from annotator.model import Changes
from annotator.store.bulk_articles import Placed, article_row, place
from annotator.store.bulk_rows import ANNOTATION_WIDTH, ImportReport, Pending, insert_rows, insert_values
from annotator.store.bulk_spans import ImportLabels, SpanRows
from annotator.store.rows import now, to_json

# Rows queued before they are written (about 10 MB of Python objects).
_FLUSH_ROWS = 50_000
# An import this small writes into the indexes as they are: rebuilding them costs more.
_REBUILD_MIN_ROWS = 20_000
_ANSWER = itemgetter(5)


class BulkImport:
    """Write ``docs`` through ``conn``, inside the caller's transaction.

    Parameters
    ----------
    conn
        The store's connection, in a write transaction.
    docs
        The parsed documents, in file order.
    annotator
        Who made the spans the file does not attribute (None: such spans are an error).
    description
        What was imported (``format:path``), kept in the ledger.
    done
        Mark the articles the file says an annotator completed as done for them.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        docs: Sequence[m.ImportedDoc],
        annotator: str | None = None,
        *,
        description: str = "",
        done: bool = True,
    ):
        self.c = conn
        self.docs = list(docs)
        self.default = annotator.strip() if annotator and annotator.strip() else None
        self.description = description
        self.done = done
        self.report = ImportReport()
        self.stamp = now()
        self.pending = Pending()
        self.labels = ImportLabels(conn, self.report)
        self.placed = Placed([], set(), {})
        self.suggestions_written = 0  # rejected spans included
        self.states_written = 0

    def run(self) -> ImportReport:
        """Write everything; returns what was written (raises, writing nothing, on any error)."""
        report = self.report
        self.docs, self.placed = place(self.c, self.docs, report)
        report.articles_added = len(self.placed.new)
        self._replace_suggestions()
        rebuild = self._indexes_to_rebuild()
        spans = SpanRows(self.labels, self.pending, report, self.default, self.stamp, self._repeats())
        for k in range(len(self.docs)):
            self._add_doc(k, spans)
            if self.pending.size() >= _FLUSH_ROWS:
                self._flush()
        self._flush()
        if rebuild:
            # SQLite sorts an index's rows on helper threads when allowed (0.69 -> 0.53 s for
            # the two annotation indexes of 590,000 spans here); off again afterwards.
            self.c.execute(f"PRAGMA threads = {min(4, os.cpu_count() or 1)}")
            try:
                for sql in rebuild:
                    self.c.execute(sql)
            finally:
                self.c.execute("PRAGMA threads = 0")
        self._write_ledger(spans.per_annotator)
        report.suggestions = self.suggestions_written - report.rejections
        report.changes = Changes(
            articles=frozenset(self.placed.ids),
            labels=bool(report.labels_created),
            spans=bool(report.annotations or self.suggestions_written),
            states=bool(self.states_written),
            counts=(("annotations", report.annotations), ("articles_added", report.articles_added)),
        )
        return report

    # -- before the first row --------------------------------------------------------------------

    def _replace_suggestions(self) -> None:
        """Drop what an earlier import of the same source said about these articles.

        All of it before the first suggestion is written, as the ids of new rows follow the
        largest one left.
        """
        if self.c.execute("SELECT 1 FROM suggestions LIMIT 1").fetchone() is None:
            return
        pairs: set[tuple[str, str]] = set()
        for aid, d in zip(self.placed.ids, self.docs, strict=True):
            pairs.update((aid, g.source) for g in d.suggestions)
            if d.spans and "reject" in map(_ANSWER, d.spans):
                pairs.add((aid, "import"))
        self.c.executemany("DELETE FROM suggestions WHERE article_id = ? AND source = ?", sorted(pairs))

    def _indexes_to_rebuild(self) -> list[str]:
        """Drop the indexes of the tables this import at least doubles; returns how to make them.

        Only when no document adds spans to an article here: those are checked against the
        spans the article has, read through the index.
        """
        placed, docs = self.placed, self.docs
        spans = sum(len(d.spans) for d in docs)
        rejected = sum(countOf(map(_ANSWER, d.spans), "reject") for d in docs if d.spans)
        suggestions = rejected + sum(len(d.suggestions) for d in docs)
        if any(d.spans and placed.ids[k] in placed.existing for k, d in enumerate(docs)):
            spans = 0
        rebuild = []
        for table, rows in (("annotations", spans - rejected), ("suggestions", suggestions)):
            there = self.c.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
            if rows >= max(_REBUILD_MIN_ROWS, there):
                rebuild += self._drop_indexes(table)
        return rebuild

    def _drop_indexes(self, table: str) -> list[str]:
        indexes = self.c.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
            " ORDER BY rowid",
            (table,),
        ).fetchall()
        for name, _ in indexes:
            self.c.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in indexes]

    def _repeats(self) -> set[tuple[str, str]]:
        """The (article, annotator) pairs with spans in more than one document of the file."""
        ids = self.placed.ids
        twice = {
            aid for aid, n in Counter(ids[k] for k, d in enumerate(self.docs) if d.spans).items() if n > 1
        }
        if not twice:
            return set()
        pairs: Counter[tuple[str, str]] = Counter()
        for k, d in enumerate(self.docs):
            if d.spans and ids[k] in twice:
                pairs.update((ids[k], who) for who in {s.annotator or self.default for s in d.spans} - {None})
        return {pair for pair, n in pairs.items() if n > 1}

    # -- each document ---------------------------------------------------------------------------

    def _add_doc(self, k: int, spans: SpanRows) -> None:
        """Queue the rows of one document: its article, spans, suggestions and done states."""
        d, aid, placed, pending = self.docs[k], self.placed.ids[k], self.placed, self.pending
        norm = placed.new.get(k)
        if norm is not None:
            pending.articles.append(article_row(aid, norm, d, self.stamp))
        if d.spans:
            if aid in placed.existing or aid in spans.seen or not spans.add_new(aid, d):
                spans.add_checked(aid, d, self._taken_here)
            spans.seen.add(aid)
        for g in d.suggestions:
            layer = self.labels.layer_for(g.layer, g.label)
            self.labels.need(layer, g.label)
            pending.suggestions.append((aid, layer, g.start, g.end, g.label, g.source, g.score))
        if self.done:
            for who in d.annotators:
                who = who or self.default
                if who:
                    self.report.annotators.add(who)
                    pending.states.append((aid, who, m.DONE, self.stamp))

    def _taken_here(self, aid: str, who: str) -> list[tuple] | None:
        """The spans ``who`` has on an article that was here before the import (None if new)."""
        if aid not in self.placed.existing:
            return None
        return self.c.execute(
            'SELECT start, "end", label, layer FROM annotations WHERE article_id = ? AND annotator = ?',
            (aid, who),
        ).fetchall()

    # -- writing ---------------------------------------------------------------------------------

    def _flush(self) -> None:
        c, p = self.c, self.pending
        insert_rows(
            c,
            "INSERT OR IGNORE INTO articles(id, norm_id, title, text, source, meta, words, created_at) VALUES ",
            "(?, ?, ?, ?, ?, ?, ?, ?)",
            p.articles,
        )
        insert_rows(
            c,
            'INSERT INTO suggestions(article_id, layer, start, "end", label, source, score) VALUES ',
            "(?, ?, ?, ?, ?, ?, ?)",
            p.suggestions,
        )
        # Every annotation an import makes has the same origin and no source: two parameters
        # fewer per row, a sixth of the time of the insert.
        insert_values(
            c,
            'INSERT INTO annotations(article_id, annotator, layer, start, "end", label, origin, source, created_at)'
            " VALUES ",
            f"(?, ?, ?, ?, ?, ?, '{m.ORIGIN_IMPORTED}', NULL, ?)",
            p.annotations,
            ANNOTATION_WIDTH,
        )
        insert_rows(
            c,
            'INSERT OR REPLACE INTO decisions(article_id, annotator, layer, start, "end", label, source, status,'
            " annotation_id, decided_at) VALUES ",
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            p.decisions,
        )
        insert_rows(
            c,
            "INSERT INTO article_states(article_id, annotator, state, updated_at) VALUES ",
            "(?, ?, ?, ?)",
            p.states,
            " ON CONFLICT(article_id, annotator) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
            " WHERE article_states.state IN ('todo', 'in_progress')",
        )
        self.report.annotations += p.annotation_count()
        self.suggestions_written += len(p.suggestions)
        self.states_written += len(p.states)
        p.clear()

    def _write_ledger(self, per_annotator: dict[str, int]) -> None:
        for who in sorted(self.report.annotators):
            self.c.execute(
                "INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (who, self.stamp)
            )
            self.c.execute(
                "INSERT INTO ledger(annotator, article_id, kind, at, detail) VALUES (?, NULL, 'import', ?, ?)",
                (who, self.stamp, to_json({"from": self.description, "spans": per_annotator.get(who, 0)})),
            )
