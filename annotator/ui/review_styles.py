"""How review mode tells annotators apart (number, line style, colour) and names disagreement classes.

Colour is never the only cue: each annotator also has a number (the key that takes their
version) and a line style, so the style alone tells annotators apart in grey scale too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

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
GOLD_TEXT = "#1b2a17"
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


__all__ = [
    "GOLD_BACKGROUND",
    "GOLD_TEXT",
    "KIND_SHORT",
    "KIND_TEXT",
    "LANE_STEP",
    "REGION_FILL",
    "AnnotatorStyle",
    "annotator_styles",
]
