"""The two panes of review mode: the queue on the left, the article under review on the right.

The panes only lay widgets out; :class:`~annotator.ui.review_view.ReviewView` owns the models,
connects the signals and keeps the keyboard focus (no widget here takes it).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator import model as m
from annotator.ui.review_keys import KEYS_HINT
from annotator.ui.review_text import Legend, ReviewTextView
from annotator.ui.views import RowTableModel


def review_table(model: RowTableModel, stretch: int) -> QTableView:
    """A read-only, mouse-only table of ``model`` whose column ``stretch`` takes the spare width."""
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


def heading(text: str) -> QLabel:
    """A bold plain-text heading."""
    lab = QLabel(text)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    f = lab.font()
    f.setBold(True)
    lab.setFont(f)
    return lab


SAVE_DELAY_MS = 300  # a dragged splitter's sizes are kept this long after it stops
CLASSES_WIDTH = 130  # px of the queue's Classes column; the title column takes the rest


def _plain_label(text: str = "") -> QLabel:
    lab = QLabel(text)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setWordWrap(True)
    return lab


def _boxed(title: str, w: QWidget) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 4, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(heading(title))
    lay.addWidget(w, 1)
    return box


class QueuePane(QWidget):
    """The queue of articles with open disagreements, the layer choice and the queue's status.

    Parameters
    ----------
    queue_model
        The :class:`~annotator.ui.review_models.ReviewQueueModel` shown.
    layer
        The layer chosen at first (None: both).
    parent
        Parent widget.
    """

    def __init__(self, queue_model: RowTableModel, layer: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.queue_view = review_table(queue_model, 0)
        header = self.queue_view.horizontalHeader()
        # The title takes the spare width; the classes get a fixed share (their tooltip has all).
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(2, CLASSES_WIDTH)
        self.queue_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.queue_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.queue_status = _plain_label("computing the queue…")
        self.layer_box = QComboBox()
        self.layer_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.layer_box.addItem("both layers", None)
        self.layer_box.addItem("entities", m.ENTITY)
        self.layer_box.addItem("issues", m.ISSUE)
        self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(layer)))
        ll = QVBoxLayout(self)
        ll.setContentsMargins(6, 6, 0, 6)
        top = QHBoxLayout()
        top.addWidget(heading("Queue (worst first)"))
        top.addStretch(1)
        top.addWidget(self.layer_box)
        ll.addLayout(top)
        ll.addWidget(self.queue_view, 1)
        ll.addWidget(self.queue_status)


class FocusPane(QWidget):
    """The article under review: title, what is focused, legend, text, versions, the article's
    open disagreements, gold so far, the message line and the keys.

    Parameters
    ----------
    versions_model, disagreements_model, gold_model
        The models of the three tables.
    parent
        Parent widget.
    """

    def __init__(
        self,
        versions_model: RowTableModel,
        disagreements_model: RowTableModel,
        gold_model: RowTableModel,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.title_label = _plain_label("No article open")
        f = self.title_label.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.title_label.setFont(f)
        self.focus_label = _plain_label("Pick an article in the queue.")
        self.legend = Legend()
        self.text_view = ReviewTextView()
        self.versions_view = review_table(versions_model, 2)
        self.disagreements_view = review_table(disagreements_model, 3)
        self.gold_view = review_table(gold_model, 2)
        self.message_label = _plain_label()
        self.message_label.setStyleSheet("font-weight: bold")
        hint = _plain_label(KEYS_HINT)
        hint.setEnabled(False)
        rl = QVBoxLayout(self)
        rl.setContentsMargins(0, 6, 6, 6)
        rl.setSpacing(4)
        rl.addWidget(self.title_label)
        rl.addWidget(self.focus_label)
        rl.addWidget(self.legend)
        rl.addWidget(self._centre(), 1)
        rl.addWidget(self.message_label)
        rl.addWidget(hint)

    def _centre(self) -> QSplitter:
        lists = QSplitter(Qt.Orientation.Horizontal)
        lists.addWidget(_boxed("Disagreements in this article (open)", self.disagreements_view))
        lists.addWidget(_boxed("Gold so far", self.gold_view))
        lists.setChildrenCollapsible(False)
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.text_view)
        centre.addWidget(_boxed("Versions (press the key to take one)", self.versions_view))
        centre.addWidget(lists)
        # The text gets most of the height (at 1280x800 about 450 px, not 350).
        centre.setStretchFactor(0, 3)
        centre.setStretchFactor(1, 1)
        centre.setStretchFactor(2, 1)
        centre.setChildrenCollapsible(False)
        keep_sizes(lists, "review/lists_splitter")
        keep_sizes(centre, "review/centre_splitter")
        return centre


def keep_sizes(splitter: QSplitter, key: str) -> None:
    """Restore ``splitter``'s sizes from the settings and keep them there when the user drags it."""
    from annotator.ui import settings

    state = settings.settings().value(key)
    if isinstance(state, QByteArray) and not state.isEmpty():
        splitter.restoreState(state)
    # A drag moves the splitter many times a second: written once it has stood still a moment.
    timer = QTimer(splitter)
    timer.setSingleShot(True)
    timer.setInterval(SAVE_DELAY_MS)
    timer.timeout.connect(lambda: settings.write(key, splitter.saveState()))
    splitter.splitterMoved.connect(timer.start)


__all__ = ["FocusPane", "QueuePane", "heading", "keep_sizes", "review_table"]
