"""Import beside an open window: short transactions, all or nothing still.

SQLite has one writer at a time, so an import in one transaction (:class:`BulkImport`, ~6 s
for 20,000 news articles) holds every decision of a window on the same database until it is
done. When a window has the database open (:func:`annotator.store.presence.anyone_open`) an
import writes through :class:`SharedImport` instead:

- the files are read, and where their documents go found (reads only), outside any write;
- the labels they need come first, then the rows of the documents that add articles, in
  transactions sized to take about :data:`TARGET_S` each (the indexes kept: dropping them
  would make every read of the window scan), with the next one's rows made between them, so
  that a window waiting for the lock (:func:`~annotator.store.write_lock.try_write` polls for
  it) gets it within one of them;
- the last transaction writes what touches articles that were here before (spans onto them,
  their replaced suggestions: changes the run could not take back), the ledger, and ends the
  run's record (:class:`~annotator.store.import_runs.ImportRun`). An error or a stop before it
  deletes what the run wrote; a run killed outright is taken back by the next import or window.

The rows are those :class:`BulkImport` writes, made by its own code; only the order differs:
the documents onto articles here come after the others (as their own ids do).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from annotator import model as m
from annotator.errors import AnnotatorError, Cancelled
from annotator.model import Changes
from annotator.store.bulk import _ANSWER, BulkImport
from annotator.store.bulk_articles import place
from annotator.store.bulk_rows import ImportReport
from annotator.store.bulk_spans import SpanRows
from annotator.store.import_runs import TABLES, ImportRun, Undone, marks

# Each transaction of the new articles takes about this long (the window waits at most one).
TARGET_S = 0.02
FIRST_ROWS = 1_000  # rows in the first transaction, then sized from how long they took
MIN_ROWS, MAX_ROWS = 100, 50_000
# After each transaction: long enough for a writer polling every millisecond to take the lock.
GAP_S = 0.002

# While the run writes its short transactions (as they were again after it): the pages of
# the indexes stay in memory between them, and a transaction's end does not wait for the disk
# (a crash may lose the last ones: the run is then unfinished, and taken back). The last
# transaction, the one that makes the import count, waits for the disk as every write does.
RUN_PRAGMAS = {"synchronous": "NORMAL", "cache_size": "-65536", "wal_autocheckpoint": "1000"}

Cancel = Callable[[], bool] | None


class _FileImport(BulkImport):
    """One file's documents: :meth:`write_new` in short transactions, :meth:`write_rest` in
    the run's last one."""

    def __init__(self, store, run: ImportRun, docs: Sequence[m.ImportedDoc], annotator: str | None, **kw):
        super().__init__(store.conn, docs, annotator, **kw)
        self.store = store
        self.run = run
        self.rows = FIRST_ROWS
        self.later: list[int] = []
        self.spans: SpanRows | None = None

    def write_new(self, cancelled: Cancel = None) -> None:
        """Outside any transaction: the labels, then the documents that add articles."""
        report = self.report
        self.docs, self.placed = place(self.c, self.docs, report)
        report.articles_added = len(self.placed.new)
        here = self.placed.existing
        self.later = [k for k, aid in enumerate(self.placed.ids) if aid in here]
        order = self._labels_to_create()
        if order:
            self._commit(lambda: [self.labels.need(layer, name) for name, layer in order.items()])
        spans = self.spans = SpanRows(
            self.labels, self.pending, report, self.default, self.stamp, self._repeats()
        )
        pending = self.pending
        for k, aid in enumerate(self.placed.ids):
            if aid in here:
                continue
            self._add_doc(k, spans)
            if pending.size() >= self.rows:
                self._commit(self._flush)
                if cancelled is not None and cancelled():
                    raise Cancelled("import cancelled; what it had written is removed again")
        if pending.size() or pending.states:
            self._commit(self._flush)

    def _labels_to_create(self) -> dict[str, str]:
        """Label name -> layer of each label the documents need and the database lacks, in the
        order the one-transaction import meets them (a label is made on the layer of its first
        span or suggestion; after that every span of it goes to a layer it has)."""
        seen = set(self.labels.layers)
        order: dict[str, str] = {}
        for d in self.docs:
            if {s[2] for s in d.spans}.issubset(seen) and {g.label for g in d.suggestions}.issubset(seen):
                continue
            for name, layer in [(s[2], s[3]) for s in d.spans] + [(g.label, g.layer) for g in d.suggestions]:
                if name not in seen:
                    seen.add(name)
                    order[name] = layer
        return order

    def _commit(self, write: Callable[[], object]) -> None:
        """Run ``write`` in a transaction of its own that records what it added to the run."""
        c = self.c
        with self.store.transaction():
            t0 = time.perf_counter()
            before = marks(c, TABLES)
            write()
            self.run.record(c, before)
        took = time.perf_counter() - t0
        self.rows = int(
            min(MAX_ROWS, max(MIN_ROWS, self.rows * min(2.0, max(0.5, TARGET_S / max(took, 1e-4)))))
        )
        time.sleep(GAP_S)

    def write_rest(self) -> ImportReport:
        """Inside the run's last transaction: the documents onto articles here, the ledger."""
        report, spans = self.report, self.spans
        assert spans is not None, "write_new first"
        self._replace_suggestions_of(self.later)
        for k in self.later:
            self._add_doc(k, spans)
            if self.pending.size() >= self.rows:
                self._flush()
        self._flush()
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

    def _replace_suggestions_of(self, positions: list[int]) -> None:
        """:meth:`BulkImport._replace_suggestions` for the documents at ``positions``."""
        pairs: set[tuple[str, str]] = set()
        for k in positions:
            aid, d = self.placed.ids[k], self.docs[k]
            pairs.update((aid, g.source) for g in d.suggestions)
            if d.spans and "reject" in map(_ANSWER, d.spans):
                pairs.add((aid, "import"))
        self.c.executemany("DELETE FROM suggestions WHERE article_id = ? AND source = ?", sorted(pairs))


