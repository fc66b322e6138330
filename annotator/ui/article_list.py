"""The article list: a lazy table over article ids, with state, label and text filters.

The model holds only the ids of the matching articles (what ``Store.article_ids`` returns) and
fetches the rows it is asked to paint in chunks through ``Store.article_rows`` into a bounded
least-recently-used cache, so 100,000 articles cost a list of ids, not 100,000 rows, and
scrolling costs the same whatever the number of articles.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

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
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator import model as m
from annotator.model import Changes
from annotator.store.store import ArticleRow
from annotator.ui.session import Session

STATE_TEXT = {m.TODO: "to do", m.IN_PROGRESS: "in progress", m.DONE: "done", m.SKIPPED: "skipped"}

TITLE, STATE, PENDING, ACCEPTED = range(4)
COLUMNS = ("Title", "State", "Pending", "Accepted")

ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""Role giving the article id of a row (never needs a fetch)."""

_Index = QModelIndex | QPersistentModelIndex


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
        self._row_of: dict[str, int] | None = None  # built on first lookup, dropped on reload
        self._cache: OrderedDict[int, dict[str, ArticleRow | None]] = OrderedDict()
        self.fetches = 0  # number of Store.article_rows calls (for measurements and tests)
        self.data_calls = 0
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self.reload)
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

    def _load_ids(self) -> None:
        self._ids = self.session.store.article_ids(
            self.session.annotator, self.state_filter, self.label_filter, self.search or None
        )
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
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(COLUMNS):
                return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        col = index.column()
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (PENDING, ACCEPTED):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.FontRole,
        ):
            return None
        self.data_calls += 1
        row = self.row_data(index.row())
        if row is None:  # deleted since the ids were read
            return "(gone)" if role == Qt.ItemDataRole.DisplayRole and col == TITLE else None
        if role == Qt.ItemDataRole.FontRole:
            if col == TITLE and row.id == self.session.article_id:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == TITLE:
                return f"{row.title}\n{row.words:,} words · {STATE_TEXT.get(row.state, row.state)}"
            return None
        if col == TITLE:
            return row.title
        if col == STATE:
            return STATE_TEXT.get(row.state, row.state)
        if col == PENDING:
            return row.pending
        if col == ACCEPTED:
            return row.accepted
        return None

    # -- refresh from the session ----------------------------------------------------------------

    def _on_session_annotator_changed(self, _name: str) -> None:
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
        for r in rows:
            chunk = self._cache.get(r // self.chunk_size)
            if chunk is not None:
                chunk.pop(self._ids[r], None)
        # One dataChanged per run of adjacent rows.
        last_col = len(COLUMNS) - 1
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


class _ArticleTable(QTableView):
    """The table: Enter/Return activates the current row (on every platform)."""

    enter_pressed = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.enter_pressed.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


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
    """

    article_activated = Signal(str)
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

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)

        self.table = _ArticleTable()
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
        for col in (STATE, PENDING, ACCEPTED):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hh.setResizeContentsPrecision(0)  # size columns from visible rows only, never all rows

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.state_combo)
        filters.addWidget(self.label_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self.setFocusProxy(self.table)

        self.state_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.label_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return)
        self._search_timer.timeout.connect(self._on_filter_changed)
        self.table.clicked.connect(self._on_table_activated)
        self.table.enter_pressed.connect(self._on_table_activated)
        self.model.modelReset.connect(self._on_model_reset)
        session.changed.connect(self._on_session_changed)
        session.article_changed.connect(self._on_session_article_changed)
        session.store_changed.connect(self._fill_label_combo)
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
