"""What an import wrote (its report), the rows it has queued, and how they are written."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from itertools import chain

from annotator.model import Changes, Label

# Rows per INSERT statement. SQLite pays for each statement it runs, whatever its rows, and
# executemany runs one per row; for annotations (an AUTOINCREMENT table) every statement also
# reads and writes its sqlite_sequence row. The 590,000 annotations of 10,000 articles took
# 1.22 s one per statement, 0.63 s 64 to a statement; 128 made the whole import 0.09 s
# faster again than 64 (200 did not).
ROWS_PER_INSERT = 128
# The fewest parameters a statement may have in any SQLite (999 before 3.32): a statement
# of wide rows takes fewer of them.
_MAX_PARAMETERS = 999


@dataclass(slots=True)
class ImportReport:
    """What one import wrote."""

    articles_added: int = 0
    articles_known: int = 0
    annotations: int = 0
    rejections: int = 0
    suggestions: int = 0
    labels_created: list[Label] = field(default_factory=list)
    annotators: set[str] = field(default_factory=set)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    # (file's id, our id): the text differs only in line endings or normalisation from an
    # article here, and its spans went onto that article (offsets mapped).
    twins: list[tuple[str, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)


# The values of one annotation row: article_id, annotator, layer, start, end, label, created_at.
ANNOTATION_WIDTH = 7


@dataclass(slots=True)
class Pending:
    """Rows queued for writing, per table.

    Annotations, the most numerous by far, are queued as their values one after the other
    (:data:`ANNOTATION_WIDTH` a row), the form a statement of many rows takes: a new article's
    are put there straight from its spans' fields, with no tuple per row.
    """

    articles: list[tuple] = field(default_factory=list)
    annotations: list = field(default_factory=list)
    suggestions: list[tuple] = field(default_factory=list)
    decisions: list[tuple] = field(default_factory=list)
    states: list[tuple] = field(default_factory=list)

    def annotation_count(self) -> int:
        """The number of annotation rows queued."""
        return len(self.annotations) // ANNOTATION_WIDTH

    def size(self) -> int:
        """The number of rows queued."""
        return len(self.articles) + self.annotation_count() + len(self.suggestions) + len(self.decisions)

    def clear(self) -> None:
        """Forget the rows queued (once written)."""
        for rows in (self.articles, self.annotations, self.suggestions, self.decisions, self.states):
            rows.clear()


def insert_rows(c: sqlite3.Connection, head: str, row: str, rows: list[tuple], tail: str = "") -> None:
    """``c.executemany(head + row + tail, rows)``, :data:`ROWS_PER_INSERT` rows to a statement
    (fewer for rows of more than 7 values).

    ``head`` is the statement up to ``VALUES``, ``row`` the values of one row (placeholders and
    constants, such as ``"(?, ?, 'imported')"``) and ``tail`` what follows them (an ``ON
    CONFLICT`` clause); every row of ``rows`` has one value per placeholder. The rows are
    written in order, one after the other, so ids and conflicts come out as one by one.
    """
    if rows:
        insert_values(c, head, row, list(chain.from_iterable(rows)), len(rows[0]), tail)


def insert_values(
    c: sqlite3.Connection, head: str, row: str, values: list, width: int, tail: str = ""
) -> None:
    """:func:`insert_rows` of rows given as their values one after the other, ``width`` a row."""
    k = max(1, min(ROWS_PER_INSERT, _MAX_PARAMETERS // width))
    step = width * k
    full = len(values) // step * step
    if full:
        chunks = map(values.__getitem__, map(slice, range(0, full, step), range(step, full + 1, step)))
        c.executemany(head + ", ".join([row] * k) + tail, chunks)
    if full < len(values):
        rows = map(
            values.__getitem__,
            map(slice, range(full, len(values), width), range(full + width, len(values) + 1, width)),
        )
        c.executemany(head + row + tail, rows)
