"""Learning from the annotators, in the window: retrain, most-uncertain-first order, taxonomy exceptions.

The Model menu runs the core's :mod:`annotator.train` functions. Everything slow (training,
re-suggesting, ranking, previewing and applying an exception) runs in a worker thread with its
own ``Store(path)`` (:mod:`annotator.ui.tasks`) and hands plain data back; the GUI thread then
announces what changed with ``session.notify`` and shows the outcome. Cancel and errors leave
the data as it was.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator import model as m
from annotator.errors import Cancelled
from annotator.ui.errors import show_error
from annotator.ui.session import Session
from annotator.ui.tasks import Task, run_with_progress
from annotator.ui.views import RowTableModel

STATUS_MS = 15_000
TRAINING = "Training from the annotations"
RESUGGESTING = "Re-suggesting the articles not done yet"

RETRAIN_KEY = "Ctrl+Shift+T"
UNCERTAIN_KEY = "Ctrl+Shift+U"
EXCEPTION_KEY = "N"  # only while the article view or the span list has focus

_Index = QModelIndex | QPersistentModelIndex


# -- plain data handed back by the workers -------------------------------------------------------


@dataclass
class RetrainOutcome:
    """What a retrain run did.

    Attributes
    ----------
    report
        The core's :class:`~annotator.train.TrainReport` (the model is written and recorded).
    refreshed
        What :func:`annotator.train.refresh_suggestions` returned; None when re-suggesting was
        cancelled or failed (the suggestions are then as they were).
    refresh_error
        The error re-suggesting raised, if any.
    """

    report: Any
    refreshed: dict[str, Any] | None
    refresh_error: BaseException | None = None


@dataclass(frozen=True)
class IssueTarget:
    """The issue suggestion an exception is made from."""

    suggestion_id: int
    article_id: str
    label: str
    start: int
    end: int
    text: str  # the suggested words
    phrase: str  # the words around them proposed as the exception ("trade union")


def _retrain_work(
    db_path: Path,
    who: str,
    load_base: Callable[[], Any] | None,
    epochs: int,
    progress: Callable[..., None],
    cancelled: Callable[[], bool],
    force: bool = False,
) -> RetrainOutcome:
    from annotator import train
    from annotator.store import Store

    store = Store(db_path)
    try:
        report = train.train(
            store,
            annotator=who,
            layer="both",
            epochs=epochs,
            load_base=load_base,
            progress=lambda d, t: progress(d, t, TRAINING),
            cancelled=cancelled,
            force=force,
        )
        if not report.adopted:
            # Scored lower than before on held-out articles: the suggestions stay as they are.
            return RetrainOutcome(report, None)
        # The model is written and recorded now: a cancel or failure of the re-suggesting keeps
        # it and leaves the old suggestions, and the user is told so.
        try:
            refreshed = train.refresh_suggestions(
                store, who, progress=lambda d, t: progress(d, t, RESUGGESTING), cancelled=cancelled
            )
        except Cancelled:
            return RetrainOutcome(report, None)
        except Exception as exc:  # noqa: BLE001 - delivered to the GUI with the report
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            return RetrainOutcome(report, None, exc)
        return RetrainOutcome(report, refreshed)
    finally:
        store.close()


def _uncertainty_work(
    db_path: Path, who: str, base: str | Path | None, progress, cancelled
) -> list[tuple[str, float]]:
    from annotator import train
    from annotator.store import Store

    store = Store(db_path)
    try:
        return train.uncertainty_order(store, who, base=base, progress=progress, cancelled=cancelled)
    finally:
        store.close()


def _preview_work(db_path: Path, label: str, phrase: str, who: str, nlp: Any, progress, cancelled):
    from annotator import train
    from annotator.store import Store

    store = Store(db_path)
    try:
        pattern, matches = train.preview_exception(
            store, label, phrase, annotator=who, nlp=nlp, progress=progress, cancelled=cancelled
        )
        titles = {r.id: r.title for r in store.article_rows(sorted({mt.article_id for mt in matches}), who)}
        return pattern, matches, titles
    finally:
        store.close()


def _apply_work(db_path: Path, label: str, phrase: str, nlp: Any, suggest_nlp: Any, progress, cancelled):
    from annotator import train
    from annotator.store import Store

    store = Store(db_path)
    try:
        return train.apply_exception(
            store, label, phrase, nlp=nlp, suggest_nlp=suggest_nlp, progress=progress, cancelled=cancelled
        )
    finally:
        store.close()


def exception_phrase_around(text: str, start: int, end: int) -> str:
    """The suggested words with the word after them ("trade" in "trade union" -> "trade union").

    The word before is used when nothing follows; the words alone when neither exists.
    """
    after = re.match(r"[ \t\-]*([^\W_][\w'’-]*)", text[end:])
    if after:
        return " ".join((text[start:end] + text[end : end + after.end()]).split())
    before = re.search(r"([^\W_][\w'’-]*)[ \t\-]*$", text[:start])
    if before:
        return " ".join((text[before.start() : end]).split())
    return " ".join(text[start:end].split())


# -- models ----------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}"


@dataclass(frozen=True)
class ScoreRow:
    """One row of the before/after table: a layer's total or one label."""

    layer: str
    label: str  # "all" for the layer's total
    support: int
    before: tuple[float | None, float | None, float | None]
    after: tuple[float | None, float | None, float | None]

    @property
    def gain(self) -> float | None:
        b, a = self.before[2], self.after[2]
        return None if a is None else a - (b or 0.0)


