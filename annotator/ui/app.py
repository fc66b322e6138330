"""Start the desktop application: open the database, learn who is annotating, show the window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.errors import AnnotatorError


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("annotator")
    app.setApplicationDisplayName("annotator")
    app.setOrganizationName("annotator")
    return app


def _open_store(db_path: Path | None):
    from annotator.paths import default_db
    from annotator.store import Store

    path = Path(db_path) if db_path else default_db()
    is_default = db_path is None
    store = Store(path, verify="background")  # the full integrity check runs off the GUI thread
    if store.article_count() == 0 and is_default:
        # A first-time user sees the bundled demo articles, not an empty window.
        from annotator import ops

        ops.load_demo(store)
    if not store.labels():
        from annotator import ops

        ops.ensure_default_labels(store)
    return store


def choose_annotator(store, annotator: str | None, parent=None) -> str | None:
    """The name given, else the one remembered, else asked (the login name proposed)."""
    from annotator.ui.dialogs import ask_annotator, system_user

    if annotator and annotator.strip():
        name = annotator.strip()
    else:
        name = store.get_setting("last_annotator")
        if not name:
            name = ask_annotator(parent, system_user(), store.annotators(), first_start=True)
            if name is None:
                return None
    store.set_setting("last_annotator", name)
    return name


def _suggest_if_needed(window, session) -> None:
    """Suggest on articles that have no suggestions yet (the demo articles at first start)."""
    store = session.store
    if store.has_suggestions() or store.article_count() == 0:
        return
    window.run_suggest()


def run(db_path: Path | None = None, annotator: str | None = None) -> int:
    """Run the window until it is closed; the exit code for the shell.

    Parameters
    ----------
    db_path
        The database to open; None opens the default one (with the demo articles when empty).
    annotator
        Who is annotating; None uses the name remembered in the database or asks for one.
    """
    app = _application()
    try:
        store = _open_store(db_path)
    except AnnotatorError as e:
        QMessageBox.critical(None, "annotator", str(e))
        return e.exit_code or 1
    name = choose_annotator(store, annotator)
    if name is None:
        store.close()
        return 0
    from annotator.ui.main_window import MainWindow
    from annotator.ui.session import Session

    session = Session(store, name)
    window = MainWindow(session)
    window.show()
    window.open_first_article()
    _suggest_if_needed(window, session)
    if os.environ.get("ANNOTATOR_EXIT_AFTER_SHOWN"):
        # Hook for `annotator bench` (the start row): once the event loop has shown and painted
        # the window, say so on stdout and quit.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: (print("annotator: window shown", flush=True), app.quit()))
    code = app.exec()
    session.store.close()
    return code
