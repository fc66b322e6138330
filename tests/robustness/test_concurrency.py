"""Two processes writing one database: no lost writes, no "database is locked", fresh reads."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import _dbcheck
from _helpers import HERE, PYTHON, child_env, make_db

from annotator.store import Store


def _decider(db: Path, log: Path, seed: int, who: str, ops: int) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, str(HERE / "_decider.py"), str(db), str(log), str(seed), who, str(ops)],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _check_log(db: Path, log: Path, who: str, ops: int) -> None:
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    done = [e for e in entries if "done" in e]
    assert len(done) == ops, f"{who}: {len(done)} of {ops} decisions completed"
    conn = _dbcheck.connect(db)
    try:
        for e in done:
            if e["outcome"] == "ok" and "effects" in e:
                row = conn.execute(
                    "SELECT annotator, kind FROM ledger WHERE id = ?", (e["ledger_id"],)
                ).fetchone()
                assert row == (who, e["kind"]), f"{who}'s {e['op']} #{e['done']} was lost"
                assert _dbcheck.ledger_effects(conn, e["ledger_id"]) == e["effects"]
    finally:
        conn.close()


def _check_db(db: Path) -> None:
    conn = _dbcheck.connect(db)
    try:
        assert _dbcheck.integrity(conn) == "ok"
        _dbcheck.check_ledger_model(conn)
        _dbcheck.check_semantics(conn)
    finally:
        conn.close()


def test_two_windows_writing_at_once_lose_nothing(tmp_path):
    db = tmp_path / "shared.db"
    make_db(db, seed=7)
    ops = 120
    procs = {
        who: _decider(db, tmp_path / f"{who}.log", seed, who, ops) for seed, who in ((1, "alice"), (2, "bob"))
    }
    for who, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{who} failed: {err[-3000:]}"
        assert "locked" not in err
    for who in procs:
        _check_log(db, tmp_path / f"{who}.log", who, ops)
    _check_db(db)


def _jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Story {i}: the Bundesbank in Frankfurt raised rates again, said Christine Lagarde."
            fh.write(
                json.dumps({"text": text, "spans": [{"start": 0, "end": 5 + len(str(i)), "label": "ORG"}]})
                + "\n"
            )


def test_a_window_and_an_import_at_once_and_the_window_sees_the_import(tmp_path):
    db = tmp_path / "shared.db"
    make_db(db, seed=8)
    window = Store(db)  # opened before the other process writes
    before = window.article_count()
    assert window.annotations(window.article_ids()[0], "carol") == []
    big = tmp_path / "feed.jsonl"
    _jsonl(big, 2000)
    ops = 150
    deciding = _decider(db, tmp_path / "carol.log", 3, "carol", ops)
    importing = subprocess.run(
        [PYTHON, "-m", "annotator.cli", "import", str(big), "--db", str(db), "--annotator", "importer"],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    out, err = deciding.communicate(timeout=120)
    assert importing.returncode == 0, importing.stderr
    assert "locked" not in importing.stderr
    assert deciding.returncode == 0, err[-3000:]
    _check_log(db, tmp_path / "carol.log", "carol", ops)
    _check_db(db)
    # The store opened earlier sees both writers on its next read, without reopening.
    assert window.article_count() == before + 2000
    theirs = [a for aid in window.article_ids() for a in window.annotations(aid, "carol")]
    conn = _dbcheck.connect(db)
    assert (
        len(theirs)
        == conn.execute("SELECT count(*) FROM annotations WHERE annotator = 'carol'").fetchone()[0]
    )
    conn.close()
    # ... and can write after them.
    window.set_state("carol", window.article_ids()[-1], "done")
    assert window.state("carol", window.article_ids()[-1]) == "done"
    window.close()
    _check_db(db)
