"""The agreement figures as pictures: per-label F1 and kappa as bars, label confusion as a heat map.

The bars reuse :class:`~annotator.ui.bar_chart.BarChart` (weakest label first, so what needs a
word in the guidelines is on top); the heat map is painted here the same way, with the
palette's highlight colour at a strength that grows with the count, and the count written in
each cell, so it reads without colour too. The tables of the other tabs keep every figure for
detail and copying.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from annotator.review.confusion import Confusion
from annotator.ui.bar_chart import BarChart, BarRow

CELL = 26  # px of a heat map cell


def label_rows(overall: Sequence) -> list[BarRow]:
    """One bar row per layer and label of the report's overall figures, weakest exact F1 first."""
    per_label = [e for e in overall if e.label is not None]
    per_label.sort(key=lambda e: (e.exact_f1 is None, e.exact_f1 or 0.0, e.layer, e.label))
    out = []
    for e in per_label:
        f1 = "-" if e.exact_f1 is None else f"{e.exact_f1:.2f}"
        kappa = "-" if e.kappa is None else f"{e.kappa:.2f}"
        kappa_bar = None if e.kappa is None else max(0.0, e.kappa)  # a bar cannot go below 0
        out.append(BarRow(f"{e.label} ({e.layer})", (e.exact_f1, kappa_bar), f"F1 {f1} · kappa {kappa}"))
    return out


class HeatMap(QWidget):
    """A square grid of :class:`Confusion` counts, rows and columns in the same label order."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.confusion: Confusion | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_confusion(self, confusion: Confusion | None) -> None:
        self.confusion = confusion
        self.updateGeometry()
        self.update()

    def _margin(self) -> int:
        labels = self.confusion.labels if self.confusion else ()
        return max((self.fontMetrics().horizontalAdvance(lab) for lab in labels), default=0) + 8

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        n = len(self.confusion.labels) if self.confusion else 0
        m = self._margin()
        return QSize(m + n * CELL + 2, m + n * CELL + 2)

    def cell_at(self, pos: QPointF) -> tuple[str, str] | None:
        """The (row label, column label) under ``pos``, or None."""
        if not self.confusion:
            return None
        m, labels = self._margin(), self.confusion.labels
        r, c = int((pos.y() - m) // CELL), int((pos.x() - m) // CELL)
        if pos.x() < m or pos.y() < m or not (0 <= r < len(labels) and 0 <= c < len(labels)):
            return None
        return labels[r], labels[c]

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        cell = self.cell_at(event.position())
        if cell is None or self.confusion is None:
            QToolTip.hideText()
            return
        a, b = cell
        n = self.confusion.count(a, b)
        what = f"{a}: both annotators" if a == b else f"{a} against {b}"
        QToolTip.showText(event.globalPosition().toPoint(), f"{what}: {n} time{'s' * (n != 1)}", self)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self.confusion or not self.confusion.labels:
            return
        p = QPainter(self)
        pal, fm = self.palette(), self.fontMetrics()
        text = pal.color(QPalette.ColorRole.WindowText)
        labels, m = self.confusion.labels, self._margin()
        top = max(self.confusion.counts.values(), default=1) or 1
        for i, lab in enumerate(labels):
            p.setPen(text)
            p.drawText(QRectF(0, m + i * CELL, m - 6, CELL), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, lab)
            p.save()
            p.translate(m + i * CELL + CELL / 2 + fm.ascent() / 2, m - 6)
            p.rotate(-90)
            p.drawText(QPointF(0, 0), lab)
            p.restore()
        for r, a in enumerate(labels):
            for c, b in enumerate(labels):
                n = self.confusion.count(a, b)
                rect = QRectF(m + c * CELL, m + r * CELL, CELL - 1, CELL - 1)
                colour = QColor(pal.color(QPalette.ColorRole.Highlight))
                colour.setAlphaF(0.08 + 0.92 * n / top if n else 0.03)
                p.fillRect(rect, colour)
                if n:
                    strong = n / top > 0.55
                    p.setPen(pal.color(QPalette.ColorRole.HighlightedText) if strong else text)
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(n))
        p.end()


class AgreementCharts(QScrollArea):
    """The Charts tab: the bars, then one heat map per layer."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bars = BarChart(("exact F1", "kappa"), maximum=1.0)
        self.heat_maps: dict[str, HeatMap] = {}
        self.captions: dict[str, QLabel] = {}
        body = QWidget()
        self._lay = QVBoxLayout(body)
        self._lay.addWidget(QLabel("Per label, weakest first (exact F1, Cohen's kappa; below 0 shown as 0)"))
        self._lay.addWidget(self.bars)
        for layer in ("entity", "issue"):
            caption = QLabel()
            caption.setWordWrap(True)
            heat = HeatMap()
            self.captions[layer], self.heat_maps[layer] = caption, heat
            self._lay.addWidget(caption)
            self._lay.addWidget(heat)
        self._lay.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)

    def show_figures(self, overall: Sequence, confusions: dict[str, Confusion]) -> None:
        """Bars from the report's overall figures; a heat map per layer's confusion."""
        self.bars.set_rows(label_rows(overall))
        for layer, heat in self.heat_maps.items():
            c = confusions.get(layer)
            heat.set_confusion(c if c and c.labels else None)
            worst = ", ".join(f"{a} / {b} ({n})" for a, b, n in c.worst(3)) if c else ""
            self.captions[layer].setText(
                f"Label confusion between annotators, {layer} layer"
                + (f": most often {worst}" if worst else ": nothing to compare")
            )
