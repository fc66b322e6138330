"""What review mode lists: the queue's rows and the table models of the queue, versions,
disagreements and gold.

The full queue is computed in a worker (:func:`load_queue`, it reads every annotation); after a
decision only the articles named in the :class:`~annotator.model.Changes` are computed again
(:func:`queue_row` of :func:`article_review`), on the GUI thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont

from annotator import model as m
from annotator.ui.review_styles import KIND_SHORT, KIND_TEXT, AnnotatorStyle
from annotator.ui.views import RowTableModel

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


def queue_row(article_id: str, title: str, open_: Sequence) -> QueueRow:
    """The queue's row of one article from its open disagreements."""
    counts = Counter(d.kind for d in open_)
    kinds = tuple((k, counts[k]) for k in KIND_TEXT if counts[k])
    return QueueRow(article_id, title, len(open_), kinds)


def article_title(article: m.Article) -> str:
    """The article's title, or else its first line (at most 80 characters), or else its id."""
    if article.title.strip():
        return article.title.strip()
    first = article.text.strip().splitlines()[0] if article.text.strip() else article.id
    return first[:80]


def load_queue(store, layer: str | None = None) -> list[QueueRow]:
    """The review queue of ``store``, worst first.

    Run in a worker on a store of its own (:func:`annotator.ui.worker.run_on_store`): it
    reads every annotation, and the GUI thread's connection stays there.
    """
    from annotator import ops

    return [
        queue_row(entry.article_id, article_title(store.article(entry.article_id)), open_)
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


__all__ = [
    "DisagreementListModel",
    "GoldListModel",
    "QueueRow",
    "ReviewQueueModel",
    "VersionsModel",
    "article_review",
    "article_title",
    "load_queue",
    "queue_row",
]
