"""The span list: the open article's suggestions and annotations, in text order."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QVBoxLayout, QWidget

from annotator import model as m
from annotator.model import Changes
from annotator.ui.session import Session
from annotator.ui.views import ColumnFitter, RowTableModel, row_table, select_row

SUGGESTION = "suggestion"
ANNOTATION = "annotation"

LABEL, TEXT, LAYER, STATE = range(4)
COLUMNS = ("Label", "Text", "Layer", "State")

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
"""Role giving a row's kind ("suggestion" or "annotation")."""
ID_ROLE = Qt.ItemDataRole.UserRole + 2
"""Role giving a row's suggestion or annotation id."""

TEXT_LIMIT = 80  # longer span texts are shortened in the Text column (full text in the tooltip)
SCROLL_MARGIN_ROWS = 3  # rows kept in view above and below the selected span


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
    shared = getattr(session, "article_spans", None)
    if shared is not None:  # read once for every widget showing the article
        suggestions, annotations = shared(article_id)
    else:
        suggestions = store.suggestion_rows(article_id, session.annotator)
        annotations = store.annotations(article_id, session.annotator)
    rows = rows_of(text, annotations, suggestions)
    rows.sort(key=row_key)
    return rows


def rows_of(
    text: str,
    annotations: Iterable[m.Annotation],
    suggestions: Iterable[m.Suggestion | m.SuggestionRow],
) -> list[SpanRow]:
    """The span list's rows for these annotations and suggestions of an article of ``text`` (unsorted)."""
    rows: list[SpanRow] = []
    for a in annotations:
        rows.append(
            SpanRow(
                ANNOTATION, a.id, a.layer, a.start, a.end, a.label, text[a.start : a.end], a.origin, a.source
            )
        )
    for s in suggestions:
        if s.status in (m.ACCEPTED, m.CORRECTED):
            continue
        rows.append(
            SpanRow(
                SUGGESTION, s.id, s.layer, s.start, s.end, s.label, text[s.start : s.end], s.status, s.source
            )
        )
    return rows


_LAYER_ORDER = {layer: i for i, layer in enumerate(m.LAYERS)}


def row_key(r: SpanRow) -> tuple:
    """Where a row goes in the list: text order, entities before issues, annotations first."""
    return (r.start, r.end, _LAYER_ORDER.get(r.layer, 9), r.kind != ANNOTATION, r.label, r.id)


_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_KIND = int(KIND_ROLE)
_ID = int(ID_ROLE)


