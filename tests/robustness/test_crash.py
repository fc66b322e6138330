"""Crash safety: SIGKILL the process that writes, at random moments, and check nothing is lost.

Seeded and repeatable: ``ANNOTATOR_CRASH_SEED`` picks the seed, ``ANNOTATOR_CRASH_KILLS`` the
number of kills of the decision stream (default 50). A failing run prints its seed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import _dbcheck
import pytest
from _helpers import HERE, PYTHON, child_env, make_db

SEED = int(os.environ.get("ANNOTATOR_CRASH_SEED", "20240611"))
KILLS = int(os.environ.get("ANNOTATOR_CRASH_KILLS", "50"))


def _wait_until(predicate, proc: subprocess.Popen, timeout: float = 30.0) -> bool:
    """Poll ``predicate`` (bounded); False when the process ended or time ran out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return predicate()
        time.sleep(0.001)
    return False


def _jitter(rng: random.Random, most: float) -> None:
    """Spin for a random moment, so the kill lands anywhere in the next transaction."""
    end = time.perf_counter() + rng.uniform(0, most)
    while time.perf_counter() < end:
        pass


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped, counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _read_log(path: Path, offset: int = 0) -> list[dict]:
    """Entries of the log from byte ``offset`` on."""
    entries = []
    if not path.exists():
        return entries
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read().decode()
    for line in data.splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # the last line, cut by the kill: that decision was never reported as done
    return entries


def _expected_ledger(ledger: dict[int, list], who: str, entry: dict, intent_only: bool = False) -> None:
    """Advance the model of the ledger ``{id: [kind, undone]}`` by one logged step."""
    op = entry["op"]
    if op == "undo":
        live = [i for i, (kind, u) in ledger.items() if u == 0 and kind != "import"]
        if live:
            ledger[max(live)][1] = 1
    elif op == "redo":
        undone = [i for i, (_, u) in ledger.items() if u == 1]
        if undone:
            ledger[min(undone)][1] = 0
    elif "ledger_id" in entry or intent_only:
        for row in ledger.values():
            if row[1] == 1:
                row[1] = 2
        if "ledger_id" in entry:
            ledger[entry["ledger_id"]] = [entry["kind"], 0]


KINDS = {
    "accept": {"accept"},
    "reject": {"reject"},
    "correct": {"correct", "accept"},
    "add": {"add"},
    "update": {"resize", "relabel"},
    "delete": {"delete"},
    "state": {"state"},
}


def _verify_after_kill(db: Path, entries: list[dict], ledger: dict[int, list], who: str, tag: str) -> None:
    conn = _dbcheck.connect(db)
    try:
        assert _dbcheck.integrity(conn) == "ok", f"{tag}: integrity check failed"
        _dbcheck.check_ledger_model(conn)
        _dbcheck.check_semantics(conn)
        done = [e for e in entries if "done" in e]
        for e in done:
            if e["outcome"] == "ok" and "effects" in e:
                row = conn.execute(
                    "SELECT annotator, kind FROM ledger WHERE id = ?", (e["ledger_id"],)
                ).fetchone()
                assert row == (who, e["kind"]), f"{tag}: completed {e['op']} #{e['done']} lost its ledger row"
                assert _dbcheck.ledger_effects(conn, e["ledger_id"]) == e["effects"], (
                    f"{tag}: completed {e['op']} #{e['done']} is not in the database as it was written"
                )
            if e["outcome"] == "ok":
                _expected_ledger(ledger, who, e)
        actual = {
            i: [kind, u]
            for i, kind, u in conn.execute("SELECT id, kind, undone FROM ledger WHERE annotator = ?", (who,))
        }
        if actual == ledger:
            if done:  # the decision in flight did not commit: the database is exactly as last reported
                assert _dbcheck.state_hash(conn) == done[-1]["hash"], (
                    f"{tag}: rows differ from the last decision"
                )
            return
        # The decision in flight committed before its report was written: exactly one step more.
        intents = [e for e in entries if "intent" in e]
        assert intents, f"{tag}: the ledger changed but no decision was started"
        intent = intents[-1]
        assert not done or intent["intent"] == done[-1]["done"] + 1, f"{tag}: unexpected log order"
        new = {i: v for i, v in actual.items() if i not in ledger}
        step = {"op": intent["op"]}
        if new:
            assert len(new) == 1, f"{tag}: {len(new)} actions appeared for one decision in flight"
            ((lid, (kind, _)),) = new.items()
            assert kind in KINDS.get(intent["op"], ()), f"{tag}: {kind} appeared for {intent['op']}"
            step.update(ledger_id=lid, kind=kind)
        _expected_ledger(ledger, who, step, intent_only=True)
        assert actual == ledger, f"{tag}: the ledger is not one whole decision ahead of the log"
    finally:
        conn.close()


