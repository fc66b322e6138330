"""The main window's Review menu: declared by the window, handled by its ReviewMenu."""

from __future__ import annotations

from PySide6.QtCore import Qt
from review_data import A1, LABELS, TEXT1, at, gold, spans_of

from annotator.ui.review_menu import merge_summary

WAIT_MS = 10_000


def main_window(session, qtbot):
    from annotator.ui.main_window import MainWindow

    w = MainWindow(session)
    qtbot.addWidget(w)
    return w


def test_review_menu_opens_review_mode(review_session, qtbot):
    w = main_window(review_session, qtbot)
    titles = [a.text() for a in w.menuBar().actions()]
    assert titles[-2:] == ["&Review", "&Help"]
    assert [a.text() for a in w.review_menu.actions() if a.text()] == [
        "&Review mode",
        "&Agreement…",
        "&Feedback for annotator…",
        "&Merge databases…",
    ]
    assert sum(a.isSeparator() for a in w.review_menu.actions()) == 1
    act = w.window_actions["review.mode"]
    assert act.shortcut().toString() == "Ctrl+R"
    # the window owns the actions; nothing is attached to it from outside
    assert not any(hasattr(w, name) for name in ("act_review", "act_merge", "review_window"))
    act.trigger()
    rw = w.review.review_window
    qtbot.waitUntil(lambda: not rw.view.is_loading() and rw.view.queue_model.rowCount() == 2, timeout=WAIT_MS)
    assert rw.isVisible()
    # a second Ctrl+R raises the same window
    act.trigger()
    assert w.review.review_window is rw
    # keys typed in the review window settle through it, not through the annotation window
    rw.view.open_article(A1)
    qtbot.keyClick(rw.view, Qt.Key.Key_3)  # carol: Joe Biden ORG
    merkel = at(TEXT1, "Angela Merkel", "PERSON")
    assert gold(review_session) == spans_of([merkel, at(TEXT1, "Joe Biden", "ORG")])
    qtbot.keyClick(rw.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(review_session) == spans_of([merkel])
    rw.close()


def test_agreement_and_feedback_from_the_menu(review_session, qtbot):
    w = main_window(review_session, qtbot)
    w.window_actions["review.agreement"].trigger()
    dlg = w.review.agreement_dialog
    qtbot.waitUntil(lambda: not dlg.view.is_computing(), timeout=WAIT_MS)
    assert dlg.isVisible() and "3 articles compared" in dlg.view.status.text()
    fb = w.review.open_feedback("carol")
    qtbot.waitUntil(lambda: not fb.view.is_computing(), timeout=WAIT_MS)
    assert fb.windowTitle() == "Feedback for carol"
    assert "No feedback" in fb.view.status.text() and "review first" in fb.view.status.text()
    dlg.close()
    fb.close()


def test_merge_from_the_menu_runs_in_the_background_and_summarises(review_session, qtbot, tmp_path):
    from annotator.model import Article, article_id
    from annotator.store import Store

    other = tmp_path / "dave.db"
    text = "Dave read about Norway."
    with Store(other) as s:
        s.ensure_labels(LABELS)
        s.add_articles([Article(article_id(text), text, "Dave")])
        s.add_span("dave", article_id(text), at(text, "Norway", "GPE"))
    w = main_window(review_session, qtbot)
    got = []
    w.review.merge_databases([other], on_done=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    (reports,) = got
    assert "dave.db: 1 new articles, 0 matched; 1 spans" in merge_summary(reports)
    assert "dave" in merge_summary(reports)
    assert review_session.store.has_article(article_id(text))


def test_merge_of_a_file_that_is_no_database_is_refused_and_changes_nothing(review_session, qtbot, tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("not a database", encoding="utf-8")
    before = review_session.store.article_count()
    w = main_window(review_session, qtbot)
    got = []
    w.review.merge_databases([bad], on_done=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    (exc,) = got
    assert "notes.db" in str(exc) and "not an annotator database" in str(exc)
    assert review_session.store.article_count() == before
