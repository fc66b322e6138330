"""SQLite storage: reads return dataclasses, writes return Changes (see :mod:`annotator.store.store`)."""

from annotator.model import ArticleRow
from annotator.store.bulk_rows import ImportReport
from annotator.store.rows import adjudication_labels
from annotator.store.store import Store

__all__ = ["ArticleRow", "ImportReport", "Store", "adjudication_labels"]
