"""Background tasks: progress, result, cancel, errors delivered as a dialog, a responsive GUI."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton, QWidget

from annotator.errors import Cancelled, StoreError
from annotator.store import Store
from annotator.ui.errors import error_box, error_message
from annotator.ui.tasks import Task, run_task, run_with_progress, running_tasks, stop_all

WAIT_MS = 10_000


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "tasks.db"
    with Store(path) as store:
        store.add_articles(["First article.", "Second article."])
    return path


def count(path) -> int:
    with Store(path) as store:
        return store.article_count()


def test_progress_and_result_arrive_on_the_gui_thread(qtbot):
    gui = threading.get_ident()
    seen_in: list[int] = []

    def work(progress, cancelled):
        seen_in.append(threading.get_ident())
        for i in range(5):
            progress(i + 1, 5)
        return "forty-two"

    progress: list[tuple[int, int]] = []
    task = Task(work)
    task.progressed.connect(lambda d, t: progress.append((d, t)))
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS) as blocker:
        task.start()
    assert blocker.args == ["forty-two"]
    assert seen_in and seen_in[0] != gui
    assert progress[-1] == (5, 5) and task.last_progress == (5, 5)
    assert task.outcome == "finished" and not task.is_running()


def test_cancel_from_the_dialog_stops_the_work_and_nothing_is_written(qtbot, db):
    def work(progress, cancelled):
        store = Store(db)
        try:
            with store.transaction():
                store.add_articles(["Written before the cancel."])
                progress(1, 3)
                while not cancelled():
                    threading.Event().wait(0.01)
                raise Cancelled("cancelled")
        finally:
            store.close()

    parent = QWidget()
    qtbot.addWidget(parent)
    cancelled: list[bool] = []
    task = run_with_progress(
        work, "Adding", parent, on_cancel=lambda: cancelled.append(True), show_after_ms=0
    )
    qtbot.waitUntil(lambda: task.last_progress == (1, 3), timeout=WAIT_MS)
    qtbot.waitUntil(task.dialog.isVisible, timeout=WAIT_MS)
    assert "(1 of 3)" in task.dialog.labelText()
    cancel = task.dialog.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    with qtbot.waitSignal(task.done, timeout=WAIT_MS):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert cancelled == [True] and task.outcome == "cancelled"
    assert count(db) == 2


def test_an_error_arrives_as_a_dialog_and_the_data_is_unchanged(qtbot, db, boxes):
    def work(progress, cancelled):
        store = Store(db)
        try:
            with store.transaction():
                store.add_articles(["Never kept."])
                raise ValueError("boom")
        finally:
            store.close()

    parent = QWidget()
    qtbot.addWidget(parent)
    task = run_with_progress(work, "Failing", parent)
    with qtbot.waitSignal(task.done, timeout=WAIT_MS):
        pass
    assert task.outcome == "failed" and isinstance(task.error, ValueError)
    [(text, details)] = boxes
    assert text == "Unexpected error: boom"
    assert "Traceback" in details and "ValueError: boom" in details and "def work" not in text
    assert count(db) == 2


def test_annotator_errors_show_their_own_message_with_details_hidden(qtbot, boxes):
    def work(progress, cancelled):
        raise StoreError("the database is locked", hint="close the other program")

    task = run_with_progress(work, "Failing", None)
    qtbot.waitUntil(lambda: not task.is_running(), timeout=WAIT_MS)
    assert boxes[0][0] == "the database is locked (close the other program)"
    box = error_box(None, task.error)
    qtbot.addWidget(box)
    assert box.text() == boxes[0][0]
    assert any("Details" in b.text() for b in box.buttons())  # the traceback sits behind this
    assert "StoreError" in box.detailedText()


def test_error_message_for_plain_exceptions():
    assert error_message(KeyError("x")) == "Unexpected error: 'x'"
    assert error_message(RuntimeError()) == "Unexpected error: RuntimeError"


def test_the_gui_keeps_running_while_work_runs(qtbot):
    gate = threading.Event()

    def work(progress, cancelled):
        gate.wait(WAIT_MS / 1000)
        return "done"

    task = run_task(work)
    timer = QTimer()
    timer.setSingleShot(True)
    with qtbot.waitSignal(timer.timeout, timeout=WAIT_MS):
        timer.start(10)
    assert task.is_running()  # the event loop ran a timer while the work was blocked
    with qtbot.waitSignal(task.finished, timeout=WAIT_MS):
        gate.set()


def test_dialog_closes_when_the_work_is_done(qtbot):
    gate = threading.Event()
    parent = QWidget()
    qtbot.addWidget(parent)
    task = run_with_progress(
        lambda progress, cancelled: gate.wait(WAIT_MS / 1000), "Waiting", parent, show_after_ms=0
    )
    dialog = task.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    with qtbot.waitSignal(task.done, timeout=WAIT_MS):
        gate.set()
    assert not dialog.isVisible()


def test_stop_all_cancels_and_waits_for_running_work(qtbot, db):
    def work(progress, cancelled):
        store = Store(db)
        try:
            with store.transaction():
                store.add_articles(["Half an import."])
                while not cancelled():
                    threading.Event().wait(0.01)
                raise Cancelled("cancelled")
        finally:
            store.close()

    task = run_task(work)
    assert stop_all(WAIT_MS)
    qtbot.waitUntil(lambda: task.outcome == "cancelled", timeout=WAIT_MS)
    assert running_tasks() == []
    assert count(db) == 2
