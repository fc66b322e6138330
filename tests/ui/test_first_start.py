"""Focus and first start: the first Tab goes to the first suggestion, the title is shown once,
no machine login is proposed as a name, and the first start says where the work is kept."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from annotator import model as m
from annotator.ui import app, dialogs
from annotator.ui.main_window import MainWindow

ANNOTATOR = "ana"


def _window(qtbot, session):
    w = MainWindow(session)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.open_first_article()
    qtbot.waitUntil(lambda: w.view.article is not None and w.view.hasFocus())
    return w


def test_tab_then_a_accepts_the_first_suggestion(qtbot, ui_session, ui_data):
    w = _window(qtbot, ui_session)
    view = w.view
    assert view.focused is None
    first = view.pending()[0]
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert (view.focused.id, view.focused.label) == (first.id, "GPE")
    qtbot.keyClick(view, Qt.Key.Key_A)
    (ann,) = ui_session.store.annotations(ui_data.a1, ANNOTATOR)
    assert (ann.start, ann.end, ann.label) == (first.start, first.end, "GPE")
    assert ann.start == ui_data.text1.index("Berlin")  # the first Berlin, in the title line


def test_the_title_is_shown_once_as_the_texts_heading(qtbot, ui_session, ui_data):
    w = _window(qtbot, ui_session)
    assert w.title_label.isHidden()
    assert w.view.shows_heading()
    heading = w.view.char_format(0)
    body = w.view.char_format(ui_data.text1.index("\n") + 2)
    assert heading.fontWeight() == QFont.Weight.Bold and body.fontWeight() != QFont.Weight.Bold
    assert heading.fontPointSize() > w.view.font().pointSizeF()
    # The heading survives decisions on its own spans (Berlin is on it).
    qtbot.keyClick(w.view, Qt.Key.Key_Tab)
    qtbot.keyClick(w.view, Qt.Key.Key_A)
    assert w.view.char_format(0).fontWeight() == QFont.Weight.Bold
    assert w.view.char_format(ui_data.text1.index("Berlin")).fontWeight() == QFont.Weight.Bold


def test_an_article_whose_text_does_not_start_with_its_title_keeps_the_title_above(qtbot, tmp_path):
    from annotator.store import Store
    from annotator.ui.session import Session

    store = Store(tmp_path / "t.db")
    store.add_articles([m.Article(m.article_id("Body only."), "Body only.", "A headline", "", {})])
    session = Session(store, ANNOTATOR)
    w = _window(qtbot, session)
    assert not w.title_label.isHidden() and w.title_label.text() == "A headline"
    assert not w.view.shows_heading()
    store.close()


def test_a_machine_login_is_not_proposed_as_a_name(qtbot, monkeypatch):
    monkeypatch.setattr(dialogs.getpass, "getuser", lambda: "root")
    assert dialogs.system_user() == ""
    monkeypatch.setattr(dialogs.getpass, "getuser", lambda: "ana")
    assert dialogs.system_user() == "ana"
    dlg = dialogs.AnnotatorDialog("", [], first_start=True)
    qtbot.addWidget(dlg)
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and dlg.combo.lineEdit().placeholderText()
    qtbot.keyClicks(dlg.combo, "Rita")
    assert ok.isEnabled() and dlg.name() == "Rita"


def test_the_first_start_loads_the_demo_and_says_where_the_database_is(qtbot, tmp_path, monkeypatch):
    db = tmp_path / "home" / "annotator.db"
    monkeypatch.setenv("ANNOTATOR_DB", str(db))
    store, demo = app._open_store(None)
    assert demo == store.article_count() > 0
    from annotator.ui.session import Session

    session = Session(store, ANNOTATOR)
    w = _window(qtbot, session)
    w.show_note(app.first_start_note(session.db_path, demo))
    note = w.note
    assert note.isVisible()
    assert str(db) in note.label.text() and f"{demo} demo articles" in note.label.text()
    qtbot.mouseClick(note.close_button, Qt.MouseButton.LeftButton)
    assert not note.isVisible()
    store.close()
    store, demo = app._open_store(None)  # the second start: nothing new to say
    assert demo == 0
    store.close()


def test_the_first_start_asks_a_name_with_nothing_proposed_for_root(qtbot, ui_store, monkeypatch):
    monkeypatch.setattr(dialogs.getpass, "getuser", lambda: "root")
    ui_store.set_setting("last_annotator", None)
    seen = {}

    def answer():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, dialogs.AnnotatorDialog):
            QTimer.singleShot(10, answer)
            return
        seen["proposed"] = dlg.name()
        qtbot.keyClicks(dlg.combo, "Rita")
        dlg.accept()

    QTimer.singleShot(0, answer)
    assert app.choose_annotator(ui_store, None) == "Rita"
    assert seen["proposed"] == ""
    ui_store.close()
