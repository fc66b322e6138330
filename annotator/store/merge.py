"""Bring another annotator database into this one, side by side, without a server.

Articles are matched by their text hash. Spans, decisions and article states are copied per
annotator; their ledger comes along as history (not undoable here, since its row ids belong to
the other file). Merging the same file twice changes nothing. Articles whose text differs only
in line endings or Unicode normalisation are reported, not silently duplicated.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from annotator import model as m
from annotator.errors import StoreError
from annotator.store.store import Store, _auto_colour, now


@dataclass
class MergeReport:
    """What one merge brought in."""

    path: Path
    articles_added: int = 0
    articles_known: int = 0
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)  # (their id, our id)
    annotations: int = 0
    decisions: int = 0
    states: int = 0
    suggestions: int = 0
    labels_created: list[str] = field(default_factory=list)
    conflicts: int = 0  # entity spans skipped because they overlap what the same annotator has here
    annotators: set[str] = field(default_factory=set)
    history: int = 0


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
            _merge_history(c, src, report)
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
            (layer, name, colour or _auto_colour(name), None if taken else key, desc or "", parent, pos),
        )
        if cur.rowcount:
            report.labels_created.append(f"{name} ({layer})")


def _merge_articles(c: sqlite3.Connection, src: sqlite3.Connection, report: MergeReport) -> dict[str, str]:
    """Copy new articles; returns their id -> our id for every article that exists here."""
    id_map: dict[str, str] = {}
    for aid, norm, title, text, source, meta, words, created in src.execute(
        "SELECT id, norm_id, title, text, source, meta, words, created_at FROM articles ORDER BY rowid"
    ):
        if c.execute("SELECT 1 FROM articles WHERE id = ?", (aid,)).fetchone():
            report.articles_known += 1
            id_map[aid] = aid
            continue
        twin = c.execute("SELECT id FROM articles WHERE norm_id = ? AND id != ?", (norm, aid)).fetchone()
        if twin is not None:
            report.near_duplicates.append((aid, twin[0]))
        c.execute(
            "INSERT INTO articles(id, norm_id, title, text, source, meta, words, created_at) VALUES (?,?,?,?,?,?,?,?)",
            (aid, norm, title, text, source, meta, words, created),
        )
        report.articles_added += 1
        id_map[aid] = aid
    return id_map


def _merge_suggestions(c, src, report: MergeReport, id_map: dict[str, str]) -> None:
    for aid, layer, start, end, label, source, score in src.execute(
        'SELECT article_id, layer, start, "end", label, source, score FROM suggestions'
    ):
        if aid not in id_map:
            continue
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


def _merge_annotations(c, src, report: MergeReport, id_map: dict[str, str]) -> None:
    for aid, who, layer, start, end, label, origin, source, created in src.execute(
        'SELECT article_id, annotator, layer, start, "end", label, origin, source, created_at FROM annotations'
        ' ORDER BY article_id, annotator, start, "end"'
    ):
        if aid not in id_map:
            continue
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


def _merge_decisions(c, src, report: MergeReport, id_map: dict[str, str]) -> None:
    for row in src.execute(
        'SELECT d.article_id, d.annotator, d.layer, d.start, d."end", d.label, d.source, d.status, d.decided_at,'
        ' n.layer, n.start, n."end", n.label FROM decisions d LEFT JOIN annotations n ON n.id = d.annotation_id'
    ):
        aid, who = row[0], row[1]
        if aid not in id_map:
            continue
        ann_id = None
        if row[9] is not None:
            found = c.execute(
                "SELECT id FROM annotations WHERE article_id = ? AND annotator = ? AND layer = ? AND start = ?"
                ' AND "end" = ? AND label = ?',
                (aid, who, row[9], row[10], row[11], row[12]),
            ).fetchone()
            ann_id = found[0] if found else None
        cur = c.execute(
            'INSERT OR IGNORE INTO decisions(article_id, annotator, layer, start, "end", label, source, status,'
            " annotation_id, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (aid, who, row[2], row[3], row[4], row[5], row[6], row[7], ann_id, row[8]),
        )
        report.decisions += cur.rowcount


def _merge_states(c, src, report: MergeReport, id_map: dict[str, str]) -> None:
    for aid, who, state, updated in src.execute(
        "SELECT article_id, annotator, state, updated_at FROM article_states"
    ):
        if aid not in id_map:
            continue
        cur = c.execute(
            "INSERT INTO article_states(article_id, annotator, state, updated_at) VALUES (?,?,?,?)"
            " ON CONFLICT(article_id, annotator) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"
            " WHERE excluded.updated_at > article_states.updated_at",
            (aid, who, state, updated),
        )
        report.states += cur.rowcount


def _merge_history(c, src, report: MergeReport) -> None:
    """Copy the other file's ledger as history, once (its effects reference that file's row ids)."""
    for lid, who, aid, kind, at, undone, detail in src.execute(
        "SELECT id, annotator, article_id, kind, at, undone, detail FROM ledger ORDER BY id"
    ):
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
