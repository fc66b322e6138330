"""How far the annotators agree, and what the reviewer changed in one annotator's work.

Both reports read every annotation, so they are computed in a worker with its own
:class:`~annotator.store.Store` and handed back as plain data
(:func:`annotator.ui.worker.run_on_store`).
The feedback report is HTML made by the core; it is shown in a browser that never loads
anything (no links followed, no images or style sheets fetched).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.agreement_charts import AgreementCharts
from annotator.ui.errors import error_message
from annotator.ui.views import RowTableModel
from annotator.ui.worker import run_on_store


def fmt(value: float | None) -> str:
    """A figure as the window and the command line show it: three decimals, "-" for none."""
    return "-" if value is None else f"{value:.3f}"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


class ReportTableModel(RowTableModel):
    """A read-only table of text cells; each row may carry a key (e.g. an article id) and a tooltip.

    Rows are ``(cells, key, tip)``; :meth:`rows` gives the cells as shown.

    Parameters
    ----------
    headers
        Column titles.
    parent
        Owner.
    """

    def __init__(self, headers: Sequence[str], parent=None):
        super().__init__(parent)
        self.HEADERS = tuple(headers)

    def set_rows(self, rows: Sequence[Sequence[str]], keys: Sequence[Any] | None = None, tips=None) -> None:
        """Replace the rows; ``keys`` (one per row) are returned under ``Qt.UserRole``."""
        cells = [tuple(r) for r in rows]
        keys = list(keys) if keys is not None else [None] * len(cells)
        tips = list(tips) if tips is not None else [""] * len(cells)
        super().set_rows(list(zip(cells, keys, tips, strict=True)))

    def rows(self) -> list[tuple[str, ...]]:
        """The rows as shown."""
        return [cells for cells, _key, _tip in self._rows]

    def key(self, row: int) -> Any:
        """The key of ``row``."""
        return self._rows[row][1]

    def cell(self, row: tuple, column: int, role: int, i: int) -> Any:
        cells, key, tip = row
        if not 0 <= column < len(cells):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cells[column]
        if role == Qt.ItemDataRole.UserRole:
            return key
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0 and _numeric(cells[column]):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _numeric(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return text == "-" or (
        bool(body) and body.replace(".", "", 1).replace("%", "").replace("/", "").isdigit()
    )


@dataclass
class AgreementResult:
    """What the worker hands back: the report and the titles of its articles."""

    report: Any
    titles: dict[str, str] = field(default_factory=dict)
    confusions: dict[str, Any] = field(default_factory=dict)  # layer -> review.confusion.Confusion


def compute_agreement(store, include_model: bool) -> AgreementResult:
    """:func:`annotator.ops.agreement` on ``store`` and the titles of its articles.

    Run in a worker on a store of its own (:func:`annotator.ui.worker.run_on_store`).
    """
    from annotator import ops

    columns = ops.agreement_columns(store, include_model)  # read once, for both
    report = ops.agreement(store, None, include_model, columns=columns)
    titles = {}
    for a in report.articles:
        if a.article_id not in titles:
            art = store.article(a.article_id)
            titles[a.article_id] = art.title.strip() or art.text.strip()[:60]
    return AgreementResult(report, titles, ops.label_confusion(columns))


OVERALL_HEADERS = ("Layer", "Label", "Spans", "Exact F1", "Relaxed F1", "Boundary shifts", "Kappa", "Alpha")
PAIR_HEADERS = ("Layer", "Label", "Pair", "Exact F1", "Relaxed F1", "Boundary shifts", "Kappa", "Tokens")
MODEL_HEADERS = ("Layer", "Annotator", "Equal to model", "Accepted", "Identical articles")
ARTICLE_HEADERS = ("Article", "Layer", "Annotators", "Exact F1", "Relaxed F1", "Boundary shifts", "Kappa")


class AgreementView(QWidget):
    """Agreement figures of the open database, computed in the background.

    Tabs: overall per layer and per label (exact and relaxed F1, boundary shifts, Cohen's kappa,
    Krippendorff's alpha), pairwise, model acceptance, and the worst articles (double-click one
    to open it in the main window through ``session.open_article``).

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`.
    parent
        Parent widget.
    include_model
        Count the model's suggestions as a pseudo-annotator.

    Signals
    -------
    computed()
        New figures are shown (or the reason there are none).
    article_opened(str)
        An article was opened from the worst-articles table.
    """

    computed = Signal()
    article_opened = Signal(str)

    def __init__(self, session, parent: QWidget | None = None, include_model: bool = True):
        super().__init__(parent)
        self.session = session
        self.report = None
        self._task = None
        self.overall_model = ReportTableModel(OVERALL_HEADERS, self)
        self.pairs_model = ReportTableModel(PAIR_HEADERS, self)
        self.model_model = ReportTableModel(MODEL_HEADERS, self)
        self.articles_model = ReportTableModel(ARTICLE_HEADERS, self)

        self.model_box = QCheckBox("Include the model as a pseudo-annotator")
        self.model_box.setChecked(include_model)
        self.model_box.toggled.connect(self._on_model_box_toggled)
        self.refresh_button = QPushButton("Compute again")
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.tabs = QTabWidget()
        self.charts = AgreementCharts()
        self.tabs.addTab(self.charts, "Charts")
        self.overall_view = self._table(self.overall_model, "Overall and per label")
        self.pairs_view = self._table(self.pairs_model, "Pairs")
        self.model_view = self._table(self.model_model, "Model acceptance")
        self.articles_view = self._table(self.articles_model, "Worst articles")
        self.articles_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.articles_view.doubleClicked.connect(self._on_articles_view_double_clicked)
        self.articles_view.setToolTip("Double-click to open the article in the main window")
        top = QHBoxLayout()
        top.addWidget(self.model_box)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.tabs, 1)
        self.refresh()

    def _table(self, model: ReportTableModel, title: str) -> QTableView:
        t = QTableView()
        t.setModel(model)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setAlternatingRowColors(True)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(False)
        self.tabs.addTab(t, title)
        return t

    def is_computing(self) -> bool:
        """True while the figures are being computed."""
        return self._task is not None

    def refresh(self) -> None:
        """Compute the figures again in the background."""
        if self._task is not None:
            return
        include = self.model_box.isChecked()
        self.status.setText("computing agreement…")
        self.refresh_button.setEnabled(False)
        self._task = run_on_store(
            self.session,
            lambda store, progress, cancelled: compute_agreement(store, include),
            on_result=self._on_task_finished,
            on_error=self._on_task_failed,
        )

    def _on_model_box_toggled(self, _on: bool) -> None:
        self.refresh()

    def _on_task_failed(self, exc: BaseException) -> None:
        self._task = None
        self.refresh_button.setEnabled(True)
        self.report = None
        self.charts.show_figures([], {})
        for model in (self.overall_model, self.pairs_model, self.model_model, self.articles_model):
            model.set_rows([])
        self.status.setText(f"No agreement figures: {error_message(exc)}")
        self.computed.emit()

    def _on_task_finished(self, result: AgreementResult) -> None:
        self._task = None
        self.refresh_button.setEnabled(True)
        self.show_report(result.report, result.titles, result.confusions)

    def show_report(self, report, titles: dict[str, str] | None = None, confusions: dict | None = None) -> None:
        """Fill the charts and tables from an :class:`~annotator.review.agreement.AgreementReport`
        (and the label confusion per layer, :func:`annotator.ops.label_confusion`)."""
        titles = titles or {}
        self.report = report
        self.charts.show_figures(report.overall, confusions or {})
        if report.model:
            model = f"; model: {report.model}"
        elif self.model_box.isChecked():
            model = "; model not included (no suggestions in this database)"
        else:
            model = "; model not included"
        self.status.setText(
            f"{report.n_articles} articles compared; annotators: {', '.join(report.annotators)}{model}."
            f" Kappa is Cohen's on tokens ({report.tokenizer}), alpha Krippendorff's."
        )
        self.overall_model.set_rows(
            [
                (
                    e.layer,
                    e.label or "all labels",
                    str(sum(e.spans.values())),
                    fmt(e.exact_f1),
                    fmt(e.relaxed_f1),
                    str(e.boundary_shifts),
                    fmt(e.kappa),
                    fmt(e.alpha),
                )
                for e in report.overall
            ]
        )
        pairs = sorted(report.pairs, key=lambda e: (e.layer, e.label is not None, e.label or "", e.a, e.b))
        self.pairs_model.set_rows(
            [
                (
                    e.layer,
                    e.label or "all labels",
                    f"{e.a} / {e.b}",
                    fmt(e.exact.f1),
                    fmt(e.relaxed.f1),
                    str(e.boundary_shifts),
                    fmt(e.kappa),
                    str(e.tokens),
                )
                for e in pairs
            ]
        )
        self.model_model.set_rows(
            [
                (
                    e.layer,
                    e.annotator,
                    f"{e.spans_equal}/{e.spans}",
                    _rate(e.accepted_rate),
                    f"{e.identical_articles}/{e.articles}",
                )
                for e in report.model_acceptance
            ]
        )
        arts = list(report.articles)
        self.articles_model.set_rows(
            [
                (
                    titles.get(a.article_id, a.article_id),
                    a.layer,
                    ", ".join(a.annotators),
                    fmt(a.exact_f1),
                    fmt(a.relaxed_f1),
                    str(a.boundary_shifts),
                    fmt(a.kappa),
                )
                for a in arts
            ],
            keys=[a.article_id for a in arts],
            tips=[f"id {a.article_id}; double-click to open" for a in arts],
        )
        self.computed.emit()

    def open_article_at(self, row: int) -> None:
        """Open the article of worst-articles ``row`` in the main view."""
        aid = self.articles_model.key(row)
        if aid:
            self.session.open_article(aid)
            self.article_opened.emit(aid)

    def _on_articles_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_article_at(index.row())


class AgreementDialog(QDialog):
    """The agreement view in a non-modal dialog.

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`.
    parent
        The main window.
    """

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Agreement between annotators")
        self.view = AgreementView(session, self)
        self.article_opened = self.view.article_opened
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)
        lay.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1000, 620)


# -- feedback -------------------------------------------------------------------------------------


class FeedbackBrowser(QTextBrowser):
    """Shows report HTML and nothing else: links are not followed, resources never loaded.

    Parameters
    ----------
    parent
        Parent widget.

    Attributes
    ----------
    requested
        Every resource the HTML asked for (none was loaded), for tests and diagnosis.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.requested: list[str] = []

    def loadResource(self, kind: int, name: QUrl):  # noqa: N802 - Qt override
        # Never fetch: a report names no resources, and HTML from a merged database could.
        self.requested.append(name.toString())
        return None