def test_killing_the_decision_stream_loses_nothing_and_half_applies_nothing(tmp_path):
    rng = random.Random(SEED)
    db = tmp_path / "crash.db"
    make_db(db, seed=SEED)
    log = tmp_path / "decisions.log"
    ledger: dict[int, list] = {}
    seen = 0
    completed = 0
    server = subprocess.Popen(
        [PYTHON, str(HERE / "_decider.py"), "serve"],
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for k in range(KILLS):
            tag = f"seed {SEED}, kill {k + 1}/{KILLS}"
            target = completed + rng.randint(0, 12)
            server.stdin.write(f"{db} {log} {SEED * 1000 + k} ann\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())

            def count(offset: int = seen, before: int = completed) -> int:
                return sum(1 for e in _read_log(log, offset) if "done" in e) + before

            _wait_until(lambda p=pid, t=target: count() >= t or not _alive(p), server, timeout=30)
            ok = count() >= target
            _jitter(rng, 0.012)
            os.kill(pid, signal.SIGKILL)
            server.stdin.write(f"reap {pid}\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "reaped"
            assert ok, f"{tag}: the decider stopped before {target} decisions"
            run = _read_log(log, seen)
            _verify_after_kill(db, run, ledger, "ann", tag)
            # Resync the model with what the database holds (the decision in flight may have landed).
            conn = _dbcheck.connect(db)
            ledger = {i: [kind, u] for i, kind, u in conn.execute("SELECT id, kind, undone FROM ledger")}
            conn.close()
            completed += sum(1 for e in run if "done" in e)
            # Keep the log whole-lined for the next run, which reads from here on.
            with log.open("a") as fh:
                fh.write("\n")
            seen = log.stat().st_size
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    assert completed > KILLS, f"only {completed} decisions completed in {KILLS} runs"


def _big_jsonl(path: Path, n: int) -> int:
    """A Prodigy-style file of ``n`` annotated records; returns the number of spans."""
    spans = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = f"Record {i}: Angela Merkel met Emmanuel Macron in Paris about steel tariffs. 🇪🇺 " * 3
            recs = [{"start": 11 + len(str(i)) - 1, "end": 24 + len(str(i)) - 1, "label": "PERSON"}]
            spans += len(recs)
            fh.write(
                json.dumps({"text": text, "spans": recs, "answer": "accept", "_annotator_id": "imp"}) + "\n"
            )
    return spans


def _import_counts(db: Path) -> tuple[int, int, int]:
    conn = _dbcheck.connect(db)
    try:
        assert _dbcheck.integrity(conn) == "ok"
        return conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM annotations),"
            " (SELECT count(*) FROM ledger WHERE kind = 'import')"
        ).fetchone()
    finally:
        conn.close()


def test_killing_an_import_leaves_all_of_the_file_or_none_of_it(tmp_path):
    rng = random.Random(SEED + 1)
    n = 6000
    big = tmp_path / "big.jsonl"
    spans = _big_jsonl(big, n)
    db = tmp_path / "import.db"
    make_db(db, articles=3, seed=SEED)
    base_articles, base_anns, _ = _import_counts(db)
    wal = Path(str(db) + "-wal")
    cmd = [PYTHON, "-m", "annotator.cli", "import", str(big), "--db", str(db), "--annotator", "me"]
    outcomes = []
    for k in range(6):
        proc = subprocess.Popen(cmd, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            if k % 2 == 0:
                # Kill mid-write: once the transaction has put a random amount into the WAL.
                threshold = rng.randint(50_000, 2_000_000)
                _wait_until(lambda t=threshold: wal.exists() and wal.stat().st_size > t, proc, timeout=60)
            else:
                _wait_until(lambda: False, proc, timeout=rng.uniform(0.2, 1.5))
        finally:
            _kill(proc)
        articles, anns, imports = _import_counts(db)
        assert (articles, anns, imports) in (
            (base_articles, base_anns, 0),
            (base_articles + n, base_anns + spans, 1),
        ), (
            f"seed {SEED}, import kill {k}: a half-imported file is visible ({articles} articles, {anns} spans)"
        )
        outcomes.append("all" if imports else "none")
        if imports:
            break
    # Run to completion: the whole file is there exactly once.
    done = subprocess.run(cmd, env=child_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    articles, anns, imports = _import_counts(db)
    assert (articles, anns) == (base_articles + n, base_anns + spans)
    assert imports >= 1
    assert "none" in outcomes, f"no kill landed before the commit ({outcomes}); make the file bigger"


def _schema(db: Path) -> list[str]:
    conn = _dbcheck.connect(db)
    try:
        assert _dbcheck.integrity(conn) == "ok"
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    finally:
        conn.close()


def _content(db: Path) -> tuple:
    conn = _dbcheck.connect(db)
    try:
        return (
            _dbcheck.integrity(conn),
            conn.execute("SELECT count(*), coalesce(sum(length(text)), 0) FROM articles").fetchone(),
            conn.execute("SELECT count(*) FROM suggestions").fetchone()[0],
            conn.execute("SELECT count(*) FROM labels").fetchone()[0],
        )
    finally:
        conn.close()


def test_killing_a_schema_upgrade_leaves_the_old_schema_with_its_backup_or_the_new_one(tmp_path):
    rng = random.Random(SEED + 2)
    original = tmp_path / "old.db"
    make_db(original, articles=400, seed=SEED)  # a few MB, so the backup takes a moment
    old_content = _content(original)
    old_steps = _schema(original)
    seen = set()
    for k in range(8):
        work = tmp_path / f"run{k}"
        work.mkdir()
        db = work / "annotator.db"
        shutil.copy(original, db)
        markers = work / "markers"
        markers.mkdir()
        proc = subprocess.Popen(
            [PYTHON, str(HERE / "_upgrader.py"), str(db), str(markers), "300000"],
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stage = ["backup", "migrating", "backup", "migrating", "start"][k % 5]
        try:
            if stage != "start":
                _wait_until(lambda s=markers / stage: s.exists(), proc)
            _jitter(rng, 0.05 if stage != "start" else 0.6)
        finally:
            _kill(proc)
        steps = _schema(db)
        backups = [
            p for p in work.glob("annotator.backup-*") if not p.name.endswith(("-wal", "-shm", "-journal"))
        ]
        if steps == old_steps:
            seen.add("old")
            assert _content(db) == old_content, f"run {k}: the old database changed"
            if (markers / "migrating").exists():
                assert backups, f"run {k}: killed during the upgrade but no backup was kept"
        else:
            seen.add("new")
            assert steps == [*old_steps, "0099_slow_test"], f"run {k}: schema steps {steps}"
            conn = _dbcheck.connect(db)
            assert conn.execute("SELECT count(*) FROM slow_test").fetchone()[0] == 300000
            conn.close()
            assert backups, f"run {k}: upgraded without keeping a backup"
        for b in backups:  # a backup that exists is a whole copy, never a torn one
            assert _schema(b) == old_steps, f"run {k}: backup {b.name} is not the old schema"
            assert _content(b) == old_content, f"run {k}: backup {b.name} is incomplete"
    assert "old" in seen, "no kill landed before the upgrade committed"


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("SIGKILL is POSIX")
