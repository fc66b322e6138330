"""Row mapping: the columns of each table the ledger writes, rows as dicts, and the small
conversions every part of the store shares (times, JSON, titles, colours, id chunks).

Nothing here opens a connection: the functions take one.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from annotator import model as m
from annotator.errors import StoreError
from annotator.model import Article, Span, Suggestion

WORD = re.compile(r"\S+")


def now() -> str:
    """The current time as an ISO-8601 UTC string with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


# json.dumps(value, ensure_ascii=False, sort_keys=True) without making an encoder per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def to_json(value: Any) -> str:
    """``value`` as the store keeps JSON: keys sorted, non-ASCII as is."""
    return _ENCODE(value)


# Each ASCII byte -> b" " if str.isspace() holds for it, else b"x" (see word_count).
_WORD_BYTES = bytes(0x20 if chr(c).isspace() else 0x78 for c in range(128)) + b"x" * 128


def word_count(text: str) -> int:
    """``len(text.split())``, without making a string per word for an ASCII text."""
    if text.isascii():
        marks = text.encode("ascii").translate(_WORD_BYTES)
        return marks.count(b" x") + (marks[:1] == b"x")
    return len(text.split())


ANNOTATION_COLS = (
    "id",
    "article_id",
    "annotator",
    "layer",
    "start",
    "end",
    "label",
    "origin",
    "source",
    "created_at",
)
DECISION_COLS = (
    "article_id",
    "annotator",
    "layer",
    "start",
    "end",
    "label",
    "source",
    "status",
    "annotation_id",
    "decided_at",
)
STATE_COLS = ("article_id", "annotator", "state", "updated_at")
ADJ_COLS = ("article_id", "layer", "start", "end", "labels", "choice", "reviewer", "at")
# A ledger effect's target -> its table, columns and primary key.
TARGETS = {
    "adjudication": ("adjudications", ADJ_COLS, ("article_id", "layer", "start", "end", "labels")),
    "annotation": ("annotations", ANNOTATION_COLS, ("id",)),
    "decision": ("decisions", DECISION_COLS, ("article_id", "annotator", "layer", "start", "end", "label")),
    "state": ("article_states", STATE_COLS, ("article_id", "annotator")),
}

# Columns a ledger row written before they existed lacks (undo/redo of older actions).
ROW_DEFAULTS: dict[str, dict[str, Any]] = {"adjudication": {"labels": ""}}


def q(col: str) -> str:
    """A column name quoted for SQL (``end`` is a keyword)."""
    return f'"{col}"'


def columns(cols: Sequence[str]) -> str:
    """``cols`` quoted and joined for a SELECT or INSERT."""
    return ", ".join(q(c) for c in cols)


# The columns of each table quoted for a SELECT, as constants.
ANNOTATION_SELECT = columns(ANNOTATION_COLS)
DECISION_SELECT = columns(DECISION_COLS)
ADJ_SELECT = columns(ADJ_COLS)


def pk(target: str, row: dict[str, Any]) -> tuple:
    """The primary key of a ledger target's row."""
    return tuple(row[k] for k in TARGETS[target][2])


