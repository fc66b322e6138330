"""The window's one link to the core: a Store, the annotator's name and the open article.

Every write goes through here, is durable when the call returns, and is announced once through
:attr:`Session.changed` with a :class:`~annotator.model.Changes` summary; widgets refresh from
that one signal (no web of ad-hoc signals). Errors from the core propagate as
:class:`~annotator.errors.AnnotatorError` for the caller to present.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from annotator import model as m
from annotator.errors import StoreError
from annotator.model import Changes, Span, SpanUpdate
from annotator.store import Store, presence, scope
from annotator.store.backup import same_file
from annotator.store.import_runs import clean_unfinished
from annotator.ui.label_filter import LabelFilter
from annotator.ui.write_wait import write_when_free

T = TypeVar("T")


class Session(QObject):
    """The open database, who is annotating and which article is open.

    Parameters
    ----------
    store
        An open :class:`~annotator.store.Store`; the session owns it from now on.
    annotator
        The annotator's name; decisions are recorded under it.

    Attributes
    ----------
    label_filter : LabelFilter
        Which labels are in the project's scope and which the View menu shows; every widget
        showing spans follows it.
    cleanup_notes : list[str]
        What taking back imports that died midway did when the database was opened (the
        window shows them).

    While the session has a database open it says so to other programs
    (:func:`annotator.store.presence.hold_open`): an ``annotator import`` then writes in short
    transactions, between the window's decisions, instead of holding the database for all of
    its run.
    """

    changed = Signal(object)  # Changes
    article_changed = Signal(str)  # id of the newly opened article ("" when none)
    annotator_changed = Signal(str)
    store_changed = Signal()  # a different database was opened
    # The database file was deleted, moved or replaced (the message says so): writes are refused.
    database_lost = Signal(str)
    # A write waits for another program's write lock (True), or no longer does (False).
    write_waiting = Signal(bool)

    def __init__(self, store: Store, annotator: str, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self._annotator = annotator
        self._article_id: str | None = None
        # The opened article's spans, read once while article_changed is delivered (the view
        # and the span list both need them): (article id, annotator) -> (suggestions, annotations).
        self._opening: dict | None = None
        self._lost: str | None = None
        self._waits = 0  # writes waiting for another program's lock (one may run inside another's wait)
        same_file(store)  # its file's identity, from now on checked before every write
        self._present = self._be_present(store)
        self.cleanup_notes = self._clean_up(store)
        self.label_filter = LabelFilter(store)
        store.add_annotator(annotator)

    # -- who, where, what ------------------------------------------------------------------------

    @property
    def annotator(self) -> str:
        return self._annotator

    def set_annotator(self, name: str) -> None:
        """Switch who is annotating (the name is remembered in the database)."""

        def remember() -> None:
            self.store.add_annotator(name)
            self.store.set_setting("last_annotator", name.strip())

        self.write(remember)
        self._annotator = name.strip()
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
        self._opening = {}
        try:
            self.article_changed.emit(article_id or "")
        finally:
            self._opening = None

    def article_spans(self, article_id: str) -> tuple[list, list]:
        """``(suggestions, annotations)`` of the annotator on ``article_id``, from the store.

        The suggestions are :class:`~annotator.model.SuggestionRow` tuples (cheaper to read).
        Only the labels the window shows (:attr:`label_filter`) are read.

        While an article is being opened every widget gets the same read (the view and the span
        list would each read every suggestion of the article); at any other time this reads
        the store.
        """
        key = (article_id, self._annotator)
        if self._opening is not None and key in self._opening:
            return self._opening[key]
        keep = self.label_filter.keep
        got = (
            keep(self.store.suggestion_rows(article_id, self._annotator)),
            keep(self.store.annotations(article_id, self._annotator)),
        )
        if self._opening is not None:
            self._opening[key] = got
        return got

    def open_store(self, store: Store) -> None:
        """Switch to another database; the old one is closed."""
        old = self.store
        self.store = store
        self._lost = None
        same_file(store)
        if self._present is not None:
            self._present.release()
        self._present = self._be_present(store)
        self.cleanup_notes = self._clean_up(store)
        store.add_annotator(self._annotator)
        self.label_filter.reload(store)
        self._article_id = None
        old.close()
        self.store_changed.emit()
        self.article_changed.emit("")

    @property
    def db_path(self) -> Path:
        return self.store.path

    @staticmethod
    def _be_present(store: Store) -> presence.Held | None:
        return None if store.read_only else presence.hold_open(store.path)

    @staticmethod
    def _clean_up(store: Store) -> list[str]:
        try:
            return clean_unfinished(store)
        except StoreError as e:  # the window opens anyway; the next import tries again
            return [f"an import that did not finish could not be taken back yet: {e}"]

    # -- the file, and writes that wait without freezing the window ----------------------------

    @property
    def lost_reason(self) -> str | None:
        """Why nothing can be written any more (the database file is gone), or None."""
        return self._lost

    def check_file(self) -> bool:
        """True while the database file is the one opened; the first time it is not, say so
        with :attr:`database_lost` (writes are refused from then on)."""
        if self._lost is not None:
            return False
        if same_file(self.store):
            return True
        self._lost = (
            f"The database file {self.db_path} was deleted, moved or replaced while it was open."
            " Nothing more can be saved to it; the work of this session can still be saved to a new file."
        )
        self.database_lost.emit(self._lost)
        return False

    def write(self, write: Callable[[], T]) -> T:
        """Run ``write`` (store calls) in one transaction once the file is checked and the
        write lock is had; its result.

        While another program holds the write lock the window keeps running and
        :attr:`write_waiting` says so (:func:`~annotator.ui.write_wait.write_when_free`).

        Raises
        ------
        StoreError
            The database file is gone (nothing written; :attr:`database_lost` is emitted
            again), or another program held the lock too long.
        """
        said = self._lost is not None
        if not self.check_file():
            if said:  # said again: the user is trying to go on
                self.database_lost.emit(self._lost)
            raise StoreError(f"not saved: the database file {self.db_path} is gone")
        return write_when_free(self.store, write, self._on_write_waiting)

    def _on_write_waiting(self, waiting: bool) -> None:
        # Events run while a write waits, so another write may start and wait inside it:
        # announce the first wait and the end of the last one.
        self._waits += 1 if waiting else -1
        if self._waits == (1 if waiting else 0):
            self.write_waiting.emit(waiting)

    # -- decisions: one call, one transaction, one signal -------------------------------------

    # More ranges than this after one action (accept all, say): cheaper to read the article again.
    MAX_UPDATE_RANGES = 16

    def _emit(self, changes: Changes) -> Changes:
        self.changed.emit(changes)
        return changes

    def _act(self, write: Callable[[], Changes], replayed: int | None = None) -> Changes:
        """Run one ledger action and announce it with the spans it touched in the open article.

        The ledger rows the action wrote (or ``replayed``, for undo and redo) name every span
        it changed; those ranges of the open article are read again here, once, for every
        widget (:class:`~annotator.model.SpanUpdate`), so none of them re-reads the article.
        """

        def marked() -> tuple[int, Changes]:
            return (self.store.ledger_mark() + 1 if replayed is None else replayed), write()

        first, changes = self.write(marked)
        aid = self._article_id
        if (
            aid is not None
            and changes.spans
            and changes.articles == frozenset({aid})
            and changes.update is None
        ):
            try:
                update = self._span_update(aid, first, replayed, undone=changes.count("undone") > 0)
            except Exception:  # noqa: BLE001 - only an optimisation: widgets then read everything
                update = None
            if update is not None:
                changes = Changes(
                    changes.articles, changes.labels, changes.spans, changes.states, changes.counts, update
                )
        return self._emit(changes)

    def _span_update(self, aid: str, first: int, last: int | None, undone: bool = False) -> SpanUpdate | None:
        who = self._annotator
        effects = self.store.effects(first, last)
        if undone:  # replayed backwards: what was before is now
            effects = [(t, a, b) for t, b, a in reversed(effects)]
        rows = [(t, r) for t, b, a in effects for r in (b, a) if r is not None]
        if any(r["article_id"] != aid for _, r in rows):
            return None  # another article changed too (another writer): no shortcut
        touched = [(r["start"], r["end"]) for t, r in rows if t != "state" and r["annotator"] == who]
        ranges: list[tuple[int, int]] = []
        for a, b in sorted(touched):
            if ranges and a <= ranges[-1][1]:
                if b > ranges[-1][1]:
                    ranges[-1] = (ranges[-1][0], b)
            else:
                ranges.append((a, b))
        if len(ranges) > self.MAX_UPDATE_RANGES:
            return None
        suggestions: dict[int, object] = {}
        annotations: dict[int, object] = {}
        for a, b in ranges:
            for s in self.store.suggestion_rows(aid, who, start=a, end=b):
                suggestions[s.id] = s
            for n in self.store.annotations(aid, who, start=a, end=b):
                annotations[n.id] = n
        # The article list's counts, from the same effects: a suggested span with a new decision
        # is no longer pending (and pending again when its decision goes), an annotation added
        # or removed is one more or one less.
        in_scope = self.label_filter.in_scope
        keys = {
            (s.layer, s.start, s.end, s.label) for s in suggestions.values() if in_scope(s.layer, s.label)
        }
        pending = accepted = 0
        state = None
        for t, b, a in effects:
            row = a or b
            if row["annotator"] != who or (b is None) == (a is None):
                continue
            sign = 1 if b is None else -1
            if t == "annotation":
                accepted += sign
            elif t == "decision" and (row["layer"], row["start"], row["end"], row["label"]) in keys:
                pending -= sign
        for t, b, a in effects:
            if t == "state" and (a or b)["annotator"] == who:
                state = a["state"] if a is not None else m.TODO
        keep = self.label_filter.keep
        return SpanUpdate(
            aid,
            who,
            tuple(ranges),
            tuple(keep(suggestions.values())),
            tuple(keep(annotations.values())),
            pending,
            accepted,
            state,
        )

    def accept(self, suggestion_id: int) -> Changes:
        return self._act(lambda: self.store.accept(self._annotator, suggestion_id))

    def reject(self, suggestion_id: int) -> Changes:
        return self._act(lambda: self.store.reject(self._annotator, suggestion_id))

    def correct(
        self, suggestion_id: int, start: int | None = None, end: int | None = None, label: str | None = None
    ) -> Changes:
        return self._act(lambda: self.store.correct(self._annotator, suggestion_id, start, end, label))

    def accept_all(self) -> Changes:
        """Accept every undecided suggestion of the open article that the window shows."""
        if self._article_id is None:
            return Changes()
        aid = self._article_id
        shown = self.label_filter.shown_labels(self.store.labels())
        return self._act(lambda: self.store.accept_all(self._annotator, aid, shown))

    def reject_all(self) -> Changes:
        """Reject every undecided suggestion of the open article that the window shows."""
        if self._article_id is None:
            return Changes()
        aid = self._article_id
        shown = self.label_filter.shown_labels(self.store.labels())
        return self._act(lambda: self.store.reject_all(self._annotator, aid, shown))

    def pending_in_scope(self, article_id: str | None = None) -> int:
        """Undecided suggestions of an article (the open one) in the project's label scope."""
        aid = article_id or self._article_id
        if aid is None:
            return 0
        in_scope = self.label_filter.in_scope
        rows = self.store.suggestion_rows(aid, self._annotator)
        return sum(1 for s in rows if s.status == m.PENDING and in_scope(s.layer, s.label))

    # -- label scope and View toggles ----------------------------------------------------------------

    def set_labels_off(self, off) -> Changes:
        """Make ``off`` (``(layer, name)`` pairs) the labels out of the project's scope."""
        changes = scope.set_labels_off(self.store, off)
        self.label_filter.reload()
        return self._emit(changes)

    def view_filter_changed(self) -> None:
        """Announce that a View toggle changed what is shown (nothing was written)."""
        self._emit(Changes(labels=True))

    def add_span(self, span: Span) -> Changes:
        if self._article_id is None:
            return Changes()
        aid = self._article_id
        return self._act(lambda: self.store.add_span(self._annotator, aid, span))

    def update_span(
        self, annotation_id: int, start: int | None = None, end: int | None = None, label: str | None = None
    ) -> Changes:
        return self._act(lambda: self.store.update_span(self._annotator, annotation_id, start, end, label))

    def delete_span(self, annotation_id: int) -> Changes:
        return self._act(lambda: self.store.delete_span(self._annotator, annotation_id))

    def set_state(self, state: str, article_id: str | None = None) -> Changes:
        target = article_id or self._article_id
        if target is None:
            return Changes()
        return self._act(lambda: self.store.set_state(self._annotator, target, state))

    def replay(self, undo: bool) -> tuple[Changes, dict | None]:
        """Undo (or redo) the annotator's last action (undone last).

        Returns the changes and the ledger action replayed (its ``kind``, ``article_id`` and
        ``detail``), so the caller can say what was undone and show where.
        """
        act = self.store.last_action(self._annotator, undone=not undo)
        write = self.store.undo if undo else self.store.redo
        if act is None:
            return self._emit(self.write(lambda: write(self._annotator))), None  # raises NothingToDo
        return self._act(lambda: write(self._annotator), replayed=act["id"]), act

    def undo(self) -> Changes:
        return self.replay(undo=True)[0]

    def redo(self) -> Changes:
        return self.replay(undo=False)[0]

    def notify(self, changes: Changes) -> None:
        """Announce changes made elsewhere (a background import or suggest that finished)."""
        self._emit(changes)
