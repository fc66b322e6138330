"""``annotator import`` beside an open window: the window's writes get in, a stop or a kill
leaves nothing of the import, and nobody present keeps the one-transaction import."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from _helpers import PYTHON, child_env, make_db, run_cli

from annotator.model import Span
from annotator.store import Store, presence
from annotator.store.write_lock import try_write

ARTICLES = 4000


def _feed(path: Path, n: int = ARTICLES, tag: str = "") -> Path:
    """``n`` news-like articles of about 80 words with 12 spans each, by "importer"."""
    words = "the minister said trade talks with Berlin and Paris stalled over tariffs on steel".split()
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            parts, spans, at = [], [], 0
            for j in range(80):
                w = (
                    f"{words[(i + j) % len(words)]}{tag}{i}"
                    if j % 7 == 0
                    else words[(i * 3 + j) % len(words)]
                )
                if j % 7 == 0 and len(spans) < 12:
                    spans.append({"start": at, "end": at + len(w), "label": "ORG" if j % 2 else "GPE"})
                parts.append(w)
                at += len(w) + 1
            fh.write(
                json.dumps({"text": " ".join(parts), "spans": spans, "_annotator_id": "importer"}) + "\n"
            )
    return path


def _count(db: Path) -> int:
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        c.close()


def _start_import(db: Path, src: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "annotator.cli", "import", str(src), "--db", str(db)],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_articles(db: Path, proc: subprocess.Popen, more_than: int) -> int:
    """Wait until the import has committed some articles (its first transactions)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        n = _count(db)
        if n > more_than:
            return n
        time.sleep(0.005)
    raise AssertionError(f"the import wrote no article while running (exit {proc.poll()})")


def _writes_during(db: Path, proc: subprocess.Popen) -> list[tuple[bool, float]]:
    """A window's writes every 20 ms while ``proc`` runs: (written within 100 ms, seconds)."""
    got = []
    with Store(db) as window:
        i = 0
        while proc.poll() is None:
            t0 = time.perf_counter()
            done, _ = try_write(window, lambda: window.set_setting("window", str(i)), wait_ms=100)  # noqa: B023
            got.append((done, time.perf_counter() - t0))
            i += 1
            time.sleep(0.02)
    return got


def test_beside_a_window_the_import_leaves_the_write_lock_free_between_short_transactions(tmp_path):
    db = tmp_path / "shared.db"
    make_db(db)
    src = _feed(tmp_path / "feed.jsonl")
    held = presence.hold_open(db)  # the window
    try:
        proc = _start_import(db, src)
        _wait_for_articles(db, proc, 6)
        writes = _writes_during(db, proc)
        out, err = proc.communicate(timeout=120)
    finally:
        held.release()
    assert proc.returncode == 0, err
    assert f"{ARTICLES} new articles" in out
    assert len(writes) >= 10, "the import ended too soon to tell"
    assert all(done for done, _ in writes), [w for w in writes if not w[0]]
    assert _count(db) == 6 + ARTICLES
    with Store(db) as s:
        assert s.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (0,)
        assert s.integrity_check() == "ok"


def test_with_nobody_present_the_import_holds_the_lock_in_one_transaction(tmp_path):
    """The other side of the test above: no window, the fast path, a 100 ms write waits it out."""
    db = tmp_path / "alone.db"
    make_db(db)
    src = _feed(tmp_path / "feed.jsonl")
    proc = _start_import(db, src)
    time.sleep(0.3)  # started: it takes the lock for the whole file, reading it too
    writes = _writes_during(db, proc)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert any(not done for done, _ in writes)
    assert not presence.side_file(db, presence.IMPORTING_SUFFIX).exists()
    assert _count(db) == 6 + ARTICLES


def test_ctrl_c_midway_beside_a_window_leaves_no_article(tmp_path):
    db = tmp_path / "stopped.db"
    make_db(db)
    src = _feed(tmp_path / "feed.jsonl")
    held = presence.hold_open(db)
    try:
        proc = _start_import(db, src)
        _wait_for_articles(db, proc, 6)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        held.release()
    assert proc.returncode == 130, err
    assert "cancelled" in err
    assert _count(db) == 6
    with Store(db) as s:
        assert s.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (0,)
        assert s.conn.execute("SELECT count(*) FROM annotations WHERE annotator = 'importer'").fetchone() == (
            0,
        )
        assert s.integrity_check() == "ok"


def test_an_import_killed_midway_is_taken_back_by_the_next_one_but_what_someone_worked_on(tmp_path):
    db = tmp_path / "killed.db"
    make_db(db)
    src = _feed(tmp_path / "feed.jsonl")
    held = presence.hold_open(db)
    try:
        proc = _start_import(db, src)
        _wait_for_articles(db, proc, 20)
        proc.kill()
        proc.communicate(timeout=60)
        with Store(db) as window:
            assert window.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (1,)
            there = window.article_count()
            assert 20 < there < 6 + ARTICLES
            # the window's annotator worked on one of the articles the import had written
            aid = window.conn.execute("SELECT id FROM articles ORDER BY rowid DESC LIMIT 1").fetchone()[0]
            window.add_span("carol", aid, Span(0, 3, "PERSON"))
    finally:
        held.release()
    nxt = _feed(tmp_path / "next.jsonl", 3, tag="n")
    res = run_cli("import", str(nxt), "--db", str(db))
    assert res.returncode == 0, res.stderr
    assert "did not finish" in res.stderr and "1 article someone worked on while it ran is kept" in res.stderr
    with Store(db) as s:
        assert s.article_count() == 6 + 1 + 3
        assert [a.label for a in s.annotations(aid, "carol")] == ["PERSON"]
        assert s.conn.execute("SELECT count(*) FROM import_runs").fetchone() == (0,)
        assert s.integrity_check() == "ok"