def score_rows(report: Any) -> list[ScoreRow]:
    """The rows of a :class:`~annotator.train.TrainReport`: per layer its total, then each label."""
    out = []
    for layer in report.layers:
        b, a = report.before.get(layer), report.after.get(layer)
        if a is None:
            continue

        def prf(s):
            return (None, None, None) if s is None else (s.precision, s.recall, s.f)

        out.append(ScoreRow(layer, "all", sum(s.support for s in a.labels.values()), prf(b), prf(a)))
        for label in sorted(set(b.labels if b else {}) | set(a.labels)):
            bl, al = (b.labels.get(label) if b else None), a.labels.get(label)
            out.append(ScoreRow(layer, label, (al or bl).support, prf(bl), prf(al)))
    return out


class ScoreTableModel(RowTableModel):
    """Precision, recall and F before and after training, per layer and label (percent).

    Parameters
    ----------
    rows
        From :func:`score_rows`.
    parent
        Optional QObject owner.

    Notes
    -----
    A layer's total row ("all") is bold; the last column is the change in F, in points.
    """

    HEADERS = (
        "Layer",
        "Label",
        "Gold",
        "P before",
        "R before",
        "F before",
        "P after",
        "R after",
        "F after",
        "F +/−",
    )

    def __init__(self, rows: Sequence[ScoreRow] = (), parent: QObject | None = None):
        super().__init__(parent)
        self._rows = list(rows)

    def cell(self, r: ScoreRow, col: int, role: int, i: int):
        if not 0 <= col < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            values = [
                r.layer if r.label == "all" else "",
                r.label,
                r.support,
                *map(_pct, r.before),
                *map(_pct, r.after),
            ]
            if col < len(values):
                return values[col]
            gain = r.gain
            return "–" if gain is None else f"{100 * gain:+.0f}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and r.label == "all":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:
            return f"{r.support} gold spans of {r.label} in the held-out articles"
        return None


class ExceptionMatchModel(RowTableModel):
    """The suggestions an exception would remove: article title, the suggested words, context.

    Parameters
    ----------
    matches
        :class:`~annotator.train.exceptions.ExceptionMatch` values.
    titles
        ``article_id -> title``.
    parent
        Optional QObject owner.
    """

    HEADERS = ("Article", "Suggested", "Context")

    def __init__(self, matches: Sequence[Any] = (), titles: dict[str, str] | None = None, parent=None):
        super().__init__(parent)
        self._rows = list(matches)
        self._titles = dict(titles or {})

    def cell(self, mt: Any, col: int, role: int, i: int):
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return self._titles.get(mt.article_id, mt.article_id[:8])
            if col == 1:
                return mt.text
            if col == 2:
                return mt.context
        return None


# -- dialogs ---------------------------------------------------------------------------------------


