"""Label scope and View toggles, driven by the window's keys, menus and the Labels dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from annotator import model as m
from annotator.store import scope
from annotator.ui.label_scope_dialog import LabelScopeDialog

ANNOTATOR = "ana"


def labels_drawn(window) -> set[str]:
    return {mark[3] for mark in window.view.marks()}


def labels_listed(window) -> set[str]:
    return {r.label for r in window.span_list.model.rows()}


def tab_labels(window, qtbot, presses: int = 12) -> set[str]:
    seen = set()
    for _ in range(presses):
        qtbot.keyClick(window.view, Qt.Key.Key_Tab)
        if window.view.focused is not None:
            seen.add(window.view.focused.label)
    return seen


def pending_in_list(window, article_id: str) -> int:
    model = window.article_list.model
    return model.row_data(model.row_of(article_id)).pending


def run_dialog(qtbot, window, uncheck=(), check=()):
    """Open Edit > Labels in this project… with Ctrl+L; toggle labels by typing and Space; OK."""
    seen = {}

    def answer():
        shown = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, LabelScopeDialog) and w.isVisible()
        ]
        dlg = shown[0] if shown else None
        if dlg is None:  # not shown yet
            QTimer.singleShot(10, answer)
            return
        seen["dialog"] = dlg
        for name in (*uncheck, *check):
            dlg.tree.setFocus()
            dlg.tree.keyboardSearch("")  # a fresh search
            qtbot.keyClicks(dlg.tree, name)
            assert dlg.tree.currentItem().text(0) == name
            qtbot.keyClick(dlg.tree, Qt.Key.Key_Space)
        ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)
    window.activateWindow()  # back from an earlier dialog: the window's shortcuts need it active
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    return seen["dialog"]


def test_the_labels_dialog_takes_a_label_out_of_view_list_tab_and_counts(window, qtbot, ui_data, boxes):
    assert "DATE" in labels_drawn(window) and "DATE" in labels_listed(window)
    before = pending_in_list(window, ui_data.a1)
    dlg = run_dialog(qtbot, window, uncheck=["DATE"])
    assert dlg.labels_off() == {(m.ENTITY, "DATE")}
    assert scope.labels_off(window.session.store) == {(m.ENTITY, "DATE")}
    assert "DATE" not in labels_drawn(window) and "DATE" not in labels_listed(window)
    assert "DATE" not in tab_labels(window, qtbot)
    assert pending_in_list(window, ui_data.a1) == before - 1
    assert window.label_palette.model.find_label(m.ENTITY, "DATE").isValid() is False
    assert "left out: DATE" in window.statusBar().currentMessage()
    # Putting it back offers to suggest it (the box is answered "Later" here).
    run_dialog(qtbot, window, check=["DATE"])
    assert "DATE" in labels_drawn(window)
    assert boxes and "Suggest every article now" in boxes[-1][0]


def test_a_label_out_of_scope_cannot_be_applied_by_its_key(window, qtbot, ui_data):
    window.session.set_labels_off({(m.ENTITY, "DATE")})
    view = window.view
    view.select_range(ui_data.text1.index("steel"), ui_data.text1.index("steel") + 5)
    qtbot.keyClick(view, Qt.Key.Key_4)  # DATE's key in the fixture
    assert window.session.store.annotations(ui_data.a1, ANNOTATOR) == []
    assert "DATE is not one of this project's labels" in window.statusBar().currentMessage()


def test_view_toggles_hide_a_layer_from_view_list_tab_and_shift_a(window, qtbot, ui_data):
    view, store = window.view, window.session.store
    assert view.issue_lines()
    qtbot.keyClick(
        view, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert not window.window_actions["view.issues"].isChecked()
    assert view.issue_lines() == []
    assert {r.layer for r in window.span_list.model.rows()} == {m.ENTITY}
    assert tab_labels(window, qtbot) <= {"GPE", "PERSON", "ORG", "DATE"}
    assert "issues hidden (View)" in window.info_label.text()
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # accept all that is shown
    layers = {a.layer for a in store.annotations(ui_data.a1, ANNOTATOR)}
    assert layers == {m.ENTITY}
    pending = [s for s in store.suggestions(ui_data.a1, ANNOTATOR) if s.status == m.PENDING]
    assert {s.layer for s in pending} == {m.ISSUE}
    # Shown again: the issue suggestions are still there to decide.
    qtbot.keyClick(
        view, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert window.window_actions["view.issues"].isChecked()
    assert {ln[2] for ln in view.issue_lines()} == {"TRADE", "TARIFFS"}
    assert "hidden" not in window.info_label.text()


def test_the_labels_shown_menu_hides_one_label_and_show_all_brings_it_back(window, qtbot):
    controls = window.label_controls
    controls.labels_menu.aboutToShow.emit()  # what opening the menu does
    gpe = next(a for a in controls.labels_menu.actions() if a.text() == "GPE")
    assert gpe.isChecked()
    gpe.trigger()
    assert "GPE" not in labels_drawn(window) and "GPE" not in labels_listed(window)
    assert "GPE hidden (View)" in window.info_label.text()
    window.window_actions["view.show_all"].trigger()
    assert "GPE" in labels_drawn(window)


def test_view_toggles_are_kept_for_the_next_window(window, qtbot, ui_session):
    from annotator.ui.main_window import MainWindow

    window.window_actions["view.entities"].trigger()
    assert window.view.marks() and {mk[2] for mk in window.view.marks()} == {m.ISSUE}
    ui_session.label_filter.show_all()  # the session forgets; the settings remember
    again = MainWindow(ui_session)
    qtbot.addWidget(again)
    assert not again.window_actions["view.entities"].isChecked()
    assert ui_session.label_filter.hidden_layers == {m.ENTITY}
