"""View > Pace of work: the day's articles done and how the work went, for the annotator."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_the_pace_dialog_shows_today_after_some_work(window, qtbot, ui_data):
    view = window.view
    window.session.store.set_setting("undecided_on_done", "leave")
    qtbot.keyClick(view, Qt.Key.Key_A)
    qtbot.keyClick(view, Qt.Key.Key_X)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    window.window_actions["view.pace"].trigger()
    dlg = window.pace_dialog
    qtbot.waitExposed(dlg)
    assert dlg.who.currentText() == "ana"
    (today,) = dlg.chart.rows
    assert today.values == (1.0,)
    assert "1 done" in today.text and "50% accepted unchanged" in today.text
    assert "1 article done, 2 decisions" in dlg.summary.text()
    dlg.who.addItem("bob")
    dlg.who.setCurrentText("bob")
    assert dlg.chart.rows == [] and "No decisions by bob" in dlg.summary.text()
