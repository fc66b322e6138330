"""Help > About: name, version, what it does, and the version report of `annotator --version`."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication

from annotator import __version__
from annotator.store import Store
from annotator.ui.about import AboutDialog, application_icon, show_about


def test_about_shows_the_versions_and_the_open_databases_schema(window, qtbot):
    dlg = AboutDialog(window.session.db_path, window)
    qtbot.addWidget(dlg)
    text = dlg.versions.toPlainText()
    lines = text.splitlines()
    assert lines[0] == f"annotator {__version__}"
    assert [line.split(" ")[0] for line in lines] == [
        "annotator",
        "Python",
        "spaCy",
        "pipeline",
        "Qt",
        "database",
    ]
    steps = Store.schema_steps()
    assert lines[-1] == f"database schema {len(steps)} ({steps[-1]}; {window.session.db_path} is up to date)"
    assert dlg.versions.isReadOnly()
    dlg.copy_button.click()
    assert QGuiApplication.clipboard().text() == text


def test_the_icon_has_every_size_and_the_application_wears_it(qapp):
    from annotator.ui.app import _application

    sizes = application_icon().availableSizes()
    assert {QSize(n, n) for n in (16, 32, 48, 256, 512)} <= set(sizes)
    app = _application()
    assert not app.windowIcon().isNull()
    assert app.desktopFileName() == "annotator"


def test_show_about_opens_for_the_window(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(AboutDialog, "exec", lambda self: shown.append(self.versions.toPlainText()) or 0)
    show_about(window)
    assert shown and str(window.session.db_path) in shown[0]


def test_help_about_and_edit_preferences_open_from_the_window_menus(window, monkeypatch):
    from annotator.ui import about, preferences

    shown = []
    monkeypatch.setattr(about, "show_about", lambda w: shown.append(("about", w)))
    monkeypatch.setattr(preferences, "show_preferences", lambda w: shown.append(("preferences", w)))
    window.window_actions["help.about"].trigger()
    window.window_actions["edit.preferences"].trigger()
    assert shown == [("about", window), ("preferences", window)]
