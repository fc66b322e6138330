"""The span list: the open article's suggestions and annotations, in text order."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from annotator import model as m
from annotator.model import Changes
from annotator.ui.session import Session

SUGGESTION = "suggestion"
ANNOTATION = "annotation"

LABEL, TEXT, LAYER, STATE = range(4)
COLUMNS = ("Label", "Text", "Layer", "State")

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
"""Role giving a row's kind ("suggestion" or "annotation")."""
ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""Role giving a row's suggestion or annotation id."""

TEXT_LIMIT = 80  # longer span texts are shortened in the Text column (full text in the tooltip)


@dataclass(frozen=True, slots=True)
class SpanRow:
    """One row of the span list."""

    kind: str  # "suggestion" or "annotation"
    id: int
    layer: str
    start: int
    end: int
    label: str
    text: str
    state: str  # pending/rejected for suggestions; accepted/corrected/manual/imported for annotations
    source: str | None = None


def span_rows(session: Session, article_id: str | None) -> list[SpanRow]:
    """What the span list shows for ``article_id`` and the session's annotator.

    Annotations (state = their origin) and the suggestions still pending or rejected. A
    suggestion that was accepted or corrected is represented by the annotation it produced, so
    it is not listed twice.
    """
    if not article_id:
        return []
    store = session.store
    try:
        text = store.article(article_id).text
    except Exception:  # noqa: BLE001 - the article vanished (another database); show nothing
        return []
    rows: list[SpanRow] = []
    for a in store.annotations(article_id, session.annotator):
        rows.append(
            SpanRow(
                ANNOTATION, a.id, a.layer, a.start, a.end, a.label, text[a.start : a.end], a.origin, a.source
            )
        )
    for s in store.suggestions(article_id, session.annotator):
        if s.status in (m.ACCEPTED, m.CORRECTED):
            continue
        rows.append(
            SpanRow(
                SUGGESTION, s.id, s.layer, s.start, s.end, s.label, text[s.start : s.end], s.status, s.source
            )
        )
    layer_order = {layer: i for i, layer in enumerate(m.LAYERS)}
    rows.sort(
        key=lambda r: (r.start, r.end, layer_order.get(r.layer, 9), r.kind != ANNOTATION, r.label, r.id)
    )
    return rows


_Index = QModelIndex | QPersistentModelIndex


