"""The shortcuts dialog: every key, including the way out of the view, on one screen."""

from __future__ import annotations


def test_shortcuts_list_names_the_way_to_the_lists():
    from annotator.ui.shortcuts import SHORTCUTS

    assert any("Ctrl+Tab" in keys for _group, keys, _does in SHORTCUTS)


def test_shortcuts_dialog_shows_every_row_without_scrolling(qtbot):
    from annotator.ui.shortcuts import ShortcutsDialog

    dlg = ShortcutsDialog()
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.height() <= 760
    assert not dlg.table.verticalScrollBar().isVisible()
