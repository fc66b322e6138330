"""The span list: the open article's spans in text order, states, activation and sync."""

from __future__ import annotations

from helpers_lists import ANNOTATOR, TEXTS
from PySide6.QtCore import Qt

from annotator.model import Span
from annotator.ui.span_list import SpanList, SpanListModel, span_rows


def shown(model: SpanListModel) -> list[tuple]:
    return [tuple(model.index(r, c).data() for c in range(4)) for r in range(model.rowCount())]


def test_lists_the_open_articles_spans_in_text_order(session, qtbot, qtmodeltester):
    spans = SpanList(session)
    qtbot.addWidget(spans)
    assert spans.model.rowCount() == 0
    ids = session.store.article_ids()
    session.open_article(ids[0])
    qtmodeltester.check(spans.model)
    assert shown(spans.model) == [
        ("PERSON", "Angela Merkel", "entity", "pending"),
        ("ORG", "Siemens", "entity", "pending"),
        ("GPE", "Berlin", "entity", "pending"),
        ("TARIFFS", "tariffs", "issue", "pending"),
    ]
    text = TEXTS[0]
    assert [text[r.start : r.end] for r in spans.model.rows()] == [r[1] for r in shown(spans.model)]
    session.open_article(ids[1])
    assert [r[1] for r in shown(spans.model)] == ["Norway", "exports"]


def test_decisions_show_as_states_and_the_list_follows_changes(session, qtbot):
    spans = SpanList(session)
    qtbot.addWidget(spans)
    ids = session.store.article_ids()
    session.open_article(ids[0])
    person, org, gpe, tariffs = session.store.suggestions(ids[0], ANNOTATOR)
    session.accept(person.id)
    session.reject(org.id)
    session.correct(gpe.id, label="ORG")
    text = TEXTS[0]
    start = text.index("officials")
    session.add_span(Span(start, start + len("officials"), "PERSON"))
    assert shown(spans.model) == [
        ("PERSON", "Angela Merkel", "entity", "accepted"),
        ("ORG", "Siemens", "entity", "rejected"),
        ("PERSON", "officials", "entity", "manual"),
        ("ORG", "Berlin", "entity", "corrected"),
        ("TARIFFS", "tariffs", "issue", "pending"),
    ]
    session.undo()
    assert [r[1] for r in shown(spans.model)] == ["Angela Merkel", "Siemens", "Berlin", "tariffs"]


def test_a_change_to_another_article_leaves_the_list_alone(session, qtbot):
    spans = SpanList(session)
    qtbot.addWidget(spans)
    ids = session.store.article_ids()
    session.open_article(ids[0])
    with qtbot.assertNotEmitted(spans.model.modelReset):
        session.accept(session.store.suggestions(ids[1], ANNOTATOR)[0].id)


