"""The record of an import written in short transactions, and taking back what it wrote.

An import beside an open window (:mod:`annotator.store.shared_import`) commits its new
articles in many short transactions, so that the window's decisions go in between. It still
promises all or nothing: before its first row it records itself (a row of ``import_runs``,
with the largest rowid of each table then), every transaction records the rowid range it
added to each table (``import_run_rows``), and its last transaction deletes the record. Until
then the run is unfinished:

- stopped or failing (Ctrl+C, an error found late in the input), it deletes what it wrote
  (:meth:`ImportRun.abort`, :func:`undo`), in short transactions too;
- killed outright, it leaves its record; the next import, or window, opening the database
  finds it with nobody running it and deletes what it wrote (:func:`clean_unfinished`).

An article the run added that someone worked on meanwhile (a span, a decision, a state, a
suggestion of theirs on it) is kept, with what the run put on it, and the message says so: the
work of theirs stays whole. Rows of other writers are told from the run's by rowid: above the
run's marks and outside its ranges.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3

from annotator.store import presence
from annotator.store.rows import now

# The tables an import adds rows to, in the order their rows are deleted again.
TABLES = ("suggestions", "annotations", "decisions", "article_states", "articles", "labels")
# The tables whose rows, by somebody else, on an article say they worked on it.
WORK = ("annotations", "suggestions", "decisions", "article_states", "adjudications", "ledger")
_MARKED = tuple(dict.fromkeys((*TABLES, *WORK)))


def top_rowid(c: sqlite3.Connection, table: str) -> int:
    """The largest rowid of ``table`` (one of the constant names here), 0 when empty."""
    return c.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]


def marks(c: sqlite3.Connection, tables: tuple[str, ...] = _MARKED) -> dict[str, int]:
    """The largest rowid of each table an import adds to or someone's work is in."""
    return {table: top_rowid(c, table) for table in tables}


@dataclasses.dataclass
class Undone:
    """What taking back one unfinished run did."""

    description: str
    started_at: str
    removed: int = 0
    kept: list[str] = dataclasses.field(default_factory=list)

    def message(self, why: str) -> str:
        what = f"the import of {self.description or 'a file'} (started {self.started_at[:19].replace('T', ' ')} UTC)"
        text = f"{what} {why}: the {self.removed:,} article{'s' * (self.removed != 1)} it had added are removed again"
        if self.kept:
            n = len(self.kept)
            text += (
                f"; {n:,} article{'s' * (n != 1)} someone worked on while it ran {'are' if n != 1 else 'is'}"
                " kept, with what the import had put on them"
            )
        return text


class ImportRun:
    """One import's record while it writes in short transactions.

    :meth:`start` before the first write, :meth:`record` inside each of its transactions,
    :meth:`finish` inside the last one (then :meth:`release`), or :meth:`abort`.
    """

    def __init__(self, store, description: str = ""):
        self.store = store
        self.description = description
        self.id: int | None = None
        self.seq = 0
        self.notes: list[str] = []  # what cleaning up after dead runs did
        self._lock: presence.Held | None = None

    def start(self) -> None:
        """Clean up after dead runs, say "an import runs" (``<db>-importing``), record the run."""
        path = self.store.path
        lock = presence.importing(path, exclusive=True)
        if lock is not None:
            self.notes = _clean_all(self.store)
            lock.share()
        else:
            lock = presence.importing(path, exclusive=False)  # others import: waits for a clean-up only
        self._lock = lock
        with self.store.transaction() as s:
            c = s.conn
            cur = c.execute(
                "INSERT INTO import_runs(description, started_at, marks) VALUES (?, ?, ?)",
                (self.description, now(), json.dumps(marks(c))),
            )
            self.id = cur.lastrowid

    def record(self, c: sqlite3.Connection, before: dict[str, int]) -> None:
        """Inside a transaction of the run: what it added since ``before`` (:func:`marks`)."""
        rows = []
        for table in TABLES:
            last = top_rowid(c, table)
            if last > before[table]:
                rows.append((self.id, self.seq, table, before[table] + 1, last))
        c.executemany(
            "INSERT INTO import_run_rows(run_id, seq, tbl, first, last) VALUES (?, ?, ?, ?, ?)", rows
        )
        self.seq += 1

    def finish(self, c: sqlite3.Connection) -> None:
        """Inside the run's last transaction: the record goes, and with it the way back."""
        _forget(c, self.id)

    def abort(self) -> Undone | None:
        """Delete what the run wrote (a run not started: nothing); the lock is let go."""
        try:
            if self.id is None:
                return None
            return undo(self.store, self.id)
        finally:
            self.release()

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _forget(c: sqlite3.Connection, run_id: int) -> None:
    c.execute("DELETE FROM import_run_rows WHERE run_id = ?", (run_id,))
    c.execute("DELETE FROM import_runs WHERE id = ?", (run_id,))


def clean_unfinished(store) -> list[str]:
    """Take back the imports that died midway (nobody runs them); a message for each.

    Does nothing while an import writing in short transactions runs (its own record cannot be
    told from a dead one's), on a read-only database, and where there is no ``flock``.
    """
    if store.read_only or not _unfinished(store.conn):
        return []
    lock = presence.importing(store.path, exclusive=True)
    if lock is None:
        return []
    with lock:
        return _clean_all(store)


