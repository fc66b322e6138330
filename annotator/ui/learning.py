"""Learning from the annotators, in the window: retrain, most-uncertain-first order, taxonomy exceptions.

:class:`Learning` is the controller behind the window's Model menu: the main window declares
the menu's actions (:data:`annotator.ui.window_menus.MODEL_MENU`) and calls into it. Everything
slow (training, re-suggesting, ranking, previewing and applying an exception) runs on a worker
with its own store (:func:`annotator.ui.worker.run_on_store`, the work in
:mod:`annotator.ui.learning_work`) and hands plain data back; the GUI thread then announces what
changed with ``session.notify`` and shows the outcome. Cancel and errors leave the data as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMenu

from annotator import model as m
from annotator.ui.errors import show_error
from annotator.ui.learning_dialogs import (
    ExceptionMatchModel,
    ExceptionPreviewDialog,
    ScoreTableModel,
    TrainReportDialog,
    ask_exception_phrase,
    confirm_exception,
    gain_text,
    score_rows,
)
from annotator.ui.learning_work import (
    RESUGGESTING,
    TRAINING,
    IssueTarget,
    RetrainOutcome,
    apply_exception,
    exception_phrase_around,
    preview_exception,
    retrain,
    uncertainty,
)
from annotator.ui.session import Session
from annotator.ui.tasks import Task
from annotator.ui.worker import run_on_store, same_database

STATUS_MS = 15_000

RETRAIN_KEY = "Ctrl+Shift+T"
UNCERTAIN_KEY = "Ctrl+Shift+U"
EXCEPTION_KEY = "N"  # only while the article view or the span list has focus


def show_menu(menu: QMenu, global_pos: QPoint) -> None:
    """Pop up a context menu and wait for the choice (replaceable in tests)."""
    menu.exec(global_pos)


class Learning(QObject):
    """What the window's Model menu does: retrain, most-uncertain-first order, taxonomy exceptions.

    Parameters
    ----------
    window
        The :class:`~annotator.ui.main_window.MainWindow` (its session, article list, span
        list, article view, status bar and ``set_model_state``).

    Attributes
    ----------
    actions_changed : Signal()
        Whether the uncertainty order is available or shown may have changed: the window
        updates its actions (:meth:`uncertainty_available`, :meth:`uncertainty_shown`).
    load_base : callable or None
        Returns a fresh starting pipeline for training (None: the English model). Tests pass
        ``spacy.blank``.
    reference_base : str, Path or None
        Starting pipeline the entity disagreements are counted against when ranking (None: the
        English model; ``""``: issue margins only).
    exception_nlp, suggest_nlp
        Pipelines for previewing/applying exceptions and for re-suggesting after one (None: the
        core's defaults).
    epochs : int
        Training passes.
    force : bool
        Use the new pipeline even if a layer scored lower on held-out articles (tests).
    task : Task or None
        The background work running now, if any.
    """

    actions_changed = Signal()

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.session: Session = window.session
        self.load_base: Callable[[], Any] | None = None
        self.reference_base: str | Path | None = None
        self.exception_nlp: Any = None
        self.suggest_nlp: Any = None
        self.epochs = 10
        self.force = False
        self.task: Task | None = None
        self.report_dialog: TrainReportDialog | None = None
        self.preview_dialog: ExceptionPreviewDialog | None = None
        self._available = False
        articles = window.article_list
        articles.uncertainty_requested.connect(self.order_by_uncertainty)
        articles.order_combo.currentIndexChanged.connect(self.actions_changed)
        articles.model.modelReset.connect(self.actions_changed)
        self.session.store_changed.connect(self.update_availability)
        self.update_availability()

    # -- state -------------------------------------------------------------------------------

    def busy(self) -> bool:
        """True while learning work of this window runs."""
        return self.task is not None and self.task.is_running()

    def uncertainty_available(self) -> bool:
        """True when the database has a trained model to rank the articles with."""
        return self._available

    def uncertainty_shown(self) -> bool:
        """True while the article list is in most-uncertain-first order."""
        return self.window.article_list.model.ordered

    def update_availability(self) -> None:
        """Offer the uncertainty order only when the database has a trained model."""
        from annotator import train

        self._available = train.trained_model(self.session.store) is not None
        self.window.article_list.set_uncertainty_available(self._available)
        self.actions_changed.emit()

    def _tell(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    def _refuse_if_busy(self) -> bool:
        if self.busy():
            self._tell("the model is still working; wait for it or cancel it first")
            return True
        return False

    def _run(self, fn, label: str, on_result, state: str, on_error=None, on_cancel=None, modal=True) -> Task:
        self.window.set_model_state(state)
        task = run_on_store(
            self.session,
            fn,
            label,
            self.window,
            on_result=on_result,
            on_error=on_error or (lambda exc: show_error(self.window, exc)),
            on_cancel=on_cancel,
            modal=modal,
        )
        task.done.connect(lambda: self.window.set_model_state("idle"))
        self.task = task
        return task

    # -- retrain ---------------------------------------------------------------------------------

    def retrain(self) -> Task | None:
        """Model > Retrain: train on the annotator's work, re-suggest the articles not done, show scores."""
        if self._refuse_if_busy():
            return None
        db_path, who = Path(self.session.db_path), self.session.annotator
        work = partial(retrain, who=who, load_base=self.load_base, epochs=self.epochs, force=self.force)

        def on_result(outcome: RetrainOutcome) -> None:
            if same_database(self.session, db_path):
                self._show_retrained(outcome)

        def on_phase(phase: str) -> None:
            self.window.set_model_state("re-suggesting…" if phase == RESUGGESTING else "training…")

        task = self._run(
            work,
            f"{TRAINING} of {who}",
            on_result,
            "training…",
            on_cancel=lambda: self._tell("Training cancelled; nothing was written."),
            modal=False,  # training takes minutes: the annotator keeps working meanwhile
        )
        task.phase_changed.connect(on_phase)
        return task

    def _show_retrained(self, outcome: RetrainOutcome) -> None:
        if outcome.refreshed is not None:
            self.session.notify(outcome.refreshed["changes"] | m.Changes(spans=True, labels=True))
        self.update_availability()
        r = outcome.report
        self._tell(f"trained {r.source}; " + gain_text(r))
        self.report_dialog = TrainReportDialog(outcome, self.window)
        self.report_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report_dialog.show()
        if outcome.refresh_error is not None:
            show_error(self.window, outcome.refresh_error)
        if self.window.article_list.model.ordered:
            self.order_by_uncertainty()  # the ranking came from the old model

    # -- active learning order -------------------------------------------------------------------

    def set_uncertainty_order(self, on: bool) -> None:
        """Model > Most uncertain articles first, checked (rank now) or unchecked (import order)."""
        if on:
            self.order_by_uncertainty()
        else:
            self.window.article_list.show_import_order()

    def order_by_uncertainty(self) -> Task | None:
        """Rank the articles not done by the trained model's uncertainty and show them first."""
        lst = self.window.article_list
        if self._refuse_if_busy():
            lst.show_import_order()
            return None
        db_path, who = Path(self.session.db_path), self.session.annotator

        def on_result(order: list[tuple[str, float]]) -> None:
            if not same_database(self.session, db_path) or self.session.annotator != who:
                return
            lst.show_uncertainty_order(order)
            self._tell(f"{len(order)} articles not done yet, the ones the model is least sure about first")

        def on_error(exc: BaseException) -> None:
            lst.show_import_order()
            show_error(self.window, exc)

        def on_cancel() -> None:
            lst.show_import_order()
            self._tell("Ranking cancelled; the list is in import order.")

        work = partial(uncertainty, who=who, base=self.reference_base)
        return self._run(
            work, "Ranking the articles by uncertainty", on_result, "ranking…", on_error, on_cancel
        )

    # -- taxonomy exceptions ---------------------------------------------------------------------

    def target(self) -> IssueTarget | None:
        """The issue suggestion to make an exception from: the focused one, else the span list's."""
        f = self.window.view.focused
        if f is not None and f.kind == "suggestion" and f.layer == m.ISSUE:
            return self._target(f.id, f.start, f.end, f.label)
        row = self.window.span_list.model.span_at(self.window.span_list.table.currentIndex().row())
        if row is not None and row.kind == "suggestion" and row.layer == m.ISSUE:
            return self._target(row.id, row.start, row.end, row.label)
        return None

    def _target(self, sid: int, start: int, end: int, label: str) -> IssueTarget | None:
        art = self.window.view.article
        if art is None:
            return None
        text = art.text
        return IssueTarget(
            sid, art.id, label, start, end, text[start:end], exception_phrase_around(text, start, end)
        )

    def not_this_issue(self, target: IssueTarget | None = None) -> Task | None:
        """Ask for the phrase, preview the suggestions it removes, and on confirm add the exception."""
        if self._refuse_if_busy():
            return None
        target = target or self.target()
        if target is None:
            self._tell("focus an issue suggestion first (Tab, or pick one in the span list)")
            return None
        phrase = ask_exception_phrase(self.window, target)
        if not phrase:
            return None
        db_path = Path(self.session.db_path)

        def on_result(found) -> None:
            if not same_database(self.session, db_path):
                return
            pattern, matches, titles = found
            self.preview_dialog = ExceptionPreviewDialog(
                target.label, phrase, pattern, matches, titles, self.window
            )
            if confirm_exception(self.preview_dialog):
                self.apply_exception(target.label, phrase)

        work = partial(
            preview_exception,
            label=target.label,
            phrase=phrase,
            who=self.session.annotator,
            nlp=self.exception_nlp,
        )
        return self._run(
            work, f"Finding {target.label} suggestions inside “{phrase}”", on_result, "previewing…"
        )

    def apply_exception(self, label: str, phrase: str) -> Task | None:
        """Add "``phrase`` is not ``label``" to the database's taxonomy and re-suggest where it matched."""
        if self._refuse_if_busy():
            return None
        db_path = Path(self.session.db_path)

        def on_result(result: dict[str, Any]) -> None:
            if not same_database(self.session, db_path):
                return
            articles = frozenset(mt.article_id for mt in result["removed"])
            self.session.notify(m.Changes(articles=articles, spans=True, labels=True))
            n = len(result["removed"])
            self._tell(
                f"{label} is no longer suggested inside “{result['pattern']}” ({result['source']});"
                f" {n} suggestion{'s' * (n != 1)} removed in {len(articles)} article{'s' * (len(articles) != 1)}"
            )

        work = partial(
            apply_exception, label=label, phrase=phrase, nlp=self.exception_nlp, suggest_nlp=self.suggest_nlp
        )
        return self._run(
            work,
            f"Adding the exception “{phrase}” to {label}",
            on_result,
            "re-suggesting…",
            on_cancel=lambda: self._tell(
                "Exception cancelled; the taxonomy and suggestions are as they were."
            ),
        )

    # -- context menus (the window shows them on the view and the span list) ----------------------

    def _exception_menu_action(self, menu: QMenu, target: IssueTarget | None) -> None:
        if target is None:
            return
        menu.addSeparator()
        act = menu.addAction(f"Not {target.label} in “{target.phrase}”…\t{EXCEPTION_KEY}")
        act.triggered.connect(lambda: self.not_this_issue(target))

    def show_view_context_menu(self, pos: QPoint) -> None:
        """The article view's context menu at viewport point ``pos``, with the exception on an issue."""
        view = self.window.view
        scrolled = QPoint(view.horizontalScrollBar().value(), view.verticalScrollBar().value())
        menu = view.createStandardContextMenu(pos + scrolled)  # document coordinates
        offset = view.offset_at(pos)
        found = [
            f
            for f in (view.spans_at(offset) if offset is not None else [])
            if f.kind == "suggestion" and f.layer == m.ISSUE
        ]
        self._exception_menu_action(
            menu, self._target(found[0].id, found[0].start, found[0].end, found[0].label) if found else None
        )
        show_menu(menu, view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def show_span_table_context_menu(self, pos: QPoint) -> None:
        """The span list's context menu at ``pos``: the exception, on an issue suggestion's row."""
        table = self.window.span_list.table
        row = self.window.span_list.model.span_at(table.indexAt(pos).row())
        if row is None or row.kind != "suggestion" or row.layer != m.ISSUE:
            return
        menu = QMenu(table)
        self._exception_menu_action(menu, self._target(row.id, row.start, row.end, row.label))
        show_menu(menu, table.viewport().mapToGlobal(pos))
        menu.deleteLater()


__all__ = [
    "EXCEPTION_KEY",
    "RETRAIN_KEY",
    "UNCERTAIN_KEY",
    "ExceptionMatchModel",
    "ExceptionPreviewDialog",
    "IssueTarget",
    "Learning",
    "RetrainOutcome",
    "ScoreTableModel",
    "TrainReportDialog",
    "exception_phrase_around",
    "score_rows",
]
