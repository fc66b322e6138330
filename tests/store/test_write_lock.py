"""try_write takes the write lock within a few milliseconds or runs nothing."""

from __future__ import annotations

import sqlite3
import time

import pytest

from annotator import model as m
from annotator.errors import SpanError
from annotator.model import ENTITY, Label, Span
from annotator.store import Store
from annotator.store.write_lock import try_write

TEXT = "Angela Merkel met Joe Biden in Berlin."
AID = m.article_id(TEXT)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "w.db")
    s.ensure_labels([Label("PERSON", ENTITY), Label("ORG", ENTITY)])
    s.add_articles([TEXT])
    yield s
    s.close()


def _holder(store) -> sqlite3.Connection:
    """A second connection holding the write lock, as an import in a terminal would."""
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings (key, value) VALUES ('other', 'writing')")
    return other


def _labels(store) -> list[str]:
    return [a.label for a in store.annotations(AID, "ana")]


def test_a_free_lock_runs_the_write_in_one_committed_transaction(store):
    done, result = try_write(store, lambda: store.add_span("ana", AID, Span(0, 13, "PERSON")))
    assert done and result.spans
    assert not store.conn.in_transaction
    with Store(store.path) as other:
        assert [a.label for a in other.annotations(AID, "ana")] == ["PERSON"]


def test_a_lock_held_by_another_connection_runs_nothing_and_returns_at_once(store):
    other = _holder(store)
    try:
        ran = []
        t0 = time.monotonic()
        assert try_write(store, lambda: ran.append(1), wait_ms=20) == (False, None)
        assert time.monotonic() - t0 < 1.0
        assert ran == [] and not store.conn.in_transaction
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 1000  # as it was
    finally:
        other.execute("COMMIT")
        other.close()
    done, _ = try_write(store, lambda: store.add_span("ana", AID, Span(0, 13, "PERSON")))
    assert done and _labels(store) == ["PERSON"]
    assert store.get_setting("other") == "writing"


def test_a_failing_write_leaves_nothing_behind(store):
    def two_then_fail():
        store.add_span("ana", AID, Span(0, 13, "PERSON"))
        store.add_span("ana", AID, Span(5, 20, "ORG"))  # overlaps: refused

    with pytest.raises(SpanError):
        try_write(store, two_then_fail)
    assert _labels(store) == [] and not store.conn.in_transaction


def test_inside_the_caller_s_transaction_the_write_just_runs(store):
    with store.transaction():
        done, _ = try_write(store, lambda: store.add_span("ana", AID, Span(0, 13, "PERSON")))
        assert done and store.conn.in_transaction
    assert _labels(store) == ["PERSON"]


def test_a_writer_letting_the_lock_go_for_a_moment_between_transactions_lets_the_waiting_one_in(store):
    """An import beside a window commits every ~30 ms and takes the lock again ~2 ms later.
    SQLite's busy handler sleeps longer and longer between its tries and misses such gaps;
    try_write asks every millisecond and gets in within one of the other's transactions."""
    import threading

    stop = threading.Event()
    held = threading.Event()

    def importer():
        other = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
        other.execute("PRAGMA busy_timeout = 10000")
        n = 0
        while not stop.is_set():
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('import', ?)", (str(n),))
            held.set()
            time.sleep(0.03)
            other.execute("COMMIT")
            n += 1
            time.sleep(0.002)
        other.close()

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        held.wait(5)
        waits = []
        for i in range(20):
            t0 = time.perf_counter()
            done, _ = try_write(store, lambda i=i: store.set_setting("window", str(i)), wait_ms=100)
            waits.append((done, time.perf_counter() - t0))
            time.sleep(0.011)
    finally:
        stop.set()
        thread.join()
    assert all(done for done, _ in waits), waits
    assert max(w for _, w in waits) < 0.1
    assert store.get_setting("window") == "19"
