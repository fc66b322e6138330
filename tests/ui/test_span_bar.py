"""The mouse path: a bar by the focused span (accept, reject, relabel) and double-click to accept."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

from annotator import model as m

ANNOTATOR = "ana"


def click_span(qtbot, view, start: int, end: int, double: bool = False) -> None:
    (rect, *_) = view.range_rects(start, end)
    pos = rect.center().toPoint()
    if double:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    else:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_the_bar_follows_the_focused_span_and_accepts_with_a_click(window, qtbot, ui_data):
    view, bar = window.view, window.view.span_bar
    f = view.focused
    assert bar.isVisible() and bar.accept_button.isVisible()
    (rect,) = view.range_rects(f.start, f.end)
    assert bar.geometry().top() >= rect.bottom()  # just below the span
    assert abs(bar.geometry().left() - rect.left()) <= 1
    qtbot.mouseClick(bar.accept_button, Qt.MouseButton.LeftButton)
    anns = window.session.store.annotations(ui_data.a1, ANNOTATOR)
    assert [(a.start, a.label) for a in anns] == [(f.start, "GPE")]
    assert view.hasFocus()  # the keys go on working in the text
    assert view.focused.label == "PERSON" and bar.isVisible()  # on to the next suggestion
    view.clear_focus()
    assert not bar.isVisible()


def test_reject_and_relabel_from_the_bar(window, qtbot, ui_data):
    view, bar, store = window.view, window.view.span_bar, window.session.store
    qtbot.mouseClick(bar.reject_button, Qt.MouseButton.LeftButton)  # Berlin
    assert {
        s.status for s in store.suggestions(ui_data.a1, ANNOTATOR) if s.start == ui_data.text1.index("Berlin")
    } == {m.REJECTED}
    assert view.focused.label == "PERSON"
    chosen = {}

    def pick():
        menu = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()), None
        )
        if menu is None:
            QTimer.singleShot(10, pick)
            return
        act = next(a for a in menu.actions() if a.text().split("\t")[0] == "ORG")
        chosen["labels"] = [a.text().split("\t")[0] for a in menu.actions()]
        menu.setActiveAction(act)
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick)
    qtbot.mouseClick(bar.label_button, Qt.MouseButton.LeftButton)
    assert "PERSON" not in chosen["labels"] and "ORG" in chosen["labels"]
    assert "TRADE" not in chosen["labels"]  # only the span's own layer
    start = ui_data.text1.index("Angela Merkel")
    assert [(a.start, a.label) for a in store.annotations(ui_data.a1, ANNOTATOR)] == [(start, "ORG")]


def test_double_click_accepts_a_suggestion(window, qtbot, ui_data):
    view, store = window.view, window.session.store
    start = ui_data.text1.index("Siemens")
    click_span(qtbot, view, start, start + len("Siemens"), double=True)
    assert [(a.start, a.label) for a in store.annotations(ui_data.a1, ANNOTATOR)] == [(start, "ORG")]
    assert view.focused is not None and view.focused.kind == "suggestion"  # on to the next one


def test_the_bar_of_an_accepted_span_removes_it(window, qtbot, ui_data):
    view, bar, store = window.view, window.view.span_bar, window.session.store
    qtbot.keyClick(view, Qt.Key.Key_A)
    start = ui_data.text1.index("Berlin")
    click_span(qtbot, view, start, start + 6)  # focus the accepted span
    assert view.focused.kind == "annotation"
    assert not bar.accept_button.isVisible() and bar.reject_button.text() == "✗ Remove"
    qtbot.mouseClick(bar.reject_button, Qt.MouseButton.LeftButton)
    assert store.annotations(ui_data.a1, ANNOTATOR) == []


def test_the_bar_moves_with_the_text_when_it_reflows(window, qtbot):
    view, bar = window.view, window.view.span_bar
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # the second Berlin, late in its line
    f = view.focused
    window.resize(1000, 800)
    qtbot.waitUntil(lambda: view.range_rects(f.start, f.end)[0].bottom() < bar.geometry().top() + 1)
    (rect,) = view.range_rects(f.start, f.end)
    assert bar.isVisible() and rect.bottom() <= bar.geometry().top() <= rect.bottom() + 8


def test_the_bar_goes_when_another_article_opens(window, qtbot, ui_data):
    bar = window.view.span_bar
    assert bar.isVisible()
    window.session.open_article(ui_data.a2)
    assert window.view.focused is None and not bar.isVisible()
