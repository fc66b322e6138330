"""File pickers never open the files they list (that would drop SQLite's locks on a live database)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from annotator.ui import dialogs


def _answer(select: str | None):
    def go():
        dlg = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible())
        if select is None:
            dlg.reject()
        else:
            dlg.selectFile(select)
            dlg.accept()

    QTimer.singleShot(0, go)


def test_pickers_use_the_non_sniffing_dialog_and_return_what_was_chosen(qtbot, tmp_path):
    (tmp_path / "a.db").write_bytes(b"x")
    _answer(str(tmp_path / "a.db"))
    assert dialogs.open_file_names(None, "Pick", str(tmp_path), "Databases (*.db)") == [
        str(tmp_path / "a.db")
    ]
    _answer(None)
    assert dialogs.open_file_names(None, "Pick", str(tmp_path)) == []
    _answer(str(tmp_path / "out.html"))
    assert dialogs.save_file_name(None, "Save", str(tmp_path / "out.html"), "HTML (*.html)") == str(
        tmp_path / "out.html"
    )


def test_file_dialog_icon_provider_never_reads_files(qtbot, tmp_path):
    dlg = dialogs.file_dialog(None, "x", str(tmp_path))
    qtbot.addWidget(dlg)
    assert isinstance(dlg.iconProvider(), dialogs._NoSniffIconProvider)
    assert dlg.testOption(QFileDialog.Option.DontUseNativeDialog)
