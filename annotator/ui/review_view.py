"""Review mode: settle the annotators' disagreements into gold, one key per decision.

The reviewer is the session's annotator. Opening an article puts the spans every annotator
agrees on into gold (one undoable action); each open disagreement is then shown with the
article text, its region marked, and every annotator's version side by side. Annotators are
told apart by a number (the key that takes their version), a line style and a colour, shown
in a legend, so colour is never the only cue. Every choice goes through
:func:`annotator.ops.settle`; the window never writes SQL.

The full queue is computed in a worker (it reads every annotation); after a decision only the
articles named in the :class:`~annotator.model.Changes` are computed again, on the GUI thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from annotator import model as m
from annotator.errors import AnnotatorError
from annotator.model import Changes, Span
from annotator.ui.article_view import TextMap, digit_of
from annotator.ui.views import RowTableModel

# -- how annotators are told apart ----------------------------------------------------------------

# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), each paired
# with a line style, so the style alone tells annotators apart in grey scale too.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999", "#8C6D1F")
_STYLES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
    Qt.PenStyle.DashDotDotLine,
)
_STYLE_NAMES = {
    Qt.PenStyle.SolidLine: "solid",
    Qt.PenStyle.DashLine: "dashed",
    Qt.PenStyle.DotLine: "dotted",
    Qt.PenStyle.DashDotLine: "dash-dot",
    Qt.PenStyle.DashDotDotLine: "dash-dot-dot",
}
LANE_STEP = 4.5  # pixels between the underlines of two annotators

KIND_TEXT = {
    "label_conflict": "label conflict",
    "boundary_shift": "boundary shift",
    "one_sided": "one-sided",
    "label_and_boundary": "label and boundary",
}

# Short names for the queue, where space is tight (the tooltip has the long ones).
KIND_SHORT = {
    "label_conflict": "label",
    "boundary_shift": "boundary",
    "one_sided": "one-sided",
    "label_and_boundary": "label+boundary",
}

GOLD_BACKGROUND = "#cde8c1"
REGION_FILL = QColor(255, 214, 0, 70)


@dataclass(frozen=True)
class AnnotatorStyle:
    """How one annotator is drawn: the number (also the key that takes their version), a line
    style and a colour."""

    number: int
    name: str
    colour: str
    style: Qt.PenStyle
    width: float

    @property
    def style_name(self) -> str:
        return _STYLE_NAMES.get(self.style, "line") + (" (thick)" if self.width > 2 else "")

    def pen(self) -> QPen:
        pen = QPen(QColor(self.colour), self.width)
        pen.setStyle(self.style)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        return pen

    def sample(self, width: int = 34, height: int = 12) -> QPixmap:
        """A small picture of the annotator's line, for the legend and the versions table."""
        pix = QPixmap(width, height)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setPen(self.pen())
        p.drawLine(QPointF(1, height / 2), QPointF(width - 1, height / 2))
        p.end()
        return pix


def annotator_styles(names: Sequence[str]) -> dict[str, AnnotatorStyle]:
    """Number, line style and colour of each annotator, in the order given (1 = first)."""
    out = {}
    for i, name in enumerate(names):
        out[name] = AnnotatorStyle(
            i + 1,
            name,
            _COLOURS[i % len(_COLOURS)],
            _STYLES[i % len(_STYLES)],
            2.0 if i < len(_STYLES) else 3.5,
        )
    return out


# -- what the queue holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One article in the review queue: its open disagreements, counted by class."""

    article_id: str
    title: str
    open: int
    kinds: tuple[tuple[str, int], ...]

    @property
    def classes(self) -> str:
        """Open disagreements by class, short ("label ×2 · one-sided ×1")."""
        return " · ".join(f"{KIND_SHORT.get(k, k)} ×{n}" for k, n in self.kinds)

    @property
    def classes_long(self) -> str:
        return ", ".join(f"{n} {KIND_TEXT.get(k, k)}{'s' * (n != 1)}" for k, n in self.kinds)

    def sort_key(self) -> tuple:
        return (-self.open, self.article_id)


def _queue_row(article_id: str, title: str, open_: Sequence) -> QueueRow:
    counts = Counter(d.kind for d in open_)
    kinds = tuple((k, counts[k]) for k in KIND_TEXT if counts[k])
    return QueueRow(article_id, title, len(open_), kinds)


def _title(article: m.Article) -> str:
    if article.title.strip():
        return article.title.strip()
    first = article.text.strip().splitlines()[0] if article.text.strip() else article.id
    return first[:80]


def load_queue(path: str | Path, layer: str | None = None) -> list[QueueRow]:
    """The review queue of the database at ``path``, worst first (run in a worker).

    Opens its own :class:`~annotator.store.Store`: the GUI thread's connection stays there.
    """
    from annotator import ops
    from annotator.store import Store

    with Store(path) as store:
        return [
            _queue_row(entry.article_id, _title(store.article(entry.article_id)), open_)
            for entry, _consensus, open_ in ops.review_queue(store, layer)
        ]


def article_review(store, article_id: str, layer: str | None = None):
    """``(consensus, open disagreements)`` of one article (see :func:`annotator.ops.article_review`)."""
    from annotator import ops

    return ops.article_review(store, article_id, layer)


# -- item models ------------------------------------------------------------------------------------