def _table(model: QAbstractTableModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    vh = table.verticalHeader()
    vh.setVisible(False)
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setAlternatingRowColors(True)
    return table


def _fit_height(table: QTableView, rows: int, most: int = 14) -> int:
    """Height showing up to ``most`` rows without a scroll bar (the dialog grows to it)."""
    return (
        table.horizontalHeader().sizeHint().height()
        + min(rows, most) * table.verticalHeader().defaultSectionSize()
        + 4
    )


class TrainReportDialog(QDialog):
    """The outcome of a retrain: what was trained and the scores before and after, as a table.

    Parameters
    ----------
    outcome
        The :class:`RetrainOutcome`.
    parent
        The window.

    Attributes
    ----------
    summary : QLabel
        What was trained from what, and what happened to the suggestions.
    table : QTableView
        Over a :class:`ScoreTableModel`.
    """

    def __init__(self, outcome: RetrainOutcome, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Retrained model")
        r = outcome.report
        self.model = ScoreTableModel(score_rows(r), self)
        lines = [
            f"Trained {r.source} from {r.trained_from}'s annotations: {r.train_articles} article"
            f"{'s' * (r.train_articles != 1)} ({r.rehearsal_texts} rehearsal texts), {r.epochs} epochs,"
            f" {r.seconds:.0f} s."
        ]
        if r.held_out_articles:
            lines.append(
                f"Scores in percent on {r.held_out_articles} held-out article{'s' * (r.held_out_articles != 1)}"
                " (not trained on), before and after:"
            )
        else:
            lines.append(
                "No article could be held out for scoring: mark at least two articles done, then retrain"
                " to see the gain."
            )
        lines.append(r.verdict[0].upper() + r.verdict[1:] + ".")
        if outcome.refreshed is not None:
            n = outcome.refreshed["articles"]
            lines.append(
                f"The suggestions of {n} article{'s' * (n != 1)} not done yet now come from the new model"
                " (your decisions are kept)."
            )
        else:
            lines.append(
                "The suggestions were not refreshed (cancelled or failed); File > Suggest uses the new model."
            )
        self.summary = QLabel("\n".join(lines))
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.table = _table(self.model)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(False)
        self.table.setMinimumHeight(_fit_height(self.table, self.model.rowCount()))
        self.table.setVisible(self.model.rowCount() > 0 and r.held_out_articles > 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(max(self.sizeHint().width(), 720), self.minimumSizeHint().height())


class ExceptionPreviewDialog(QDialog):
    """Preview of an exception rule: every pending suggestion it removes, then Add or Cancel.

    Parameters
    ----------
    label
        The issue ("TRADE").
    phrase, pattern
        The phrase as typed and the lemmas it matches.
    matches, titles
        What :func:`annotator.train.preview_exception` found, and article titles.
    parent
        The window.
    """

    def __init__(
        self,
        label: str,
        phrase: str,
        pattern: str,
        matches: Sequence[Any],
        titles: dict[str, str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Not {label} in “{phrase}”")
        self.model = ExceptionMatchModel(matches, titles, self)
        n, arts = len(matches), len({mt.article_id for mt in matches})
        text = f"From now on, {label} is not suggested inside “{pattern}” (any form of these words)." + (
            f"\nThese {n} pending suggestion{'s' * (n != 1)} in {arts} article{'s' * (arts != 1)}"
            " will be removed:"
            if n
            else "\nNo pending suggestion matches now; the rule applies to future suggestions."
        )
        self.summary = QLabel(text)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.table = _table(self.model)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 180)
        self.table.setMinimumHeight(_fit_height(self.table, n, most=10))
        self.table.setVisible(n > 0)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add exception", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(820, self.minimumSizeHint().height())


def ask_exception_phrase(window: QWidget | None, target: IssueTarget) -> str | None:
    """Ask which words the issue is not meant in (prefilled); None when cancelled (replaceable in tests)."""
    dlg = QInputDialog(window)
    dlg.setWindowTitle(f"Not {target.label} here")
    dlg.setLabelText(
        f"“{target.text}” is not {target.label} inside which words?\n"
        f"Every {target.label} suggestion inside these words will be dropped, here and in other articles."
    )
    dlg.setTextValue(target.phrase)
    dlg.resize(460, dlg.sizeHint().height())
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    text = " ".join(dlg.textValue().split())
    return text or None


def show_menu(menu: QMenu, global_pos: QPoint) -> None:
    """Pop up a context menu and wait for the choice (replaceable in tests)."""
    menu.exec(global_pos)


def confirm_exception(dialog: ExceptionPreviewDialog) -> bool:
    """Show the preview; True when the user adds the exception (replaceable in tests)."""
    return dialog.exec() == QDialog.DialogCode.Accepted


# -- the controller --------------------------------------------------------------------------------


class Learning(QObject):
    """The window's Model menu: retrain, most-uncertain-first order, taxonomy exceptions.

    Parameters
    ----------
    window
        The :class:`~annotator.ui.main_window.MainWindow` (its session, article list, span
        list, article view, status bar and ``set_model_state``).

    Attributes
    ----------
    act_retrain, act_uncertain, act_exception : QAction
        The menu actions (``Ctrl+Shift+T``, ``Ctrl+Shift+U``; ``N`` in the view and span list).
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

        self.act_retrain = QAction("&Retrain from my annotations…", window)
        self.act_retrain.setShortcut(QKeySequence(RETRAIN_KEY))
        self.act_retrain.triggered.connect(self.retrain)
        self.act_uncertain = QAction("&Most uncertain articles first", window)
        self.act_uncertain.setShortcut(QKeySequence(UNCERTAIN_KEY))
        self.act_uncertain.setCheckable(True)
        self.act_uncertain.triggered.connect(self._on_uncertain_triggered)
        # The menu entry shows the key; the key itself is a separate action bound to the view and
        # the span list only, so typing N in the search field still types an N.
        self.act_exception = QAction(f"&Not this issue here…\t{EXCEPTION_KEY}", window)
        self.act_exception.triggered.connect(lambda: self.not_this_issue())
        self.act_exception_key = QAction("Not this issue here", window)
        self.act_exception_key.setShortcut(QKeySequence(EXCEPTION_KEY))
        self.act_exception_key.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.act_exception_key.triggered.connect(lambda: self.not_this_issue())
        for w in (window.view, window.span_list):
            w.addAction(self.act_exception_key)
        for a in (self.act_retrain, self.act_uncertain, self.act_exception):
            window.addAction(a)

        # Context menus, added from here: the view and the span list keep their own code.
        window.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        window.view.customContextMenuRequested.connect(self._on_view_context_menu)
        table = window.span_list.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._on_span_table_context_menu)

        window.article_list.uncertainty_requested.connect(self.order_by_uncertainty)
        window.article_list.order_combo.currentIndexChanged.connect(self._sync_uncertain_action)
        window.article_list.model.modelReset.connect(self._sync_uncertain_action)
        self.session.store_changed.connect(self.update_availability)
        self.update_availability()

    def install_menu(self, before: QAction | None = None) -> QMenu:
        """Add the Model menu to the window's menu bar (before ``before``, a menu's action)."""
        bar = self.window.menuBar()
        menu = QMenu("&Model", bar)
        menu.addAction(self.act_retrain)
        menu.addAction(self.act_uncertain)
        menu.addSeparator()
        menu.addAction(self.act_exception)
        if before is not None:
            bar.insertMenu(before, menu)
        else:
            bar.addMenu(menu)
        self.menu = menu
        return menu

    # -- state -------------------------------------------------------------------------------

    def busy(self) -> bool:
        """True while learning work of this window runs."""
        return self.task is not None and self.task.is_running()

    def update_availability(self) -> None:
        """Offer the uncertainty order only when the database has a trained model."""
        from annotator import train

        available = train.trained_model(self.session.store) is not None
        self.act_uncertain.setEnabled(available)
        self.window.article_list.set_uncertainty_available(available)

    def _sync_uncertain_action(self, *_args: object) -> None:
        self.act_uncertain.setChecked(self.window.article_list.model.ordered)

    def _tell(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    def _refuse_if_busy(self) -> bool:
        if self.busy():
            self._tell("the model is still working; wait for it or cancel it first")
            return True
        return False

    def _same_database(self, db_path: Path) -> bool:
        return Path(self.session.store.path) == db_path

    def _run(
        self, work, label: str, on_result, state: str, on_error=None, on_cancel=None, modal: bool = True
    ) -> Task:
        self.window.set_model_state(state)
        task = run_with_progress(
            work,
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
        db_path, who = Path(self.session.store.path), self.session.annotator
        load_base, epochs, force = self.load_base, self.epochs, self.force

        def work(progress, cancelled):
            return _retrain_work(db_path, who, load_base, epochs, progress, cancelled, force)

        def on_result(outcome: RetrainOutcome) -> None:
            if not self._same_database(db_path):
                return
            if outcome.refreshed is not None:
                self.session.notify(outcome.refreshed["changes"] | m.Changes(spans=True, labels=True))
            self.update_availability()
            r = outcome.report
            self._tell(f"trained {r.source}; " + _gain_text(r))
            self.report_dialog = TrainReportDialog(outcome, self.window)
            self.report_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.report_dialog.show()
            if outcome.refresh_error is not None:
                show_error(self.window, outcome.refresh_error)
            if self.window.article_list.model.ordered:
                self.order_by_uncertainty()  # the ranking came from the old model

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

    # -- active learning order -------------------------------------------------------------------

    def _on_uncertain_triggered(self, checked: bool) -> None:
        if checked:
            self.order_by_uncertainty()
        else:
            self.window.article_list.show_import_order()

    def order_by_uncertainty(self) -> Task | None:
        """Rank the articles not done by the trained model's uncertainty and show them first."""
        lst = self.window.article_list
        if self._refuse_if_busy():
            lst.show_import_order()
            return None
        db_path, who, base = Path(self.session.store.path), self.session.annotator, self.reference_base

        def work(progress, cancelled):
            return _uncertainty_work(db_path, who, base, progress, cancelled)

        def on_result(order: list[tuple[str, float]]) -> None:
            if not self._same_database(db_path) or self.session.annotator != who:
                return
            lst.show_uncertainty_order(order)
            self._tell(f"{len(order)} articles not done yet, the ones the model is least sure about first")

        def on_error(exc: BaseException) -> None:
            lst.show_import_order()
            show_error(self.window, exc)

        def on_cancel() -> None:
            lst.show_import_order()
            self._tell("Ranking cancelled; the list is in import order.")

        return self._run(
            work, "Ranking the articles by uncertainty", on_result, "ranking…", on_error, on_cancel
        )

    # -- taxonomy exceptions ---------------------------------------------------------------------

    def target(self) -> IssueTarget | None:
        """The issue suggestion to make an exception from: the focused one, else the span list's."""
        view = self.window.view
        f = view.focused
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
        db_path, who, nlp = Path(self.session.store.path), self.session.annotator, self.exception_nlp

        def work(progress, cancelled):
            return _preview_work(db_path, target.label, phrase, who, nlp, progress, cancelled)

        def on_result(found) -> None:
            if not self._same_database(db_path):
                return
            pattern, matches, titles = found
            self.preview_dialog = ExceptionPreviewDialog(
                target.label, phrase, pattern, matches, titles, self.window
            )
            if confirm_exception(self.preview_dialog):
                self.apply_exception(target.label, phrase)

        return self._run(
            work, f"Finding {target.label} suggestions inside “{phrase}”", on_result, "previewing…"
        )

    def apply_exception(self, label: str, phrase: str) -> Task | None:
        """Add "``phrase`` is not ``label``" to the database's taxonomy and re-suggest where it matched."""
        if self._refuse_if_busy():
            return None
        db_path, nlp, suggest_nlp = Path(self.session.store.path), self.exception_nlp, self.suggest_nlp

        def work(progress, cancelled):
            return _apply_work(db_path, label, phrase, nlp, suggest_nlp, progress, cancelled)

        def on_result(result: dict[str, Any]) -> None:
            if not self._same_database(db_path):
                return
            articles = frozenset(mt.article_id for mt in result["removed"])
            self.session.notify(m.Changes(articles=articles, spans=True, labels=True))
            n = len(result["removed"])
            self._tell(
                f"{label} is no longer suggested inside “{result['pattern']}” ({result['source']});"
                f" {n} suggestion{'s' * (n != 1)} removed in {len(articles)} article{'s' * (len(articles) != 1)}"
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

    # -- context menus ---------------------------------------------------------------------------

    def _exception_menu_action(self, menu: QMenu, target: IssueTarget | None) -> None:
        if target is None:
            return
        menu.addSeparator()
        act = menu.addAction(f"Not {target.label} in “{target.phrase}”…\t{EXCEPTION_KEY}")
        act.triggered.connect(lambda: self.not_this_issue(target))

    def _on_view_context_menu(self, pos: QPoint) -> None:
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

    def _on_span_table_context_menu(self, pos: QPoint) -> None:
        table = self.window.span_list.table
        row = self.window.span_list.model.span_at(table.indexAt(pos).row())
        if row is None or row.kind != "suggestion" or row.layer != m.ISSUE:
            return
        menu = QMenu(table)
        self._exception_menu_action(menu, self._target(row.id, row.start, row.end, row.label))
        show_menu(menu, table.viewport().mapToGlobal(pos))
        menu.deleteLater()


def _gain_text(report: Any) -> str:
    if not report.held_out_articles:
        return "no held-out articles to score"
    parts = []
    for layer in report.layers:
        b, a = report.before.get(layer), report.after.get(layer)
        if a is not None:
            parts.append(f"{layer} F {_pct(b.f if b else None)} → {_pct(a.f)}")
    return ", ".join(parts)


__all__ = [
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
