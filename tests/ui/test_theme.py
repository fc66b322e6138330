"""View > Theme: system, light and dark; the marks adapt to a dark page; the choice is kept."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from annotator.ui.theme import DARK, SYSTEM, ThemeControl


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours."""

    def lum(c: QColor) -> float:
        def lin(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# Each test gives the system's colours back before it ends (not in a fixture's teardown: a
# palette change then reaches widgets pytest-qt is deleting).


def test_the_dark_theme_from_the_menu_darkens_the_page_and_keeps_marks_readable(window, qtbot):
    try:
        _dark_theme(window, qtbot)
    finally:
        window.theme.set_theme(SYSTEM)
        qtbot.wait(10)


def _dark_theme(w, qtbot):
    system_base = QApplication.palette().color(QPalette.ColorRole.Base)
    w.theme.actions[DARK].trigger()
    qtbot.waitUntil(lambda: w.view.palette().color(QPalette.ColorRole.Base).lightness() < 60)
    base = w.view.palette().color(QPalette.ColorRole.Base)
    assert base.lightness() < 60 and w.theme.is_dark()
    assert w.theme.actions[DARK].isChecked()
    view = w.view
    start = view.focused.start
    pending = view.char_format(start).background().color()
    assert pending.lightness() < 110  # a dark tint of the label colour, not a pale block
    line = view.line_colour("entity", view.focused.label)
    assert contrast(line, base) >= 3, "the dashed box must show on the dark page"
    from PySide6.QtCore import Qt

    qtbot.keyClick(view, Qt.Key.Key_A)
    fmt = view.char_format(start)
    assert fmt.background().color() == view.label_colour("entity", "GPE")
    assert contrast(fmt.foreground().color(), fmt.background().color()) >= 4.5
    for lab in w.session.store.labels():
        colour = view.label_colour(lab.layer, lab.name)
        if lab.layer == "entity":
            assert contrast(base, colour) >= 4.5, lab.name  # dark text on the label colour
        else:
            assert contrast(view.line_colour(lab.layer, lab.name), base) >= 3, lab.name
    w.theme.actions[SYSTEM].trigger()
    qtbot.waitUntil(lambda: w.view.palette().color(QPalette.ColorRole.Base) == system_base)


def test_the_theme_is_kept_for_the_next_window(window, qtbot):
    try:
        window.theme.set_theme(DARK)
        qtbot.wait(10)
        again = ThemeControl(window)
        assert again.theme == DARK and again.is_dark()
    finally:
        window.theme.set_theme(SYSTEM)
        qtbot.wait(10)
