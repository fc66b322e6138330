"""Start the desktop application: open the database, learn who is annotating, show the window."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from annotator.errors import AnnotatorError
from annotator.ui.about import application_icon


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setStyle("Fusion")  # one style for every theme (ui/theme.py only changes the palette)
    app.setApplicationName("annotator")
    app.setApplicationDisplayName("annotator")
    app.setOrganizationName("annotator")
    app.setDesktopFileName("annotator")  # Wayland matches the window to annotator.desktop by it
    app.setWindowIcon(application_icon())
    return app


def _open_store(db_path: Path | None):
    from annotator.paths import default_db
    from annotator.store import Store

    if db_path is None and not os.environ.get("ANNOTATOR_DB"):
        from annotator.ui.window_layout import last_database

        db_path = last_database()  # where the window was when it last closed
    path = Path(db_path) if db_path else default_db()
    is_default = db_path is None
    store = Store(path, verify="background")  # the full integrity check runs off the GUI thread
    demo = 0
    if store.article_count() == 0 and is_default:
        # A first-time user sees the bundled demo articles, not an empty window.
        from annotator import ops

        demo = len(ops.load_demo(store).articles)
    if not store.labels():
        from annotator import ops

        ops.ensure_default_labels(store)
    return store, demo


def first_start_note(db_path, demo_articles: int) -> str:
    """What the window says the first time: where the work is kept and what is there to try."""
    return (
        f"Welcome. Your work is saved as you go in {db_path} (a new database). It holds "
        f"{demo_articles} demo articles to try the keys on: Tab goes to a suggestion, A accepts, "
        "X rejects, Enter finishes the article, ? lists every key. Bring in your own articles "
        "with File > Import."
    )


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


def install_excepthook() -> None:
    """Show an error nobody caught (a bug in a slot) in the error dialog, not only on stderr.

    Qt prints an exception raised in a slot and carries on, so without this the user sees
    nothing: a status that never changes, a click that does nothing. The previous hook still
    runs first (the traceback stays on stderr and in logs).
    """
    previous = sys.excepthook
    showing = False

    def hook(exc_type, exc, tb) -> None:
        nonlocal showing
        previous(exc_type, exc, tb)
        if (
            showing
            or exc is None
            or issubclass(exc_type, KeyboardInterrupt)
            or QApplication.instance() is None
        ):
            return
        showing = True
        try:
            from annotator.ui import errors

            if exc.__traceback__ is None and tb is not None:
                exc = exc.with_traceback(tb)
            errors.show_error(QApplication.activeWindow(), exc)
        except Exception:  # noqa: BLE001 - the hook itself must never raise
            pass
        finally:
            showing = False

    sys.excepthook = hook


FRAME_ALLOWANCE = 40  # title bar and borders a window manager adds around the window


def fit_to_screen(window: QWidget, available: QRect | None = None) -> None:
    """Size and centre ``window`` for the screen: 1280x800 at most on a small screen (less the
    title bar, so the status bar stays visible), most of a large screen, maximised when even the
    window's minimum size does not fit.

    Parameters
    ----------
    window
        The main window, shown or not yet.
    available
        The screen area free of panels; the window's screen's available geometry when None.
    """
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        available = screen.availableGeometry()
    aw, ah = available.width(), available.height() - FRAME_ALLOWANCE
    minimum = window.minimumSize()
    if aw < minimum.width() or ah < minimum.height():
        if window.isVisible():
            window.showMaximized()
        else:
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        return
    width = min(max(1280, int(aw * 0.85)), aw)
    height = min(max(800, int(ah * 0.85)), ah)
    window.resize(width, height)
    window.move(
        available.left() + (available.width() - width) // 2,
        available.top() + (available.height() - FRAME_ALLOWANCE - height) // 2,
    )


def freeze_startup_objects() -> None:
    """Put what start-up made (modules, classes, the window's widgets) out of the collector's reach.

    They live as long as the process, yet every full collection walked them all, and opening a
    long article makes enough objects to start one. Objects made later are collected as
    before. Called once the window is shown.
    """
    gc.freeze()


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
    install_excepthook()
    try:
        store, demo = _open_store(db_path)
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
    from annotator.ui.window_layout import restore_geometry

    if not restore_geometry(window):
        fit_to_screen(window)
    window.show()
    if demo:
        window.show_note(first_start_note(session.db_path, demo))
    window.open_first_article()
    _suggest_if_needed(window, session)
    freeze_startup_objects()
    if os.environ.get("ANNOTATOR_EXIT_AFTER_SHOWN"):
        # Hook for `annotator bench` (the start row): once the event loop has shown and painted
        # the window, say so on stdout and quit.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: (print("annotator: window shown", flush=True), app.quit()))
    code = app.exec()
    session.store.close()
    return code