class ReviewQueueModel(RowTableModel):
    """Articles with open disagreements, worst first: title, open count, classes.

    Rows are :class:`QueueRow`. After a decision only the changed articles' rows are updated,
    removed (nothing left to settle) or inserted (an undo brought work back), so the table
    does not jump about while the reviewer works through it.

    Parameters
    ----------
    parent
        Owner.
    """

    HEADERS = ("Article", "Open", "Classes")
    TIPS = (
        "",
        "Disagreements not settled yet",
        "Open disagreements by class: label conflict, boundary shift, one-sided, label and boundary",
    )

    def cell(self, row: QueueRow, column: int, role: int, i: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.title, str(row.open), row.classes)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title}\n{row.open} open: {row.classes_long}\nid {row.article_id}"
        if role == Qt.ItemDataRole.UserRole:
            return row.article_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_of(self, article_id: str) -> int | None:
        """Row of ``article_id``, or None when it is not in the queue."""
        for i, r in enumerate(self._rows):
            if r.article_id == article_id:
                return i
        return None

    def update_article(self, article_id: str, row: QueueRow | None) -> None:
        """Show ``row`` for ``article_id``; None or no open disagreements removes it."""
        i = self.row_of(article_id)
        if row is None or row.open == 0:
            if i is not None:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
            return
        if i is not None:
            self._rows[i] = row
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))
            return
        at = next((k for k, r in enumerate(self._rows) if r.sort_key() > row.sort_key()), len(self._rows))
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self.endInsertRows()


class VersionsModel(RowTableModel):
    """The focused disagreement's versions side by side, one row per annotator.

    Columns: key and line sample (the annotator's number and style), annotator, the span
    text, label, offsets and kind. Rows are ``(AnnotatorStyle, spans)``.

    Parameters
    ----------
    parent
        Owner.
    """

    HEADERS = ("Key", "Annotator", "Text", "Label", "Span", "Kind")
    TIPS = ("Press this key to take the version", "", "", "", "Character offsets", "")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self._kind = ""

    def set_disagreement(self, text: str, disagreement, styles: dict[str, AnnotatorStyle]) -> None:
        """Show the versions of ``disagreement`` (None: nothing)."""
        self._text = text
        rows = []
        if disagreement is not None:
            self._kind = KIND_TEXT.get(disagreement.kind, disagreement.kind)
            for name, spans in disagreement.all_spans.items():
                rows.append((styles[name], tuple(spans)))
        self.set_rows(rows)

    def cell(self, row, column: int, role: int, i: int) -> Any:
        style, spans = row
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(style.number)
            if column == 1:
                return style.name
            if not spans:
                return ("— nothing marked —", "", "", "not marked")[column - 2]
            if column == 2:
                return " | ".join(self._text[s.start : s.end] for s in spans)
            if column == 3:
                return " | ".join(s.label for s in spans)
            if column == 4:
                return ", ".join(f"{s.start}–{s.end}" for s in spans)
            return self._kind
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return style.sample(26, 10)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{style.number}: {style.name}, {style.style_name} line"
        if role == Qt.ItemDataRole.FontRole and column == 2 and not spans:
            f = QFont()
            f.setItalic(True)
            return f
        return None


class DisagreementListModel(RowTableModel):
    """The open disagreements of the article under review, in text order.

    Rows are :class:`~annotator.review.disagreements.Disagreement`; columns number, layer,
    class and the region's text.

    Parameters
    ----------
    parent
        Owner.
    """

    HEADERS = ("#", "Layer", "Class", "Region")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""

    def set_disagreements(self, text: str, disagreements: Sequence) -> None:
        self._text = text
        self.set_rows(disagreements)

    def cell(self, d, column: int, role: int, i: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(i + 1), d.layer, KIND_TEXT.get(d.kind, d.kind), self._text[d.start : d.end])[column]
        return None


