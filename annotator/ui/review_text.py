"""The article as review mode shows it: the focused region marked, each annotator's version
underlined in their lane, style and colour, gold so far in pale green; and the legend of who is who.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextEdit, QWidget

from annotator.ui.article_view import TextMap
from annotator.ui.review_styles import GOLD_BACKGROUND, GOLD_TEXT, LANE_STEP, REGION_FILL, AnnotatorStyle


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
        gold.setForeground(QColor(GOLD_TEXT))  # a pale fill keeps dark text in the dark theme too
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


__all__ = ["Legend", "LegendItem", "ReviewTextView"]
