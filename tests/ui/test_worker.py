"""run_on_store: the work runs on a worker thread, on a store of its own, closed whatever happens."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from annotator.errors import Cancelled
from annotator.ui.tasks import TaskProgressDialog
from annotator.ui.worker import run_on_store, same_database

WAIT_MS = 10_000


def _closed(store) -> bool:
    try:
        store.conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_the_work_runs_in_a_worker_on_its_own_store_and_hands_back_plain_data(session, qtbot):
    seen = {}

    def count(store, progress, cancelled):
        seen["thread"] = threading.get_ident()
        seen["store"] = store
        return store.article_count()

    task = run_on_store(session, count)
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS) as got:
        pass
    assert got.args == [5]
    assert seen["thread"] != threading.get_ident()
    assert seen["store"] is not session.store
    assert Path(seen["store"].path) == Path(session.db_path)
    assert _closed(seen["store"]) and not _closed(session.store)
    assert same_database(session, task.db_path)


def test_the_store_is_closed_and_the_error_delivered_when_the_work_fails(session, qtbot):
    seen, errors = {}, []

    def fail(store, progress, cancelled):
        seen["store"] = store
        raise ValueError("no such thing")

    task = run_on_store(session, fail, on_error=errors.append)
    qtbot.waitUntil(lambda: not task.is_running(), timeout=WAIT_MS)
    assert task.outcome == "failed"
    assert [str(e) for e in errors] == ["no such thing"]
    assert _closed(seen["store"])


def test_a_cancelled_transaction_leaves_the_database_as_it_was(session, qtbot):
    cancelled = []

    def add_then_stop(store, progress, cancelled):
        store.add_articles(["Late article\nWritten, then cancelled."])
        raise Cancelled("stopped")

    task = run_on_store(session, add_then_stop, transaction=True, on_cancel=lambda: cancelled.append(True))
    qtbot.waitUntil(lambda: not task.is_running(), timeout=WAIT_MS)
    assert cancelled == [True]
    assert session.store.article_count() == 5


def test_with_a_label_the_work_runs_behind_a_progress_dialog_with_progress(session, qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    results, reports = [], []

    def titles(store, progress, cancelled):
        ids = store.article_ids()
        for i, _ in enumerate(ids):
            progress(i + 1, len(ids))
        return [r.title for r in store.article_rows(ids, "ana")]

    task = run_on_store(session, titles, "Reading titles", parent, on_result=results.append)
    task.progressed.connect(lambda done, total: reports.append((done, total)))
    assert isinstance(task.dialog, TaskProgressDialog)
    qtbot.waitUntil(lambda: not task.is_running(), timeout=WAIT_MS)
    assert results == [["Trade talks", "Energy prices", "Visa rules", "Security summit", "Farm subsidies"]]
    assert reports[-1] == (5, 5)


def test_a_result_for_a_database_no_longer_open_is_recognised(session, tmp_path):
    assert same_database(session, session.db_path)
    assert not same_database(session, tmp_path / "other.db")


@pytest.mark.parametrize("transaction", [False, True])
def test_the_work_gets_progress_and_cancelled_as_keywords(session, qtbot, transaction):
    got = {}

    def look(store, *, progress, cancelled):
        got["cancelled"] = cancelled()
        return "ok"

    task = run_on_store(session, look, transaction=transaction)
    qtbot.waitUntil(lambda: not task.is_running(), timeout=WAIT_MS)
    assert task.result == "ok" and got == {"cancelled": False}