class GoldListModel(RowTableModel):
    """The gold spans of the article so far: agreed ones and the reviewer's settlements.

    Rows are :class:`~annotator.model.Annotation` of the reserved ``gold`` annotator.

    Parameters
    ----------
    parent
        Owner.
    """

    HEADERS = ("Layer", "Label", "Text", "Origin")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""

    def set_gold(self, text: str, annotations: Sequence[m.Annotation]) -> None:
        self._text = text
        self.set_rows(sorted(annotations, key=lambda a: (a.start, a.end, a.layer, a.label)))

    def cell(self, a: m.Annotation, column: int, role: int, i: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (a.layer, a.label, self._text[a.start : a.end], a.origin)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{a.start}–{a.end} {a.label} ({a.origin}, {a.source or ''})"
        return None


# -- the text -----------------------------------------------------------------------------------------


class ReviewTextView(QTextEdit):
    """The article as plain, read-only text with the focused region and the versions drawn.

    The region has a translucent fill and a frame; each annotator's span is underlined in the
    space under the line, in their lane, style and colour, with their number at its end. Gold
    spans so far have a pale green background.

    Parameters
    ----------
    parent
        Parent widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the review view
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.document().setDocumentMargin(14)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.15)
        self.setFont(font)
        self._map = TextMap("")
        self._region: tuple[int, int] | None = None
        self._lines: list[tuple[int, int, AnnotatorStyle, int]] = []
        self._gold: list[tuple[int, int]] = []

    def set_text(self, text: str, lanes: int = 3) -> None:
        """Show ``text`` (plain) with room under each line for ``lanes`` underlines."""
        self._map = TextMap(text)
        self._region = None
        self._lines = []
        self._gold = []
        self.setPlainText(self._map.display)
        cur = QTextCursor(self.document())
        cur.select(QTextCursor.SelectionType.Document)
        fmt = QTextBlockFormat()
        fmt.setLineHeight(130 + 12 * max(lanes, 1), QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cur.mergeBlockFormat(fmt)

    def set_gold(self, spans: Sequence[tuple[int, int]]) -> None:
        """Give the gold spans their background (every other character gets none)."""
        cur = QTextCursor(self.document())
        cur.beginEditBlock()
        cur.select(QTextCursor.SelectionType.Document)
        cur.setCharFormat(QTextCharFormat())
        gold = QTextCharFormat()
        gold.setBackground(QColor(GOLD_BACKGROUND))
        for a, b in spans:
            cur.setPosition(self._map.to_qt(a))
            cur.setPosition(self._map.to_qt(b), QTextCursor.MoveMode.KeepAnchor)
            cur.mergeCharFormat(gold)
        cur.endEditBlock()
        self._gold = list(spans)

    def set_focus(self, disagreement, styles: dict[str, AnnotatorStyle]) -> None:
        """Mark ``disagreement``'s region and its versions (None: nothing) and scroll to it."""
        self._lines = []
        self._region = None
        if disagreement is not None:
            self._region = disagreement.region
            for name, spans in disagreement.all_spans.items():
                st = styles[name]
                for s in spans:
                    self._lines.append((s.start, s.end, st, st.number - 1))
            cur = QTextCursor(self.document())
            cur.setPosition(self._map.to_qt(disagreement.start))
            self.setTextCursor(cur)
            self.ensureCursorVisible()
        self.viewport().update()

    @property
    def region(self) -> tuple[int, int] | None:
        """The marked region ``[start, end)``, or None."""
        return self._region

    def underlines(self) -> list[tuple[int, int, str]]:
        """What is underlined: ``(start, end, annotator)``."""
        return [(a, b, st.name) for a, b, st, _ in self._lines]

    def range_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles covering code points ``[start, end)``, one per visual line."""
        qa, qb = self._map.to_qt(start), self._map.to_qt(end)
        rects: list[QRectF] = []
        doc_layout = self.document().documentLayout()
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        block = self.document().findBlock(qa)
        while block.isValid() and block.position() < qb:
            geo = doc_layout.blockBoundingRect(block).translated(dx, dy)
            layout = block.layout()
            bpos = block.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                ls = bpos + line.textStart()
                le = ls + line.textLength()
                s, e = max(qa, ls), min(qb, le)
                if s >= e:
                    continue
                x1 = line.cursorToX(s - bpos)[0]
                x2 = line.cursorToX(e - bpos)[0]
                rects.append(QRectF(geo.left() + x1, geo.top() + line.y(), x2 - x1, line.height()))
            block = block.next()
        return rects

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self._region is None:
            return
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QPen(self.palette().color(QPalette.ColorRole.Text), 1.5)
        for r in self.range_rects(*self._region):
            p.fillRect(r.adjusted(-2, 0, 2, 0), REGION_FILL)
            p.setPen(frame)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r.adjusted(-2, 0, 2, 0), 3, 3)
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.62)
        small.setBold(True)
        p.setFont(small)
        for start, end, st, lane in self._lines:
            rects = self.range_rects(start, end)
            for k, r in enumerate(rects):
                y = r.bottom() + 3 + lane * LANE_STEP
                p.setPen(st.pen())
                p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
                if k == len(rects) - 1:
                    # Numbers side by side after the lines, so they never sit on each other.
                    p.setPen(QColor(st.colour))
                    p.drawText(QPointF(r.right() + 3 + lane * 7, y + 3), str(st.number))
        p.end()


class LegendItem(QWidget):
    """One entry of the legend: a line sample and a caption.

    Parameters
    ----------
    pixmap
        The sample: a line in the annotator's style, or a swatch.
    text
        The caption ("1 alice").
    tip
        Tooltip.
    parent
        Parent widget.
    """

    def __init__(self, pixmap: QPixmap, text: str, tip: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 10, 0)
        lay.setSpacing(4)
        pic = QLabel()
        pic.setPixmap(pixmap)
        cap = QLabel(text)
        cap.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(pic)
        lay.addWidget(cap)
        self.caption = cap
        self.setToolTip(tip)


def _swatch(fill: QColor, frame: QColor | None = None, width: int = 26, height: int = 12) -> QPixmap:
    pix = QPixmap(width, height)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.fillRect(0, 0, width, height, fill)
    if frame is not None:
        p.setPen(QPen(frame, 1))
        p.drawRect(0, 0, width - 1, height - 1)
    p.end()
    return pix


class Legend(QWidget):
    """Who is who: each annotator's number, line and name; the region and gold swatches.

    Parameters
    ----------
    parent
        Parent widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._lay = QHBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self.items: list[LegendItem] = []

    def set_styles(self, styles: dict[str, AnnotatorStyle]) -> None:
        while self._lay.count():
            item = self._lay.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.items = []
        for st in styles.values():
            it = LegendItem(
                st.sample(), f"{st.number} {st.name}", f"{st.name}: {st.style_name} line; key {st.number}"
            )
            self.items.append(it)
            self._lay.addWidget(it)
        self._lay.addWidget(LegendItem(_swatch(REGION_FILL, QColor("#444444")), "region", "The disagreement"))
        self._lay.addWidget(LegendItem(_swatch(QColor(GOLD_BACKGROUND)), "gold", "Gold spans so far"))
        self._lay.addStretch(1)

    def captions(self) -> list[str]:
        """The annotator captions, in order ("1 alice", …)."""
        return [it.caption.text() for it in self.items]


# -- editing a span -------------------------------------------------------------------------------


class EditSpanDialog(QDialog):
    """Adjust a span's start, end and label before it goes into gold.

    The start and end move by whole tokens (buttons, or ``[`` ``]`` to grow and ``{`` ``}``
    to shrink) or by single characters (the number fields). The label comes from the store's
    labels of the layer.

    Parameters
    ----------
    text
        The article text.
    span
        The span to start from (snapped to tokens).
    labels
        Label names of the span's layer.
    parent
        Parent widget.
    """

    def __init__(self, text: str, span: Span, labels: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        from annotator.text import tokens

        self.setWindowTitle("Edit the gold span")
        self._text = text
        self._layer = span.layer
        self._tokens = tokens(text)
        start, end = self._tokens.snap(span.start, span.end)
        self.preview = QLabel()
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.start_box = QSpinBox()
        self.end_box = QSpinBox()
        for box in (self.start_box, self.end_box):
            box.setRange(0, len(text))
        self.start_box.setValue(start)
        self.end_box.setValue(end)
        self.label_box = QComboBox()
        self.label_box.addItems(list(labels))
        if span.label in labels:
            self.label_box.setCurrentText(span.label)

        def mover(edge: str, step: int) -> QPushButton:
            arrow = "◀" if step < 0 else "▶"
            b = QPushButton(f"{arrow} {edge}" if step < 0 else f"{edge} {arrow}")
            b.setAutoDefault(False)
            b.clicked.connect(lambda: self.move(edge, step))
            return b

        moves = QHBoxLayout()
        for edge, step in (("start", -1), ("start", 1), ("end", -1), ("end", 1)):
            moves.addWidget(mover(edge, step))
        form = QFormLayout()
        form.addRow("Span:", self.preview)
        form.addRow("Start:", self.start_box)
        form.addRow("End:", self.end_box)
        form.addRow("By token:", moves)
        form.addRow("Label:", self.label_box)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("[ ] grow by a token, { } shrink; the number fields move by characters."))
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.start_box.valueChanged.connect(self._update_preview)
        self.end_box.valueChanged.connect(self._update_preview)
        self._update_preview()
        self.resize(520, self.sizeHint().height())

    def span(self) -> Span:
        """The span as edited."""
        return Span(self.start_box.value(), self.end_box.value(), self.label_box.currentText(), self._layer)

    def move(self, edge: str, step: int) -> None:
        """Move ``edge`` ("start" or "end") by ``step`` tokens."""
        s, e = self.start_box.value(), self.end_box.value()
        if edge == "start":
            self.start_box.setValue(self._tokens.shift_start(s, e, step))
        else:
            self.end_box.setValue(self._tokens.shift_end(s, e, step))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        moves = {"[": ("start", -1), "]": ("end", 1), "{": ("start", 1), "}": ("end", -1)}
        if event.text() in moves:
            self.move(*moves[event.text()])
            return
        super().keyPressEvent(event)

    def _update_preview(self) -> None:
        s, e = self.start_box.value(), self.end_box.value()
        if e <= s:
            self.preview.setText("(empty: the end must come after the start)")
            return
        before = self._text[max(0, s - 30) : s].replace("\n", " ")
        after = self._text[e : e + 30].replace("\n", " ")
        self.preview.setText(f"…{before}[{self._text[s:e]}]{after}…")

    def _on_buttons_accepted(self) -> None:
        sp = self.span()
        if sp.end <= sp.start or not sp.label:
            self.error.setText("the span is empty or has no label")
            return
        self.accept()


# -- review mode ------------------------------------------------------------------------------------

_KEYS_HINT = (
    "1–9 take that annotator's version · B take both (issues) · N take none · E edit ·"
    " Tab / Shift+Tab next / previous · Enter next article · Ctrl+Z / Ctrl+Shift+Z undo / redo"
)


class ReviewView(QWidget):
    """Review mode: the queue of articles with disagreements and the focused disagreement.

    Keys (the view keeps the keyboard focus; its lists and text only take mouse clicks):
    ``1``–``9`` take annotator N's version, ``B`` take both (issue layer), ``N`` take none,
    ``E`` edit, ``Tab``/``Shift+Tab`` next/previous disagreement, ``Enter`` next article,
    ``Ctrl+Z``/``Ctrl+Shift+Z`` undo/redo the reviewer's last action.

    Parameters
    ----------
    session
        The :class:`~annotator.ui.session.Session`; its annotator is the reviewer.
    parent
        Parent widget.
    layer
        Review one layer (``"entity"`` or ``"issue"``) or both (None).

    Signals
    -------
    message(str)
        What was done, or why nothing was (also shown in the view's message line).
    queue_loaded()
        The full queue was computed (in the background) and is shown.
    """

    message = Signal(str)
    queue_loaded = Signal()

    def __init__(self, session, parent: QWidget | None = None, layer: str | None = None):
        super().__init__(parent)
        self.session = session
        self.layer = layer
        self.edit_dialog: EditSpanDialog | None = None
        self._task = None
        self._reload_again = False
        self._article: m.Article | None = None
        self._consensus = None
        self._open: list = []
        self._index = 0
        self._last_row = 0
        self._styles: dict[str, AnnotatorStyle] = {}
        self._syncing = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        session.changed.connect(self._on_session_changed)
        session.store_changed.connect(self._on_session_store_changed)
        self.reload_queue()
        self._warm_tokenizer()

    # -- building ---------------------------------------------------------------------------------

    def _table(self, model: RowTableModel, stretch: int) -> QTableView:
        t = QTableView()
        t.setModel(model)
        t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setWordWrap(False)
        t.verticalHeader().setVisible(False)
        t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
        t.horizontalHeader().setHighlightSections(False)
        for c in range(model.columnCount()):
            t.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        return t

    @staticmethod
    def _heading(text: str) -> QLabel:
        lab = QLabel(text)
        lab.setTextFormat(Qt.TextFormat.PlainText)
        f = lab.font()
        f.setBold(True)
        lab.setFont(f)
        return lab

    def _build(self) -> None:
        self.queue_model = ReviewQueueModel(self)
        self.versions_model = VersionsModel(self)
        self.disagreements_model = DisagreementListModel(self)
        self.gold_model = GoldListModel(self)

        self.queue_view = self._table(self.queue_model, 0)
        self.queue_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.queue_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.queue_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.queue_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.queue_view.clicked.connect(self._on_queue_view_clicked)
        self.queue_status = QLabel("computing the queue…")
        self.queue_status.setTextFormat(Qt.TextFormat.PlainText)
        self.queue_status.setWordWrap(True)
        self.layer_box = QComboBox()
        self.layer_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.layer_box.addItem("both layers", None)
        self.layer_box.addItem("entities", m.ENTITY)
        self.layer_box.addItem("issues", m.ISSUE)
        self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(self.layer)))
        self.layer_box.currentIndexChanged.connect(self._on_layer_box_changed)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(6, 6, 0, 6)
        top = QHBoxLayout()
        top.addWidget(self._heading("Queue (worst first)"))
        top.addStretch(1)
        top.addWidget(self.layer_box)
        ll.addLayout(top)
        ll.addWidget(self.queue_view, 1)
        ll.addWidget(self.queue_status)

        self.title_label = QLabel("No article open")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        f = self.title_label.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.title_label.setFont(f)
        self.focus_label = QLabel("Pick an article in the queue.")
        self.focus_label.setTextFormat(Qt.TextFormat.PlainText)
        self.focus_label.setWordWrap(True)
        self.legend = Legend()
        self.text_view = ReviewTextView()
        self.versions_view = self._table(self.versions_model, 2)
        self.disagreements_view = self._table(self.disagreements_model, 3)
        self.disagreements_view.clicked.connect(self._on_disagreements_view_clicked)
        self.gold_view = self._table(self.gold_model, 2)
        self.message_label = QLabel()
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("font-weight: bold")
        hint = QLabel(_KEYS_HINT)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        hint.setEnabled(False)

        def boxed(title: str, w: QWidget) -> QWidget:
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 4, 0, 0)
            lay.setSpacing(2)
            lay.addWidget(self._heading(title))
            lay.addWidget(w, 1)
            return box

        lists = QSplitter(Qt.Orientation.Horizontal)
        lists.addWidget(boxed("Disagreements in this article (open)", self.disagreements_view))
        lists.addWidget(boxed("Gold so far", self.gold_view))
        lists.setChildrenCollapsible(False)
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.text_view)
        centre.addWidget(boxed("Versions (press the key to take one)", self.versions_view))
        centre.addWidget(lists)
        centre.setStretchFactor(0, 5)
        centre.setStretchFactor(1, 2)
        centre.setStretchFactor(2, 2)
        centre.setChildrenCollapsible(False)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 6, 6, 6)
        rl.setSpacing(4)
        rl.addWidget(self.title_label)
        rl.addWidget(self.focus_label)
        rl.addWidget(self.legend)
        rl.addWidget(centre, 1)
        rl.addWidget(self.message_label)
        rl.addWidget(hint)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([400, 880])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    def _warm_tokenizer(self) -> None:
        # The edit dialog snaps to spaCy tokens; load the tokenizer before the first E.
        from annotator.ui.tasks import run_task

        def work(progress, cancelled):
            from annotator.text import tokenizer

            tokenizer()

        run_task(work)

    # -- state -----------------------------------------------------------------------------------

    @property
    def article(self) -> m.Article | None:
        """The article under review, or None."""
        return self._article

    @property
    def reviewer(self) -> str:
        """Who settles: the session's annotator."""
        return self.session.annotator

    def open_disagreements(self) -> list:
        """The open disagreements of the article under review, in text order."""
        return list(self._open)

    @property
    def focused(self):
        """The disagreement the keys act on, or None."""
        return self._open[self._index] if self._open else None

    def is_loading(self) -> bool:
        """True while the full queue is being computed in the background."""
        return self._task is not None

    # -- the queue -------------------------------------------------------------------------------

    def reload_queue(self) -> None:
        """Compute the whole queue again in the background (the current one stays shown)."""
        from annotator.ui.tasks import run_task

        if self._task is not None:
            self._reload_again = True
            return
        path, layer = self.session.db_path, self.layer
        self.queue_status.setText("computing the queue…")

        def work(progress, cancelled):
            return load_queue(path, layer)

        self._task = run_task(work)
        self._task.finished.connect(self._on_task_finished)
        self._task.failed.connect(self._on_task_failed)

    def _on_task_finished(self, rows: list[QueueRow]) -> None:
        self._task = None
        if self._reload_again:
            self._reload_again = False
            self.reload_queue()
            return
        self.queue_model.set_rows(rows)
        self._update_queue_status()
        self._select_current_in_queue()
        self.queue_loaded.emit()

    def _on_task_failed(self, exc: BaseException) -> None:
        self._task = None
        from annotator.ui.errors import error_message

        self.queue_status.setText(f"the queue could not be computed: {error_message(exc)}")
        self._say(error_message(exc))

    def _update_queue_status(self) -> None:
        rows = self.queue_model.rows()
        if not rows:
            self.queue_status.setText("Nothing to review: every disagreement is settled.")
            return
        total = sum(r.open for r in rows)
        self.queue_status.setText(
            f"{len(rows)} article{'s' * (len(rows) != 1)} with {total} open disagreement{'s' * (total != 1)}"
        )

    def _select_current_in_queue(self) -> None:
        self._syncing = True
        try:
            row = self.queue_model.row_of(self._article.id) if self._article else None
            if row is None:
                self.queue_view.clearSelection()
            else:
                self.queue_view.selectRow(row)
                self.queue_view.scrollTo(self.queue_model.index(row, 0))
        finally:
            self._syncing = False

    def _on_queue_view_clicked(self, index: QModelIndex) -> None:
        if not self._syncing and index.isValid():
            self.open_article(self.queue_model.row(index.row()).article_id)

    def _on_layer_box_changed(self, _i: int) -> None:
        self.layer = self.layer_box.currentData()
        self.reload_queue()
        if self._article is not None:
            self._refresh_article(keep=None)

    # -- opening an article ----------------------------------------------------------------------

    def open_article(self, article_id: str) -> None:
        """Review ``article_id``: agreed spans go into gold (undoable), the first open
        disagreement is focused."""
        from annotator import ops

        store = self.session.store
        try:
            article = store.article(article_id)
            added = ops.add_agreed_gold(store, self.reviewer, [article_id])
        except AnnotatorError as e:
            self._say(str(e))
            return
        self._article = article
        row = self.queue_model.row_of(article_id)
        if row is not None:
            self._last_row = row
        self._index = 0
        self._consensus = None
        self._refresh_article(keep=None, reset_text=True)
        if added:
            self._say(
                f"{added} span{'s' * (added != 1)} every annotator agrees on went into gold (Ctrl+Z undoes)"
            )
            # Announced after the view is set up, so the handler finds it current.
            self.session.notify(Changes(articles=frozenset({article_id}), spans=True))
        self._select_current_in_queue()
        self.setFocus()

    def _refresh_article(self, keep, reset_text: bool = False) -> None:
        """Read the article's disagreements and gold again; focus ``keep`` (a region key) if open."""
        art = self._article
        if art is None:
            return
        store = self.session.store
        consensus, open_ = article_review(store, art.id, self.layer)
        old_index = self._index
        self._consensus = consensus
        self._open = open_
        names = consensus.annotators if consensus is not None else ()
        styles = annotator_styles(names)
        if reset_text or styles.keys() != self._styles.keys():
            self._styles = styles
            self.legend.set_styles(styles)
            self.text_view.set_text(art.text, lanes=len(styles))
        self.title_label.setText(_title(art))
        keys = [(d.layer, d.start, d.end) for d in open_]
        if keep is not None and keep in keys:
            self._index = keys.index(keep)
        else:
            self._index = min(old_index, max(0, len(open_) - 1))
        self.disagreements_model.set_disagreements(art.text, open_)
        gold = store.gold_spans(art.id)
        self.gold_model.set_gold(art.text, gold)
        self.text_view.set_gold([(a.start, a.end) for a in gold])
        self.queue_model.update_article(art.id, _queue_row(art.id, _title(art), open_))
        self._update_queue_status()
        self._show_focus()

    def _show_focus(self) -> None:
        d = self.focused
        art = self._article
        self.versions_model.set_disagreement(art.text if art else "", d, self._styles)
        self.text_view.set_focus(d, self._styles)
        self._syncing = True
        try:
            if d is None:
                self.disagreements_view.clearSelection()
            else:
                self.disagreements_view.selectRow(self._index)
        finally:
            self._syncing = False
        if art is None:
            self.focus_label.setText("Pick an article in the queue.")
        elif d is None:
            self.focus_label.setText("Every disagreement in this article is settled. Enter: next article.")
        else:
            self.focus_label.setText(
                f"Disagreement {self._index + 1} of {len(self._open)} · {KIND_TEXT.get(d.kind, d.kind)}"
                f" · {d.layer} · characters {d.start}–{d.end}"
            )

    def _on_disagreements_view_clicked(self, index: QModelIndex) -> None:
        if not self._syncing and index.isValid():
            self._index = index.row()
            self._show_focus()
        self.setFocus()

    # -- session events --------------------------------------------------------------------------

    def _on_session_changed(self, changes: Changes) -> None:
        if not changes.articles:
            if changes.spans or changes.states or not changes.counts:
                self.reload_queue()
            return
        store = self.session.store
        for aid in sorted(changes.articles):
            if self._article is not None and aid == self._article.id:
                continue
            if not store.has_article(aid):
                self.queue_model.update_article(aid, None)
                continue
            _consensus, open_ = article_review(store, aid, self.layer)
            self.queue_model.update_article(aid, _queue_row(aid, _title(store.article(aid)), open_))
        if self._article is not None and self._article.id in changes.articles:
            f = self.focused
            self._refresh_article(keep=(f.layer, f.start, f.end) if f else None)
        self._update_queue_status()
        self._select_current_in_queue()

    def _on_session_store_changed(self) -> None:
        self._article = None
        self._open = []
        self._consensus = None
        self.title_label.setText("No article open")
        self.text_view.set_text("")
        self.disagreements_model.set_rows([])
        self.gold_model.set_rows([])
        self._show_focus()
        self.reload_queue()

    # -- decisions -------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message.emit(text)

    def _need_focus(self):
        if self._article is None:
            self._say("open an article from the queue first")
            return None
        d = self.focused
        if d is None:
            self._say("nothing left to settle in this article: press Enter for the next one")
        return d

    def settle(self, choice) -> bool:
        """Settle the focused disagreement with ``choice`` (``take:NAME``, ``take_both``,
        ``take_none`` or a :class:`Span`); True when it was stored."""
        from annotator import ops

        d = self._need_focus()
        if d is None:
            return False
        try:
            changes = ops.settle(self.session.store, self.reviewer, d, choice, self._article.text)
        except AnnotatorError as e:
            self._say(f"Not settled: {e}")
            return False
        what = choice if isinstance(choice, str) else f"edit {choice.start}–{choice.end} {choice.label}"
        self._say(f"settled ({KIND_TEXT.get(d.kind, d.kind)}): {what.replace('_', ' ')}")
        self.session.notify(changes)
        return True

    def take(self, n: int) -> bool:
        """Take the version of annotator number ``n`` (1-based) of the focused disagreement."""
        d = self._need_focus()
        if d is None:
            return False
        names = list(d.all_spans)
        if not 1 <= n <= len(names):
            self._say(f"there is no annotator {n} here; use 1–{len(names)}")
            return False
        return self.settle(f"take:{names[n - 1]}")

    def take_both(self) -> bool:
        """Take every version (issues may overlap; overlapping entities are refused)."""
        return self.settle("take_both")

    def take_none(self) -> bool:
        """Put nothing into gold for the focused region."""
        return self.settle("take_none")

    def edit(self) -> EditSpanDialog | None:
        """Open the edit dialog for the focused disagreement (window-modal, not blocking)."""
        d = self._need_focus()
        if d is None:
            return None
        start = next((v for v in d.versions.values() if v is not None), None)
        span = start if start is not None else Span(d.start, d.end, "", d.layer)
        labels = [lab.name for lab in self.session.store.labels(d.layer)]
        try:
            dlg = EditSpanDialog(self._article.text, span, labels, self)
        except AnnotatorError as e:
            self._say(str(e))
            return None
        self.edit_dialog = dlg
        dlg.accepted.connect(self._on_edit_dialog_accepted)
        dlg.finished.connect(self._on_edit_dialog_finished)
        dlg.open()
        return dlg

    def _on_edit_dialog_accepted(self) -> None:
        if self.edit_dialog is not None:
            self.settle(self.edit_dialog.span())

    def _on_edit_dialog_finished(self, _result: int) -> None:
        dlg, self.edit_dialog = self.edit_dialog, None
        if dlg is not None:
            dlg.deleteLater()
        self.setFocus()

    def focus_next(self, step: int = 1) -> None:
        """Focus the next (1) or previous (-1) open disagreement, wrapping around."""
        if not self._open:
            self._need_focus()
            return
        self._index = (self._index + step) % len(self._open)
        self._show_focus()

    def next_article(self) -> str | None:
        """Open the next article of the queue (after the current one); its id, or None."""
        rows = self.queue_model.rows()
        if not rows:
            self._say("the queue is empty: every disagreement is settled")
            return None
        row = self.queue_model.row_of(self._article.id) if self._article else None
        nxt = (row + 1) if row is not None else min(self._last_row, len(rows) - 1)
        if nxt >= len(rows):
            nxt = 0
        aid = rows[nxt].article_id
        if self._article is not None and aid == self._article.id and self._open:
            self._say("this is the only article left in the queue")
            return aid
        self.open_article(aid)
        return aid

    def undo(self) -> None:
        """Undo the reviewer's last action (a settlement, or agreed spans put into gold)."""
        self._replay(undo=True)

    def redo(self) -> None:
        """Redo the action undone last."""
        self._replay(undo=False)

    def _replay(self, undo: bool) -> None:
        store = self.session.store
        try:
            act = store.last_action(self.reviewer, undone=not undo)
            (self.session.undo if undo else self.session.redo)()
        except AnnotatorError as e:
            self._say(str(e))
            return
        if not act:
            return
        detail = act.get("detail") or {}
        self._say(f"{'undone' if undo else 'redone'}: {act.get('kind', 'action').replace('_', ' ')}")
        aid = act.get("article_id")
        if aid and (self._article is None or aid != self._article.id) and act.get("kind") == "adjudicate":
            self._article = store.article(aid)
            self._index = 0
            self._refresh_article(keep=None, reset_text=True)
            self._select_current_in_queue()
        region = detail.get("region")
        if region and detail.get("layer"):
            key = (detail["layer"], region[0], region[1])
            keys = [(d.layer, d.start, d.end) for d in self._open]
            if key in keys:
                self._index = keys.index(key)
                self._show_focus()

    # -- keys ------------------------------------------------------------------------------------

    def _is_review_key(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier:
            return event.key() == Qt.Key.Key_Z
        if mods == Qt.KeyboardModifier.ControlModifier:
            return event.key() in (Qt.Key.Key_Z, Qt.Key.Key_Y)
        if mods & ~Qt.KeyboardModifier.ShiftModifier:
            return False
        return event.key() in (
            Qt.Key.Key_B,
            Qt.Key.Key_N,
            Qt.Key.Key_E,
            Qt.Key.Key_Tab,
            Qt.Key.Key_Backtab,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ) or (digit_of(event) is not None and not (mods & Qt.KeyboardModifier.ShiftModifier))

    def event(self, event: QEvent) -> bool:
        # The review keys win over window shortcuts, and Tab moves between disagreements
        # instead of through the focus chain.
        if event.type() == QEvent.Type.ShortcutOverride and self._is_review_key(event):
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if self.handle_key(event):
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if not self.handle_key(event):
            super().keyPressEvent(event)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Run the action bound to ``event``; True when the key was one of review mode's."""
        if not self._is_review_key(event):
            return False
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if ctrl:
            if key == Qt.Key.Key_Y or shift:
                self.redo()
            else:
                self.undo()
        elif key == Qt.Key.Key_Backtab or (key == Qt.Key.Key_Tab and shift):
            self.focus_next(-1)
        elif key == Qt.Key.Key_Tab:
            self.focus_next(1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.next_article()
        elif key == Qt.Key.Key_B:
            self.take_both()
        elif key == Qt.Key.Key_N:
            self.take_none()
        elif key == Qt.Key.Key_E:
            self.edit()
        else:
            digit = digit_of(event)
            if digit is None:
                return False
            self.take(digit[0])
        return True


class ReviewWindow(QMainWindow):
    """Review mode in its own window, so the annotation window keeps its own keys.

    Parameters
    ----------
    session
        The shared :class:`~annotator.ui.session.Session`.
    parent
        The main window (the review window stays on top of it).
    """

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Review — {Path(session.db_path).name} — reviewer {session.annotator}")
        self.view = ReviewView(session)
        self.setCentralWidget(self.view)
        close = QAction("Close review", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)
        self.resize(1280, 800)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(1280, 800)


# -- the window's Review menu ------------------------------------------------------------------------


def merge_summary(reports: Sequence) -> str:
    """What a merge brought in, one paragraph per database (as the command line prints it)."""
    return "\n".join(line for r in reports for line in r.summary_lines())


def open_review(window) -> ReviewWindow:
    """Show review mode for ``window``'s session (one review window per main window)."""
    rw = getattr(window, "review_window", None)
    if rw is None:
        rw = ReviewWindow(window.session, window)
        window.review_window = rw
    rw.show()
    rw.raise_()
    rw.activateWindow()
    rw.view.setFocus()
    return rw


def open_agreement(window):
    """Show the agreement dialog for ``window``'s session."""
    from annotator.ui.agreement_view import AgreementDialog

    dlg = AgreementDialog(window.session, window)
    dlg.article_opened.connect(lambda _aid: _raise(window))
    dlg.show()
    window.agreement_dialog = dlg
    return dlg


def _raise(window) -> None:
    window.raise_()
    window.activateWindow()


def open_feedback(window, annotator: str | None = None):
    """Ask which annotator (unless given) and show their feedback report."""
    from annotator.ui.agreement_view import FeedbackDialog

    s = window.session
    if annotator is None:
        names = [n for n in s.store.annotators() if n not in (m.GOLD, s.annotator)] or [
            n for n in s.store.annotators() if n != m.GOLD
        ]
        if not names:
            QMessageBox.information(window, "Feedback", "There are no annotators in this database yet.")
            return None
        annotator, ok = QInputDialog.getItem(window, "Feedback", "Feedback for annotator:", names, 0, False)
        if not ok or not annotator:
            return None
    dlg = FeedbackDialog(s, annotator, window)
    dlg.show()
    window.feedback_dialog = dlg
    return dlg


def merge_databases(window, paths: Sequence[str | Path] | None = None, on_done: Callable | None = None):
    """Pick databases (unless given) and merge them into the open one in the background.

    The summary is shown in a message box; ``on_done(reports)`` is called after it (tests).
    """
    from annotator import ops
    from annotator.store import Store
    from annotator.ui.errors import show_error
    from annotator.ui.tasks import run_with_progress

    s = window.session
    if paths is None:
        from annotator.ui.dialogs import open_file_names

        # Never a plain QFileDialog: its type sniffing would open the live database file.
        files = open_file_names(
            window,
            "Merge other annotators' databases",
            str(Path(s.db_path).parent),
            "Annotator databases (*.db *.sqlite *.sqlite3);;All files (*)",
        )
        if not files:
            return None
        paths = files
    target = s.db_path
    todo = [str(p) for p in paths]

    def work(progress, cancelled):
        with Store(target) as store:
            return ops.merge(store, todo, progress=progress)

    def on_result(reports) -> None:
        s.notify(Changes(spans=True, states=True, labels=True))
        if on_done is not None:
            on_done(reports)
        else:
            QMessageBox.information(window, "Merged", merge_summary(reports))

    def on_error(exc: BaseException) -> None:
        if on_done is not None:
            on_done(exc)
        else:
            show_error(window, exc)

    return run_with_progress(
        work, f"Merging {len(todo)} database{'s' * (len(todo) != 1)}…", window, on_result, on_error
    )


def install_review_menu(window) -> None:
    """Add the Review menu to the main window (before Help): review mode, agreement, feedback, merge."""
    bar = window.menuBar()
    menu = QMenu("&Review", bar)
    help_ = next(
        (a for a in bar.actions() if a.menu() is not None and a.text().replace("&", "") == "Help"), None
    )
    if help_ is not None:
        bar.insertMenu(help_, menu)
    else:
        bar.addMenu(menu)
    window.review_menu = menu

    def act(text: str, slot, shortcut: str | None = None) -> QAction:
        a = QAction(text, window)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(slot)
        menu.addAction(a)
        window.addAction(a)
        return a

    window.act_review = act("&Review mode", lambda: open_review(window), "Ctrl+R")
    window.act_agreement = act("&Agreement…", lambda: open_agreement(window))
    window.act_feedback = act("&Feedback for annotator…", lambda: open_feedback(window))
    menu.addSeparator()
    window.act_merge = act("&Merge databases…", lambda: merge_databases(window))


__all__ = [
    "AnnotatorStyle",
    "DisagreementListModel",
    "EditSpanDialog",
    "GoldListModel",
    "QueueRow",
    "ReviewQueueModel",
    "ReviewTextView",
    "ReviewView",
    "ReviewWindow",
    "VersionsModel",
    "annotator_styles",
    "article_review",
    "install_review_menu",
    "load_queue",
    "merge_databases",
    "merge_summary",
    "open_review",
]