class SpanListModel(RowTableModel):
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

    HEADERS = COLUMNS
    # data() runs for every visible cell and role on each repaint and column resize (a dozen
    # roles per cell): the roles never answered return at once.
    ROLES = frozenset({_DISPLAY, _TOOLTIP, _DECORATION, _FONT, _FOREGROUND, _KIND, _ID})

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._keys: list[tuple] = []  # row_key of each row; the rows are kept sorted by it
        self._by_id: dict[tuple[str, int], SpanRow] = {}
        self._colours: dict[tuple[str, str], str] = {}
        self._swatches: dict[tuple[str, str], QPixmap] = {}
        # One font per look, not a new QFont per cell and repaint: pending suggestions in
        # italics, the text of rejected ones struck out too.
        self._italic = QFont()
        self._italic.setItalic(True)
        self._struck = QFont(self._italic)
        self._struck.setStrikeOut(True)

    def set_rows(self, rows: list[SpanRow], colours: dict[tuple[str, str], str] | None = None) -> None:
        """Replace the rows (and the ``(layer, label) -> colour`` map for the swatches)."""
        if colours is not None:
            self._colours = dict(colours)
            self._swatches = {}
        super().set_rows(rows)

    def _swatch(self, layer: str, label: str) -> QPixmap | None:
        """The label's colour as an entity square or an issue bar (made once per label)."""
        key = (layer, label)
        pix = self._swatches.get(key)
        if pix is None:
            colour = self._colours.get(key)
            if not colour:
                return None
            pix = QPixmap(14, 14)
            pix.fill(Qt.GlobalColor.transparent)
            p = QPainter(pix)
            if layer == m.ISSUE:
                p.fillRect(0, 9, 14, 4, QColor(colour))  # an underline, as issues are drawn
            else:
                p.fillRect(1, 1, 12, 12, QColor(colour))
            p.end()
            self._swatches[key] = pix
        return pix

    def _rows_replaced(self) -> None:
        self._keys = [row_key(r) for r in self._rows]
        self._by_id = {(r.kind, r.id): r for r in self._rows}
        if any(a > b for a, b in zip(self._keys, self._keys[1:], strict=False)):
            self._keys = []  # not in list order (set by hand): look rows up by scanning

    def update_rows(self, ranges: tuple[tuple[int, int], ...], rows: Iterable[SpanRow]) -> None:
        """Replace the rows overlapping ``ranges`` by ``rows`` (those of the same article now).

        Rows that stay where they are are changed in place (``dataChanged``); the others are
        removed and inserted at their place in text order, one row at a time, so views keep
        their selection and scroll position and nothing is reset.
        """
        if not self._keys and self._rows:
            merged = [r for r in self._rows if not any(r.start < b and a < r.end for a, b in ranges)]
            self.set_rows(sorted([*merged, *rows], key=row_key))
            return
        new = {(r.kind, r.id): r for r in rows}
        old = (
            [r for r in self._rows if any(r.start < b and a < r.end for a, b in ranges)]
            if len(ranges) != 1
            else [r for r in self._rows if r.start < ranges[0][1] and ranges[0][0] < r.end]
        )
        last = len(COLUMNS) - 1
        old_ids = {(r.kind, r.id) for r in old}
        # Rows that appear (an accepted suggestion's annotation) may take the place of rows
        # that go (the suggestion) when they sort there: changed in place, nothing moves.
        fresh = [r for ident, r in new.items() if ident not in old_ids and ident not in self._by_id]
        for r in old:
            ident = (r.kind, r.id)
            now = new.get(ident)
            if now == r:
                new.pop(ident)
                continue
            i = self._find(r)
            if now is None:
                for n in fresh:
                    k = row_key(n)
                    if (i == 0 or self._keys[i - 1] < k) and (
                        i + 1 == len(self._keys) or k < self._keys[i + 1]
                    ):
                        now = n
                        break
                if now is not None:
                    fresh.remove(now)
                    new.pop((now.kind, now.id))
                    del self._by_id[ident]
                    self._rows[i] = now
                    self._keys[i] = row_key(now)
                    self._by_id[(now.kind, now.id)] = now
                    self.dataChanged.emit(self.index(i, 0), self.index(i, last))
                    continue
            elif row_key(now) == self._keys[i]:
                new.pop(ident)
                self._rows[i] = now
                self._by_id[ident] = now
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))
                continue
            self.beginRemoveRows(QModelIndex(), i, i)
            del self._rows[i]
            del self._keys[i]
            del self._by_id[ident]
            self.endRemoveRows()
        for ident, r in new.items():
            old_row = self._by_id.get(ident)
            if old_row is not None:  # outside the ranges before: not ours to move, but keep it unique
                i = self._find(old_row)
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                del self._keys[i]
                self.endRemoveRows()
            key = row_key(r)
            i = bisect.bisect_left(self._keys, key)
            self.beginInsertRows(QModelIndex(), i, i)
            self._rows.insert(i, r)
            self._keys.insert(i, key)
            self._by_id[ident] = r
            self.endInsertRows()

    def _find(self, r: SpanRow) -> int:
        if self._keys:
            i = bisect.bisect_left(self._keys, row_key(r))
            if i < len(self._rows) and self._rows[i].kind == r.kind and self._rows[i].id == r.id:
                return i
        for i, x in enumerate(self._rows):
            if x.kind == r.kind and x.id == r.id:
                return i
        return -1

    def row_of(self, kind: str, span_id: int) -> int:
        """Row of the suggestion or annotation, or -1."""
        r = self._by_id.get((kind, span_id))
        return -1 if r is None else self._find(r)

    def span_at(self, row: int) -> SpanRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- what the table shows ----------------------------------------------------------------

    def cell(self, r: SpanRow, col: int, role: int, i: int):
        if role == _KIND:
            return r.kind
        if role == _ID:
            return r.id
        if role == _DISPLAY:
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
        if role == _TOOLTIP:
            what = "suggestion" if r.kind == SUGGESTION else "annotation"
            tip = f"{r.label} ({r.layer} {what}, {r.state})\n{r.text}\n{r.start}–{r.end}"
            if r.source:
                tip += f"\nfrom {r.source}"
            return tip
        if role == _DECORATION:
            if col != LABEL:
                return None
            return self._swatch(r.layer, r.label)
        if role == _FONT:
            if r.kind != SUGGESTION:
                return None
            return self._struck if r.state == m.REJECTED and col == TEXT else self._italic
        if role == _FOREGROUND and r.kind == SUGGESTION and r.state == m.REJECTED:
            return QBrush(QColor(128, 128, 128))
        return None


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
        self.table = row_table(self.model)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        # Widths from the widest possible content (the label column from the store's labels,
        # see _size_columns), not ResizeToContents: that re-measures rows on every change.
        for col in (LABEL, LAYER, STATE):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        # A narrow list gives the span's text the room: the Layer column goes first (the swatch
        # says it too: a square for an entity, a bar for an issue).
        self.fitter = ColumnFitter(self.table, TEXT, [LAYER])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.setFocusProxy(self.table)
        # The span the view focused before this list had the new article's rows (the view
        # hears of an article change first): selected once the rows are read.
        self._wanted: tuple[str, int] | None = None
        self._text: tuple[str, str] | None = None  # (article id, text) of the rows shown

        self.table.clicked.connect(self._on_table_activated)
        self.table.enter_pressed.connect(self._on_table_activated)
        session.article_changed.connect(self._on_session_article_changed)
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self.refresh)
        self.refresh()

    def _size_columns(self, label_names: list[str]) -> None:
        font = QFont(self.table.font())
        font.setItalic(True)  # pending suggestions are shown in italics, which run wider
        fm = QFontMetrics(font)
        hh = self.table.horizontalHeader()
        pad = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 8
        icon = self.table.iconSize().width() or fm.height()
        widest = {
            LABEL: max((fm.horizontalAdvance(n) for n in [*label_names, "Label"]), default=0) + icon + 4,
            LAYER: max(fm.horizontalAdvance(w) for w in ("entity", "issue", "Layer")),
            STATE: max(
                fm.horizontalAdvance(w) for w in ("corrected", "imported", "accepted", "rejected", "State")
            ),
        }
        for col, width in widest.items():
            hh.resizeSection(col, width + pad)

    @Slot()
    def refresh(self) -> None:
        """Read the open article's spans again, keeping the selected span selected."""
        current = self.current_span() or self._wanted
        labels = self.session.store.labels()
        colours = {(lab.layer, lab.name): lab.colour for lab in labels}
        self._size_columns([lab.name for lab in labels])
        self._text = None
        self.model.set_rows(span_rows(self.session, self.session.article_id), colours)
        if current is not None:
            self.select_span(*current)

    def _apply_update(self, up: m.SpanUpdate) -> None:
        """Change only the rows of the spans one action touched (see :class:`~annotator.model.SpanUpdate`)."""
        if not up.ranges:
            return
        current = self.current_span() or self._wanted
        if self._text is None or self._text[0] != up.article_id:
            self._text = (up.article_id, self.session.store.article(up.article_id).text)
        self.model.update_rows(up.ranges, rows_of(self._text[1], up.annotations, up.suggestions))
        if current is not None and self.current_span() != current:
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
        # Scrolled first: the current row is then in view and making it current scrolls no more.
        self._scroll_to_row(row)
        select_row(self.table, index)
        return True

    def _scroll_to_row(self, row: int) -> None:
        """Keep :data:`SCROLL_MARGIN_ROWS` rows around ``row`` in view, like the article view.

        The list stays put while the row is that far from both edges; else the row is moved a
        third of the way in from the edge it came near, so stepping through the spans scrolls
        the list once every few rows instead of by one row at every step near an edge.
        """
        table = self.table
        header = table.verticalHeader()
        height = table.viewport().height()
        size = header.defaultSectionSize()
        visible = max(1, height // max(size, 1))
        margin = min(SCROLL_MARGIN_ROWS, (visible - 1) // 3)
        top = header.visualIndexAt(0)
        bottom = header.visualIndexAt(height - 1)
        if top < 0:
            return  # nothing laid out yet: Qt's own scrolling will do
        if bottom < 0:
            bottom = self.model.rowCount() - 1
        if row > bottom - margin and bottom < self.model.rowCount() - 1:
            first = row - visible // 3
        elif row < top + margin and top > 0:
            first = row - (visible - visible // 3) + 1
        else:
            return
        first = max(0, min(first, self.model.rowCount() - 1))
        table.scrollTo(self.model.index(first, LABEL), QAbstractItemView.ScrollHint.PositionAtTop)

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
        if changes.articles and not (changes.spans or changes.labels):
            return  # states only: no row changes
        if (
            changes.labels
            or aid in changes.articles
            or (not changes.articles and (changes.spans or changes.states))
        ):
            up = changes.update
            if (
                up is not None
                and not changes.labels
                and up.article_id == aid
                and up.annotator == self.session.annotator
            ):
                self._apply_update(up)
            else:
                self.refresh()
