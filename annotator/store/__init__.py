"""SQLite storage through sqlite-utils: reads return dataclasses, writes return Changes."""

from annotator.store.store import ArticleRow, ImportReport, Store

__all__ = ["ArticleRow", "ImportReport", "Store"]