def compute_feedback(store, annotator: str) -> tuple[str, str]:
    """``(html, text)`` of :func:`annotator.ops.feedback` for ``annotator`` (run in a worker)."""
    from annotator import ops

    report = ops.feedback(store, annotator)
    return report.to_html(), report.to_text()


class FeedbackView(QWidget):
    """One annotator's feedback report (what the reviewer changed), with "Save as HTML…".

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`.
    annotator
        Whose work the report is about.
    parent
        Parent widget.

    Signals
    -------
    computed()
        The report (or the reason there is none) is shown.
    """

    computed = Signal()

    def __init__(self, session, annotator: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.annotator = annotator
        self.html = ""
        self.text = ""
        self._task = None
        self.status = QLabel(f"computing the feedback for {annotator}…")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.browser = FeedbackBrowser()
        self.save_button = QPushButton("Save as HTML…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser, 1)
        lay.addLayout(bottom)
        self.refresh()

    def is_computing(self) -> bool:
        """True while the report is being computed."""
        return self._task is not None

    def refresh(self) -> None:
        """Compute the report again in the background."""
        if self._task is not None:
            return
        who = self.annotator
        self._task = run_on_store(
            self.session,
            lambda store, progress, cancelled: compute_feedback(store, who),
            on_result=self._on_task_finished,
            on_error=self._on_task_failed,
        )

    def _on_task_finished(self, result: tuple[str, str]) -> None:
        self._task = None
        self.html, self.text = result
        self.browser.setHtml(self.html)
        self.save_button.setEnabled(True)
        self.status.setText(f"Feedback for {self.annotator}, against the gold set.")
        self.computed.emit()

    def _on_task_failed(self, exc: BaseException) -> None:
        self._task = None
        self.html = self.text = ""
        self.browser.setPlainText("")
        self.save_button.setEnabled(False)
        self.status.setText(f"No feedback: {error_message(exc)}")
        self.computed.emit()

    def save_html(self, path: str | Path) -> Path:
        """Write the report to ``path`` (UTF-8 HTML); returns the path."""
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target

    def _on_save_button_clicked(self) -> None:
        from annotator.ui.dialogs import save_file_name

        name = save_file_name(
            self,
            "Save the feedback report",
            str(Path(self.session.db_path).parent / f"feedback-{self.annotator}.html"),
            "HTML (*.html *.htm)",
        )
        if not name:
            return
        try:
            self.save_html(name)
        except OSError as e:
            from annotator.ui.errors import show_error

            show_error(self, e)
            return
        self.status.setText(f"saved to {name}")


class FeedbackDialog(QDialog):
    """The feedback view of one annotator in a non-modal dialog.

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`.
    annotator
        Whose work the report is about.
    parent
        The main window.
    """

    def __init__(self, session, annotator: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Feedback for {annotator}")
        self.view = FeedbackView(session, annotator, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)
        lay.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(820, 640)


__all__ = [
    "AgreementDialog",
    "AgreementView",
    "FeedbackBrowser",
    "FeedbackDialog",
    "FeedbackView",
    "ReportTableModel",
    "compute_agreement",
    "compute_feedback",
    "fmt",
]
