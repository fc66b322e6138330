"""Bring another annotator database into this one, side by side, without a server.

Articles are matched by their text hash. Spans, decisions and article states are copied per
annotator; their ledger comes along as history (not undoable here, since its row ids belong to
the other file). Merging the same file twice changes nothing. An article whose text differs
only in line endings or Unicode normalisation (a *twin*) is reported and merged onto ours, its
spans' offsets mapped through both texts' folded form; a span that cannot be mapped (it starts
or ends inside a CRLF or a composed character) is skipped and counted. Should the two texts not
fold to the same characters one by one, both are kept and reported as near duplicates.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from annotator import model as m
from annotator.errors import StoreError
from annotator.store.rows import auto_colour, now
from annotator.store.store import Store
from annotator.store.twins import Twin


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
        src = theirs.conn
        with store.transaction():
            c = store.conn
            _merge_labels(c, src, report)
            id_map = _merge_articles(c, src, report)
            _merge_suggestions(c, src, report, id_map)
            _merge_annotations(c, src, report, id_map)
            _merge_decisions(c, src, report, id_map)
            _merge_states(c, src, report, id_map)
            _merge_history(c, src, report, id_map)
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: {e}") from None
    finally:
        theirs.close()
    return report


def _merge_labels(c: sqlite3.Connection, src: sqlite3.Connection, report: MergeReport) -> None:
    for layer, name, colour, key, desc, parent in src.execute(
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
            "INSERT OR IGNORE INTO labels(layer, name, colour, key, description, parent, position) VALUES (?,?,?,?,?,?,?)",
            (layer, name, colour or auto_colour(name), None if taken else key, desc or "", parent, pos),
        )
        if cur.rowcount:
            report.labels_created.append(f"{name} ({layer})")


# their article id -> (our article id, offset map for a twin or None when the text is the same)
_IdMap = dict[str, tuple[str, Twin | None]]


def _place(
    id_map: _IdMap, report: MergeReport, aid: str, start: int, end: int
) -> tuple[str, int, int] | None:
    """Our article id and offsets for their span, or None (not merged here, or unmappable)."""
    found = id_map.get(aid)
    if found is None:
        return None
    ours, twin = found
    if twin is None:
        return ours, start, end
    mapped = twin.span(start, end)
    if mapped is None:
        report.unmapped += 1
        return None
    return ours, *mapped


def _merge_articles(c: sqlite3.Connection, src: sqlite3.Connection, report: MergeReport) -> _IdMap:
    """Copy new articles; returns their id -> our id (and offset map) for every article here."""
    id_map: _IdMap = {}
    for aid, norm, title, text, source, meta, words, created in src.execute(
        "SELECT id, norm_id, title, text, source, meta, words, created_at FROM articles ORDER BY rowid"
    ):
        if c.execute("SELECT 1 FROM articles WHERE id = ?", (aid,)).fetchone():
            report.articles_known += 1
            id_map[aid] = (aid, None)
            continue
        twin = c.execute(
            "SELECT id, text FROM articles WHERE norm_id = ? AND id != ?", (norm, aid)
        ).fetchone()
        if twin is not None:
            offsets = Twin(text, twin[1])
            if offsets.ok:
                report.twins.append((aid, twin[0]))
                report.articles_known += 1
                id_map[aid] = (twin[0], offsets)
                continue
            report.near_duplicates.append((aid, twin[0]))
        c.execute(
            "INSERT INTO articles(id, norm_id, title, text, source, meta, words, created_at) VALUES (?,?,?,?,?,?,?,?)",
            (aid, norm, title, text, source, meta, words, created),
        )
        report.articles_added += 1
        id_map[aid] = (aid, None)
    return id_map


def _merge_suggestions(c, src, report: MergeReport, id_map: _IdMap) -> None:
    for aid, layer, start, end, label, source, score in src.execute(
        'SELECT article_id, layer, start, "end", label, source, score FROM suggestions'
    ):
        placed = _place(id_map, report, aid, start, end)
        if placed is None:
            continue
        aid, start, end = placed
        if c.execute(
            'SELECT 1 FROM suggestions WHERE article_id = ? AND layer = ? AND start = ? AND "end" = ? AND label = ?'
            " AND source = ?",
            (aid, layer, start, end, label, source),
        ).fetchone():
            continue
        c.execute(
            'INSERT INTO suggestions(article_id, layer, start, "end", label, source, score) VALUES (?,?,?,?,?,?,?)',
            (aid, layer, start, end, label, source, score),
        )
        report.suggestions += 1


def _merge_annotations(c, src, report: MergeReport, id_map: _IdMap) -> None:
    for aid, who, layer, start, end, label, origin, source, created in src.execute(
        'SELECT article_id, annotator, layer, start, "end", label, origin, source, created_at FROM annotations'
        ' ORDER BY article_id, annotator, start, "end"'
    ):
        placed = _place(id_map, report, aid, start, end)
        if placed is None:
            continue
        aid, start, end = placed
        report.annotators.add(who)
        if c.execute(
            "SELECT 1 FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ? AND start = ?"
            ' AND "end" = ? AND label = ?',
            (aid, who, layer, start, end, label),
        ).fetchone():
            continue
        if (
            layer == m.ENTITY
            and c.execute(
                'SELECT 1 FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ? AND start < ? AND "end" > ?',
                (aid, who, m.ENTITY, end, start),
            ).fetchone()
        ):
            report.conflicts += 1
            continue
        c.execute(
            'INSERT INTO annotations(article_id, annotator, layer, start, "end", label, origin, source, created_at)'
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (aid, who, layer, start, end, label, origin, source, created),
        )
        report.annotations += 1
        c.execute("INSERT OR IGNORE INTO annotators(name, created_at) VALUES (?, ?)", (who, now()))


def _merge_decisions(c, src, report: MergeReport, id_map: _IdMap) -> None:
    for row in src.execute(
        'SELECT d.article_id, d.annotator, d.layer, d.start, d."end", d.label, d.source, d.status, d.decided_at,'
        ' n.layer, n.start, n."end", n.label FROM decisions d LEFT JOIN annotations n ON n.id = d.annotation_id'
    ):
        who = row[1]
        placed = _place(id_map, report, row[0], row[3], row[4])
        if placed is None:
            continue
        aid, start, end = placed
        ann_id = None
        if row[9] is not None:
            ann = _place(id_map, report, row[0], row[10], row[11])
            found = (
                ann
                and c.execute(
                    "SELECT id FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ? AND start = ?"
                    ' AND "end" = ? AND label = ?',
                    (aid, who, row[9], ann[1], ann[2], row[12]),
                ).fetchone()
            )
            ann_id = found[0] if found else None
        cur = c.execute(
            'INSERT OR IGNORE INTO decisions(article_id, annotator, layer, start, "end", label, source, status,'
            " annotation_id, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (aid, who, row[2], start, end, row[5], row[6], row[7], ann_id, row[8]),
        )
        report.decisions += cur.rowcount


def _merge_states(c, src, report: MergeReport, id_map: _IdMap) -> None:
    for aid, who, state, updated in src.execute(
        "SELECT article_id, annotator, state, updated_at FROM article_states"
    ):
        if aid not in id_map:
            continue
        aid = id_map[aid][0]
        cur = c.execute(
            "INSERT INTO article_states(article_id, annotator, state, updated_at) VALUES (?,?,?,?)"
            " ON CONFLICT(article_id, annotator) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
            " WHERE excluded.updated_at > article_states.updated_at",
            (aid, who, state, updated),
        )
        report.states += cur.rowcount


def _merge_history(c, src, report: MergeReport, id_map: _IdMap) -> None:
    """Copy the other file's ledger as history, once (its effects reference that file's row ids,
    and a twin's offsets its own text)."""
    for lid, who, aid, kind, at, undone, detail in src.execute(
        "SELECT id, annotator, article_id, kind, at, undone, detail FROM ledger ORDER BY id"
    ):
        if aid in id_map:
            aid = id_map[aid][0]
        merged_kind = kind if kind.startswith("merged:") else f"merged:{kind}"
        if c.execute(
            "SELECT 1 FROM ledger WHERE annotator = ? AND at = ? AND kind IN (?, ?) AND article_id IS ?",
            (who, at, kind, merged_kind, aid),
        ).fetchone():
            continue
        cur = c.execute(
            "INSERT INTO ledger(annotator, article_id, kind, at, undone, detail) VALUES (?,?,?,?,?,?)",
            (who, aid, merged_kind, at, 2 if undone else 0, detail),
        )
        new_id = cur.lastrowid
        c.executemany(
            "INSERT INTO ledger_effects(ledger_id, seq, target, before, after) VALUES (?,?,?,?,?)",
            [
                (new_id, seq, t, b, a)
                for seq, t, b, a in src.execute(
                    "SELECT seq, target, before, after FROM ledger_effects WHERE ledger_id = ?", (lid,)
                )
            ],
        )
        report.history += 1