def _unfinished(c: sqlite3.Connection) -> list[int]:
    return [r[0] for r in c.execute("SELECT id FROM import_runs ORDER BY id")]


def _clean_all(store) -> list[str]:
    """Undo every recorded run (the caller holds ``<db>-importing`` exclusively)."""
    if store.read_only:
        return []
    why = "did not finish (it was stopped or its process died)"
    return [undo(store, rid).message(why) for rid in _unfinished(store.conn)]


def undo(store, run_id: int) -> Undone:
    """Delete what the run ``run_id`` wrote, newest transaction first, each in a transaction
    of its own (a window goes on between them; cut short, the rest is done the next time).

    Articles someone else worked on meanwhile are kept (:class:`Undone`).
    """
    c = store.conn
    row = c.execute(
        "SELECT description, started_at, marks FROM import_runs WHERE id = ?", (run_id,)
    ).fetchone()
    if row is None:
        return Undone("", "")
    done = Undone(row[0], row[1])
    ranges: dict[str, list[tuple[int, int]]] = {}
    steps: dict[int, list[tuple[str, int, int]]] = {}
    for seq, tbl, first, last in c.execute(
        "SELECT seq, tbl, first, last FROM import_run_rows WHERE run_id = ? ORDER BY seq", (run_id,)
    ):
        ranges.setdefault(tbl, []).append((first, last))
        steps.setdefault(seq, []).append((tbl, first, last))
    ours = {
        aid
        for first, last in ranges.get("articles", ())
        for (aid,) in c.execute("SELECT id FROM articles WHERE rowid BETWEEN ? AND ?", (first, last))
    }
    watch = _Watch(c, ours, json.loads(row[2]), ranges)
    # The highest rowid of the run's rows per table, as the steps are taken back one by one.
    tops = {t: max((last for _, last in ranges.get(t, ())), default=0) for t in WORK}
    (sync,) = c.execute("PRAGMA synchronous").fetchone()
    c.execute("PRAGMA synchronous = NORMAL")  # lost in a crash: done again the next time
    try:
        for seq in sorted(steps, reverse=True):
            with store.transaction():
                # Rows others wrote since are above the run's rows still there.
                kept = watch.kept(tops)
                for tbl, first, last in sorted(steps[seq], key=lambda s: TABLES.index(s[0])):
                    done.removed += _delete(c, tbl, first, last, kept)
                c.execute("DELETE FROM import_run_rows WHERE run_id = ? AND seq = ?", (run_id, seq))
            for tbl, first, _ in steps[seq]:
                if tbl in tops:
                    tops[tbl] = first - 1
    finally:
        c.execute(f"PRAGMA synchronous = {int(sync)}")
    with store.transaction():
        _forget(c, run_id)
    done.kept = sorted(watch.found)
    return done


# Created by the run: a label goes unless somebody's rows (on the kept articles) use it.
_LABEL_UNUSED = "".join(
    f" AND NOT EXISTS (SELECT 1 FROM {table} o WHERE o.layer = labels.layer AND o.label = labels.name)"
    for table in ("annotations", "suggestions", "decisions")
)


def _delete(c: sqlite3.Connection, table: str, first: int, last: int, kept: set[str]) -> int:
    """Delete the run's rows ``first``..``last`` of ``table`` but those of ``kept`` articles;
    the number of articles deleted."""
    where = "rowid BETWEEN ? AND ?"
    args: list = [first, last]
    if table == "labels":
        where += _LABEL_UNUSED
    elif kept:
        where += " AND id" if table == "articles" else " AND article_id"
        where += " NOT IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(sorted(kept)))
    cur = c.execute(f"DELETE FROM {table} WHERE {where}", args)
    return cur.rowcount if table == "articles" else 0


class _Watch:
    """The run's articles that somebody else has rows on.

    Found once in the gaps between the run's ranges (rows written while it ran), then, before
    each step of the undo, above the highest row of the run still there (written since).
    """

    def __init__(self, c: sqlite3.Connection, ours: set[str], start: dict[str, int], ranges: dict):
        self.c = c
        self.ours = ours
        self.start = start
        self.found: set[str] = set()
        for t in WORK:
            lo = start.get(t, 0)
            for first, last in sorted(ranges.get(t, ())):
                self._scan(t, lo, first)
                lo = last

    def _scan(self, table: str, after: int, before: int | None = None) -> None:
        """Articles of ours with rows of ``table`` between the two rowids (not included)."""
        if not self.ours or (before is not None and before - after <= 1):
            return
        where = "rowid > ? AND rowid < ?" if before else "rowid > ?"
        sql = f"SELECT DISTINCT article_id FROM {table} WHERE {where}"
        for (aid,) in self.c.execute(sql, (after, before) if before else (after,)):
            if aid in self.ours:
                self.found.add(aid)

    def kept(self, tops: dict[str, int]) -> set[str]:
        """The run's articles somebody worked on, up to now; ``tops``: the highest rowid of
        the run's rows still there, per table."""
        for t in WORK:
            self._scan(t, max(tops.get(t, 0), self.start.get(t, 0)))
        return self.found


__all__ = ["ImportRun", "Undone", "clean_unfinished", "marks", "top_rowid", "undo"]