class SpanListModel(QAbstractTableModel):
    """Table of the open article's spans: Label, Text, Layer, State, sorted by position.

    Parameters
    ----------
    parent
        Optional QObject owner.

    Notes
    -----
    The model is filled with :meth:`set_rows`; :class:`SpanList` does that from the session.
    ``KIND_ROLE`` and ``ID_ROLE`` identify a row's suggestion or annotation. Pending
    suggestions are shown in italics and rejected ones greyed out, so they are never mistaken
    for annotations.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[SpanRow] = []
        self._colours: dict[tuple[str, str], str] = {}

    def set_rows(self, rows: list[SpanRow], colours: dict[tuple[str, str], str] | None = None) -> None:
        """Replace the rows (and the ``(layer, label) -> colour`` map for the swatches)."""
        self.beginResetModel()
        self._rows = list(rows)
        if colours is not None:
            self._colours = dict(colours)
        self.endResetModel()

    def rows(self) -> list[SpanRow]:
        return list(self._rows)

    def row_of(self, kind: str, span_id: int) -> int:
        """Row of the suggestion or annotation, or -1."""
        for i, r in enumerate(self._rows):
            if r.kind == kind and r.id == span_id:
                return i
        return -1

    def span_at(self, row: int) -> SpanRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

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
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == KIND_ROLE:
            return r.kind
        if role == ID_ROLE:
            return r.id
        if role == Qt.ItemDataRole.DisplayRole:
            if col == LABEL:
                return r.label
            if col == TEXT:
                text = " ".join(r.text.split())
                return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"
            if col == LAYER:
                return r.layer
            if col == STATE:
                return r.state
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            what = "suggestion" if r.kind == SUGGESTION else "annotation"
            tip = f"{r.label} ({r.layer} {what}, {r.state})\n{r.text}\n{r.start}–{r.end}"
            if r.source:
                tip += f"\nfrom {r.source}"
            return tip
        if role == Qt.ItemDataRole.DecorationRole and col == LABEL:
            colour = self._colours.get((r.layer, r.label))
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.FontRole and r.kind == SUGGESTION:
            font = QFont()
            font.setItalic(True)
            if r.state == m.REJECTED:
                font.setStrikeOut(col == TEXT)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and r.kind == SUGGESTION and r.state == m.REJECTED:
            return QBrush(QColor(128, 128, 128))
        return None


class _SpanTable(QTableView):
    enter_pressed = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.enter_pressed.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class SpanList(QWidget):
    """The open article's suggestions and annotations, kept in sync with the article view.

    Parameters
    ----------
    session
        The window's session; the list follows ``session.article_id`` and refreshes on
        ``article_changed`` and on ``changed`` when the change touches the open article
        (or relabels).
    parent
        Optional parent widget.

    Attributes
    ----------
    span_activated : Signal(str, int)
        ``(kind, id)`` of a row clicked or chosen with Enter; kind is "suggestion" or
        "annotation".
    model : SpanListModel
    table : QTableView
    """

    span_activated = Signal(str, int)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.model = SpanListModel(self)
        self.table = _SpanTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        for col in (LABEL, LAYER, STATE):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hh.setResizeContentsPrecision(
            0
        )  # size columns from visible rows only (2,400 spans: 30 ms a keypress)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.setFocusProxy(self.table)
        # The span the view focused before this list had the new article's rows (the view
        # hears of an article change first): selected once the rows are read.
        self._wanted: tuple[str, int] | None = None

        self.table.clicked.connect(self._on_table_activated)
        self.table.enter_pressed.connect(self._on_table_activated)
        session.article_changed.connect(self._on_session_article_changed)
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Read the open article's spans again, keeping the selected span selected."""
        current = self.current_span() or self._wanted
        colours = {(lab.layer, lab.name): lab.colour for lab in self.session.store.labels()}
        self.model.set_rows(span_rows(self.session, self.session.article_id), colours)
        if current is not None:
            self.select_span(*current)

    def current_span(self) -> tuple[str, int] | None:
        """``(kind, id)`` of the current row, if any."""
        r = self.model.span_at(self.table.currentIndex().row())
        return (r.kind, r.id) if r else None

    @Slot(str, int)
    def select_span(self, kind: str, span_id: int) -> bool:
        """Make the span the current row and scroll to it, without emitting :attr:`span_activated`.

        Returns False (and clears the selection) when the span is not listed.
        """
        row = self.model.row_of(kind, span_id)
        if row < 0:
            self._wanted = (kind, span_id)
            self.table.selectionModel().clear()
            return False
        self._wanted = None
        index = self.model.index(row, LABEL)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
            | QItemSelectionModel.SelectionFlag.Current,
        )
        self.table.scrollTo(index)
        return True

    def _on_table_activated(self, index: QModelIndex) -> None:
        r = self.model.span_at(index.row())
        if r is not None:
            self.span_activated.emit(r.kind, r.id)

    def _on_session_article_changed(self, _article_id: str) -> None:
        wanted, self._wanted = self._wanted, None
        self.table.selectionModel().clear()
        self.refresh()
        if wanted is not None:
            self.select_span(*wanted)
            self._wanted = None

    def _on_session_changed(self, changes: Changes) -> None:
        aid = self.session.article_id
        if not aid:
            return
        if (
            changes.labels
            or aid in changes.articles
            or (not changes.articles and (changes.spans or changes.states))
        ):
            self.refresh()
