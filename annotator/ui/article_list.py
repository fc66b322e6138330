"""The article list panel: state, label and text filters over a lazy table of articles.

The table's model is :class:`~annotator.ui.article_list_model.ArticleListModel` (ids plus a
bounded row cache); the panel adds the filters, the search box with its debounce, the order
("import" or "most uncertain first") and the article count, and says which article the user
chose (:attr:`ArticleListView.article_activated`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from annotator import model as m
from annotator.model import Changes
from annotator.ui.article_list_model import (
    ACCEPTED,
    COLUMNS,
    ID_ROLE,
    PENDING,
    STATE,
    STATE_TEXT,
    TITLE,
    UNCERTAINTY,
    UNCERTAINTY_COLUMN,
    ArticleListModel,
    plain_tooltip,
)
from annotator.ui.session import Session
from annotator.ui.views import ColumnFitter, row_table, select_row

IMPORT_ORDER = "import"
UNCERTAIN_FIRST = "uncertain"

__all__ = [
    "ACCEPTED",
    "COLUMNS",
    "ID_ROLE",
    "IMPORT_ORDER",
    "PENDING",
    "STATE",
    "STATE_TEXT",
    "TITLE",
    "UNCERTAINTY",
    "UNCERTAINTY_COLUMN",
    "UNCERTAIN_FIRST",
    "ArticleListModel",
    "ArticleListView",
    "plain_tooltip",
]


class ArticleListView(QWidget):
    """The article list panel: filters on top, the lazy article table below.

    Parameters
    ----------
    session
        The window's session.
    parent
        Optional parent widget.

    Attributes
    ----------
    article_activated : Signal(str)
        An article was clicked or Enter was pressed on it; carries its id. The window opens it
        (``session.open_article``); the list does not open it by itself.
    model : ArticleListModel
    table : QTableView
    state_combo, label_combo : QComboBox
        Filters; the item data is the state / label name, None for "all".
    search_edit : QLineEdit
        Text search, applied ``SEARCH_DELAY_MS`` after the last keystroke.
    order_combo : QComboBox
        "Import order" or "Most uncertain first" (item data ``IMPORT_ORDER`` /
        ``UNCERTAIN_FIRST``); enabled only once a trained model exists
        (:meth:`set_uncertainty_available`).
    uncertainty_requested : Signal()
        The user chose "Most uncertain first"; whoever computes the ranking answers with
        :meth:`show_uncertainty_order` (or :meth:`show_import_order` when it failed).
    """

    article_activated = Signal(str)
    uncertainty_requested = Signal()
    SEARCH_DELAY_MS = 250

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.model = ArticleListModel(session, parent=self)
        self._open_id: str | None = session.article_id
        self._make_filters()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self.table = row_table(self.model)
        self.table.setAlternatingRowColors(True)
        # Long titles keep their start and end ("Brussels and Wash…eel tariffs bite"); the
        # whole title is in the tooltip.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._size_columns()
        # A narrow list gives its title the room: the Accepted count goes first.
        self.fitter = ColumnFitter(self.table, TITLE, [ACCEPTED])
        self._lay_out()
        self._connect()
        self._update_count()
        if self._open_id:
            self.select_article(self._open_id)

    def _make_filters(self) -> None:
        self.state_combo = QComboBox()
        self.state_combo.setAccessibleName("State filter")
        self.state_combo.addItem("All states", None)
        for state in m.STATES:
            self.state_combo.addItem(STATE_TEXT[state].capitalize(), state)
        self.label_combo = QComboBox()
        self.label_combo.setAccessibleName("Label filter")
        self._fill_label_combo()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search titles and text")
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.order_combo = QComboBox()
        self.order_combo.setAccessibleName("Order")
        self.order_combo.addItem("Import order", IMPORT_ORDER)
        self.order_combo.addItem("Most uncertain first", UNCERTAIN_FIRST)
        self.set_uncertainty_available(False)

    def _size_columns(self) -> None:
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        # Widths from the widest possible content, not ResizeToContents: sizing to contents
        # re-measures the visible rows on every change, so at every decision.
        fm = self.table.fontMetrics()
        pad = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 8
        for col, widest in (
            (STATE, ("in progress", "State")),
            (PENDING, ("Pending", "999 left")),
            (ACCEPTED, ("Accepted", "99999")),
        ):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, max(fm.horizontalAdvance(w) for w in widest) + pad)

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.state_combo)
        filters.addWidget(self.label_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        # The search box has a row of its own, so its placeholder is never cut; the order
        # goes beside the count under the list.
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.order_combo)
        layout.addLayout(bottom)
        self.setFocusProxy(self.table)

    def _connect(self) -> None:
        self.state_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.label_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return)
        self.order_combo.currentIndexChanged.connect(self._on_order_combo_changed)
        self._search_timer.timeout.connect(self._on_filter_changed)
        self.table.clicked.connect(self._on_table_activated)
        self.table.enter_pressed.connect(self._on_table_activated)
        self.model.modelReset.connect(self._on_model_reset)
        session = self.session
        session.changed.connect(self._on_session_changed)
        session.article_changed.connect(self._on_session_article_changed)
        session.store_changed.connect(self._fill_label_combo)
        session.store_changed.connect(self.show_import_order)
        session.annotator_changed.connect(self.show_import_order)

    # -- public --------------------------------------------------------------------------------

    @Slot(str)
    def select_article(self, article_id: str) -> bool:
        """Make ``article_id`` the current row and scroll to it, without emitting activation.

        Returns False (and clears the selection) when the article is not in the filtered list.
        """
        row = self.model.row_of(article_id) if article_id else -1
        if row < 0:
            self.table.selectionModel().clearSelection()
            return False
        index = self.model.index(row, TITLE)
        select_row(self.table, index)
        return True

    def current_article(self) -> str | None:
        """Id of the current row, if any."""
        index = self.table.currentIndex()
        return self.model.article_id(index.row()) if index.isValid() else None

    def set_uncertainty_available(self, available: bool) -> None:
        """Enable "Most uncertain first" (only with a trained model); off, import order is shown."""
        self.order_combo.setEnabled(available)
        self.order_combo.setToolTip(
            "Order of the list: the articles the trained model is least sure about first"
            if available
            else "Train a model first (Model > Retrain from my annotations…) to sort by uncertainty"
        )
        if not available:
            self.show_import_order()

    def show_uncertainty_order(self, order: Sequence[tuple[str, float]]) -> None:
        """Show the unfinished articles most uncertain first (``[(article_id, score)]``)."""
        self._set_order_combo(UNCERTAIN_FIRST)
        self.model.set_order(order)
        hh = self.table.horizontalHeader()
        if hh.count() > UNCERTAINTY:
            hh.setSectionResizeMode(UNCERTAINTY, QHeaderView.ResizeMode.ResizeToContents)
        self.table.scrollToTop()

    @Slot()
    def show_import_order(self) -> None:
        """Back to import order (no uncertainty column)."""
        self._set_order_combo(IMPORT_ORDER)
        if self.model.ordered:
            self.model.set_order(None)

    def _set_order_combo(self, which: str) -> None:
        self.order_combo.blockSignals(True)
        self.order_combo.setCurrentIndex(max(self.order_combo.findData(which), 0))
        self.order_combo.blockSignals(False)

    def apply_filters_now(self) -> None:
        """Apply the search box without waiting for the debounce delay."""
        self._search_timer.stop()
        self._on_filter_changed()

    # -- handlers ------------------------------------------------------------------------------

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_edit_return(self) -> None:
        self.apply_filters_now()
        self.table.setFocus()

    def _on_filter_changed(self, *_args: object) -> None:
        self._search_timer.stop()
        state = self.state_combo.currentData()
        label = self.label_combo.currentData()
        search = self.search_edit.text().strip()
        if (state, label, search) == (self.model.state_filter, self.model.label_filter, self.model.search):
            return
        self.model.set_filters(state, label, search)

    def _on_order_combo_changed(self, _i: int) -> None:
        if self.order_combo.currentData() == UNCERTAIN_FIRST:
            self.uncertainty_requested.emit()
        else:
            self.model.set_order(None)

    def _on_table_activated(self, index: QModelIndex) -> None:
        aid = self.model.article_id(index.row())
        if aid:
            self.article_activated.emit(aid)

    def _on_model_reset(self) -> None:
        self._update_count()
        if self.session.article_id:
            self.select_article(self.session.article_id)

    def _on_session_article_changed(self, article_id: str) -> None:
        old, self._open_id = self._open_id, article_id or None
        self.model.refresh_current_font(old, self._open_id)
        if article_id:
            self.select_article(article_id)

    def _on_session_changed(self, changes: Changes) -> None:
        if changes.labels:
            self._fill_label_combo()

    def _fill_label_combo(self) -> None:
        current = self.label_combo.currentData()
        self.label_combo.blockSignals(True)
        self.label_combo.clear()
        self.label_combo.addItem("All labels", None)
        for layer in m.LAYERS:
            labels = self.session.store.labels(layer)
            if labels:
                self.label_combo.insertSeparator(self.label_combo.count())
            for lab in labels:
                self.label_combo.addItem(lab.name, lab.name)
                self.label_combo.setItemData(
                    self.label_combo.count() - 1, f"{layer}: {lab.description}", Qt.ItemDataRole.ToolTipRole
                )
        i = self.label_combo.findData(current) if current is not None else 0
        self.label_combo.setCurrentIndex(max(i, 0))
        self.label_combo.blockSignals(False)
        if current is not None and i < 0:
            self._on_filter_changed()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"{n:,} article{'s' if n != 1 else ''}")
