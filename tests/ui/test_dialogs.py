"""The dialogs: the annotator name at first start, and file pickers that never open the files they
list (that would drop SQLite's locks on a live database)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
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


def _wal(db: Path) -> Path:
    return Path(f"{db}-wal")


def _outside_write(db: Path) -> None:
    """Another process (say `annotator suggest` in a terminal) writes and closes its connection."""
    code = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute(\"INSERT OR REPLACE INTO settings(key, value) VALUES ('outside', '1')\")\n"
        "c.commit()\n"
        "c.close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True, timeout=60)


def _let_the_dialog_read_the_folder(qtbot, dlg: QFileDialog) -> None:
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.wait(1500)  # the file system model's gatherer thread fetches types and icons


def test_first_start_typing_goes_into_the_name_field(qtbot):
    # Seen: at first start the OK button had the focus, so typing "Maria Lopez" went nowhere and
    # its space pressed OK: the login name was recorded instead (shots 01, 02).
    from annotator.ui.dialogs import AnnotatorDialog

    dlg = AnnotatorDialog("maria", [], first_start=True)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert QApplication.focusWidget() in (dlg.combo, dlg.combo.lineEdit())
    QTest.keyClicks(QApplication.focusWidget(), "Maria Lopez")
    assert dlg.name() == "Maria Lopez"


def test_file_dialog_leaves_sqlite_locks_alone(ui_session, qtbot):
    # Seen: after Ctrl+O showed the database folder, `annotator suggest` in a terminal deleted
    # the window's live WAL (the dialog opened annotator.db to sniff its type, and closing that
    # file drops every POSIX lock SQLite holds on it); the window then said "database disk
    # image is malformed" (shot 29).
    from annotator.ui.dialogs import file_dialog

    db = Path(ui_session.store.path)
    ui_session.store.set_setting("qa", "1")
    assert _wal(db).exists()
    dlg = file_dialog(None, "Open or create a database", str(db.parent))
    qtbot.addWidget(dlg)
    _let_the_dialog_read_the_folder(qtbot, dlg)
    _outside_write(db)
    assert _wal(db).exists()
    ui_session.store.set_setting("after", "2")
    assert ui_session.store.get_setting("outside") == "1"


def test_open_database_dialog_leaves_sqlite_locks_alone(window, qtbot, monkeypatch):
    def shown(self) -> int:
        _let_the_dialog_read_the_folder(qtbot, self)
        self.hide()
        return 0

    # Every file dialog the window builds, however it builds it, lists the folder and is closed.
    monkeypatch.setattr(QFileDialog, "exec", shown)
    db = Path(window.session.store.path)
    window.session.store.set_setting("qa", "1")
    window.open_database()
    _outside_write(db)
    assert _wal(db).exists()
