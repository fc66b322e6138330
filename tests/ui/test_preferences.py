"""Edit > Preferences: annotator name, default database folder, label keys; OK applies, Cancel not."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialogButtonBox

from annotator import paths
from annotator.model import ENTITY, ISSUE
from annotator.ui.preferences import PreferencesDialog, show_preferences


def palette_keys(window) -> dict[str, str]:
    """Label name -> the key the palette shows beside it."""
    model = window.label_palette.model
    out = {}

    def walk(parent):
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            out[index.data()] = model.index(r, 1, parent).data()
            walk(index)

    walk(QModelIndex())
    return out


def keys(store) -> dict[tuple[str, str], str | None]:
    return {(lab.layer, lab.name): lab.key for lab in store.labels()}


def test_a_key_moves_to_another_label_and_the_palette_shows_it(window, qtbot):
    dlg = PreferencesDialog(window.session, window)
    qtbot.addWidget(dlg)
    gpe = dlg.key_combo(ENTITY, "GPE")
    gpe.setCurrentIndex(gpe.findData("1"))
    # The dialog shows the move at once: PERSON lost "1"; TRADE, on the issue layer, keeps it.
    assert dlg.key_combo(ENTITY, "PERSON").currentData() is None
    assert dlg.key_combo(ISSUE, "TRADE").currentData() == "1"
    with qtbot.waitSignal(window.session.changed, check_params_cb=lambda c: c.labels):
        dlg.accept()
    store = window.session.store
    assert keys(store)[(ENTITY, "GPE")] == "1" and keys(store)[(ENTITY, "PERSON")] is None
    assert keys(store)[(ISSUE, "TRADE")] == "1"
    shown = palette_keys(window)
    assert shown["GPE"] == "1" and shown["PERSON"] == "" and shown["TRADE"] == "⇧1"


def test_swapping_two_keys_keeps_both(window, qtbot):
    dlg = PreferencesDialog(window.session, window)
    qtbot.addWidget(dlg)
    person, org = dlg.key_combo(ENTITY, "PERSON"), dlg.key_combo(ENTITY, "ORG")
    person.setCurrentIndex(person.findData("2"))
    org.setCurrentIndex(org.findData("1"))
    dlg.accept()
    got = keys(window.session.store)
    assert (got[(ENTITY, "PERSON")], got[(ENTITY, "ORG")]) == ("2", "1")


def test_the_name_switches_who_is_annotating(window, qtbot):
    dlg = PreferencesDialog(window.session, window)
    qtbot.addWidget(dlg)
    dlg.name_edit.setText("  ben ")
    with qtbot.waitSignal(window.session.annotator_changed):
        dlg.accept()
    assert window.session.annotator == "ben"
    assert window.session.store.get_setting("last_annotator") == "ben"
    assert "ben" in window.annotator_button.text()


def test_an_empty_name_cannot_be_accepted(window, qtbot):
    dlg = PreferencesDialog(window.session, window)
    qtbot.addWidget(dlg)
    dlg.name_edit.setText("   ")
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()


def test_the_database_folder_is_saved_for_the_next_start(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_HOME")
    dlg = PreferencesDialog(window.session, window)
    qtbot.addWidget(dlg)
    assert dlg.folder_edit.text() == "" and dlg.folder_edit.placeholderText() == str(paths.data_dir())
    dlg.folder_edit.setText(str(tmp_path / "team"))
    dlg.accept()
    assert paths.default_db() == tmp_path / "team" / "annotator.db"
    again = PreferencesDialog(window.session, window)
    qtbot.addWidget(again)
    assert again.folder_edit.text() == str(tmp_path / "team")
    again.folder_edit.setText("")
    again.accept()
    assert "database_folder" not in paths.preferences()


def test_cancel_changes_nothing(window, qtbot):
    before = keys(window.session.store)
    dlg = PreferencesDialog(window.session, window)
    qtbot.addWidget(dlg)
    person = dlg.key_combo(ENTITY, "PERSON")
    person.setCurrentIndex(person.findData("9"))
    dlg.name_edit.setText("ben")
    dlg.folder_edit.setText("/somewhere")
    dlg.reject()
    assert keys(window.session.store) == before and window.session.annotator == "ana"
    assert paths.preferences() == {}


def test_show_preferences_opens_for_the_window(window, monkeypatch):
    shown = []
    monkeypatch.setattr(PreferencesDialog, "exec", lambda self: shown.append(self.name_edit.text()) or 0)
    show_preferences(window)
    assert shown == ["ana"]