class _Refused(Exception):
    """Raised inside the last transaction to roll it back."""


class SharedImport:
    """Files imported in short transactions, all of them or none (see the module).

    :meth:`start`, then :meth:`add` per file (its new articles are written at once), then
    :meth:`finish`; on any error or stop, :meth:`abort`.
    """

    def __init__(self, store, description: str = ""):
        self.store = store
        self.run = ImportRun(store, description)
        self.files: list[_FileImport] = []
        self._pragmas: dict[str, object] = {}

    def start(self) -> list[str]:
        """Record the run; what cleaning up after imports that died midway did."""
        self.run.start()
        c = self.store.conn
        self._pragmas = {k: c.execute(f"PRAGMA {k}").fetchone()[0] for k in RUN_PRAGMAS}
        for k, v in RUN_PRAGMAS.items():
            c.execute(f"PRAGMA {k} = {v}")
        return self.run.notes

    def _restore(self) -> None:
        c = self.store.conn
        for k, v in self._pragmas.items():
            c.execute(f"PRAGMA {k} = {v}")
        self._pragmas = {}

    def add(
        self,
        docs: Sequence[m.ImportedDoc],
        annotator: str | None = None,
        *,
        description: str = "",
        done: bool = True,
        cancelled: Cancel = None,
    ) -> ImportReport:
        """Write the documents' new articles now; the rest waits for :meth:`finish`.

        Returns the file's report (complete once :meth:`finish` has committed). Raises as
        :meth:`Store.import_docs <annotator.store.Store.import_docs>` does; what was written
        stays until :meth:`abort`.
        """
        f = _FileImport(self.store, self.run, docs, annotator, description=description, done=done)
        self.files.append(f)
        f.write_new(cancelled)
        return f.report

    def finish(self) -> list[Exception | None]:
        """The last transaction: every file's rest, and the run's end. Per file the error
        that stopped it (any: nothing of this transaction was written; :meth:`abort` next)."""
        errors: list[Exception | None] = [None] * len(self.files)
        self._restore()
        try:
            with self.store.transaction() as s:
                for i, f in enumerate(self.files):
                    try:
                        with s.transaction():  # a savepoint: one file's error is its own
                            f.write_rest()
                    except (AnnotatorError, UnicodeEncodeError, RecursionError) as e:
                        errors[i] = e
                if any(e is not None for e in errors):
                    raise _Refused  # rolls the transaction back
                self.run.finish(s.conn)
        except _Refused:
            return errors
        self.run.release()
        return errors

    def abort(self) -> Undone | None:
        """Delete what the run wrote."""
        self._restore()
        return self.run.abort()


__all__ = ["SharedImport"]
