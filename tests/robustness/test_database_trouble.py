"""A database that is corrupt, read-only, locked, on a full disk or from a newer version.

Each gives a clear StoreError (one line and a non-zero exit in the CLI), no crash, and the file
is left exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from _helpers import PYTHON, child_env, make_db, run_cli

from annotator.errors import NewerDatabaseError, StoreError
from annotator.model import Span
from annotator.store import Store
from annotator.store import connection as store_module


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settled(path: Path) -> Path:
    """Checkpoint the WAL into the main file so byte comparisons mean something."""
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def _cli_refuses(db: Path, *args: str) -> str:
    res = run_cli(*(args or ("stats",)), "--db", str(db))
    assert res.returncode != 0, res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("annotator: error:"), res.stderr
    assert "Traceback" not in res.stderr and "unexpected" not in res.stderr
    return lines[0]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "zeroed-page", "text-file"])
def test_corrupt_database(tmp_path, damage):
    db = _settled(tmp_path / "c.db")
    make_db(db)
    _settled(db)
    data = db.read_bytes()
    if damage == "garbage":
        data = os.urandom(len(data))
    elif damage == "truncated":
        data = data[: len(data) // 3]
    elif damage == "zeroed-page":
        data = data[:4096] + b"\0" * 4096 + data[8192:]
    else:
        data = b"Just some notes, not a database.\n" * 50
    db.write_bytes(data)
    for leftover in (Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        leftover.unlink(missing_ok=True)
    with pytest.raises(StoreError) as info:
        Store(db)
    assert str(db) in str(info.value)
    assert "left untouched" in str(info.value) or "damaged" in str(info.value) or "not" in str(info.value)
    _cli_refuses(db)
    assert db.read_bytes() == data


_READ_ONLY_CHILD = r"""
import json, os, sys
from annotator.errors import AnnotatorError
from annotator.store import Store
os.setgid(65534); os.setuid(65534)  # after the imports: nobody cannot read root's Python
try:
    s = Store(sys.argv[1])
    s.add_articles(["written while read-only"])
    print(json.dumps({"ok": True}))
except AnnotatorError as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e)}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop privileges to nobody")
@pytest.mark.parametrize("writable_dir", [False, True])
def test_read_only_database(writable_dir):
    # As root chmod stops nothing: the check runs in a child that drops to `nobody`.
    folder = Path(tempfile.mkdtemp(prefix="annotator-ro-"))
    try:
        folder.chmod(0o777 if writable_dir else 0o755)
        db = folder / "ro.db"
        make_db(db)
        _settled(db)
        db.chmod(0o644)
        before = _digest(db)
        res = subprocess.run(
            [PYTHON, "-c", _READ_ONLY_CHILD, str(db)],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        out = json.loads(res.stdout.strip().splitlines()[-1])
        assert out.get("error") == "StoreError", out
        assert "read-only" in out["message"] and str(db) in out["message"], out
        assert _digest(db) == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_READ_ONLY_AGREEMENT_CHILD = r"""
import json, os, sys
from annotator import ops
from annotator.store import Store
# Measure a copy first, as root: every module the measuring imports, lazily too (numpy.ma),
# is loaded before dropping, since nobody cannot read root's Python (CI's venv is 0700).
with Store(sys.argv[2]) as s:
    ops.agreement(s)
os.setgid(65534); os.setuid(65534)
with Store(sys.argv[1]) as s:
    print(json.dumps(ops.agreement(s).to_dict()))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop privileges to nobody")
def test_agreement_on_a_read_only_database_measures_without_caching_tokens():
    # Measuring only reads; the token boundary cache cannot be written and is simply not.
    folder = Path(tempfile.mkdtemp(prefix="annotator-ro-"))
    try:
        folder.chmod(0o777)
        db = folder / "ro.db"
        ids = make_db(db)
        with Store(db) as s:
            for who in ("ann", "bob"):
                for aid in ids:
                    s.add_span(who, aid, Span(0, 3 if who == "ann" else 4, "ORG"))
                    s.set_state(who, aid, "done")
        _settled(db)
        shutil.copy(db, folder / "copy.db")
        shutil.copy(db, folder / "warm.db")
        expected = run_cli("agreement", "--json", "--db", str(folder / "copy.db"), timeout=60)
        assert expected.returncode == 0, expected.stderr
        db.chmod(0o644)
        before = _digest(db)
        res = subprocess.run(
            [PYTHON, "-c", _READ_ONLY_AGREEMENT_CHILD, str(db), str(folder / "warm.db")],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=60,
        )
        assert res.returncode == 0, res.stderr[-3000:]
        assert json.loads(res.stdout) == json.loads(expected.stdout)
        assert _digest(db) == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_database_locked_by_another_program(tmp_path, monkeypatch):
    db = tmp_path / "l.db"
    make_db(db)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(store_module, "LOCK_WAIT_S", 0.5)
    window = Store(db)
    other = sqlite3.connect(str(db), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program writing and not letting go
    try:
        with pytest.raises(StoreError) as info:
            window.add_articles(["blocked"])
        assert "locked by another program" in str(info.value)
        assert window.article_count() == 6  # reads still work in WAL mode
        # A program that locks the whole file (locking_mode=EXCLUSIVE) even blocks opening.
        other.execute("ROLLBACK")
        window.close()
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("INSERT INTO settings(key, value) VALUES ('x', 'y')")
        other.execute("COMMIT")
        with pytest.raises(StoreError) as info:
            Store(db)
        assert "locked by another program" in str(info.value)
    finally:
        other.close()
        window.close()
    with Store(db) as s:
        assert s.article_count() == 6 and s.integrity_check() == "ok"


_FULL_DISK_CHILD = r"""
import json, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from annotator.errors import AnnotatorError
from annotator.store import Store
s = Store(sys.argv[1])
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    s.add_articles(["A long article about a full disk. " * 60000])
    print(json.dumps({"ok": True}))
except AnnotatorError as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e)}))
"""


def test_full_disk(tmp_path):
    db = tmp_path / "f.db"
    make_db(db)
    _settled(db)
    res = subprocess.run(
        [PYTHON, "-c", _FULL_DISK_CHILD, str(db), str(db.stat().st_size + 65536)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=60,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out.get("error") == "StoreError", out
    assert "full" in out["message"], out
    with Store(db) as s:
        assert s.integrity_check() == "ok" and s.article_count() == 6


def test_newer_database(tmp_path):
    db = tmp_path / "n.db"
    make_db(db)
    conn = sqlite3.connect(str(db))
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('annotator', '9999_future', 'x')"
    )
    conn.commit()
    conn.close()
    _settled(db)
    before = _digest(db)
    with pytest.raises(NewerDatabaseError) as info:
        Store(db)
    assert "newer version" in str(info.value)
    line = _cli_refuses(db)
    assert "newer version" in line
    assert _digest(db) == before
    assert not list(tmp_path.glob("n.backup-*"))
