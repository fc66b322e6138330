"""Enter on an article with undecided suggestions asks once what to do with them."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from annotator import model as m

ANNOTATOR = "ana"


def press_enter_and_answer(qtbot, window, button: str | None, remember: bool = False) -> list[str]:
    """Press Enter in the view; click ``button`` (its text, & left out) in the question, if one comes.

    Returns the question's text (empty when none was asked).
    """
    asked: list[str] = []

    def answer():
        box = window.undecided.box
        if box is None or not box.isVisible():
            QTimer.singleShot(10, answer)
            return
        asked.append(box.text())
        if remember:
            qtbot.mouseClick(box.checkBox(), Qt.MouseButton.LeftButton)
        target = next(b for b in box.buttons() if b.text().replace("&", "") == (button or "Cancel"))
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton)

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(answer)
    timer.start(0)
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    timer.stop()
    window.activateWindow()  # back from the question, as the window manager would
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    return asked


def pending(store, aid):
    return [s for s in store.suggestions(aid, ANNOTATOR) if s.status == m.PENDING]


def state_shown(window, aid) -> str:
    """State and Pending as the list shows them: "done", or "done, 7 left" (in bold)."""
    from annotator.ui.article_list import PENDING, STATE

    model = window.article_list.model
    row = model.row_of(aid)
    state = model.data(model.index(row, STATE))
    left = model.data(model.index(row, PENDING))
    if isinstance(left, str):
        assert model.data(model.index(row, PENDING), Qt.ItemDataRole.FontRole).bold()
        return f"{state}, {left}"
    return state


def test_reject_the_rest_marks_done_in_one_undoable_step(window, qtbot, ui_data):
    store = window.session.store
    asked = press_enter_and_answer(qtbot, window, "Reject the rest")
    assert asked and asked[0].startswith("7 suggestions are still undecided")
    assert pending(store, ui_data.a1) == []
    assert store.state(ANNOTATOR, ui_data.a1) == m.DONE
    assert window.view.article.id == ui_data.a2
    assert window.statusBar().currentMessage() == "rejected 7 suggestions; marked done; next article opened"
    assert state_shown(window, ui_data.a1) == "done"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the state
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the rejections
    assert len(pending(store, ui_data.a1)) == 7


def test_accept_the_rest_turns_the_suggestions_into_spans(window, qtbot, ui_data):
    store = window.session.store
    press_enter_and_answer(qtbot, window, "Accept the rest")
    assert {a.label for a in store.annotations(ui_data.a1, ANNOTATOR)} >= {"GPE", "PERSON", "TRADE"}
    assert store.state(ANNOTATOR, ui_data.a1) == m.DONE
    assert window.statusBar().currentMessage().startswith("accepted 7 suggestions; marked done")


def test_cancel_leaves_the_article_open_and_not_done(window, qtbot, ui_data):
    asked = press_enter_and_answer(qtbot, window, None)
    assert asked
    assert window.view.article.id == ui_data.a1
    assert window.session.store.state(ANNOTATOR, ui_data.a1) == m.TODO
    assert window.statusBar().currentMessage() == "not marked done"


def test_a_remembered_leave_is_shown_apart_in_the_list_and_can_be_asked_again(window, qtbot, ui_data):
    store = window.session.store
    ask = window.window_actions["edit.ask_undecided"]
    assert ask.isChecked()
    press_enter_and_answer(qtbot, window, "Leave them undecided", remember=True)
    assert state_shown(window, ui_data.a1) == "done, 7 left"
    assert not ask.isChecked()
    # The next article is marked done without a question.
    asked = press_enter_and_answer(qtbot, window, "Reject the rest")
    assert asked == []
    assert store.state(ANNOTATOR, ui_data.a2) == m.DONE and state_shown(window, ui_data.a2) == "done, 2 left"
    assert len(pending(store, ui_data.a2)) == 2
    ask.trigger()  # Edit > Ask about undecided suggestions on Enter
    assert ask.isChecked() and store.get_setting("undecided_on_done") is None


def test_an_article_without_undecided_suggestions_is_done_at_once(window, qtbot, ui_data):
    window.session.open_article(ui_data.a3)
    assert press_enter_and_answer(qtbot, window, "Reject the rest") == []
    assert window.session.store.state(ANNOTATOR, ui_data.a3) == m.DONE


def test_suggestions_hidden_by_the_view_are_named_and_stay_undecided(window, qtbot, ui_data):
    store = window.session.store
    window.window_actions["view.issues"].trigger()  # hide the issues
    asked = press_enter_and_answer(qtbot, window, "Reject the rest")
    assert "5 suggestions are still undecided" in asked[0] and "2 more are hidden (View)" in asked[0]
    assert {s.layer for s in pending(store, ui_data.a1)} == {m.ISSUE}