def read_row(conn: sqlite3.Connection, target: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The row of ``target`` with primary key ``key``, as a dict (None when there is none)."""
    table, cols, key_cols = TARGETS[target]
    where = " AND ".join(f"{q(k)} = ?" for k in key_cols)
    row = conn.execute(
        f"SELECT {columns(cols)} FROM {table} WHERE {where}", [key[k] for k in key_cols]
    ).fetchone()
    return None if row is None else dict(zip(cols, row, strict=True))


def put_row(conn: sqlite3.Connection, target: str, row: dict[str, Any]) -> None:
    """Write ``row`` into ``target``'s table, replacing the row with its key."""
    table, cols, _ = TARGETS[target]
    row = {**ROW_DEFAULTS.get(target, {}), **row}
    conn.execute(
        f"INSERT OR REPLACE INTO {table}({columns(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [row.get(c) for c in cols],
    )


def drop_row(conn: sqlite3.Connection, target: str, row: dict[str, Any]) -> None:
    """Delete the row of ``target`` with the key of ``row``."""
    table, _, key_cols = TARGETS[target]
    row = {**ROW_DEFAULTS.get(target, {}), **row}
    where = " AND ".join(f"{q(k)} = ?" for k in key_cols)
    conn.execute(f"DELETE FROM {table} WHERE {where}", [row[k] for k in key_cols])


def adjudication_labels(labels: Iterable[str] | None) -> str:
    """The ``labels`` key of a settlement: ``""`` for a whole region (the entity layer, and
    settlements made before issue settlements were kept per label), else the sorted label
    names as a JSON list."""
    return "" if labels is None else json.dumps(sorted(set(labels)), ensure_ascii=False)


def article_chunks(ids: Sequence[str] | None, size: int = 500) -> Iterator[tuple[str, list]]:
    """``(where clause, args)`` pieces restricting ``article_id`` to ``ids`` (no restriction for None)."""
    if ids is None:
        yield "", []
        return
    ids = list(ids)
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        yield f" WHERE article_id IN ({','.join('?' * len(chunk))})", chunk


def sugg_json(s: Suggestion) -> dict[str, Any]:
    """A suggestion as a ledger action's detail keeps it."""
    return {
        "id": s.id,
        "layer": s.layer,
        "start": s.start,
        "end": s.end,
        "label": s.label,
        "source": s.source,
        "score": s.score,
    }


def span_json(s: Span) -> dict[str, Any]:
    """A span as a ledger action's detail keeps it."""
    return {"layer": s.layer, "start": s.start, "end": s.end, "label": s.label}


def row_span(r: dict[str, Any]) -> dict[str, Any]:
    """An annotation row's span (with its id) as a ledger action's detail keeps it."""
    return {"id": r["id"], "layer": r["layer"], "start": r["start"], "end": r["end"], "label": r["label"]}


def check_annotator(name: str) -> str:
    """``name`` trimmed; an empty name or the reserved gold annotator is a :class:`StoreError`."""
    if not isinstance(name, str) or not name.strip():
        raise StoreError("an annotator needs a name", hint="pass --annotator NAME")
    if name.strip() == m.GOLD:
        raise StoreError(f"{m.GOLD!r} is reserved for the reviewed gold set; choose another name")
    return name.strip()


def title_of(text: str) -> str:
    """The first non-empty line of ``text``, stripped, at most 120 characters."""
    # Told from the first few hundred characters if they can, then from the first 2,000 (an
    # import takes a title from each text it is given without one), then from all the lines.
    for size in (256, 2000):
        title = _title_in(text[:size], size >= len(text))
        if title is not None:
            return title
    return next(filter(None, map(str.strip, text.splitlines())), "")[:120] or "(empty)"


def _title_in(head: str, whole: bool) -> str | None:
    """:func:`title_of` the text ``head`` starts (all of it if ``whole``); None if it cannot tell."""
    lines = head.splitlines()
    if whole:
        return next(filter(None, map(str.strip, lines)), "")[:120] or "(empty)"
    for line in lines[:-1]:  # the last line may go on after the head
        line = line.strip()
        if line:
            return line[:120]
    # The first line with text goes on past the head: when it has text after its first 120
    # characters, they are the title as they are (the end of the line cannot strip them).
    first = lines[-1].lstrip() if lines else ""
    if len(first) > 120 and not first[-1].isspace():
        return first[:120]
    return None


def as_article(a: Article | dict | str) -> Article:
    """An :class:`Article` from an Article, a text, or a dict with text/title/source/meta."""
    if isinstance(a, Article):
        return a
    if isinstance(a, str):
        return Article(m.article_id(a), a, title_of(a))
    text = a["text"]
    return Article(
        m.article_id(text), text, a.get("title") or title_of(text), a.get("source", ""), a.get("meta") or {}
    )


PALETTE = [
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#46f0f0",
    "#f032e6",
    "#bcf60c",
    "#008080",
    "#9a6324",
]


def auto_colour(name: str) -> str:
    """The colour a label gets when none is given: one of :data:`PALETTE`, fixed by its name."""
    return PALETTE[sum(map(ord, name)) % len(PALETTE)]
