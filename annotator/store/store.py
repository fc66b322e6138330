"""The store: articles, labels, suggestions, annotations and the decision ledger in one SQLite file.

Every public write is one transaction and returns a :class:`~annotator.model.Changes` summary;
when the call returns the decision is on disk (WAL, ``synchronous=FULL``). Reads return frozen
dataclasses from :mod:`annotator.model`. Nothing here imports Qt.

:class:`Store` is composed of one mixin per concern, each in its own module over
:class:`~annotator.store.connection.Connection` (opening and transactions):

- :mod:`~annotator.store.settings`: settings and annotator names;
- :mod:`~annotator.store.articles` and :mod:`~annotator.store.labels`;
- :mod:`~annotator.store.suggestions` and :mod:`~annotator.store.annotations`;
- :mod:`~annotator.store.ledger` (the action machinery, undo and redo),
  :mod:`~annotator.store.decisions` (the annotator's actions) and
  :mod:`~annotator.store.gold` (the reviewer's);
- :mod:`~annotator.store.bulk` (import, a class of its own) and
  :mod:`~annotator.store.bulk_reads` (export rows, states, statistics);
- :mod:`~annotator.store.tokens` (the token boundary cache).

Row mapping shared by all of them is in :mod:`~annotator.store.rows`.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator import model as m
from annotator.model import ArticleRow
from annotator.store.bulk import BulkImport
from annotator.store.bulk_reads import BulkReads
from annotator.store.bulk_rows import ImportReport
from annotator.store.decisions import Decisions
from annotator.store.gold import Gold
from annotator.store.rows import adjudication_labels, now
from annotator.store.settings import Settings
from annotator.store.tokens import TokenCache

__all__ = ["ArticleRow", "ImportReport", "Store", "adjudication_labels", "now"]


class Store(Gold, Decisions, BulkReads, TokenCache, Settings):
    """One annotator database.

    Parameters
    ----------
    path
        The SQLite file. Created (with the schema) when it does not exist.
    verify
        ``"now"`` (the default) runs ``PRAGMA quick_check`` over the whole file before anything
        else. ``"background"`` (for the window: the check reads every page, about 2 s for
        100,000 articles) only checks that the file is an annotator database, then runs the
        full check on its own read-only connection in a thread: reads go on meanwhile, and the
        first write waits for the verdict and raises :class:`StoreError` if the file is
        damaged, so a damaged file is still never written. A file that needs a schema upgrade
        or is not yet in WAL mode is always checked first.
    read_only
        Open an existing file for reading only (on read-only media too); every write raises
        :class:`StoreError`. A file that cannot be written (read-only media, no permission to
        write it or its folder) is always opened so.

    Raises
    ------
    NewerDatabaseError
        The file was written by a newer version of annotator; it is not touched.
    StoreError
        The file is not a database, is corrupt, or cannot be opened.
    """

    def import_docs(
        self,
        docs: Sequence[m.ImportedDoc],
        annotator: str | None = None,
        *,
        description: str = "",
        done: bool = True,
    ) -> ImportReport:
        """Write parsed documents in ONE transaction: all of them or, on any error, nothing.

        Spans become annotations (origin ``imported``) of the annotator the file names, else of
        ``annotator``; rejected spans become rejected suggestions (negative examples);
        predictions become suggestions. Unknown labels are created. Re-importing is a no-op.
        Articles an annotator completed in the file are marked done for them when ``done``.
        A document whose text differs only in line endings or Unicode normalisation from an
        article here goes onto that article, its offsets mapped (``report.twins``).
        """
        with self._write() as c:
            return BulkImport(c, docs, annotator, description=description, done=done).run()
