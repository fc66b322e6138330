"""The article list's model: lazy rows in a bounded cache, filters, search, order and targeted refresh."""

from __future__ import annotations

from helpers_lists import ANNOTATOR, make_session
from PySide6.QtCore import Qt

from annotator.model import DONE, IN_PROGRESS, SKIPPED
from annotator.ui.article_list_model import ID_ROLE, ArticleListModel


def shown(model: ArticleListModel) -> list[tuple]:
    return [
        tuple(model.data(model.index(r, c)) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_model_passes_modeltester_and_shows_rows(session, qtmodeltester):
    model = ArticleListModel(session)
    qtmodeltester.check(model)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Title",
        "State",
        "Pending",
        "Accepted",
    ]
    assert shown(model) == [
        ("Trade talks", "to do", 4, 0),
        ("Energy prices", "to do", 2, 0),
        ("Visa rules", "to do", 0, 0),
        ("Security summit", "to do", 0, 0),
        ("Farm subsidies", "to do", 0, 0),
    ]
    assert model.data(model.index(0, 0), ID_ROLE) == session.store.article_ids()[0]


def test_state_text_for_every_state(session):
    ids = session.store.article_ids()
    session.set_state(IN_PROGRESS, ids[1])
    session.set_state(DONE, ids[2])
    session.set_state(SKIPPED, ids[3])
    model = ArticleListModel(session)
    assert [row[1] for row in shown(model)] == ["to do", "in progress", "done", "skipped", "to do"]


def test_rows_are_fetched_lazily_into_a_bounded_cache(tmp_path, qtbot):
    s = make_session(tmp_path, [f"Article number {i}\nSome text." for i in range(1000)])
    model = ArticleListModel(s, chunk_size=50, max_chunks=3)
    assert model.rowCount() == 1000
    assert model.fetches == 0 and model.cached_rows() == 0
    assert model.data(model.index(999, 0)) == "Article number 999"
    assert model.fetches == 1 and model.cached_rows() == 50
    for r in range(0, 1000, 10):
        model.data(model.index(r, 0))
    assert model.cached_rows() <= 150
    assert model.fetches == 1 + 20  # one fetch per chunk of 50 rows walked through
    s.store.close()


def test_a_change_to_one_article_updates_only_that_row(session, qtbot):
    model = ArticleListModel(session)
    shown(model)  # fill the cache
    ids = session.store.article_ids()
    first = session.store.suggestions(ids[0], ANNOTATOR)[0]
    with qtbot.waitSignal(model.dataChanged) as blocker:
        session.accept(first.id)
    top, bottom = blocker.args[0], blocker.args[1]
    assert (top.row(), bottom.row()) == (0, 0)
    assert shown(model)[0] == ("Trade talks", "in progress", 3, 1)
    assert shown(model)[1] == ("Energy prices", "to do", 2, 0)


def test_state_filter_refilters_when_states_change(session, qtbot):
    model = ArticleListModel(session)
    model.set_filters(state="todo")
    assert model.rowCount() == 5
    ids = session.store.article_ids()
    with qtbot.waitSignal(model.modelReset):
        session.set_state(DONE, ids[0])
    assert [r[0] for r in shown(model)] == [
        "Energy prices",
        "Visa rules",
        "Security summit",
        "Farm subsidies",
    ]
    model.set_filters(state="done")
    assert [r[0] for r in shown(model)] == ["Trade talks"]


def test_label_and_search_filters(session):
    model = ArticleListModel(session)
    model.set_filters(label="GPE")
    assert [r[0] for r in shown(model)] == ["Trade talks", "Energy prices"]
    model.set_filters(label="TARIFFS")
    assert [r[0] for r in shown(model)] == ["Trade talks"]
    model.set_filters(search="VISA")
    assert [r[0] for r in shown(model)] == ["Visa rules"]
    model.set_filters(search="met")  # matches text, not only titles
    assert [r[0] for r in shown(model)] == ["Trade talks", "Security summit"]
    model.set_filters(search="nothing like this")
    assert model.rowCount() == 0


def test_import_of_new_articles_shows_them(session, qtbot):
    model = ArticleListModel(session)
    changes = session.store.add_articles(["Brand new\nA new article."])
    with qtbot.waitSignal(model.modelReset):
        session.notify(changes)
    assert model.rowCount() == 6
    assert shown(model)[-1][0] == "Brand new"


def test_uncertainty_order_puts_ranked_articles_first_with_a_score_column(session, qtbot, qtmodeltester):
    from annotator.ui.article_list import UNCERTAINTY

    model = ArticleListModel(session)
    ids = list(model.ids())
    order = [(ids[3], 2.5), (ids[1], 0.75)]
    with qtbot.waitSignal(model.modelReset):
        model.set_order(order)
    assert list(model.ids()) == [ids[3], ids[1], ids[0], ids[2], ids[4]]
    assert model.columnCount() == 5 and model.headerData(UNCERTAINTY, Qt.Orientation.Horizontal) == "Unsure"
    assert [model.data(model.index(r, UNCERTAINTY)) for r in range(3)] == ["2.50", "0.75", ""]
    qtmodeltester.check(model)
    # Filters still apply, in the ranked order.
    session.set_state(DONE, ids[3])
    model.set_filters(state="todo")
    assert list(model.ids()) == [ids[1], ids[0], ids[2], ids[4]]
    # Another annotator's list is in import order again.
    session.set_annotator("bo")
    assert not model.ordered and model.columnCount() == 4


def test_decisions_update_the_counts_without_a_query_and_match_the_store(session, qtbot):
    from annotator.model import Span

    model = ArticleListModel(session)
    aid = session.store.article_ids()[0]
    session.open_article(aid)
    row = model.row_of(aid)
    model.data(model.index(row, 0))  # cached
    fetches = model.fetches
    person, org, gpe, tariffs = session.store.suggestions(aid, ANNOTATOR)

    def check():
        assert model.row_data(row) == session.store.article_rows([aid], ANNOTATOR)[0]

    session.accept(person.id)
    check()
    session.reject(org.id)
    check()
    session.correct(gpe.id, label="ORG")
    check()
    session.add_span(Span(0, 5, "TRADE", "issue"))
    check()
    ann = next(a for a in session.store.annotations(aid, ANNOTATOR) if a.label == "ORG")
    session.delete_span(ann.id)
    check()
    session.undo()
    check()
    session.redo()
    check()
    for _ in range(5):
        session.undo()
        check()
    assert model.row_data(row).state == "todo"  # every decision undone
    assert model.fetches == fetches  # every count came from the action itself
