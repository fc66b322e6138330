"""The article list's model: a lazy table over article ids.

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
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from annotator import model as m
from annotator.model import Changes
from annotator.store import ArticleRow
from annotator.ui.session import Session
from annotator.ui.views import RowTableModel

STATE_TEXT = {m.TODO: "to do", m.IN_PROGRESS: "in progress", m.DONE: "done", m.SKIPPED: "skipped"}

TITLE, STATE, PENDING, ACCEPTED, UNCERTAINTY = range(5)
COLUMNS = ("Title", "State", "Pending", "Accepted")
UNCERTAINTY_COLUMN = "Unsure"  # a fifth column, shown only in "most uncertain first" order

ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""Role giving the article id of a row (never needs a fetch)."""

# data() runs for every visible cell and role on each repaint and column resize: roles are
# compared as plain ints and the ones never answered return at once.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_ALIGN = Qt.ItemDataRole.TextAlignmentRole.value
_ID = int(ID_ROLE)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


def done_with_undecided(row: ArticleRow) -> bool:
    """An article marked done with suggestions left undecided (its Pending reads "3 left", bold)."""
    return row.state == m.DONE and row.pending > 0


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows its characters literally, line breaks kept."""
    return QtGui.Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


class ArticleListModel(RowTableModel):
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
    The model's rows are the article ids (:meth:`ids`); a row's data is fetched when painted.
    Columns are Title, State ("to do", "in progress", "done", "skipped"), Pending (undecided
    suggestions) and Accepted (the annotator's spans). ``ID_ROLE`` gives a row's article id.
    With an uncertainty order set (:meth:`set_order`) the ranked articles come first, most
    uncertain first, and a fifth column, Uncertain, shows each one's score.
    On ``session.changed`` only the touched rows emit ``dataChanged``; the id list is queried
    again (a model reset) when a filter may now match differently or new articles appeared.
    """

    ROLES = frozenset({_DISPLAY, _TOOLTIP, _FONT, _ALIGN, _ID})

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
        self._order: dict[str, tuple[int, float]] | None = None  # id -> (rank, uncertainty)
        self._row_of: dict[str, int] | None = None  # built on first lookup, dropped on reload
        self._cache: OrderedDict[int, dict[str, ArticleRow | None]] = OrderedDict()
        self.fetches = 0  # number of Store.article_rows calls (for measurements and tests)
        self.data_calls = 0
        self._bold = QFont()
        self._bold.setBold(True)
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self._on_session_store_changed)
        session.annotator_changed.connect(self._on_session_annotator_changed)
        self._rows = self._query_ids()

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
        self.set_rows(self._query_ids())

    def _rows_replaced(self) -> None:
        self._row_of = None
        self._cache.clear()

    def set_order(self, order: Sequence[tuple[str, float]] | None) -> None:
        """Show the ranked articles first, in the given order, with their scores; None: import order.

        Parameters
        ----------
        order
            ``[(article_id, uncertainty), ...]``, most uncertain first (what
            :func:`annotator.train.uncertainty_order` returns). Articles not in it (finished
            ones, or imported since) follow in import order. The filters still apply.
        """
        # Inside the reset: the column count changes with the order.
        self.beginResetModel()
        self._order = None if order is None else {aid: (i, score) for i, (aid, score) in enumerate(order)}
        self._rows = self._query_ids()
        self._rows_replaced()
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

    def _query_ids(self) -> list[str]:
        ids = self.session.store.article_ids(
            self.session.annotator, self.state_filter, self.label_filter, self.search or None
        )
        if self._order is not None:
            order = self._order
            ranked = sorted((aid for aid in ids if aid in order), key=lambda aid: order[aid][0])
            ids = ranked + [aid for aid in ids if aid not in order]
        return ids

    # -- lookups -----------------------------------------------------------------------------

    def ids(self) -> Sequence[str]:
        """The article ids shown, in row order."""
        return self._rows

    def article_id(self, row: int) -> str | None:
        """Id of the article in ``row`` (None when out of range)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, article_id: str) -> int:
        """Row of ``article_id``, or -1 when it is not in the (filtered) list."""
        if self._row_of is None:
            self._row_of = {aid: i for i, aid in enumerate(self._rows)}
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
                self._rows[start : start + self.chunk_size], self.session.annotator, self._hidden()
            )
            self.fetches += 1
            rows = dict.fromkeys(self._rows[start : start + self.chunk_size])
            rows.update((r.id, r) for r in fetched)
            self._cache[chunk] = rows
            while len(self._cache) > self.max_chunks:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(chunk)
            if aid not in rows:  # invalidated by a change: fetch this one row again
                fetched = self.session.store.article_rows([aid], self.session.annotator, self._hidden())
                self.fetches += 1
                rows[aid] = fetched[0] if fetched else None
        return rows.get(aid)

    def _hidden(self):
        """Labels out of the project's scope: their suggestions are not counted as pending."""
        return self.session.label_filter.off

    def cached_rows(self) -> int:
        """How many rows the cache holds now."""
        return sum(len(c) for c in self._cache.values())

    # -- what the table shows ----------------------------------------------------------------

    def headers(self) -> tuple[str, ...]:
        return COLUMNS + ((UNCERTAINTY_COLUMN,) if self._order is not None else ())

    def header_tip(self, section: int) -> str | None:
        if section == UNCERTAINTY and self._order is not None:
            return "How unsure the trained model is about the article (higher: less sure)"
        return None

    def cell(self, aid: str, col: int, role: int, r: int):
        if role == _ID:
            return aid
        if role == _ALIGN:
            return _RIGHT if col in (PENDING, ACCEPTED, UNCERTAINTY) else None
        self.data_calls += 1
        row = self.row_data(r)
        if row is None:  # deleted since the ids were read
            return "(gone)" if role == _DISPLAY and col == TITLE else None
        if role == _FONT:
            if col == PENDING and done_with_undecided(row):
                return self._bold
            return self._bold if col == TITLE and row.id == self.session.article_id else None
        if role == _TOOLTIP:
            return self._tooltip(row) if col in (TITLE, STATE, PENDING, UNCERTAINTY) else None
        if col == TITLE:
            return row.title
        if col == STATE:
            return STATE_TEXT.get(row.state, row.state)
        if col == PENDING:
            return f"{row.pending} left" if done_with_undecided(row) else row.pending
        if col == ACCEPTED:
            return row.accepted
        score = self.uncertainty(row.id)
        return "" if score is None else f"{score:.2f}"

    def _tooltip(self, row: ArticleRow) -> str:
        tip = f"{row.title}\n{row.words:,} words · {STATE_TEXT.get(row.state, row.state)}"
        if row.state == m.DONE and row.pending:
            tip += f", {row.pending} suggestion{'s' * (row.pending != 1)} left undecided"
        score = self.uncertainty(row.id)
        if score is not None:
            tip += f"\nuncertainty {score:.2f} (rank {self._order[row.id][0] + 1})"
        # Escaped: a tooltip that looks like HTML is rendered as HTML (a title with
        # "<img src=…>" would show an image), and titles are article text.
        return plain_tooltip(tip)

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
            aid = self._rows[r]
            old = chunk.pop(aid, None)
            if (
                old is not None
                and up is not None
                and up.article_id == aid
                and up.annotator == self.session.annotator
            ):
                # The action says what it did to the counts: no aggregate query over the
                # article's suggestions at every decision.
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
