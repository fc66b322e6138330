"""A database file deleted, moved or replaced under a live window: noticed, said, saved as a copy."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.errors import StoreError
from annotator.store import Store
from annotator.ui.database_guard import CHECK_MS
from annotator.ui.worker import run_on_store

WAIT_MS = 10_000


def accepted(store, ui_data) -> int:
    return len(store.annotations(ui_data.a1, ui_data.annotator))


def _button(box: QMessageBox, text: str):
    return next(b for b in box.buttons() if b.text() == text)


def test_a_deleted_file_stops_the_next_action_says_so_and_the_copy_saves_and_opens(
    window, ui_data, tmp_path, qtbot
):
    s, guard = window.session, window.database_guard
    path = Path(s.db_path)
    window.view.accept_focused()
    assert accepted(s.store, ui_data) == 1
    os.remove(path)
    window.view.accept_focused()
    # refused, and said: in a dialog and in the status bar
    box = guard.lost_box
    assert box is not None and box.isVisible()
    assert f"The database file {path} was deleted, moved or replaced" in box.text()
    assert "Save a copy" in box.informativeText()
    assert window.statusBar().currentMessage() == f"not saved: the database file {path} is gone"
    assert accepted(s.store, ui_data) == 1 and not path.exists()
    # save a copy: it holds the session's work, and the window goes on in it
    saved = tmp_path / "saved.db"
    guard.ask_copy_path = lambda: str(saved)
    qtbot.mouseClick(_button(box, "Save a copy…"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: Path(s.db_path) == saved, timeout=WAIT_MS)
    assert guard.lost_box is None and s.lost_reason is None
    assert window.windowTitle() == "annotator — saved.db"
    assert window.statusBar().currentMessage() == f"saved to {saved}; working in it from now on"
    with Store(saved) as copy:
        assert accepted(copy, ui_data) == 1
    s.open_article(ui_data.a1)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)  # an article opens with nothing focused
    window.view.accept_focused()
    with Store(saved) as copy:
        assert accepted(copy, ui_data) == 2


def test_a_replaced_file_is_noticed_when_the_window_is_activated_and_left_alone(
    window, ui_data, tmp_path, qtbot
):
    s, guard = window.session, window.database_guard
    path = Path(s.db_path)
    Store(tmp_path / "other.db").close()
    os.replace(tmp_path / "other.db", path)
    replacement = hashlib.sha256(path.read_bytes()).hexdigest()
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))
    box = guard.lost_box
    assert box is not None and box.isVisible() and "replaced" in box.text()
    qtbot.mouseClick(_button(box, "Not now"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: guard.lost_box is None)
    # every later action is refused and says so again; the new file is never written
    window.view.accept_focused()
    assert guard.lost_box is not None and guard.lost_box.isVisible()
    assert accepted(s.store, ui_data) == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == replacement


def test_the_timer_checks_the_file_before_any_action(window, tmp_path, qtbot):
    guard = window.database_guard
    assert guard.timer.isActive() and guard.timer.interval() == CHECK_MS
    os.rename(window.session.db_path, tmp_path / "moved.db")
    guard.timer.timeout.emit()
    assert guard.lost_box is not None and "moved" in guard.lost_box.text()


def test_background_work_is_refused_once_the_file_is_gone_and_makes_no_new_file(window, qtbot):
    s = window.session
    path = Path(s.db_path)
    os.remove(path)
    ran, errors = [], []
    task = run_on_store(s, lambda store, progress, cancelled: ran.append(store), on_error=errors.append)
    with qtbot.waitSignal(task.failed, timeout=WAIT_MS):
        pass
    assert ran == [] and isinstance(errors[0], StoreError)
    assert str(errors[0]) == s.lost_reason
    assert not path.exists()


def test_a_copy_cannot_be_saved_over_the_missing_file_s_name(window, qtbot, boxes):
    s, guard = window.session, window.database_guard
    path = Path(s.db_path)
    os.remove(path)
    assert not guard.check()
    assert not guard.save_copy(path)
    assert boxes and "under another name" in boxes[-1][0]
    assert Path(s.db_path) == path and not path.exists()


def test_a_closed_window_stops_watching_and_says_nothing_when_its_file_goes(window, qtbot):
    guard = window.database_guard
    window.close()
    assert not guard.timer.isActive()
    os.remove(window.session.db_path)
    assert guard.check() is True and guard.lost_box is None
