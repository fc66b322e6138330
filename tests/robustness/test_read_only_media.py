"""A database on read-only media: every reading command works, writing ones say why they cannot."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from _helpers import make_db, run_cli

from annotator.errors import StoreError
from annotator.store import Store


@pytest.fixture
def read_only_db(tmp_path):
    """A database with two annotators' work on a tmpfs remounted read-only (needs root)."""
    mount = Path(f"/tmp/annotator-ro-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], capture_output=True).returncode:
        mount.rmdir()
        pytest.skip("cannot mount a tmpfs here (not root?)")
    try:
        db = tmp_path / "team.db"
        ids = make_db(db, articles=4)
        with Store(db) as s:
            from annotator.model import Span

            for who, label in (("alice", "PERSON"), ("bob", "ORG")):
                for aid in ids:
                    s.add_span(who, aid, Span(0, 3, label))
        shutil.copy(db, mount / "team.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "team.db"
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
        mount.rmdir()


def test_reading_commands_work_and_writing_ones_say_why_not(read_only_db, tmp_path):
    before = read_only_db.read_bytes()
    for args in (["stats"], ["export", "--format", "prodigy", "--all-annotators"], ["agreement"], ["review"]):
        r = run_cli(*args, "--db", str(read_only_db))
        assert r.returncode == 0, (args, r.stderr)
        assert "writable" not in r.stderr and "error" not in r.stderr
    exported = run_cli("export", "--format", "prodigy", "--all-annotators", "--db", str(read_only_db)).stdout
    assert len([json.loads(line) for line in exported.splitlines() if line.strip()]) >= 4
    article = tmp_path / "new.txt"
    article.write_text("A new article about tariffs.", encoding="utf-8")
    r = run_cli("import", str(article), "--db", str(read_only_db))
    assert r.returncode != 0 and "read-only" in r.stderr and "Traceback" not in r.stderr
    assert read_only_db.read_bytes() == before


def test_a_read_only_store_reads_and_refuses_every_write(read_only_db):
    with Store(read_only_db, read_only=True) as s:
        assert s.article_count() == 4
        with pytest.raises(StoreError, match="open for reading only"):
            s.set_setting("x", "y")


def test_a_reading_command_never_creates_a_database(tmp_path):
    missing = tmp_path / "nowhere" / "x.db"
    r = run_cli("stats", "--db", str(missing))
    assert r.returncode != 0 and "no database at" in r.stderr
    assert not missing.parent.exists()
