"""Bring another annotator database into this one, side by side, without a server.

Articles are matched by their text hash. Spans, decisions and article states are copied per
annotator; their ledger comes along as history (not undoable here, since its row ids belong to
the other file). Merging the same file twice changes nothing. An article whose text differs
only in line endings or Unicode normalisation (a *twin*) is reported and merged onto ours, its
spans' offsets mapped through both texts' folded form; a span that cannot be mapped (it starts
or ends inside a CRLF or a composed character) is skipped and counted. Should the two texts not
fold to the same characters one by one, both are kept and reported as near duplicates.

Each table is read once from the other file, in order, and written in batches; what ours
already has is read once per article (and annotator) it concerns, and not at all for an
article the merge adds, so a merge takes time in proportion to the rows it reads.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from annotator import model as m
from annotator.errors import StoreError
from annotator.store.bulk_spans import TakenSpans
from annotator.store.rows import auto_colour, now
from annotator.store.store import Store
from annotator.store.twins import Twin

# Rows queued before they are written.
_FLUSH_ROWS = 50_000
_CHUNK = 500  # ids per IN (...) look-up


@dataclass
class MergeReport:
    """What one merge brought in."""

    path: Path
    articles_added: int = 0
    articles_known: int = 0
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)  # (their id, our id), both kept
    twins: list[tuple[str, str]] = field(default_factory=list)  # (their id, our id), merged onto ours
    unmapped: int = 0  # spans of twins whose offsets fall inside a folded character
    annotations: int = 0
    decisions: int = 0
    states: int = 0
    suggestions: int = 0
    labels_created: list[str] = field(default_factory=list)
    conflicts: int = 0  # entity spans skipped because they overlap what the same annotator has here
    annotators: set[str] = field(default_factory=set)
    history: int = 0

    def summary_lines(self) -> list[str]:
        """What the merge brought in, as the command line and the window say it."""
        who = ", ".join(sorted(self.annotators)) or "nobody"
        lines = [
            f"{Path(self.path).name}: {self.articles_added} new articles, {self.articles_known} matched;"
            f" {self.annotations} spans, {self.decisions} decisions, {self.states} states from {who}"
        ]
        if self.labels_created:
            lines.append("  new labels: " + ", ".join(self.labels_created))
        if self.conflicts:
            lines.append(
                f"  warning: {self.conflicts} entity spans skipped: they overlap the same annotator's spans here"
            )
        for theirs, ours in self.twins:
            lines.append(
                f"  note: article {theirs[:10]} differs from {ours[:10]} only in line endings or Unicode"
                " normalisation; its work was merged onto it (offsets mapped)"
            )
        if self.unmapped:
            lines.append(
                f"  warning: {self.unmapped} spans skipped: they start or end inside a character that differs"
            )
        for theirs, ours in self.near_duplicates:
            lines.append(
                f"  note: article {theirs[:10]} differs from {ours[:10]} only in line endings or Unicode"
                " normalisation; both kept"
            )
        return lines


def merge_database(store: Store, other: str | Path) -> MergeReport:
    """Merge ``other`` into ``store`` in one transaction (all of it or nothing).

    Raises
    ------
    StoreError
        ``other`` is missing, not an annotator database, or the same file as ``store``.
    """
    path = Path(other)
    if not path.is_file():
        raise StoreError(f"{path}: no such database")
    if path.resolve() == store.path.resolve():
        raise StoreError(f"{path} is the database being merged into")
    # Opening through Store checks the version (a newer file is refused) and upgrades an older
    # one after a backup, exactly as opening it in the window would.
    theirs = Store(path)
    report = MergeReport(path)
    try:
        with store.transaction():
            _Merge(store.conn, theirs.conn, report).run()
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: {e}") from None
    finally:
        theirs.close()
    return report


# their article id -> (our article id, offset map for a twin or None when the text is the same)
_IdMap = dict[str, tuple[str, Twin | None]]


class _Merge:
    """One merge: the other file's tables brought into ours, one after the other.

    ``added`` holds the articles this merge adds: ours has nothing else about them, so what
    comes for them needs no look-up. A look-up is made again after the rows queued are written
    (``_Group``), when rows for an article come back after others (a twin's, say).
    """

    def __init__(self, c: sqlite3.Connection, src: sqlite3.Connection, report: MergeReport):
        self.c = c
        self.src = src
        self.report = report
        self.id_map: _IdMap = {}
        self.added: set[str] = set()

    def run(self) -> None:
        """Merge every table, labels and articles first (what the others refer to)."""
        self._labels()
        self._articles()
        self._suggestions()
        self._annotations()
        self._decisions()
        self._states()
        self._history()

    def _place(self, aid: str, start: int, end: int) -> tuple[str, int, int] | None:
        """Our article id and offsets for their span, or None (not merged here, or unmappable)."""
        found = self.id_map.get(aid)
        if found is None:
            return None
        ours, twin = found
        if twin is None:
            return ours, start, end
        mapped = twin.span(start, end)
        if mapped is None:
            self.report.unmapped += 1
            return None
        return ours, *mapped

    # -- labels and articles ---------------------------------------------------------------------

    def _labels(self) -> None:
        c, report = self.c, self.report
        for layer, name, colour, key, desc, parent in self.src.execute(
            "SELECT layer, name, colour, key, description, parent FROM labels ORDER BY layer, position"
        ):
            pos = c.execute(
                "SELECT coalesce(max(position), -1) + 1 FROM labels WHERE layer = ?", (layer,)
            ).fetchone()[0]
            taken = (
                key is not None
                and c.execute("SELECT 1 FROM labels WHERE layer = ? AND key = ?", (layer, key)).fetchone()
            )
            cur = c.execute(
                "INSERT OR IGNORE INTO labels(layer, name, colour, key, description, parent, position)"
                " VALUES (?,?,?,?,?,?,?)",
                (layer, name, colour or auto_colour(name), None if taken else key, desc or "", parent, pos),
            )
            if cur.rowcount:
                report.labels_created.append(f"{name} ({layer})")

    def _articles(self) -> None:
        """Copy new articles; map every article of theirs to ours (and its offsets, for a twin)."""
        rows = self.src.execute(
            "SELECT id, norm_id, title, text, source, meta, words, created_at FROM articles ORDER BY rowid"
        )
        while chunk := rows.fetchmany(_CHUNK):
            known = self._ours_of([r[0] for r in chunk])
            # norm_id -> (id, text) of the first article with it: ours, else one added before
            by_norm = self._norms_of(sorted({r[1] for r in chunk}))
            new = []
            for row in chunk:
                aid, norm, text = row[0], row[1], row[3]
                if aid in known:
                    self.report.articles_known += 1
                    self.id_map[aid] = (aid, None)
                    continue
                hit = by_norm.get(norm)
                if hit is not None:
                    offsets = Twin(text, hit[1])
                    if offsets.ok:
                        self.report.twins.append((aid, hit[0]))
                        self.report.articles_known += 1
                        self.id_map[aid] = (hit[0], offsets)
                        continue
                    self.report.near_duplicates.append((aid, hit[0]))
                new.append(row)
                by_norm.setdefault(norm, (aid, text))
                self.report.articles_added += 1
                self.id_map[aid] = (aid, None)
                self.added.add(aid)
            self.c.executemany(
                "INSERT INTO articles(id, norm_id, title, text, source, meta, words, created_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                new,
            )

    def _ours_of(self, ids: list[str]) -> set[str]:
        marks = ",".join("?" * len(ids))
        return {r[0] for r in self.c.execute(f"SELECT id FROM articles WHERE id IN ({marks})", ids)}

    def _norms_of(self, norms: list[str]) -> dict[str, tuple[str, str]]:
        marks = ",".join("?" * len(norms))
        found: dict[str, tuple[str, str]] = {}
        for nid, oid, text in self.c.execute(
            f"SELECT norm_id, id, text FROM articles WHERE norm_id IN ({marks}) ORDER BY norm_id, rowid",
            norms,
        ):
            found.setdefault(nid, (oid, text))
        return found

    # -- spans -----------------------------------------------------------------------------------

    def _suggestions(self) -> None:
        group = _Group(self, _INSERT_SUGGESTION)
        keys: set[tuple] = set()
        for aid, layer, start, end, label, source, score in self.src.execute(
            'SELECT article_id, layer, start, "end", label, source, score FROM suggestions'
        ):
            placed = self._place(aid, start, end)
            if placed is None:
                continue
            aid, start, end = placed
            fresh = group.enter(aid, aid)
            if fresh is not None:
                keys = set(self._suggestion_keys(aid) if fresh else ())
            key = (layer, start, end, label, source)
            if key in keys:
                continue
            keys.add(key)
            group.add((aid, layer, start, end, label, source, score))
            self.report.suggestions += 1
        group.flush()

    def _annotations(self) -> None:
        report = self.report
        group = _Group(self, _INSERT_ANNOTATION)
        taken = TakenSpans(())
        annotators: set[str] = set()
        for aid, who, layer, start, end, label, origin, source, created in self.src.execute(
            'SELECT article_id, annotator, layer, start, "end", label, origin, source, created_at FROM annotations'
            ' ORDER BY article_id, annotator, start, "end"'
        ):
            placed = self._place(aid, start, end)
            if placed is None:
                continue
            aid, start, end = placed
            report.annotators.add(who)
            fresh = group.enter((aid, who), aid)
            if fresh is not None:
                taken = TakenSpans(self._annotation_keys(aid, who) if fresh else ())
            key = (start, end, label, layer)
            if key in taken.keys:
                continue
            if layer == m.ENTITY and taken.overlaps_entity(start, end):
                report.conflicts += 1
                continue
            taken.add(key)
            group.add((aid, who, layer, start, end, label, origin, source, created))
            report.annotations += 1
            if who not in annotators:
                annotators.add(who)
                self.c.execute(
                    "INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (who, now())
                )
        group.flush()

    def _suggestion_keys(self, aid: str) -> list[tuple]:
        return self.c.execute(
            'SELECT layer, start, "end", label, source FROM suggestions WHERE article_id = ?', (aid,)
        ).fetchall()

    def _annotation_keys(self, aid: str, who: str) -> list[tuple]:
        return self.c.execute(
            'SELECT start, "end", label, layer FROM annotations WHERE article_id = ? AND annotator = ?',
            (aid, who),
        ).fetchall()

    # -- decisions, states and history -----------------------------------------------------------

    def _decisions(self) -> None:
        rows, group_key, ann_ids = [], None, {}
        for row in self.src.execute(
            'SELECT d.article_id, d.annotator, d.layer, d.start, d."end", d.label, d.source, d.status,'
            ' d.decided_at, n.layer, n.start, n."end", n.label'
            " FROM decisions d LEFT JOIN annotations n ON n.id = d.annotation_id"
        ):
            who = row[1]
            placed = self._place(row[0], row[3], row[4])
            if placed is None:
                continue
            aid, start, end = placed
            ann_id = None
            if row[9] is not None:
                ann = self._place(row[0], row[10], row[11])
                if ann:
                    if group_key != (aid, who):
                        group_key, ann_ids = (aid, who), self._annotation_ids(aid, who)
                    ann_id = ann_ids.get((row[9], ann[1], ann[2], row[12]))
            rows.append((aid, who, row[2], start, end, row[5], row[6], row[7], ann_id, row[8]))
            if len(rows) >= _FLUSH_ROWS:
                self._write_decisions(rows)
        self._write_decisions(rows)

    def _annotation_ids(self, aid: str, who: str) -> dict[tuple, int]:
        """(layer, start, end, label) -> id of ``who``'s annotations on our article ``aid``."""
        ids: dict[tuple, int] = {}
        for ident, *key in self.c.execute(
            'SELECT id, layer, start, "end", label FROM annotations WHERE article_id = ? AND annotator = ?'
            " ORDER BY id",
            (aid, who),
        ):
            ids.setdefault(tuple(key), ident)
        return ids

    def _write_decisions(self, rows: list[tuple]) -> None:
        cur = self.c.executemany(
            'INSERT OR IGNORE INTO decisions(article_id, annotator, layer, start, "end", label, source, status,'
            " annotation_id, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        self.report.decisions += max(cur.rowcount, 0)
        rows.clear()

    def _states(self) -> None:
        rows = [
            (self.id_map[aid][0], who, state, updated)
            for aid, who, state, updated in self.src.execute(
                "SELECT article_id, annotator, state, updated_at FROM article_states"
            )
            if aid in self.id_map
        ]
        cur = self.c.executemany(
            "INSERT INTO article_states(article_id, annotator, state, updated_at) VALUES (?,?,?,?)"
            " ON CONFLICT(article_id, annotator) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
            " WHERE excluded.updated_at > article_states.updated_at",
            rows,
        )
        self.report.states += max(cur.rowcount, 0)

    def _history(self) -> None:
        """Copy the other file's ledger as history, once (its effects reference that file's row ids,
        and a twin's offsets its own text)."""
        ledger = self.src.execute(
            "SELECT id, annotator, article_id, kind, at, undone, detail FROM ledger ORDER BY id"
        ).fetchall()
        have = self._ledger_keys({(r[1], r[4]) for r in ledger})
        effects = _Effects(self.src)
        next_id = self.c.execute("SELECT coalesce(max(id), 0) FROM ledger").fetchone()[0] + 1
        rows, effect_rows = [], []
        for lid, who, aid, kind, at, undone, detail in ledger:
            if aid in self.id_map:
                aid = self.id_map[aid][0]
            merged_kind = kind if kind.startswith("merged:") else f"merged:{kind}"
            if (who, at, kind, aid) in have or (who, at, merged_kind, aid) in have:
                continue
            have.add((who, at, merged_kind, aid))
            rows.append((next_id, who, aid, merged_kind, at, 2 if undone else 0, detail))
            effect_rows += [(next_id, seq, t, b, a) for seq, t, b, a in effects.of(lid)]
            next_id += 1
            self.report.history += 1
            if len(effect_rows) >= _FLUSH_ROWS:
                self._write_history(rows, effect_rows)
        self._write_history(rows, effect_rows)

    def _ledger_keys(self, wanted: set[tuple[str, str]]) -> set[tuple]:
        """(annotator, at, kind, article_id) of our ledger rows at the (annotator, at) of ``wanted``."""
        return {
            (who, at, kind, aid)
            for who, at, kind, aid in self.c.execute("SELECT annotator, at, kind, article_id FROM ledger")
            if (who, at) in wanted
        }

    def _write_history(self, rows: list[tuple], effect_rows: list[tuple]) -> None:
        self.c.executemany(
            "INSERT INTO ledger(id, annotator, article_id, kind, at, undone, detail) VALUES (?,?,?,?,?,?,?)",
            rows,
        )
        self.c.executemany(
            "INSERT INTO ledger_effects(ledger_id, seq, target, before, after) VALUES (?,?,?,?,?)",
            effect_rows,
        )
        rows.clear()
        effect_rows.clear()


_INSERT_SUGGESTION = (
    'INSERT INTO suggestions(article_id, layer, start, "end", label, source, score) VALUES (?,?,?,?,?,?,?)'
)
_INSERT_ANNOTATION = (
    'INSERT INTO annotations(article_id, annotator, layer, start, "end", label, origin, source, created_at)'
    " VALUES (?,?,?,?,?,?,?,?,?)"
)


class _Group:
    """The rows of one table queued for writing, and which article (and annotator) they are for.

    :meth:`enter` says when what ours has for a group must be read: the first time the group
    comes, unless it is an article the merge adds (ours has nothing of it yet), and again when
    it comes back after others, once the rows queued for it are written.
    """

    def __init__(self, merge: _Merge, insert: str):
        self.merge = merge
        self.insert = insert
        self.rows: list[tuple] = []
        self.current: object = None
        self.seen: set = set()

    def enter(self, key: object, aid: str) -> bool | None:
        """Make ``key`` (for our article ``aid``) the current group.

        Returns None when it is the current group already, True when what ours has for it must
        be read, False when ours has nothing for it.
        """
        if key == self.current:
            return None
        self.current = key
        if key in self.seen:
            self.flush()
            return True
        self.seen.add(key)
        return aid not in self.merge.added

    def add(self, row: tuple) -> None:
        """Queue ``row`` for the current group."""
        self.rows.append(row)
        if len(self.rows) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write the rows queued."""
        self.merge.c.executemany(self.insert, self.rows)
        self.rows.clear()


class _Effects:
    """The other file's ledger effects, read once in ledger order alongside its ledger."""

    def __init__(self, src: sqlite3.Connection):
        self._rows = src.execute(
            "SELECT ledger_id, seq, target, before, after FROM ledger_effects ORDER BY ledger_id, seq"
        )
        self._next = self._rows.fetchone()

    def of(self, lid: int) -> list[tuple]:
        """``(seq, target, before, after)`` of ledger row ``lid`` (rows are asked for in id order)."""
        out = []
        while self._next is not None and self._next[0] <= lid:
            if self._next[0] == lid:
                out.append(self._next[1:])
            self._next = self._rows.fetchone()
        return out
