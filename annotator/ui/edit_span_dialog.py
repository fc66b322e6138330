"""The dialog in which the reviewer adjusts a span (by token or by character) before it goes into gold."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.model import Span


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


__all__ = ["EditSpanDialog"]
