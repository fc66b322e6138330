"""The window's one link to the core: a Store, the annotator's name and the open article.

Every write goes through here, is durable when the call returns, and is announced once through
:attr:`Session.changed` with a :class:`~annotator.model.Changes` summary; widgets refresh from
that one signal (no web of ad-hoc signals). Errors from the core propagate as
:class:`~annotator.errors.AnnotatorError` for the caller to present.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from annotator.model import Changes, Span
from annotator.store import Store


class Session(QObject):
    """The open database, who is annotating and which article is open.

    Parameters
    ----------
    store
        An open :class:`~annotator.store.Store`; the session owns it from now on.
    annotator
        The annotator's name; decisions are recorded under it.
    """

    changed = Signal(object)  # Changes
    article_changed = Signal(str)  # id of the newly opened article ("" when none)
    annotator_changed = Signal(str)
    store_changed = Signal()  # a different database was opened

    def __init__(self, store: Store, annotator: str, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self._annotator = annotator
        self._article_id: str | None = None
        store.add_annotator(annotator)

    # -- who, where, what ------------------------------------------------------------------------

    @property
    def annotator(self) -> str:
        return self._annotator

    def set_annotator(self, name: str) -> None:
        """Switch who is annotating (the name is remembered in the database)."""
        self.store.add_annotator(name)
        self._annotator = name.strip()
        self.store.set_setting("last_annotator", self._annotator)
        self.annotator_changed.emit(self._annotator)
        self.changed.emit(Changes(spans=True, states=True))

    @property
    def article_id(self) -> str | None:
        return self._article_id

    def open_article(self, article_id: str | None) -> None:
        """Make ``article_id`` the open article (None closes it)."""
        if article_id == self._article_id:
            return
        self._article_id = article_id
        self.article_changed.emit(article_id or "")

    def open_store(self, store: Store) -> None:
        """Switch to another database; the old one is closed."""
        old = self.store
        self.store = store
        store.add_annotator(self._annotator)
        self._article_id = None
        old.close()
        self.store_changed.emit()
        self.article_changed.emit("")

    @property
    def db_path(self) -> Path:
        return self.store.path

    # -- decisions: one call, one transaction, one signal -------------------------------------

    def _emit(self, changes: Changes) -> Changes:
        self.changed.emit(changes)
        return changes

    def accept(self, suggestion_id: int) -> Changes:
        return self._emit(self.store.accept(self._annotator, suggestion_id))

    def reject(self, suggestion_id: int) -> Changes:
        return self._emit(self.store.reject(self._annotator, suggestion_id))

    def correct(
        self, suggestion_id: int, start: int | None = None, end: int | None = None, label: str | None = None
    ) -> Changes:
        return self._emit(self.store.correct(self._annotator, suggestion_id, start, end, label))

    def accept_all(self) -> Changes:
        if self._article_id is None:
            return Changes()
        return self._emit(self.store.accept_all(self._annotator, self._article_id))

    def add_span(self, span: Span) -> Changes:
        if self._article_id is None:
            return Changes()
        return self._emit(self.store.add_span(self._annotator, self._article_id, span))

    def update_span(
        self, annotation_id: int, start: int | None = None, end: int | None = None, label: str | None = None
    ) -> Changes:
        return self._emit(self.store.update_span(self._annotator, annotation_id, start, end, label))

    def delete_span(self, annotation_id: int) -> Changes:
        return self._emit(self.store.delete_span(self._annotator, annotation_id))

    def set_state(self, state: str, article_id: str | None = None) -> Changes:
        target = article_id or self._article_id
        if target is None:
            return Changes()
        return self._emit(self.store.set_state(self._annotator, target, state))

    def undo(self) -> Changes:
        return self._emit(self.store.undo(self._annotator))

    def redo(self) -> Changes:
        return self._emit(self.store.redo(self._annotator))

    def notify(self, changes: Changes) -> None:
        """Announce changes made elsewhere (a background import or suggest that finished)."""
        self._emit(changes)
