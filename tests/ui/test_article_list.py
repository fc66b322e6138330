"""The article list panel: filters and debounced search, activation, the open article, the order."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.model import DONE
from annotator.ui.article_list import ArticleListView


def test_view_filters_by_combo_and_debounced_search(session, qtbot):
    view = ArticleListView(session)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 5
    assert view.count_label.text() == "5 articles"
    view.state_combo.setCurrentIndex(view.state_combo.findData(DONE))
    assert view.model.rowCount() == 0
    view.state_combo.setCurrentIndex(0)
    view.label_combo.setCurrentIndex(view.label_combo.findData("ORG"))
    assert [view.model.data(view.model.index(r, 0)) for r in range(view.model.rowCount())] == ["Trade talks"]
    view.label_combo.setCurrentIndex(0)
    qtbot.keyClicks(view.search_edit, "norway")
    assert view.model.rowCount() == 5  # not yet: the search waits for typing to pause
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=2000)
    assert view.model.data(view.model.index(0, 0)) == "Energy prices"
    assert view.count_label.text() == "1 article"


def test_click_and_enter_emit_the_article_id(session, qtbot):
    view = ArticleListView(session)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    ids = session.store.article_ids()
    rect = view.table.visualRect(view.model.index(2, 0))
    with qtbot.waitSignal(view.article_activated) as blocker:
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [ids[2]]
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.article_activated) as blocker:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert blocker.args == [ids[3]]


def test_select_article_follows_the_open_article(session, qtbot):
    view = ArticleListView(session)
    qtbot.addWidget(view)
    ids = session.store.article_ids()
    with qtbot.assertNotEmitted(view.article_activated):
        session.open_article(ids[4])
    assert view.current_article() == ids[4]
    assert view.table.selectionModel().isRowSelected(4)
    assert view.select_article(ids[1]) is True
    assert view.current_article() == ids[1]
    view.model.set_filters(search="Visa")
    assert view.select_article(ids[1]) is False


def test_order_combo_is_offered_only_when_available(session, qtbot):
    view = ArticleListView(session)
    qtbot.addWidget(view)
    assert not view.order_combo.isEnabled()
    view.set_uncertainty_available(True)
    with qtbot.waitSignal(view.uncertainty_requested):
        view.order_combo.setCurrentIndex(1)
    ids = list(view.model.ids())
    view.show_uncertainty_order([(ids[2], 1.0)])
    assert view.model.ids()[0] == ids[2] and view.order_combo.currentIndex() == 1
    view.set_uncertainty_available(False)
    assert list(view.model.ids()) == ids and view.order_combo.currentIndex() == 0
