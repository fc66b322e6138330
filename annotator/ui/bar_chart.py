"""A small horizontal bar chart painted with QPainter: one row per item, one bar per series.

For the pictures people would rather look at than read (the retrain report's before and after
per label, the pace per day). Qt's own charts (QtCharts) are not part of PySide6-Essentials and
pyqtgraph would be a new dependency; a few bars need neither. Colours come from the palette, so
the chart follows the theme; each series also differs in shape (the first is hollow, the others
filled) so they stay apart without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_GAP = 6
BAR_HEIGHT = 9
LABEL_SHARE = 0.28  # of the width, at most, for the row labels


@dataclass(frozen=True)
class BarRow:
    """One item of the chart: its name, a value per series (None: no bar), the text after the bars."""

    label: str
    values: tuple[float | None, ...]
    text: str = ""


class BarChart(QWidget):
    """Rows of bars against a common scale (0 to :attr:`maximum`), with a legend line on top.

    Parameters
    ----------
    series
        The series' names, in the order of each row's values ("before", "after").
    maximum
        The value a full-width bar stands for (None: the largest value shown).
    parent
        Parent widget.

    Attributes
    ----------
    rows : list of BarRow
    """

    def __init__(self, series: Sequence[str], maximum: float | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.series = tuple(series)
        self.maximum = maximum
        self.rows: list[BarRow] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: Sequence[BarRow]) -> None:
        """Show ``rows`` (in the order given)."""
        self.rows = list(rows)
        self.updateGeometry()
        self.update()

    def row_height(self) -> int:
        return max(self.fontMetrics().height(), BAR_HEIGHT * len(self.series) + 2) + ROW_GAP

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        legend = self.fontMetrics().height() + ROW_GAP if len(self.series) > 1 else 0
        return QSize(420, legend + self.row_height() * len(self.rows) + ROW_GAP)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(240, self.sizeHint().height())

    def colour(self, i: int) -> QColor:
        """The colour of series ``i``: the palette's mid tone first, its highlight after."""
        pal = self.palette()
        return pal.color(
            QPalette.ColorRole.Mid if i == 0 and len(self.series) > 1 else QPalette.ColorRole.Highlight
        )

    def scale(self) -> float:
        if self.maximum:
            return self.maximum
        return max((v for r in self.rows for v in r.values if v is not None), default=1.0) or 1.0

    def bar_rect(self, row: int, series: int) -> QRectF:
        """Where the bar of ``series`` in ``row`` is drawn (empty when it has no value)."""
        label_w, bars_w, top = self._geometry()
        value = self.rows[row].values[series]
        block = max(BAR_HEIGHT * len(self.series), self.fontMetrics().height())
        y = top + row * self.row_height() + (block - BAR_HEIGHT * len(self.series)) / 2 + series * BAR_HEIGHT
        width = 0.0 if value is None else max(0.0, min(1.0, value / self.scale())) * bars_w
        return QRectF(label_w + 8, y, width, BAR_HEIGHT - 2)

    def _geometry(self) -> tuple[float, float, float]:
        fm = self.fontMetrics()
        widest = max((fm.horizontalAdvance(r.label) for r in self.rows), default=0)
        label_w = min(widest + 2, self.width() * LABEL_SHARE)
        text_w = max((fm.horizontalAdvance(r.text) for r in self.rows), default=0)
        bars_w = max(40.0, self.width() - label_w - 8 - text_w - 12)
        top = (fm.height() + ROW_GAP) if len(self.series) > 1 else 2
        return label_w, bars_w, top

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        pal = self.palette()
        text_colour = pal.color(QPalette.ColorRole.WindowText)
        label_w, bars_w, top = self._geometry()
        if len(self.series) > 1:
            self._paint_legend(p, fm)
        for i, row in enumerate(self.rows):
            y = top + i * self.row_height()
            p.setPen(text_colour)
            label = fm.elidedText(row.label, Qt.TextElideMode.ElideMiddle, int(label_w))
            block = max(BAR_HEIGHT * len(self.series), fm.height())
            p.drawText(
                QRectF(0, y, label_w, block),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            end = label_w + 8
            for s in range(len(self.series)):
                r = self.bar_rect(i, s)
                self._paint_bar(p, r, s)
                end = max(end, r.right())
            if row.text:
                p.setPen(text_colour)
                p.drawText(
                    QRectF(end + 6, y, self.width() - end - 6, block), Qt.AlignmentFlag.AlignVCenter, row.text
                )
        p.end()

    def _paint_bar(self, p: QPainter, r: QRectF, series: int) -> None:
        if r.width() <= 0:
            return
        colour = self.colour(series)
        if series == 0 and len(self.series) > 1:  # hollow: apart from the filled ones by shape
            # The outline in the text colour, half strong: visible on light and dark pages alike.
            outline = QColor(self.palette().color(QPalette.ColorRole.WindowText))
            outline.setAlphaF(0.6)
            p.setPen(QPen(outline, 1.2))
            p.setBrush(Qt.BrushStyle.NoBrush)
        else:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
        p.drawRoundedRect(r, 2, 2)

    def _paint_legend(self, p: QPainter, fm) -> None:
        x = 0.0
        for s, name in enumerate(self.series):
            self._paint_bar(p, QRectF(x, 3, 18, BAR_HEIGHT - 2), s)
            p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            p.drawText(
                QRectF(x + 22, 0, fm.horizontalAdvance(name) + 4, fm.height()),
                Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            x += 22 + fm.horizontalAdvance(name) + 16
