"""The article list: a lazy table over article ids, with state, label and text filters.

The model holds only the ids of the matching articles (what ``Store.article_ids`` returns) and
fetches the rows it is asked to paint in chunks through ``Store.article_rows`` into a bounded
least-recently-used cache, so 100,000 articles cost a list of ids, not 100,000 rows, and
scrolling costs the same whatever the number of articles.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace

from PySide6 import QtGui
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont
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
from annotator.model import ArticleRow, Changes
from annotator.ui.session import Session
from annotator.ui.views import EnterTableView

STATE_TEXT = {m.TODO: "to do", m.IN_PROGRESS: "in progress", m.DONE: "done", m.SKIPPED: "skipped"}

TITLE, STATE, PENDING, ACCEPTED, UNCERTAINTY = range(5)
COLUMNS = ("Title", "State", "Pending", "Accepted")
UNCERTAINTY_COLUMN = "Unsure"  # a fifth column, shown only in "most uncertain first" order

IMPORT_ORDER = "import"
UNCERTAIN_FIRST = "uncertain"

ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""Role giving the article id of a row (never needs a fetch)."""

_Index = QModelIndex | QPersistentModelIndex

# data() runs for every visible cell and role on each repaint and column resize: roles are
# compared as plain ints and the ones never answered return at once.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_ALIGN = Qt.ItemDataRole.TextAlignmentRole.value
_ID = ID_ROLE.value if hasattr(ID_ROLE, "value") else int(ID_ROLE)
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _FONT, _ALIGN, _ID})
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows its characters literally, line breaks kept."""
    return QtGui.Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


class ArticleListModel(QAbstractTableModel):
    """Lazy table of articles: ids in filter order plus a bounded row cache.

    Parameters
    ----------
    session
        The window's session; rows are read for ``session.annotator`` from ``session.store``.
    chunk_size
        Rows fetched per ``Store.article_rows`` call.
    max_chunks
        Chunks kept in the cache (least recently used are dropped), so at most
        ``chunk_size * max_chunks`` rows are held whatever the number of articles.
    parent
        Optional QObject owner.

    Notes
    -----
    Columns are Title, State ("to do", "in progress", "done", "skipped"), Pending (undecided
    suggestions) and Accepted (the annotator's spans). ``ID_ROLE`` gives a row's article id.
    With an uncertainty order set (:meth:`set_order`) the ranked articles come first, most
    uncertain first, and a fifth column, Uncertain, shows each one's score.
    On ``session.changed`` only the touched rows emit ``dataChanged``; the id list is queried
    again (a model reset) when a filter may now match differently or new articles appeared.
    """

    def __init__(
        self,
        session: Session,
        chunk_size: int = 200,
        max_chunks: int = 8,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.session = session
        self.chunk_size = chunk_size
        self.max_chunks = max_chunks
        self.state_filter: str | None = None
        self.label_filter: str | None = None
        self.search: str = ""
        self._ids: list[str] = []
        self._order: dict[str, tuple[int, float]] | None = None  # id -> (rank, uncertainty)
        self._row_of: dict[str, int] | None = None  # built on first lookup, dropped on reload
        self._cache: OrderedDict[int, dict[str, ArticleRow | None]] = OrderedDict()
        self.fetches = 0  # number of Store.article_rows calls (for measurements and tests)
        self.data_calls = 0
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self._on_session_store_changed)
        session.annotator_changed.connect(self._on_session_annotator_changed)
        self._load_ids()

    # -- filters ---------------------------------------------------------------------------------

    def set_filters(
        self, state: str | None = None, label: str | None = None, search: str | None = None
    ) -> None:
        """Show only articles in ``state`` (for this annotator), with ``label``, containing ``search``.

        None (or "" for search) means no filter on that field.
        """
        self.state_filter = state
        self.label_filter = label
        self.search = (search or "").strip()
        self.reload()

    @Slot()
    def reload(self) -> None:
        """Query the id list again and drop every cached row."""
        self.beginResetModel()
        self._load_ids()
        self.endResetModel()

    def set_order(self, order: Sequence[tuple[str, float]] | None) -> None:
        """Show the ranked articles first, in the given order, with their scores; None: import order.

        Parameters
        ----------
        order
            ``[(article_id, uncertainty), ...]``, most uncertain first (what
            :func:`annotator.train.uncertainty_order` returns). Articles not in it (finished
            ones, or imported since) follow in import order. The filters still apply.
        """
        self.beginResetModel()
        self._order = None if order is None else {aid: (i, score) for i, (aid, score) in enumerate(order)}
        self._load_ids()
        self.endResetModel()

    @property
    def ordered(self) -> bool:
        """True while an uncertainty order is shown."""
        return self._order is not None

    def uncertainty(self, article_id: str) -> float | None:
        """The article's uncertainty in the order shown, None when unranked or in import order."""
        if self._order is None or article_id not in self._order:
            return None
        return self._order[article_id][1]

    def _load_ids(self) -> None:
        ids = self.session.store.article_ids(
            self.session.annotator, self.state_filter, self.label_filter, self.search or None
        )
        if self._order is not None:
            order = self._order
            ranked = sorted((aid for aid in ids if aid in order), key=lambda aid: order[aid][0])
            ids = ranked + [aid for aid in ids if aid not in order]
        self._ids = ids
        self._row_of = None
        self._cache.clear()

    # -- lookups -----------------------------------------------------------------------------

    def ids(self) -> Sequence[str]:
        """The article ids shown, in row order."""
        return self._ids

    def article_id(self, row: int) -> str | None:
        """Id of the article in ``row`` (None when out of range)."""
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, article_id: str) -> int:
        """Row of ``article_id``, or -1 when it is not in the (filtered) list."""
        if self._row_of is None:
            self._row_of = {aid: i for i, aid in enumerate(self._ids)}
        return self._row_of.get(article_id, -1)

    def row_data(self, row: int) -> ArticleRow | None:
        """The row's :class:`ArticleRow`, fetched with its chunk if not cached."""
        aid = self.article_id(row)
        if aid is None:
            return None
        chunk = row // self.chunk_size
        rows = self._cache.get(chunk)  # id -> row, None for an article gone since the ids were read
        if rows is None:
            start = chunk * self.chunk_size
            fetched = self.session.store.article_rows(
                self._ids[start : start + self.chunk_size], self.session.annotator
            )
            self.fetches += 1
            rows = dict.fromkeys(self._ids[start : start + self.chunk_size])
            rows.update((r.id, r) for r in fetched)
            self._cache[chunk] = rows
            while len(self._cache) > self.max_chunks:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(chunk)
            if aid not in rows:  # invalidated by a change: fetch this one row again
                fetched = self.session.store.article_rows([aid], self.session.annotator)
                self.fetches += 1
                rows[aid] = fetched[0] if fetched else None
        return rows.get(aid)

    def cached_rows(self) -> int:
        """How many rows the cache holds now."""
        return sum(len(c) for c in self._cache.values())

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(COLUMNS) + (self._order is not None)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(COLUMNS):
                return COLUMNS[section]
            if section == UNCERTAINTY and self._order is not None:
                return UNCERTAINTY_COLUMN
        if role == Qt.ItemDataRole.ToolTipRole and section == UNCERTAINTY and self._order is not None:
            return "How unsure the trained model is about the article (higher: less sure)"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        return _ROW_FLAGS

    def data(self, index: _Index, role: int = _DISPLAY):
        if role not in _ROLES:
            return None
        r = index.row()
        if not (0 <= r < len(self._ids)) or not index.isValid():
            return None
        col = index.column()
        if role == _ID:
            return self._ids[r]
        if not 0 <= col < len(COLUMNS) + (self._order is not None):
            return None
        if role == _ALIGN:
            if col in (PENDING, ACCEPTED, UNCERTAINTY):
                return _RIGHT
            return None
        self.data_calls += 1
        row = self.row_data(r)
        if row is None:  # deleted since the ids were read
            return "(gone)" if role == _DISPLAY and col == TITLE else None
        if role == _FONT:
            if col == TITLE and row.id == self.session.article_id:
                font = QFont()
                font.setBold(True)
                return font
            return None
        score = self.uncertainty(row.id)
        if role == _TOOLTIP:
            if col in (TITLE, UNCERTAINTY):
                tip = f"{row.title}\n{row.words:,} words · {STATE_TEXT.get(row.state, row.state)}"
                if score is not None:
                    tip += f"\nuncertainty {score:.2f} (rank {self._order[row.id][0] + 1})"
                # Escaped: a tooltip that looks like HTML is rendered as HTML (a title with
                # "<img src=…>" would show an image), and titles are article text.
                return plain_tooltip(tip)
            return None
        if col == TITLE:
            return row.title
        if col == STATE:
            return STATE_TEXT.get(row.state, row.state)
        if col == PENDING:
            return row.pending
        if col == ACCEPTED:
            return row.accepted
        if col == UNCERTAINTY:
            return "" if score is None else f"{score:.2f}"
        return None

    # -- refresh from the session ----------------------------------------------------------------

    def _on_session_annotator_changed(self, _name: str) -> None:
        self._order = None  # the ranking was for another annotator's unfinished articles
        self.reload()

    @Slot()
    def _on_session_store_changed(self) -> None:
        self._order = None
        self.reload()

    def _on_session_changed(self, changes: Changes) -> None:
        if not changes.articles:
            if changes.spans or changes.states:
                # A change without a list of articles (annotator switch, undo of an import …).
                self.reload()
            return
        if (changes.states and self.state_filter is not None) or (
            changes.spans and self.label_filter is not None
        ):
            self.reload()
            return
        rows = [self.row_of(aid) for aid in changes.articles]
        unfiltered = self.state_filter is None and self.label_filter is None and not self.search
        if any(r < 0 for r in rows) and (unfiltered or changes.count("articles_added") > 0):
            # Articles the list has never seen (an import): they may belong in it.
            self.reload()
            return
        rows = sorted(r for r in rows if r >= 0)
        if not rows:
            return
        up = changes.update
        for r in rows:
            chunk = self._cache.get(r // self.chunk_size)
            if chunk is None:
                continue
            aid = self._ids[r]
            old = chunk.pop(aid, None)
            if (
                old is not None
                and up is not None
                and up.article_id == aid
                and up.annotator == self.session.annotator
            ):
                # The action says what it did to the counts: no aggregate query over the
                # article's suggestions (2,400 for 20,000 words: 2 ms a decision).
                chunk[aid] = replace(
                    old,
                    state=up.state or old.state,
                    pending=old.pending + up.pending_delta,
                    accepted=old.accepted + up.accepted_delta,
                )
        # One dataChanged per run of adjacent rows.
        last_col = self.columnCount() - 1
        first = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            self.dataChanged.emit(self.index(first, 0), self.index(prev, last_col))
            if r is not None:
                first = prev = r

    def refresh_current_font(self, old: str | None, new: str | None) -> None:
        """Repaint the rows of the previously and newly open articles (bold title)."""
        for aid in (old, new):
            if aid:
                r = self.row_of(aid)
                if r >= 0:
                    self.dataChanged.emit(self.index(r, TITLE), self.index(r, TITLE))


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

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)

        self.table = EnterTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        # Fixed row heights: the view never measures 100,000 rows.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        # Widths from the widest possible content, not ResizeToContents: sizing to contents
        # re-measures the visible rows on every change (about 1 ms per decision).
        fm = self.table.fontMetrics()
        pad = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 8
        for col, widest in (
            (STATE, ("in progress", "State")),
            (PENDING, ("Pending", "99999")),
            (ACCEPTED, ("Accepted", "99999")),
        ):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, max(fm.horizontalAdvance(w) for w in widest) + pad)

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.state_combo)
        filters.addWidget(self.label_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        search_row = QHBoxLayout()
        search_row.setContentsMargins(0, 0, 0, 0)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.order_combo)
        layout.addLayout(search_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self.setFocusProxy(self.table)

        self.state_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.label_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return)
        self.order_combo.currentIndexChanged.connect(self._on_order_combo_changed)
        self._search_timer.timeout.connect(self._on_filter_changed)
        self.table.clicked.connect(self._on_table_activated)
        self.table.enter_pressed.connect(self._on_table_activated)
        self.model.modelReset.connect(self._on_model_reset)
        session.changed.connect(self._on_session_changed)
        session.article_changed.connect(self._on_session_article_changed)
        session.store_changed.connect(self._fill_label_combo)
        session.store_changed.connect(self.show_import_order)
        session.annotator_changed.connect(self.show_import_order)
        self._update_count()
        if self._open_id:
            self.select_article(self._open_id)

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
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
            | QItemSelectionModel.SelectionFlag.Current,
        )
        self.table.scrollTo(index)
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
