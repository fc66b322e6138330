"""How the article view draws its marks: character formats for entities, lines for issues.

Accepted entities have a solid background in their label colour; pending entity suggestions a
light background inside a dashed box of the label's line colour (painted over the viewport,
:meth:`MarkPainter.paint_pending_boxes`), so the two differ in shape, not only in how strong the
colour is. Issues are thick lines under the text, solid when accepted and dashed when suggested,
one lane per overlapping issue; they are painted over the viewport
(:meth:`MarkPainter.paint_issues`), never formatted into the document. The focused span is
outlined. After an action only the ranges whose marks changed are formatted and repainted.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPalette,
    QPen,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextEdit

from annotator import model as m
from annotator.model import Label
from annotator.ui.article_spans import FocusedSpan, IssueLine, Mark, SortedRanges, merge_ranges

LINE_HEIGHT_PERCENT = 140  # room under each line for the issue underlines
ISSUE_LINE_WIDTH = 2.5
ISSUE_LANE_STEP = 3.5
DOCUMENT_MARGIN = 18
HEADING_SCALE = 1.3  # the title line's size against the text's

_PENDING = operator.itemgetter(4)


def build_document(display: str, font: QFont, parent=None) -> QTextDocument:
    """A plain-text document of ``display`` (never interpreted as markup), lines spaced for marks."""
    doc = QTextDocument(parent)
    doc.setUndoRedoEnabled(False)
    doc.setDocumentMargin(DOCUMENT_MARGIN)
    doc.setDefaultFont(font)
    cur = QTextCursor(doc)
    fmt = QTextBlockFormat()
    fmt.setLineHeight(LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    cur.setBlockFormat(fmt)
    cur.insertText(display)
    return doc


def entity_marks_in_order(marks: Iterable[Mark]) -> list[Mark]:
    """The entity marks among ``marks``, in the order they are formatted: pending first, so a
    decided span wins where both cover a character (a sort in C, stable within each group).

    Only entities are character formats: issues are lines (:meth:`MarkPainter.paint_issues`).
    """
    return sorted([mk for mk in marks if mk[2] == m.ENTITY], key=_PENDING, reverse=True)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(
        a.redF() * (1 - t) + b.redF() * t,
        a.greenF() * (1 - t) + b.greenF() * t,
        a.blueF() * (1 - t) + b.blueF() * t,
    )


def _line_bounds(layout_of, block, top: float, bottom: float) -> tuple[int, int]:
    """Qt positions from the first line of ``block`` reaching ``top`` to the end of its last
    line starting above ``bottom`` (document coordinates); the whole block when none do."""
    lay = block.layout()
    pos = block.position()
    y0 = layout_of.blockBoundingRect(block).top()
    first, last = pos, pos + block.length()
    lines = [lay.lineAt(i) for i in range(lay.lineCount())]
    for line in lines:
        if y0 + line.y() + line.height() >= top:
            first = pos + line.textStart()
            break
    for line in reversed(lines):
        if y0 + line.y() <= bottom:
            last = pos + line.textStart() + line.textLength()
            break
    return first, last


class MarkPainter:
    """Draws the marks of one article view: formats its document, paints lines and outlines.

    Parameters
    ----------
    view
        The article view; the painter reads its ``text_map``, document, palette, scroll bars
        and viewport.

    Attributes
    ----------
    labels : dict
        ``(layer, name) -> Label`` of the database, for the colours.
    """

    def __init__(self, view: QTextEdit):
        self._view = view
        self.labels: dict[tuple[str, str], Label] = {}
        self._formats: dict[tuple[str, str, bool], QTextCharFormat] = {}
        self.heading_end = 0  # the title line, drawn as the article's heading (set_heading)

    def set_labels(self, labels: dict[tuple[str, str], Label]) -> None:
        """Take the database's labels (their colours may have changed: formats are made again)."""
        self.labels = labels
        self._formats = {}

    def forget_formats(self) -> None:
        """Make every format again from the palette (it changed)."""
        self._formats = {}

    # -- colours and formats -------------------------------------------------------------------

    def _dark(self) -> bool:
        return self._view.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def label_colour(self, layer: str, label: str) -> QColor:
        """The label's own colour; grey for an unknown label or an invalid colour."""
        lab = self.labels.get((layer, label))
        colour = QColor(lab.colour if lab else "#888888")
        return colour if colour.isValid() else QColor("#888888")

    def line_colour(self, layer: str, label: str) -> QColor:
        """Colour of the underline drawn for ``label``: contrasting with the page."""
        colour = self.label_colour(layer, label)
        return colour.lighter(120) if self._dark() else colour.darker(165)

    def format(self, layer: str, label: str, pending: bool) -> QTextCharFormat:
        """The character format of an entity mark."""
        key = (layer, label, pending)
        fmt = self._formats.get(key)
        if fmt is not None:
            return fmt
        colour = self.label_colour(layer, label)
        base = self._view.palette().color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        fmt = QTextCharFormat()
        if pending:
            # Light, inside a dashed box (paint_pending_boxes): a proposal, not yet a span.
            fmt.setBackground(_mix(base, colour, 0.26 if dark else 0.30))
        elif dark:
            # Light text on a mid-tone would be murky: dark text on the full label colour.
            fmt.setBackground(colour)
            fmt.setForeground(base)
        else:
            fmt.setBackground(_mix(base, colour, 0.95))
        self._formats[key] = fmt
        return fmt

    # -- formatting the document -----------------------------------------------------------------

    def clear(self, cur: QTextCursor, a: int, b: int) -> None:
        """Remove every mark's format from code points ``[a, b)`` (the heading stays a heading)."""
        text_map = self._view.text_map
        cur.setPosition(text_map.to_qt(a))
        cur.setPosition(text_map.to_qt(b), QTextCursor.MoveMode.KeepAnchor)
        cur.setCharFormat(QTextCharFormat())
        if a < self.heading_end:
            self._format_heading(cur, a, min(b, self.heading_end))

    def set_heading(self, cur: QTextCursor, end: int) -> None:
        """Show code points ``[0, end)`` (the article's title line) as its heading: bold, larger."""
        self.heading_end = end
        if end:
            self._format_heading(cur, 0, end)

    def _format_heading(self, cur: QTextCursor, a: int, b: int) -> None:
        text_map = self._view.text_map
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold)
        fmt.setFontPointSize(self._view.font().pointSizeF() * HEADING_SCALE)
        cur.setPosition(text_map.to_qt(a))
        cur.setPosition(text_map.to_qt(b), QTextCursor.MoveMode.KeepAnchor)
        cur.mergeCharFormat(fmt)

    def paint_marks(
        self, cur: QTextCursor, marks: Iterable[Mark], clip: tuple[int, int] | None = None
    ) -> None:
        """Format ``marks`` (entity marks in order) into the document, inside ``clip`` if given."""
        # Runs once per mark when an article opens: everything the loop needs is looked up
        # once, and offsets are translated only when the text needs it.
        text_map = self._view.text_map
        to_qt = None if text_map.is_identity else text_map.to_qt
        set_position = cur.setPosition
        merge = cur.mergeCharFormat
        keep = QTextCursor.MoveMode.KeepAnchor
        formats = self._formats
        fmt_of = self.format
        lo, hi = clip if clip is not None else (0, text_map.length)
        for start, end, layer, label, pending in marks:
            if start < lo:
                start = lo
            if end > hi:
                end = hi
            if to_qt is not None:
                start, end = to_qt(start), to_qt(end)
            set_position(start)
            set_position(end, keep)
            merge(formats.get((layer, label, pending)) or fmt_of(layer, label, pending))

    def repaint_marks(self, cur: QTextCursor, changed: Iterable[Mark], mark_index: SortedRanges) -> None:
        """Clear the ranges the ``changed`` marks cover and format again every mark inside them."""
        for a, b in merge_ranges((mk[0], mk[1]) for mk in changed if mk[2] == m.ENTITY):
            self.clear(cur, a, b)
            self.paint_marks(cur, entity_marks_in_order(mark_index.overlapping(a, b)), (a, b))

    # -- geometry --------------------------------------------------------------------------------

    def range_rects(self, start: int, end: int, _blocks: dict | None = None) -> list[QRectF]:
        """Viewport rectangles covering code points ``[start, end)``, one per visual line.

        ``_blocks`` (one paint's cache) keeps each block's position and the lines read between calls.
        """
        view = self._view
        qa, qb = view.text_map.to_qt(start), view.text_map.to_qt(end)
        rects: list[QRectF] = []
        doc = view.document()
        blocks = {} if _blocks is None else _blocks
        if "dx" not in blocks:
            blocks["dx"] = -view.horizontalScrollBar().value()
            blocks["dy"] = -view.verticalScrollBar().value()
            blocks["bottom"] = view.viewport().height()
            blocks["layout"] = doc.documentLayout()
        dx, dy, bottom, layout_of = blocks["dx"], blocks["dy"], blocks["bottom"], blocks["layout"]
        block = doc.findBlock(qa)
        while block.isValid():
            number = block.blockNumber()
            info = blocks.get(number)
            if info is None:
                geo = layout_of.blockBoundingRect(block).translated(dx, dy)
                info = blocks[number] = (block.position(), geo.left(), geo.top(), block.layout(), {})
            bpos, left, top, layout, lines = info
            if bpos >= qb or top > bottom:
                break
            rects += _line_rects(layout, lines, bpos, left, top, qa, qb)
            block = block.next()
        return rects

    def visible_range(self, lanes: int, _rect=None) -> tuple[int, int]:
        """Code points ``[start, end)`` that may be visible in the viewport now.

        ``_rect``: only those in this part of the viewport (what a paint event repaints);
        ``lanes`` of underlines are drawn below each line.
        """
        # Found from the laid-out blocks, not by hit tests at the viewport's corners (those
        # make Qt lay out more text). A block not laid out yet has not been painted either.
        view = self._view
        doc = view.document()
        layout_of = doc.documentLayout()
        top = view.verticalScrollBar().value()
        bottom = top + view.viewport().height()
        if _rect is not None:
            # An underline is drawn below its line: include the lines just above the area.
            top, bottom = top + _rect.top() - 4 - ISSUE_LANE_STEP * lanes, top + _rect.bottom() + 1
        block = _first_block_below(doc, layout_of, top)
        first = block.position() if block.isValid() else 0
        last = first
        first_block = last_block = block
        while block.isValid():
            lay = block.layout()
            if lay is None or lay.lineCount() == 0:
                break
            last = block.position() + block.length()
            last_block = block
            if layout_of.blockBoundingRect(block).bottom() >= bottom:
                break
            block = block.next()
        if _rect is not None and last > first:
            # A repaint of a few lines draws the underlines of those lines, not of their
            # whole paragraphs.
            first = _line_bounds(layout_of, first_block, top, bottom)[0]
            last = _line_bounds(layout_of, last_block, top, bottom)[1]
        text_map = view.text_map
        return text_map.from_qt(first), min(text_map.length, text_map.from_qt(last) + 1)

    def update_ranges(self, ranges: Iterable[tuple[int, int]], lanes: int) -> None:
        """Repaint only the lines under code-point ``ranges``, with their underlines and outline."""
        vp = self._view.viewport()
        below = 4 + ISSUE_LANE_STEP * lanes
        height = vp.height()
        for a, b in ranges:
            for r in self.range_rects(a, b):
                if r.bottom() + below < 0 or r.top() > height:
                    continue
                vp.update(r.adjusted(-5, -3, 5, below).toAlignedRect())

    # -- painting over the viewport ----------------------------------------------------------------

    def paint_issues(self, painter: QPainter, issue_lines: list[IssueLine], lanes: int, region=None) -> None:
        """Draw the issue underlines inside ``region`` (the whole viewport when None)."""
        if not issue_lines:
            return
        # A decision repaints a few lines in places far apart (the old and the new focus):
        # the underlines of those lines, not of everything between them.
        rects = list(region) if region is not None else [None]
        if len(rects) > 8:
            rects = [region.boundingRect()]
        ranges = merge_ranges(self.visible_range(lanes, r) for r in rects)
        first, last = ranges[0][0], ranges[-1][1]
        pens: dict[tuple[str, bool], QPen] = {}
        blocks: dict = {}
        for start, end, label, pending, lane in issue_lines:
            if start >= last:
                break
            if end <= first or not any(start < b and a < end for a, b in ranges):
                continue
            pen = pens.get((label, pending))
            if pen is None:
                pen = pens[(label, pending)] = self._issue_pen(label, pending)
            painter.setPen(pen)
            for r in self.range_rects(start, end, blocks):
                y = r.bottom() + 1.5 + lane * ISSUE_LANE_STEP
                painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))

    def paint_pending_boxes(
        self, painter: QPainter, mark_index: SortedRanges, lanes: int, region=None
    ) -> None:
        """Draw a dashed box around each pending entity suggestion inside ``region``."""
        rects = list(region) if region is not None else [None]
        if len(rects) > 8:
            rects = [region.boundingRect()]
        ranges = merge_ranges(self.visible_range(lanes, r) for r in rects)
        if not ranges:
            return
        marks = [
            mk
            for mk in mark_index.overlapping(ranges[0][0], ranges[-1][1])
            if mk[4] and mk[2] == m.ENTITY and any(mk[0] < b and a < mk[1] for a, b in ranges)
        ]
        if not marks:
            return
        pens: dict[str, QPen] = {}
        blocks: dict = {}
        painter.save()
        # Crisp one-pixel dashes on whole pixels: antialiased, they fade into the fill.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for start, end, _layer, label, _pending in marks:
            pen = pens.get(label)
            if pen is None:
                pen = pens[label] = QPen(self.line_colour(m.ENTITY, label), 1)
                pen.setDashPattern([3.0, 2.0])
            painter.setPen(pen)
            for r in self.range_rects(start, end, blocks):
                painter.drawRect(box_rect(r))
        painter.restore()

    def _issue_pen(self, label: str, pending: bool) -> QPen:
        pen = QPen(self.line_colour(m.ISSUE, label), ISSUE_LINE_WIDTH)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        if pending:
            pen.setDashPattern([2.0, 1.2])
        return pen

    def paint_focus(self, painter: QPainter, focus: FocusedSpan) -> None:
        """Outline the focused span."""
        painter.setPen(QPen(self._view.palette().color(QPalette.ColorRole.Highlight), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for r in self.range_rects(focus.start, focus.end):
            painter.drawRoundedRect(r.adjusted(-2, 0, 2, 0), 3, 3)


def box_rect(r: QRectF) -> QRect:
    """The dashed box drawn around a pending entity's rectangle ``r`` (whole pixels)."""
    left, top = math.floor(r.left()) - 1, math.floor(r.top())
    return QRect(left, top, math.ceil(r.right()) + 1 - left, math.ceil(r.bottom()) - 1 - top)


def _first_block_below(doc: QTextDocument, layout_of, top: float):
    """The first block not laid out above document y ``top`` (a bisection over the blocks)."""

    def above(b) -> bool:  # laid out and ending above the viewport's top
        lay = b.layout()
        return lay is not None and lay.lineCount() > 0 and layout_of.blockBoundingRect(b).bottom() < top

    lo, hi = 0, max(doc.blockCount() - 1, 0)
    while lo < hi:
        mid = (lo + hi) // 2
        if above(doc.findBlockByNumber(mid)):
            lo = mid + 1
        else:
            hi = mid
    return doc.findBlockByNumber(lo)


def _line_rects(layout, lines: dict, bpos: int, left: float, top: float, qa: int, qb: int) -> list[QRectF]:
    """Rectangles of Qt positions ``[qa, qb)`` on the lines of one block (``lines`` caches them)."""
    rects = []
    # Straight to the line holding the range's start: a decision repaints one or two lines
    # of a paragraph, and reading every line of it is what a paint would spend its time on.
    first = layout.lineForTextPosition(max(qa - bpos, 0))
    i = first.lineNumber() if first.isValid() else 0
    count = layout.lineCount()
    while i < count:
        got = lines.get(i)
        if got is None:
            line = layout.lineAt(i)
            ls = bpos + line.textStart()
            got = lines[i] = (ls, ls + line.textLength(), line, top + line.y(), line.height())
        ls, le, line, y, height = got
        if ls >= qb:
            break
        i += 1
        s, e = max(qa, ls), min(qb, le)
        if s >= e:
            continue
        x1 = line.cursorToX(s - bpos)[0]
        x2 = line.cursorToX(e - bpos)[0]
        rects.append(QRectF(left + x1, y, x2 - x1, height))
    return rects
