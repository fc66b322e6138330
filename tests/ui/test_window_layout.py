"""Every panel readable at 1280×800 and at 1920×1080; the panel sizes are kept for the next start."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyleOptionFrame

from annotator.ui.article_list import ACCEPTED, PENDING, STATE, TITLE
from annotator.ui.main_window import MainWindow
from annotator.ui.span_list import LAYER, TEXT
from annotator.ui.window_layout import dock_widths


def _open(qtbot, session, width, height):
    w = MainWindow(session)
    qtbot.addWidget(w)
    w.resize(width, height)
    w.show()
    qtbot.waitExposed(w)
    session.open_article(None)  # a window before this one may have left one open
    w.open_first_article()
    qtbot.waitUntil(lambda: w.view.article is not None)
    return w


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_titles_span_texts_and_the_search_box_can_be_read(qtbot, ui_session, width, height):
    w = _open(qtbot, ui_session, width, height)
    qtbot.waitUntil(lambda: abs(w.docks["articles"].width() - dock_widths(width)[0]) < 10)
    table = w.article_list.table
    header = table.horizontalHeader()
    assert header.sectionSize(TITLE) >= 0.45 * table.viewport().width()
    fm = table.fontMetrics()
    # Every fixture title is shown whole (they are short), and elided in the middle when not.
    for row in range(w.article_list.model.rowCount()):
        title = w.article_list.model.row_data(row).title
        assert fm.horizontalAdvance(title) + 12 <= header.sectionSize(TITLE), title
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert not header.isSectionHidden(STATE) and not header.isSectionHidden(PENDING)
    spans = w.span_list.table
    sh = spans.horizontalHeader()
    assert sh.sectionSize(TEXT) >= 0.35 * spans.viewport().width()
    widest = max(spans.fontMetrics().horizontalAdvance(r.text) for r in w.span_list.model.rows())
    assert sh.sectionSize(TEXT) >= widest, "a span's text is cut"
    search = w.article_list.search_edit
    opt = QStyleOptionFrame()
    search.initStyleOption(opt)
    text_room = search.style().subElementRect(QStyle.SubElement.SE_LineEditContents, opt, search).width()
    assert search.fontMetrics().horizontalAdvance(search.placeholderText()) <= text_room
    assert w.view.width() >= 560  # the article keeps a good line length


def test_a_wide_window_gives_the_lists_more_room_and_keeps_every_column(qtbot, ui_session):
    w = _open(qtbot, ui_session, 1920, 1080)
    qtbot.waitUntil(lambda: w.docks["articles"].width() >= dock_widths(1920)[0] - 10 > 400)
    assert not w.article_list.table.horizontalHeader().isSectionHidden(ACCEPTED)
    assert not w.span_list.table.horizontalHeader().isSectionHidden(LAYER)


def test_the_panel_sizes_are_kept_for_the_next_start(qtbot, ui_session):
    w = _open(qtbot, ui_session, 1280, 800)
    qtbot.waitUntil(lambda: abs(w.docks["articles"].width() - dock_widths(1280)[0]) < 10)
    w.resizeDocks([w.docks["articles"]], [420], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: abs(w.docks["articles"].width() - 420) < 6)
    w.close()
    again = _open(qtbot, ui_session, 1280, 800)
    qtbot.waitUntil(lambda: abs(again.docks["articles"].width() - 420) < 6)


def test_the_window_size_and_its_database_are_kept_for_the_next_start(qtbot, ui_session, monkeypatch, tmp_path):
    from annotator.ui import window_layout

    w = _open(qtbot, ui_session, 900, 560)
    size = (w.width(), w.height())
    w.close()
    assert window_layout.last_database() == Path(ui_session.db_path).absolute()
    again = _open(qtbot, ui_session, 1000, 700)
    assert window_layout.restore_geometry(again)
    assert (again.width(), again.height()) == size != (1000, 700)
    # A database that is gone since is not offered again: the default one is used instead.
    from annotator.ui import settings

    settings.write(window_layout.LAST_DB_KEY, str(tmp_path / "gone.db"))
    assert window_layout.last_database() is None
