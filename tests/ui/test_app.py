"""Starting the window: errors in slots become dialogs, and the window fits the screen it opens on."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRect


def test_an_unexpected_error_in_a_slot_is_shown_in_a_dialog(qtbot, monkeypatch):
    # Seen: File > Suggest raised TypeError inside a slot; it went to stderr only, no dialog, and
    # the status bar said "model: loading" for ever.
    from annotator.ui import app, errors

    shown = []
    monkeypatch.setattr(sys, "excepthook", lambda *a: None)
    monkeypatch.setattr(errors, "show_error", lambda parent, exc, title="annotator": shown.append(exc))
    app.install_excepthook()
    exc = TypeError("'bool' object is not iterable")
    sys.excepthook(TypeError, exc, None)
    assert shown == [exc]


def test_window_fits_a_1280x800_screen(window):
    # Seen: with a window manager's title bar on a 1280x800 screen the 1280x800 window ran off
    # the bottom and the status bar (progress, database path) was not visible (shot 30).
    from annotator.ui.app import fit_to_screen

    available = QRect(0, 0, 1280, 770)  # a panel takes 30 px
    fit_to_screen(window, available)
    assert window.isMaximized() or (
        window.width() <= available.width() and window.height() + 40 <= available.height()
    )


def test_window_uses_a_large_screen(window):
    from annotator.ui.app import fit_to_screen

    window.showNormal()
    available = QRect(0, 0, 1920, 1050)
    fit_to_screen(window, available)
    assert window.width() > 1280 and window.height() > 800
    assert window.width() <= available.width() and window.height() <= available.height()
