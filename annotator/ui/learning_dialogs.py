"""The Model menu's dialogs: scores before and after a retrain, and an exception's preview.

The tables are :class:`~annotator.ui.views.RowTableModel` subclasses over plain rows built from
what the workers (:mod:`annotator.ui.learning_work`) hand back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QObject, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.bar_chart import BarChart, BarRow
from annotator.ui.learning_work import IssueTarget, RetrainOutcome
from annotator.ui.views import RowTableModel, row_table

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


FEW_HELD_OUT = 5  # fewer held-out articles than this cannot tell a better model from luck


def f_bars(rows: Sequence[ScoreRow]) -> list[BarRow]:
    """F before and after per label, the weakest after training first (layer totals left out)."""
    labels = [r for r in rows if r.label != "all" and r.after[2] is not None]
    labels.sort(key=lambda r: (r.after[2], r.layer, r.label))

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.0f}"

    return [
        BarRow(r.label, (r.before[2], r.after[2]), f"{pct(r.before[2])} → {pct(r.after[2])}") for r in labels
    ]


def retrain_summary(outcome: RetrainOutcome) -> list[str]:
    """The retrain report's text, one line per point, in the window's terms (no command flags)."""
    r = outcome.report
    n_out = r.held_out_articles
    lines = [
        f"Trained {r.source} from {r.trained_from}'s annotations: {r.train_articles} article"
        f"{'s' * (r.train_articles != 1)} ({r.rehearsal_texts} rehearsal texts), {r.epochs} epochs,"
        f" {r.seconds:.0f} s."
    ]
    if n_out:
        lines.append(
            f"Scores in percent on {n_out} held-out article{'s' * (n_out != 1)} (not trained on), before and after."
        )
        if n_out < FEW_HELD_OUT:
            lines.append(
                f"{'Only one article was' if n_out == 1 else f'Only {n_out} articles were'} held out: too few"
                " to tell a better model from luck. Take the scores as a rough hint; mark more articles"
                " done before judging."
            )
    else:
        lines.append(
            "No article could be held out for scoring: mark at least two articles done, then retrain"
            " to see the gain."
        )
    if r.adopted:
        chance = [lay for lay in r.fell if lay not in r.worse]
        lines.append(f"Adopted: the suggestions now come from {r.source}.")
        if chance:
            lines.append(
                f"Its held-out F fell on {', '.join(chance)}, but within chance on {n_out} article"
                f"{'s' * (n_out != 1)}."
            )
        if outcome.refreshed is not None:
            n = outcome.refreshed["articles"]
            lines.append(
                f"The suggestions of {n} article{'s' * (n != 1)} not done yet were made again with it"
                " (your decisions are kept)."
            )
        else:
            lines.append("The suggestions were not made again (cancelled or failed): File > Suggest does it.")
    else:
        worse = ", ".join(r.worse) or "a layer"
        lines.append(
            f"Not adopted: it scored lower on the held-out articles ({worse}), beyond chance. The"
            " suggestions stay as they were, from the model used before. Annotate more articles, then"
            " Model > Retrain again."
        )
    return lines


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
    table = row_table(model)
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
    outcome : RetrainOutcome
    summary : QLabel
        What was trained from what, and what happened to the suggestions.
    chart : BarChart
        F per label before and after, the weakest first.
    table : QTableView
        Over a :class:`ScoreTableModel`.
    """

    def __init__(self, outcome: RetrainOutcome, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Retrained model")
        r = outcome.report
        self.outcome = outcome
        self.model = ScoreTableModel(score_rows(r), self)
        self.summary = QLabel("\n".join(retrain_summary(outcome)))
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.table = _table(self.model)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(False)
        self.table.setMinimumHeight(_fit_height(self.table, self.model.rowCount()))
        self.table.setVisible(self.model.rowCount() > 0 and r.held_out_articles > 0)
        # F per label as bars (weakest first); the table stays below for detail and copying.
        self.chart = BarChart(("before", "after"), maximum=1.0)
        self.chart.set_rows(f_bars(self.model.rows()))
        self.chart.setVisible(self.table.isVisible() and bool(self.chart.rows))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart)
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


def confirm_exception(dialog: ExceptionPreviewDialog) -> bool:
    """Show the preview; True when the user adds the exception (replaceable in tests)."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def gain_text(report: Any) -> str:
    if not report.held_out_articles:
        return "no held-out articles to score"
    parts = []
    for layer in report.layers:
        b, a = report.before.get(layer), report.after.get(layer)
        if a is not None:
            parts.append(f"{layer} F {_pct(b.f if b else None)} → {_pct(a.f)}")
    return ", ".join(parts)
