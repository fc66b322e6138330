"""Review mode: settle the annotators' disagreements into gold, one key per decision.

The reviewer is the session's annotator. Opening an article puts the spans every annotator
agrees on into gold (one undoable action); each open disagreement is then shown with the
article text, its region marked, and every annotator's version side by side. Annotators are
told apart by a number (the key that takes their version), a line style and a colour, shown
in a legend, so colour is never the only cue. Every choice goes through
:func:`annotator.ops.settle`; the window never writes SQL.

The full queue is computed in a worker (it reads every annotation); after a decision only the
articles named in the :class:`~annotator.model.Changes` are computed again, on the GUI thread.

The pieces: :mod:`~annotator.ui.review_styles` (who is drawn how),
:mod:`~annotator.ui.review_models` (the queue's rows and the table models),
:mod:`~annotator.ui.review_text` (the text view and legend), :mod:`~annotator.ui.edit_span_dialog`,
:mod:`~annotator.ui.review_panes` (the layout), :mod:`~annotator.ui.review_keys` (the keys) and
:mod:`~annotator.ui.review_menu` (the main window's Review menu and merge).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from annotator import model as m
from annotator.errors import AnnotatorError
from annotator.model import Changes, Span
from annotator.ui.edit_span_dialog import EditSpanDialog
from annotator.ui.review_keys import is_review_key, review_command
from annotator.ui.review_models import (
    DisagreementListModel,
    GoldListModel,
    QueueRow,
    ReviewQueueModel,
    VersionsModel,
    article_review,
    article_title,
    load_queue,
    queue_row,
)
from annotator.ui.review_panes import FocusPane, QueuePane, keep_sizes
from annotator.ui.review_styles import KIND_TEXT, AnnotatorStyle, annotator_styles
from annotator.ui.worker import run_on_store
from annotator.ui.write_wait import WAITING_TEXT

NOTHING_TO_REVIEW = (
    "Nothing to review here: review compares several annotators' work on the same articles."
    " Bring theirs in with Review > Merge databases…"
)
# Said before any article is opened, as well as after each move (issue 17: no silent gold).
AGREED_NOTICE = "Opening an article puts the spans every annotator agrees on into gold (Ctrl+Z undoes it)."


class ReviewView(QWidget):
    """Review mode: the queue of articles with disagreements and the focused disagreement.

    Keys (the view keeps the keyboard focus; its lists and text only take mouse clicks):
    ``1``–``9`` take annotator N's version, ``B`` take both (issue layer), ``N`` take none,
    ``E`` edit, ``Tab``/``Shift+Tab`` next/previous disagreement, ``Enter`` next article,
    ``Ctrl+Z``/``Ctrl+Shift+Z`` undo/redo the reviewer's last action.

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`; its annotator is the reviewer.
    parent
        Parent widget.
    layer
        Review one layer (``"entity"`` or ``"issue"``) or both (None).

    Signals
    -------
    message(str)
        What was done, or why nothing was (also shown in the view's message line).
    queue_loaded()
        The full queue was computed (in the background) and is shown.
    """

    message = Signal(str)
    queue_loaded = Signal()

    def __init__(self, session, parent: QWidget | None = None, layer: str | None = None):
        super().__init__(parent)
        self.session = session
        self.layer = layer
        self.edit_dialog: EditSpanDialog | None = None
        self._task = None
        self._reload_again = False
        self._article: m.Article | None = None
        self._consensus = None
        self._open: list = []
        self._index = 0
        self._last_row = 0
        self._styles: dict[str, AnnotatorStyle] = {}
        self._syncing = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self._on_session_store_changed)
        session.write_waiting.connect(self._on_session_write_waiting)
        self.reload_queue()
        self._warm_tokenizer()

    # -- building ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.queue_model = ReviewQueueModel(self)
        self.versions_model = VersionsModel(self)
        self.disagreements_model = DisagreementListModel(self)
        self.gold_model = GoldListModel(self)
        left = QueuePane(self.queue_model, self.layer)
        self.queue_view, self.queue_status = left.queue_view, left.queue_status
        self.layer_box = left.layer_box
        right = FocusPane(self.versions_model, self.disagreements_model, self.gold_model)
        self.title_label, self.focus_label, self.legend = right.title_label, right.focus_label, right.legend
        self.text_view, self.versions_view = right.text_view, right.versions_view
        self.disagreements_view, self.gold_view = right.disagreements_view, right.gold_view
        self.message_label = right.message_label
        self.queue_view.clicked.connect(self._on_queue_view_clicked)
        self.layer_box.currentIndexChanged.connect(self._on_layer_box_changed)
        self.disagreements_view.clicked.connect(self._on_disagreements_view_clicked)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([400, 880])
        keep_sizes(split, "review/queue_splitter")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    def _warm_tokenizer(self) -> None:
        # The edit dialog snaps to spaCy tokens; load the tokenizer before the first E.
        from annotator.ui.tasks import run_task

        def work(progress, cancelled):
            from annotator.text import tokenizer

            tokenizer()

        run_task(work)

    # -- state -----------------------------------------------------------------------------------

    @property
    def article(self) -> m.Article | None:
        """The article under review, or None."""
        return self._article

    @property
    def reviewer(self) -> str:
        """Who settles: the session's annotator."""
        return self.session.annotator

    @property
    def focused(self):
        """The disagreement the keys act on, or None."""
        return self._open[self._index] if self._open else None

    def is_loading(self) -> bool:
        """True while the full queue is being computed in the background."""
        return self._task is not None

    # -- the queue -------------------------------------------------------------------------------

    def reload_queue(self) -> None:
        """Compute the whole queue again in the background (the current one stays shown)."""
        if self._task is not None:
            self._reload_again = True
            return
        layer = self.layer
        self.queue_status.setText("computing the queue…")
        self._task = run_on_store(
            self.session,
            lambda store, progress, cancelled: load_queue(store, layer),
            on_result=self._on_task_finished,
            on_error=self._on_task_failed,
        )

    def _on_task_finished(self, rows: list[QueueRow]) -> None:
        self._task = None
        if self._reload_again:
            self._reload_again = False
            self.reload_queue()
            return
        self.queue_model.set_rows(rows)
        self._update_queue_status()
        if self._article is None and rows:  # review starts on the worst article, keys work at once
            self.open_article(rows[0].article_id)
        elif self._article is None:
            self.focus_label.setText(NOTHING_TO_REVIEW)
        self._select_current_in_queue()
        self.queue_loaded.emit()

    def _on_task_failed(self, exc: BaseException) -> None:
        self._task = None
        from annotator.ui.errors import error_message

        self.queue_status.setText(f"the queue could not be computed: {error_message(exc)}")
        self._say(error_message(exc))

    def _update_queue_status(self) -> None:
        rows = self.queue_model.rows()
        if not rows:
            self.queue_status.setText("Nothing to review: every disagreement is settled.")
            return
        total = sum(r.open for r in rows)
        self.queue_status.setText(
            f"{len(rows)} article{'s' * (len(rows) != 1)} with {total} open disagreement{'s' * (total != 1)}."
            f" {AGREED_NOTICE}"
        )

    def _select_current_in_queue(self) -> None:
        self._syncing = True
        try:
            row = self.queue_model.row_of(self._article.id) if self._article else None
            if row is None:
                self.queue_view.clearSelection()
            else:
                self.queue_view.selectRow(row)
                self.queue_view.scrollTo(self.queue_model.index(row, 0))
        finally:
            self._syncing = False

    def _on_queue_view_clicked(self, index: QModelIndex) -> None:
        if not self._syncing and index.isValid():
            self.open_article(self.queue_model.row(index.row()).article_id)

    def _on_layer_box_changed(self, _i: int) -> None:
        self.layer = self.layer_box.currentData()
        self.reload_queue()
        if self._article is not None:
            self._refresh_article(keep=None)

    # -- opening an article ----------------------------------------------------------------------

    def open_article(self, article_id: str) -> None:
        """Review ``article_id``: agreed spans go into gold (undoable), the first open
        disagreement is focused."""
        from annotator import ops

        store = self.session.store
        try:
            article = store.article(article_id)
            added = self.session.write(lambda: ops.add_agreed_gold(store, self.reviewer, [article_id]))
        except AnnotatorError as e:
            self._say(str(e))
            return
        self._article = article
        row = self.queue_model.row_of(article_id)
        if row is not None:
            self._last_row = row
        self._index = 0
        self._consensus = None
        self._refresh_article(keep=None, reset_text=True)
        if added:
            self._say(
                f"{added} span{'s' * (added != 1)} every annotator agrees on went into gold (Ctrl+Z undoes)"
            )
            # Announced after the view is set up, so the handler finds it current.
            self.session.notify(Changes(articles=frozenset({article_id}), spans=True))
        self._select_current_in_queue()
        self.setFocus()

    def _refresh_article(self, keep, reset_text: bool = False) -> None:
        """Read the article's disagreements and gold again; focus ``keep`` (a region key) if open."""
        art = self._article
        if art is None:
            return
        store = self.session.store
        consensus, open_ = article_review(store, art.id, self.layer)
        old_index = self._index
        self._consensus = consensus
        self._open = open_
        names = consensus.annotators if consensus is not None else ()
        styles = annotator_styles(names)
        if reset_text or styles.keys() != self._styles.keys():
            self._styles = styles
            self.legend.set_styles(styles)
            self.text_view.set_text(art.text, lanes=len(styles))
        self.title_label.setText(article_title(art))
        keys = [(d.layer, d.start, d.end) for d in open_]
        if keep is not None and keep in keys:
            self._index = keys.index(keep)
        else:
            self._index = min(old_index, max(0, len(open_) - 1))
        self.disagreements_model.set_disagreements(art.text, open_)
        gold = store.gold_spans(art.id)
        self.gold_model.set_gold(art.text, gold)
        self.text_view.set_gold([(a.start, a.end) for a in gold])
        self.queue_model.update_article(art.id, queue_row(art.id, article_title(art), open_))
        self._update_queue_status()
        self._show_focus()

    def _show_focus(self) -> None:
        d = self.focused
        art = self._article
        self.versions_model.set_disagreement(art.text if art else "", d, self._styles)
        self.text_view.set_focus(d, self._styles)
        self._syncing = True
        try:
            if d is None:
                self.disagreements_view.clearSelection()
            else:
                self.disagreements_view.selectRow(self._index)
        finally:
            self._syncing = False
        if art is None:
            self.focus_label.setText("Pick an article in the queue.")
        elif d is None:
            self.focus_label.setText("Every disagreement in this article is settled. Enter: next article.")
        else:
            self.focus_label.setText(
                f"Disagreement {self._index + 1} of {len(self._open)} · {KIND_TEXT.get(d.kind, d.kind)}"
                f" · {d.layer} · characters {d.start}–{d.end}"
            )

    def _on_disagreements_view_clicked(self, index: QModelIndex) -> None:
        if not self._syncing and index.isValid():
            self._index = index.row()
            self._show_focus()
        self.setFocus()

    # -- session events --------------------------------------------------------------------------

    def _on_session_changed(self, changes: Changes) -> None:
        if not changes.articles:
            if changes.spans or changes.states or not changes.counts:
                self.reload_queue()
            return
        store = self.session.store
        for aid in sorted(changes.articles):
            if self._article is not None and aid == self._article.id:
                continue
            if not store.has_article(aid):
                self.queue_model.update_article(aid, None)
                continue
            _consensus, open_ = article_review(store, aid, self.layer)
            self.queue_model.update_article(aid, queue_row(aid, article_title(store.article(aid)), open_))
        if self._article is not None and self._article.id in changes.articles:
            f = self.focused
            self._refresh_article(keep=(f.layer, f.start, f.end) if f else None)
        self._update_queue_status()
        self._select_current_in_queue()

    def _on_session_store_changed(self) -> None:
        self._article = None
        self._open = []
        self._consensus = None
        self.title_label.setText("No article open")
        self.text_view.set_text("")
        self.disagreements_model.set_rows([])
        self.gold_model.set_rows([])
        self._show_focus()
        self.reload_queue()

    def _on_session_write_waiting(self, waiting: bool) -> None:
        if waiting:
            self.message_label.setText(WAITING_TEXT)

    # -- decisions -------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message.emit(text)

    def _need_focus(self):
        if self._article is None:
            self._say("open an article from the queue first")
            return None
        d = self.focused
        if d is None:
            self._say("nothing left to settle in this article: press Enter for the next one")
        return d

    def settle(self, choice) -> bool:
        """Settle the focused disagreement with ``choice`` (``take:NAME``, ``take_both``,
        ``take_none`` or a :class:`Span`); True when it was stored."""
        from annotator import ops

        d = self._need_focus()
        if d is None:
            return False
        try:
            text = self._article.text
            changes = self.session.write(
                lambda: ops.settle(self.session.store, self.reviewer, d, choice, text)
            )
        except AnnotatorError as e:
            self._say(f"Not settled: {e}")
            return False
        what = choice if isinstance(choice, str) else f"edit {choice.start}–{choice.end} {choice.label}"
        self._say(f"settled ({KIND_TEXT.get(d.kind, d.kind)}): {what.replace('_', ' ')}")
        self.session.notify(changes)
        return True

    def take(self, n: int) -> bool:
        """Take the version of annotator number ``n`` (1-based) of the focused disagreement."""
        d = self._need_focus()
        if d is None:
            return False
        names = list(d.all_spans)
        if not 1 <= n <= len(names):
            self._say(f"there is no annotator {n} here; use 1–{len(names)}")
            return False
        return self.settle(f"take:{names[n - 1]}")

    def take_both(self) -> bool:
        """Take every version (issues may overlap; overlapping entities are refused)."""
        return self.settle("take_both")

    def take_none(self) -> bool:
        """Put nothing into gold for the focused region."""
        return self.settle("take_none")

    def edit(self) -> EditSpanDialog | None:
        """Open the edit dialog for the focused disagreement (window-modal, not blocking)."""
        d = self._need_focus()
        if d is None:
            return None
        start = next((v for v in d.versions.values() if v is not None), None)
        span = start if start is not None else Span(d.start, d.end, "", d.layer)
        labels = [lab.name for lab in self.session.store.labels(d.layer)]
        try:
            dlg = EditSpanDialog(self._article.text, span, labels, self)
        except AnnotatorError as e:
            self._say(str(e))
            return None
        self.edit_dialog = dlg
        dlg.accepted.connect(self._on_edit_dialog_accepted)
        dlg.finished.connect(self._on_edit_dialog_finished)
        dlg.open()
        return dlg

    def _on_edit_dialog_accepted(self) -> None:
        if self.edit_dialog is not None:
            self.settle(self.edit_dialog.span())

    def _on_edit_dialog_finished(self, _result: int) -> None:
        dlg, self.edit_dialog = self.edit_dialog, None
        if dlg is not None:
            dlg.deleteLater()
        self.setFocus()

    def focus_next(self, step: int = 1) -> None:
        """Focus the next (1) or previous (-1) open disagreement, wrapping around."""
        if not self._open:
            self._need_focus()
            return
        self._index = (self._index + step) % len(self._open)
        self._show_focus()

    def next_article(self) -> str | None:
        """Open the next article of the queue (after the current one); its id, or None."""
        rows = self.queue_model.rows()
        if not rows:
            self._say("the queue is empty: every disagreement is settled")
            return None
        row = self.queue_model.row_of(self._article.id) if self._article else None
        nxt = (row + 1) if row is not None else min(self._last_row, len(rows) - 1)
        if nxt >= len(rows):
            nxt = 0
        aid = rows[nxt].article_id
        if self._article is not None and aid == self._article.id and self._open:
            self._say("this is the only article left in the queue")
            return aid
        self.open_article(aid)
        return aid

    def undo(self) -> None:
        """Undo the reviewer's last action (a settlement, or agreed spans put into gold)."""
        self._replay(undo=True)

    def redo(self) -> None:
        """Redo the action undone last."""
        self._replay(undo=False)

    def _replay(self, undo: bool) -> None:
        try:
            _changes, act = self.session.replay(undo)
        except AnnotatorError as e:
            self._say(str(e))
            return
        if act is None:
            return
        detail = act.get("detail") or {}
        self._say(f"{'undone' if undo else 'redone'}: {act.get('kind', 'action').replace('_', ' ')}")
        aid = act.get("article_id")
        if aid and (self._article is None or aid != self._article.id) and act.get("kind") == "adjudicate":
            self._article = self.session.store.article(aid)
            self._index = 0
            self._refresh_article(keep=None, reset_text=True)
            self._select_current_in_queue()
        region = detail.get("region")
        if region and detail.get("layer"):
            key = (detail["layer"], region[0], region[1])
            keys = [(d.layer, d.start, d.end) for d in self._open]
            if key in keys:
                self._index = keys.index(key)
                self._show_focus()

    # -- keys ------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # The review keys win over window shortcuts, and Tab moves between disagreements
        # instead of through the focus chain.
        if event.type() == QEvent.Type.ShortcutOverride and is_review_key(event):
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if self.handle_key(event):
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Run the action bound to ``event``; True when the key was one of review mode's."""
        command = review_command(event)
        if command is None:
            return False
        action, args = command
        getattr(self, action)(*args)
        return True


class ReviewWindow(QMainWindow):
    """Review mode in its own window, so the annotation window keeps its own keys.

    Parameters
    ----------
    session
        The shared :class:`~annotator.ui.session.Session`.
    parent
        The main window (the review window stays on top of it).
    """

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Review — {Path(session.db_path).name} — reviewer {session.annotator}")
        self.view = ReviewView(session)
        self.setCentralWidget(self.view)
        close = QAction("Close review", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)
        self.resize(1280, 800)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(1280, 800)


__all__ = ["ReviewView", "ReviewWindow"]
