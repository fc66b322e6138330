"""Checks shared by the robustness tests and their child processes (no pytest, no Qt here).

The key check is :func:`check_ledger_model`: the annotation, decision and state tables must be
*exactly* what replaying the ledger gives. Starting from empty tables, the after-rows of every
action that is in effect (``undone = 0``), applied in ledger order, must reproduce every row.
A half-applied action (an annotation without its decision, a ledger row without its effects,
effects without their rows) breaks that equality.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

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
TABLES = {
    "annotation": ("annotations", ANNOTATION_COLS, ("id",)),
    "decision": ("decisions", DECISION_COLS, ("article_id", "annotator", "layer", "start", "end", "label")),
    "state": ("article_states", STATE_COLS, ("article_id", "annotator")),
}


def connect(path: str | Path) -> sqlite3.Connection:
    """A plain connection for checking (recovers a WAL left by a killed writer)."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def rows(conn: sqlite3.Connection, target: str) -> dict[tuple, dict]:
    """Every row of a target table, keyed by primary key."""
    table, cols, pk = TABLES[target]
    out = {}
    quoted = ", ".join('"' + c + '"' for c in cols)
    for r in conn.execute(f"SELECT {quoted} FROM {table}"):
        row = dict(zip(cols, r, strict=True))
        out[tuple(row[k] for k in pk)] = row
    return out


def snapshot(conn: sqlite3.Connection) -> dict:
    """Everything a decision can change: the three tables and the ledger with its undo flags."""
    snap = {t: sorted(map(_canon, rows(conn, t).values())) for t in TABLES}
    snap["ledger"] = conn.execute("SELECT id, annotator, kind, undone FROM ledger ORDER BY id").fetchall()
    snap["ledger"] = [list(r) for r in snap["ledger"]]
    return snap


def state_hash(conn: sqlite3.Connection) -> str:
    """A fingerprint of :func:`snapshot`, computed the same way in the child and the test."""
    conn.execute("BEGIN")
    try:
        data = json.dumps(snapshot(conn), sort_keys=True)
    finally:
        conn.execute("COMMIT")
    return hashlib.sha256(data.encode()).hexdigest()


def _canon(row: dict) -> str:
    return json.dumps(row, sort_keys=True)


def ledger_effects(conn: sqlite3.Connection, ledger_id: int) -> list[list]:
    """``[[target, before, after], ...]`` of one ledger row, in order, JSON decoded."""
    return [
        [t, None if b is None else json.loads(b), None if a is None else json.loads(a)]
        for t, b, a in conn.execute(
            "SELECT target, before, after FROM ledger_effects WHERE ledger_id = ? ORDER BY seq", (ledger_id,)
        )
    ]


def check_ledger_model(conn: sqlite3.Connection) -> None:
    """Assert the tables are exactly the replay of the ledger, and every action has its effects."""
    expected: dict[str, dict[tuple, dict]] = {t: {} for t in TABLES}
    for lid, kind, undone in conn.execute("SELECT id, kind, undone FROM ledger ORDER BY id").fetchall():
        seqs = [
            r[0]
            for r in conn.execute("SELECT seq FROM ledger_effects WHERE ledger_id = ? ORDER BY seq", (lid,))
        ]
        if kind == "import":
            assert not seqs, f"import ledger row {lid} has effects"
            continue
        assert seqs, f"ledger row {lid} ({kind}) has no effects: a half-written action"
        assert seqs == list(range(len(seqs))), f"ledger row {lid} has effects {seqs}: some are missing"
        assert undone in (0, 1, 2), f"ledger row {lid} has undone={undone}"
        if undone:
            continue
        for target, before, after in ledger_effects(conn, lid):
            pk = TABLES[target][2]
            table = expected[target]
            if before is not None:
                table.pop(tuple(before[k] for k in pk), None)
            if after is not None:
                table[tuple(after[k] for k in pk)] = after
    dangling = conn.execute(
        "SELECT count(*) FROM ledger_effects WHERE ledger_id NOT IN (SELECT id FROM ledger)"
    ).fetchone()[0]
    assert dangling == 0, f"{dangling} ledger effects belong to no ledger row"
    # Imports write rows without ledger effects: check the annotators who act through the ledger,
    # and that everyone else's rows came from a file.
    acting = {r[0] for r in conn.execute("SELECT DISTINCT annotator FROM ledger WHERE kind != 'import'")}
    others = conn.execute(
        "SELECT count(*) FROM annotations WHERE origin != 'imported' AND annotator NOT IN"
        " (SELECT annotator FROM ledger WHERE kind != 'import')"
    ).fetchone()[0]
    assert others == 0, f"{others} annotations were written without a ledger row"
    for target in TABLES:
        actual = {k: v for k, v in rows(conn, target).items() if v["annotator"] in acting}
        want = {k: {c: v.get(c) for c in TABLES[target][1]} for k, v in expected[target].items()}
        missing = [k for k in want if k not in actual]
        extra = [k for k in actual if k not in want]
        differ = [k for k in want if k in actual and want[k] != actual[k]]
        assert not (missing or extra or differ), (
            f"{target}s disagree with the ledger: missing {missing[:3]}, extra {extra[:3]}, "
            f"different {[(want[k], actual[k]) for k in differ[:2]]}"
        )


def check_semantics(conn: sqlite3.Connection) -> None:
    """Annotations and decisions agree; entity spans of one annotator never overlap; states valid."""
    anns = rows(conn, "annotation")
    for d in rows(conn, "decision").values():
        if d["status"] in ("accepted", "corrected"):
            a = anns.get((d["annotation_id"],))
            assert a is not None, f"decision {d} points at a missing annotation"
            assert (a["article_id"], a["annotator"]) == (d["article_id"], d["annotator"]), (d, a)
        else:
            assert d["annotation_id"] is None, f"rejected decision {d} still has an annotation"
    by_owner: dict[tuple, list] = {}
    for a in anns.values():
        assert 0 <= a["start"] < a["end"], a
        if a["layer"] == "entity":
            by_owner.setdefault((a["article_id"], a["annotator"]), []).append((a["start"], a["end"]))
    for owner, spans in by_owner.items():
        spans.sort()
        for (s1, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            assert s2 >= e1, f"entity spans of {owner} overlap: {s1}-{e1} and {s2}"
    bad = conn.execute(
        "SELECT count(*) FROM article_states WHERE state NOT IN ('todo', 'in_progress', 'done', 'skipped')"
        " OR article_id NOT IN (SELECT id FROM articles)"
    ).fetchone()[0]
    assert bad == 0, f"{bad} article states are invalid"


def integrity(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA integrity_check").fetchone()[0]
