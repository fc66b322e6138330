"""A write behind another program's write lock: the window keeps running, says it waits, loses nothing."""

from __future__ import annotations

import sqlite3
import time

import pytest
from PySide6.QtCore import QTimer

from annotator.errors import StoreError
from annotator.ui.write_wait import WAITING_TEXT, write_when_free

WAIT_MS = 10_000


def hold_write_lock(path) -> sqlite3.Connection:
    """A second connection in the middle of a write transaction (an import in a terminal)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings (key, value) VALUES ('other program', 'was here')")
    return other


def accepted_labels(session, aid) -> list[str]:
    return sorted(a.label for a in session.store.annotations(aid, session.annotator))


def test_an_accept_behind_another_writer_waits_with_the_window_running_and_nothing_is_lost(
    window, ui_data, qtbot
):
    s = window.session
    first = window.view.focused
    other = hold_write_lock(s.db_path)
    waiting, seen = [], []
    s.write_waiting.connect(waiting.append)
    # The window's timers run while the accept waits: they see the status bar, and one of
    # them makes a second decision meanwhile (it waits too, and is kept).
    ticker = QTimer()
    ticker.setInterval(20)
    ticker.timeout.connect(lambda: seen.append(window.statusBar().currentMessage()))
    ticker.start()
    second = next(r for r in s.store.suggestion_rows(ui_data.a1, s.annotator) if r.id != first.id)
    decided_meanwhile = []
    QTimer.singleShot(100, lambda: decided_meanwhile.append(s.reject(second.id)))
    QTimer.singleShot(400, lambda: other.execute("COMMIT"))
    t0 = time.monotonic()
    window.view.accept_focused()
    waited = time.monotonic() - t0
    ticker.stop()
    other.close()
    assert waited >= 0.35  # the accept was written after the other program committed
    assert len(seen) >= 3 and WAITING_TEXT in seen
    assert waiting == [True, False]
    assert window.statusBar().currentMessage() != WAITING_TEXT
    # both decisions stored, and the other program's write too
    assert accepted_labels(s, ui_data.a1) == [first.label]
    assert len(decided_meanwhile) == 1 and decided_meanwhile[0].spans
    assert s.store.get_setting("other program") == "was here"
    decided = {r["kind"] for r in s.store.ledger(s.annotator) if not r["undone"]}
    assert {"accept", "reject"} <= decided
    # the window goes on: the next accept goes through at once
    window.view.accept_focused()
    assert len(accepted_labels(s, ui_data.a1)) == 2


def test_a_write_still_locked_out_after_the_wait_is_refused_and_writes_nothing(ui_session, ui_data, qtbot):
    other = hold_write_lock(ui_session.db_path)
    waiting = []
    try:
        with pytest.raises(StoreError, match="your last action was not saved"):
            write_when_free(
                ui_session.store, lambda: ui_session.store.set_setting("mine", "1"), waiting.append, 0.2
            )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert waiting == [True, False]
    assert ui_session.store.get_setting("mine") is None
    assert not ui_session.store.conn.in_transaction


def test_review_mode_says_it_waits(review_session, qtbot):
    from review_data import A1

    from annotator.ui.review_view import ReviewView

    view = ReviewView(review_session)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: not view.is_loading(), timeout=WAIT_MS)
    other = hold_write_lock(review_session.db_path)
    seen = []
    QTimer.singleShot(60, lambda: seen.append(view.message_label.text()))
    QTimer.singleShot(200, lambda: other.execute("COMMIT"))
    view.open_article(A1)  # puts the agreed spans into gold: a write
    other.close()
    assert seen == [WAITING_TEXT]
    assert len(review_session.store.gold_spans(A1)) == 1


def test_a_window_says_it_is_there_so_an_import_writes_in_short_transactions(tmp_path, ui_data, qtbot):
    from annotator.store import presence
    from annotator.ui.session import Session

    s = Session(ui_data.build_store(tmp_path / "one.db"), ui_data.annotator)
    assert presence.anyone_open(s.db_path)
    s.open_store(ui_data.build_store(tmp_path / "two.db"))
    assert not presence.anyone_open(tmp_path / "one.db") and presence.anyone_open(tmp_path / "two.db")
    s._present.release()  # as closing the window and ending the process does
    assert not presence.anyone_open(tmp_path / "two.db")
    s.store.close()


def test_opening_a_database_takes_back_an_import_that_died_and_says_so(tmp_path, ui_data, qtbot):
    from annotator import model as m
    from annotator.store.shared_import import SharedImport
    from annotator.ui.main_window import MainWindow
    from annotator.ui.session import Session

    store = ui_data.build_store(tmp_path / "dead.db")
    run = SharedImport(store, "prodigy:feed.jsonl")
    run.start()
    docs = [m.ImportedDoc(f"Item {i}: Siemens in Berlin.", f"feed.jsonl:{i}") for i in range(5)]
    run.add(docs, "bob", description="prodigy:feed.jsonl")
    run.run.release()  # its process was killed: the lock went, the record stayed
    assert store.article_count() == 8
    session = Session(store, ui_data.annotator)
    assert store.article_count() == 3
    (note,) = session.cleanup_notes
    assert "feed.jsonl" in note and "did not finish" in note and "5 articles it had added are removed" in note
    window = MainWindow(session)
    window.show()
    assert window.note.isVisible() and "did not finish" in window.note.label.text()
    window.close()
    window.deleteLater()
    qtbot.wait(10)
    session.store.close()
