"""The decision ledger: every user action is one transaction that records each row it changed
(before and after), so undo and redo replay it, across article switches and restarts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from annotator import model as m
from annotator.errors import NothingToDo, SpanError
from annotator.model import ENTITY, Changes, Span
from annotator.store.articles import Articles
from annotator.store.rows import check_annotator, drop_row, now, pk, put_row, read_row, to_json

# The action undo (newest still done, not an import or merge) or redo (oldest undone) replays.
_NEXT_UNDO = (
    "SELECT id, article_id, kind, at, detail FROM ledger WHERE annotator = ?"
    " AND undone = 0 AND kind != 'import' AND kind NOT LIKE 'merged:%' ORDER BY id DESC LIMIT 1"
)
_NEXT_REDO = (
    "SELECT id, article_id, kind, at, detail FROM ledger WHERE annotator = ?"
    " AND undone = 1 ORDER BY id ASC LIMIT 1"
)


class Action:
    """Collects the effects of one user action for the ledger."""

    def __init__(self, store: Ledger, annotator: str, article_id: str | None, kind: str, detail: dict):
        self.store = store
        self.annotator = annotator
        self.article_id = article_id
        self.kind = kind
        self.detail = detail
        self.effects: list[tuple[str, dict | None, dict | None]] = []

    def change(self, target: str, before: dict | None, after: dict | None) -> None:
        """Write ``after`` in place of ``before`` (either None) and keep both for the ledger."""
        if before == after:
            return
        if before is not None and (after is None or pk(target, before) != pk(target, after)):
            drop_row(self.store.conn, target, before)
        if after is not None:
            put_row(self.store.conn, target, after)
        self.effects.append((target, before, after))


class Ledger(Articles):
    """The ledger machinery the actions share, and undo, redo and the reads of the ledger."""

    def _row(self, target: str, key: dict[str, Any]) -> dict[str, Any] | None:
        return read_row(self.conn, target, key)

    @contextlib.contextmanager
    def _action(self, annotator: str, article_id: str | None, kind: str, **detail: Any) -> Iterator[Action]:
        annotator = check_annotator(annotator)
        with self._write() as c:
            act = Action(self, annotator, article_id, kind, detail)
            yield act
            if not act.effects:
                return
            c.execute("INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (annotator, now()))
            # A new action ends the chance to redo what was undone before it.
            c.execute("UPDATE ledger SET undone = 2 WHERE annotator = ? AND undone = 1", (annotator,))
            cur = c.execute(
                "INSERT INTO ledger(annotator, article_id, kind, at, detail) VALUES (?, ?, ?, ?, ?)",
                (annotator, article_id, kind, now(), to_json(detail)),
            )
            lid = cur.lastrowid
            c.executemany(
                "INSERT INTO ledger_effects(ledger_id, seq, target, before, after) VALUES (?, ?, ?, ?, ?)",
                [
                    (lid, i, t, None if b is None else to_json(b), None if a is None else to_json(a))
                    for i, (t, b, a) in enumerate(act.effects)
                ],
            )

    def _touch_state(self, act: Action, article_id: str) -> None:
        """An article an annotator acts on moves from to do to in progress."""
        before = self._row("state", {"article_id": article_id, "annotator": act.annotator})
        if before is None or before["state"] == m.TODO:
            act.change(
                "state",
                before,
                {
                    "article_id": article_id,
                    "annotator": act.annotator,
                    "state": m.IN_PROGRESS,
                    "updated_at": now(),
                },
            )

    def _check_entity_free(
        self, annotator: str, article_id: str, span: Span, ignore_id: int | None = None
    ) -> None:
        if span.layer != ENTITY:
            return
        row = self.conn.execute(
            'SELECT id, start, "end", label FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ?'
            ' AND start < ? AND "end" > ? AND id IS NOT ? LIMIT 1',
            (article_id, annotator, ENTITY, span.end, span.start, ignore_id),
        ).fetchone()
        if row is not None:
            raise SpanError(
                f"{span.label} {span.start}-{span.end} overlaps the entity {row[3]} {row[1]}-{row[2]};"
                " entity spans may not overlap (change or delete that one first)"
            )

    def _new_annotation(
        self, annotator: str, article_id: str, span: Span, origin: str, source: str | None
    ) -> dict[str, Any]:
        span.check(" " * self._length(article_id))
        self._check_entity_free(annotator, article_id, span)
        # AUTOINCREMENT: an id is never reused, so a ledger row can always redo it.
        new_id = self.conn.execute(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'annotations'), 0) + 1"
        ).fetchone()[0]
        return {
            "id": new_id,
            "article_id": article_id,
            "annotator": annotator,
            "layer": span.layer,
            "start": span.start,
            "end": span.end,
            "label": span.label,
            "origin": origin,
            "source": source,
            "created_at": now(),
        }

    def _changes(self, article_id: str, **counts: int) -> Changes:
        return Changes(
            articles=frozenset({article_id}), spans=True, states=True, counts=tuple(sorted(counts.items()))
        )

    # -- undo / redo: replaying the ledger -------------------------------------------------------

    def undo(self, annotator: str) -> Changes:
        """Undo ``annotator``'s last action (across article switches and restarts)."""
        return self._replay(annotator, undo=True)

    def redo(self, annotator: str) -> Changes:
        """Redo the action undone last, unless something new was done since."""
        return self._replay(annotator, undo=False)

    def _replay(self, annotator: str, undo: bool) -> Changes:
        with self._write() as c:
            row = self._next_action(annotator, undo)
            if row is None:
                raise NothingToDo("nothing to undo" if undo else "nothing to redo")
            lid, article_id = row[0], row[1]
            effects = c.execute(
                "SELECT target, before, after FROM ledger_effects WHERE ledger_id = ? ORDER BY seq "
                + ("DESC" if undo else "ASC"),
                (lid,),
            ).fetchall()
            for target, before, after in effects:
                b = None if before is None else json.loads(before)
                a = None if after is None else json.loads(after)
                src, dst = (a, b) if undo else (b, a)
                if src is not None:
                    drop_row(self.conn, target, src)
                if dst is not None:
                    put_row(self.conn, target, dst)
            c.execute("UPDATE ledger SET undone = ? WHERE id = ?", (1 if undo else 0, lid))
        return (
            self._changes(article_id, **{("undone" if undo else "redone"): 1})
            if article_id
            else Changes(spans=True)
        )

    def _next_action(self, annotator: str, undo: bool) -> tuple | None:
        """``(id, article_id, kind, at, detail)`` of the action undo (or redo) would replay.

        Undo takes the newest action still done; imports and merged history are not undoable.
        Redo takes the oldest undone one (a new action drops the undone ones, see ``_action``).
        """
        return self.conn.execute(_NEXT_UNDO if undo else _NEXT_REDO, (annotator,)).fetchone()

    def last_action(self, annotator: str, undone: bool = False) -> dict[str, Any] | None:
        """The action ``undo`` (or ``redo`` when ``undone``) would replay, for menus and status text."""
        row = self._next_action(annotator, undo=not undone)
        if row is None:
            return None
        return {
            "id": row[0],
            "article_id": row[1],
            "kind": row[2],
            "at": row[3],
            "detail": json.loads(row[4]),
        }

    def ledger_mark(self) -> int:
        """Id of the newest ledger row (0 when empty): what :meth:`touched_spans` counts from."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM ledger").fetchone()[0]

    def effects(self, first: int, last: int | None = None) -> list[tuple[str, dict | None, dict | None]]:
        """``(target, before, after)`` of the annotation, decision and state rows that ledger rows
        ``first..last`` changed, in the order they were applied (``last`` None: to the newest).
        """
        sql = (
            "SELECT target, before, after FROM ledger_effects WHERE ledger_id >= ?"
            + ("" if last is None else " AND ledger_id <= ?")
            + " AND target IN ('annotation', 'decision', 'state') ORDER BY ledger_id, seq"
        )
        args = [first] if last is None else [first, last]
        return [
            (t, json.loads(b) if b else None, json.loads(a) if a else None)
            for t, b, a in self.conn.execute(sql, args)
        ]

    def touched_spans(self, first: int, last: int | None = None) -> list[tuple[str, str, int, int]]:
        """``(article_id, annotator, start, end)`` of every span row ledger rows ``first..last`` changed.

        Each annotation and decision effect gives its span before and after (a moved span gives
        both places), so the list covers every span those actions added, removed or changed.
        ``last`` None: up to the newest row.
        """
        return [
            (r["article_id"], r["annotator"], r["start"], r["end"])
            for target, before, after in self.effects(first, last)
            if target != "state"
            for r in (before, after)
            if r
        ]

    def ledger(self, annotator: str | None = None) -> Iterator[dict[str, Any]]:
        """Every action with its effects (before and after), oldest first."""
        sql = "SELECT id, annotator, article_id, kind, at, undone, detail FROM ledger"
        args: list[Any] = []
        if annotator:
            sql += " WHERE annotator = ?"
            args.append(annotator)
        sql += " ORDER BY id"
        for r in self.conn.execute(sql, args).fetchall():
            effects = [
                {"target": t, "before": json.loads(b) if b else None, "after": json.loads(a) if a else None}
                for t, b, a in self.conn.execute(
                    "SELECT target, before, after FROM ledger_effects WHERE ledger_id = ? ORDER BY seq",
                    (r[0],),
                )
            ]
            yield {
                "id": r[0],
                "annotator": r[1],
                "article_id": r[2],
                "kind": r[3],
                "at": r[4],
                "undone": bool(r[5] == 1),
                "dropped": bool(r[5] == 2),
                "detail": json.loads(r[6]),
                "effects": effects,
            }
