"""SQLite storage through sqlite-utils: reads return dataclasses, writes return Changes."""

from annotator.store.store import ArticleRow, ImportReport, Store, adjudication_labels

__all__ = ["ArticleRow", "ImportReport", "Store", "adjudication_labels"]