def test_click_and_enter_emit_kind_and_id(session, qtbot):
    spans = SpanList(session)
    qtbot.addWidget(spans)
    spans.resize(500, 300)
    spans.show()
    ids = session.store.article_ids()
    session.open_article(ids[0])
    sugg = session.store.suggestions(ids[0], ANNOTATOR)
    session.accept(sugg[0].id)
    ann = session.store.annotations(ids[0], ANNOTATOR)[0]
    rect = spans.table.visualRect(spans.model.index(0, 1))
    with qtbot.waitSignal(spans.span_activated) as blocker:
        qtbot.mouseClick(spans.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["annotation", ann.id]
    spans.table.setFocus()
    qtbot.keyClick(spans.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(spans.span_activated) as blocker:
        qtbot.keyClick(spans.table, Qt.Key.Key_Enter)
    assert blocker.args == ["suggestion", sugg[1].id]


def test_select_span_keeps_the_list_in_sync_without_emitting(session, qtbot):
    spans = SpanList(session)
    qtbot.addWidget(spans)
    ids = session.store.article_ids()
    session.open_article(ids[0])
    sugg = session.store.suggestions(ids[0], ANNOTATOR)
    with qtbot.assertNotEmitted(spans.span_activated):
        assert spans.select_span("suggestion", sugg[2].id)
    assert spans.current_span() == ("suggestion", sugg[2].id)
    assert spans.table.selectionModel().isRowSelected(2)
    session.reject(sugg[3].id)  # a refresh keeps the selection
    assert spans.current_span() == ("suggestion", sugg[2].id)
    assert not spans.select_span("annotation", 999)
    assert spans.current_span() is None


def test_no_article_no_rows(session):
    assert span_rows(session, None) == []


def test_each_action_changes_only_its_rows_and_ends_as_a_fresh_read(session, qtbot, qtmodeltester):
    """After every kind of action the list (and the article view) equal what a fresh read shows,
    reached by row inserts, removals and dataChanged: never a reset, never a whole re-read."""
    from annotator.ui.article_view import ArticleView

    spans = SpanList(session)
    view = ArticleView(session)
    qtbot.addWidget(spans)
    qtbot.addWidget(view)
    aid = session.store.article_ids()[0]
    session.open_article(aid)
    qtmodeltester.check(spans.model)
    text = TEXTS[0]
    person, org, gpe, tariffs = session.store.suggestions(aid, ANNOTATOR)
    officials = text.index("officials")

    def check(changes):
        assert changes.update is not None and changes.update.article_id == aid or not changes.spans
        assert spans.model.rows() == span_rows(session, aid)
        fresh = ArticleView(session)
        qtbot.addWidget(fresh)
        fresh.load(aid)
        assert view.marks() == fresh.marks()
        assert view.pending() == fresh.pending()
        assert [view.char_format(i) == fresh.char_format(i) for i in range(len(text))] == [True] * len(text)
        assert view.issue_lines() == fresh.issue_lines()

    def whole_read(*_a, **_k):
        raise AssertionError("an action re-read the whole article")

    spans.refresh = whole_read
    view._refresh = whole_read
    with qtbot.assertNotEmitted(spans.model.modelReset):
        check(session.accept(person.id))
        check(session.reject(org.id))
        check(session.correct(gpe.id, label="ORG"))
        check(session.accept(tariffs.id))
        check(session.add_span(Span(officials, officials + len("officials"), "PERSON")))
        ann = next(a for a in session.store.annotations(aid, ANNOTATOR) if a.label == "ORG")
        check(session.update_span(ann.id, start=ann.start - 3 if ann.start > 3 else ann.start, label="GPE"))
        check(session.delete_span(ann.id))
        check(session.undo())
        check(session.undo())
        check(session.redo())
        check(session.correct(org.id, end=org.end - 1))
        check(session.set_state("done"))
    qtmodeltester.check(spans.model)


def test_the_selected_span_keeps_rows_of_context_while_stepping_through(tmp_path, qtbot):
    from annotator.model import ENTITY, SuggestedSpan
    from annotator.store import Store
    from annotator.ui.session import Session
    from annotator.ui.span_list import SCROLL_MARGIN_ROWS

    text = " ".join(f"Berlin{i:03d}" for i in range(150))
    store = Store(tmp_path / "long.db")
    store.add_articles([text])
    aid = store.article_ids()[0]
    spans = [SuggestedSpan(i * 10, i * 10 + 9, "GPE", ENTITY, "t@1") for i in range(150)]
    store.store_suggestions([(aid, spans)], ["t@1"])
    session = Session(store, ANNOTATOR)
    lst = SpanList(session)
    qtbot.addWidget(lst)
    lst.resize(400, 300)
    lst.show()
    session.open_article(aid)
    sugg = session.store.suggestions(aid, ANNOTATOR)
    table = lst.table
    bar = table.verticalScrollBar()

    def rows_in_view() -> tuple[int, int]:
        header = table.verticalHeader()
        return header.visualIndexAt(0), header.visualIndexAt(table.viewport().height() - 1)

    scrolls, value = 0, bar.value()
    for step in [*range(len(sugg)), *reversed(range(len(sugg)))]:
        assert lst.select_span("suggestion", sugg[step].id)
        top, bottom = rows_in_view()
        assert step >= top + SCROLL_MARGIN_ROWS or top == 0, (step, top)
        assert step <= bottom - SCROLL_MARGIN_ROWS or bottom in (-1, len(sugg) - 1), (step, bottom)
        scrolls += bar.value() != value
        value = bar.value()
    # A third of the list at a time, not one row per step near an edge.
    visible = table.viewport().height() // table.verticalHeader().defaultSectionSize()
    assert 0 < scrolls <= 2 * len(sugg) // (visible // 3)
    store.close()
