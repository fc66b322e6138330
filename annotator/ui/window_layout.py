"""The main window's panel sizes: proportional to the screen at first, then as the user left them.

At first start the docks take a share of the window's width (the article list a little more
than the panels on the right), within bounds that keep both the lists and the article readable
at 1280×800 and at 1920×1080. When the window closes, its geometry and dock layout are kept in
the user's settings (:mod:`annotator.ui.settings`) and restored next time. The window's own size
is not: it is fitted to the screen at every start (:func:`annotator.ui.app.fit_to_screen`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QMainWindow

from annotator.ui import settings

STATE_KEY = "window/state"
GEOMETRY_KEY = "window/geometry"
LAST_DB_KEY = "window/last_database"
MIN_ARTICLE_WIDTH = 520  # a kept layout leaving the article less than this is not used
LAYOUT_VERSION = 1  # raise when the docks change, so an old layout is not restored onto new docks


def dock_widths(window_width: int) -> tuple[int, int]:
    """``(article list, right panels)`` widths for a window ``window_width`` pixels wide."""
    left = max(320, min(480, round(window_width * 0.25)))
    right = max(300, min(460, round(window_width * 0.23)))
    return left, right


def size_docks(window: QMainWindow) -> None:
    """Give the docks their share of the window's width now (and the right ones their heights)."""
    left, right = dock_widths(window.width())
    docks = window.docks
    window.resizeDocks([docks["articles"]], [left], Qt.Orientation.Horizontal)
    window.resizeDocks([docks["labels"]], [right], Qt.Orientation.Horizontal)
    height = max(window.height() - 120, 400)
    window.resizeDocks(
        [docks["labels"], docks["spans"]], [int(height * 0.42), int(height * 0.58)], Qt.Orientation.Vertical
    )


def restore(window: QMainWindow) -> bool:
    """Put the docks where they were when the window last closed; False when nothing was kept."""
    state = settings.settings().value(STATE_KEY)
    if not isinstance(state, QByteArray) or state.isEmpty():
        return False
    return bool(window.restoreState(state, LAYOUT_VERSION))


def lay_out(window: QMainWindow) -> None:
    """The kept dock layout, or the default shares when none was kept or it leaves the article
    too little room (kept on a wider screen, say)."""
    if restore(window):
        window.centralWidget().updateGeometry()
        docks = window.docks
        used = docks["articles"].width() + docks["labels"].width()
        if window.width() - used >= MIN_ARTICLE_WIDTH:
            return
    size_docks(window)


def save(window: QMainWindow) -> None:
    """Keep the window's dock layout, its size and place, and its database for the next start."""
    settings.write(STATE_KEY, window.saveState(LAYOUT_VERSION))
    settings.write(GEOMETRY_KEY, window.saveGeometry())
    session = getattr(window, "session", None)
    if session is not None:
        settings.write(LAST_DB_KEY, str(Path(session.db_path).absolute()))


def restore_geometry(window: QMainWindow) -> bool:
    """The window's size and place when it last closed; False when none was kept."""
    geometry = settings.settings().value(GEOMETRY_KEY)
    if not isinstance(geometry, QByteArray) or geometry.isEmpty():
        return False
    return bool(window.restoreGeometry(geometry))


def last_database() -> Path | None:
    """The database the window had open when it last closed, if that file is still there."""
    value = settings.settings().value(LAST_DB_KEY)
    if not value:
        return None
    path = Path(str(value))
    return path if path.is_file() else None
