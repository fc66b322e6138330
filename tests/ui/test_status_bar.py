"""The status bar: a progress bar of the project, decisions today, undecided here, work n of N."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from annotator.ui import status_bar
from annotator.ui.tasks import duration_text, time_left_text


def test_progress_today_and_undecided_follow_the_keys(window, qtbot):
    st = window.status
    view = window.view
    window.session.store.set_setting("undecided_on_done", "leave")
    assert (st.progress.value(), st.progress.maximum(), st.progress.text()) == (0, 3, "0 of 3 done")
    assert st.today_label.text() == "0 decisions today"
    assert st.undecided_label.text() == "7 undecided here"
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert st.today_label.text() == "2 decisions today"
    assert st.undecided_label.text() == "5 undecided here"
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # accept the other 5
    assert st.today_label.text() == "7 decisions today"
    assert st.undecided_label.text() == "all decided here"
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert st.today_label.text() == "2 decisions today"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert (st.progress.value(), st.progress.text()) == (1, "1 of 3 done")
    assert st.undecided_label.text() == "2 undecided here"  # the next article's


class _FakeTask(QObject):
    progressed = Signal(int, int)
    done = Signal()


def test_file_suggest_shows_articles_n_of_n_and_the_time_left(window, monkeypatch):
    from annotator.ui import file_actions

    task = _FakeTask()
    monkeypatch.setattr(file_actions, "run_suggest", lambda *_a, **_kw: task)
    clock = iter([100.0, 110.0])
    monkeypatch.setattr(status_bar.time, "monotonic", lambda: next(clock))
    window.window_actions["file.suggest"].trigger()
    bar = window.status.work_progress
    assert not bar.isHidden() and bar.format() == "suggesting: starting…"  # busy: no number yet
    assert window.model_label.text() == "model: loading"
    task.progressed.emit(1, 9)
    task.progressed.emit(3, 9)  # 2 articles in 10 s: 6 left take about 30 s
    assert bar.text() == "suggesting 3 of 9 · about 30 s left"
    assert (bar.value(), bar.maximum()) == (3, 9)
    assert window.model_label.text() == "model: suggesting"
    task.done.emit()
    assert bar.isHidden() and window.model_label.text() == "model: idle"


def test_time_left_reads_like_speech():
    assert duration_text(3) == "3 s" and duration_text(42) == "40 s" and duration_text(200) == "3 min"
    assert duration_text(4800) == "1 h 20 min"
    assert time_left_text((0.0, 0), 4, 8, 20.0) == "about 20 s left"
    assert time_left_text((0.0, 0), 0, 8, 20.0) == "" and time_left_text((0.0, 0), 8, 8, 20.0) == ""
