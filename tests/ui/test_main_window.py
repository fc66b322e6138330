"""The real main window driven by key presses; asserts on the database and on what the view shows."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from annotator import model as m

ANNOTATOR = "ana"  # the fixture's annotator (tests/ui/conftest.py)


def pos(text: str, phrase: str, nth: int = 0) -> int:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start


def background(window, offset: int) -> QColor | None:
    fmt = window.view.char_format(offset)
    if not fmt.hasProperty(fmt.Property.BackgroundBrush):
        return None
    return fmt.background().color()


def status_of(store, label: str, start: int) -> str:
    (aid,) = {s.article_id for s in store.suggestions(store.article_ids()[0])}
    for s in store.suggestions(aid, ANNOTATOR):
        if s.label == label and s.start == start:
            return s.status
    raise AssertionError(f"no suggestion {label} at {start}")


def spans(store, article=None) -> list[tuple[int, int, str, str]]:
    article = article or store.article_ids()[0]
    return [(a.start, a.end, a.label, a.layer) for a in store.annotations(article, ANNOTATOR)]


def test_opens_with_first_suggestion_focused_and_title_shown(window, ui_data):
    d = ui_data
    view = window.view
    assert view.article.id == d.a1
    assert window.title_label.text() == "Trade talks in Berlin"
    f = view.focused
    assert (f.kind, f.label, f.start) == ("suggestion", "GPE", pos(d.text1, "Berlin"))
    # Pending entities are drawn light, in a dashed box.
    assert view.boxed_at(f.start)
    assert "of 3 done" in window.progress_label.text()
    assert ANNOTATOR in window.annotator_button.text()
    assert str(window.session.db_path) == window.db_label.text()


def test_accept_with_a_then_view_turns_solid(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    start = pos(d.text1, "Berlin")
    faded = background(window, start)
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert status_of(store, "GPE", start) == m.ACCEPTED
    assert (start, start + 6, "GPE", m.ENTITY) in spans(store)
    solid = background(window, start)
    assert solid is not None and faded is not None and solid != faded
    # Accepted: no dashed box any more.
    assert not view.boxed_at(start)
    # The focus moved on to the next undecided suggestion.
    assert view.focused.label == "PERSON"
    assert store.state(ANNOTATOR, d.a1) == m.IN_PROGRESS


def test_reject_with_x_removes_the_highlight(window, qtbot):
    view, store = window.view, window.session.store
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # -> Angela Merkel
    assert view.focused.label == "PERSON"
    start = view.focused.start
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert status_of(store, "PERSON", start) == m.REJECTED
    assert spans(store) == []
    assert background(window, start) is None
    assert view.focused.label == "ORG"


def test_tab_and_shift_tab_cycle_undecided_suggestions(window, qtbot):
    view = window.view
    order = []
    for _ in range(7):
        order.append(view.focused.label)
        qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert order == ["GPE", "PERSON", "ORG", "GPE", "DATE", "TARIFFS", "TRADE"]
    assert view.focused.label == "GPE"  # wrapped around
    qtbot.keyClick(view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert view.focused.label == "TRADE"
    assert view.hasFocus()  # Tab did not move keyboard focus out of the view


def test_digit_relabels_the_focused_suggestion(window, qtbot):
    view, store = window.view, window.session.store
    start = view.focused.start  # Berlin, GPE
    qtbot.keyClick(view, Qt.Key.Key_2)  # ORG
    assert (start, start + 6, "ORG", m.ENTITY) in spans(store)
    assert status_of(store, "GPE", start) == m.CORRECTED
    assert view.focused.kind == "annotation" and view.focused.label == "ORG"
    org = QColor(view.painter.format(m.ENTITY, "ORG", False).background().color())
    assert background(window, start) == org


def test_shifted_digit_sets_an_issue_label_on_a_selection(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    start = pos(d.text1, "steel exports")
    view.select_range(start + 2, start + 9)  # "eel exp": snapped to "steel exports"
    qtbot.keyClick(view, Qt.Key.Key_Exclam, Qt.KeyboardModifier.ShiftModifier)  # Shift+1 on US
    assert (start, start + len("steel exports"), "TRADE", m.ISSUE) in spans(store)
    # Issues are drawn as a solid line under the text when accepted (dashed when suggested).
    assert view.issue_lines_at(start + 3) == [("TRADE", False, 0)]
    assert view.issue_lines_at(start - 1) == []


def test_selection_plus_digit_adds_a_span_snapped_to_tokens(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    start = pos(d.text1, "European Commission")
    view.setFocus()
    view.select_range(start + 3, start + 12)  # "opean Com"
    qtbot.keyClick(view, Qt.Key.Key_2)
    end = start + len("European Commission")
    assert (start, end, "ORG", m.ENTITY) in spans(store)
    f = view.focused
    assert (f.kind, f.start, f.end) == ("annotation", start, end)
    assert background(window, start) is not None and background(window, end - 1) is not None
    assert background(window, end) is None  # the space after is not coloured
    assert background(window, start - 1) is None


def test_selection_by_shift_arrows_then_digit(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    start = pos(d.text1, "Commission")
    cur = view.textCursor()
    cur.setPosition(start)
    view.setTextCursor(cur)
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_range() == (start, start + 3)
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert (start, start + len("Commission"), "ORG", m.ENTITY) in spans(store)


def test_character_mode_keeps_the_exact_selection(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert view.char_mode and window.window_actions["edit.char_mode"].isChecked()
    start = pos(d.text1, "Commission")
    view.select_range(start, start + 4)
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert (start, start + 4, "ORG", m.ENTITY) in spans(store)


def test_brackets_move_boundaries_by_a_token(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # Angela Merkel (pending)
    start = pos(d.text1, "Angela Merkel")
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)  # end one token later: "Angela Merkel met"
    end = start + len("Angela Merkel met")
    assert (start, end, "PERSON", m.ENTITY) in spans(store)
    assert status_of(store, "PERSON", start) == m.CORRECTED
    assert (view.focused.kind, view.focused.end) == ("annotation", end)
    assert background(window, end - 1) is not None
    qtbot.keyClicks(view, "}")  # end one token earlier again
    assert spans(store) == [(start, start + len("Angela Merkel"), "PERSON", m.ENTITY)]
    assert background(window, end - 1) is None
    qtbot.keyClicks(view, "{")  # start one token later: "Merkel"
    assert spans(store) == [(start + 7, start + len("Angela Merkel"), "PERSON", m.ENTITY)]
    assert background(window, start) is None
    qtbot.keyClicks(view, "[")  # start one token earlier again
    assert spans(store) == [(start, start + len("Angela Merkel"), "PERSON", m.ENTITY)]


def test_delete_removes_the_focused_span(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    start = view.focused.start
    qtbot.keyClick(view, Qt.Key.Key_A)
    view.set_focus_span("annotation", store.annotations(d.a1, ANNOTATOR)[0].id)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert spans(store) == []
    assert status_of(store, "GPE", start) == m.REJECTED
    assert background(window, start) is None


def test_undo_and_redo_through_the_ledger(window, qtbot):
    view, store = window.view, window.session.store
    start = view.focused.start
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert len(spans(store)) == 1
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert spans(store) == []
    assert status_of(store, "GPE", start) == m.PENDING
    assert view.boxed_at(start)
    assert view.focused.kind == "suggestion" and view.focused.start == start
    qtbot.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert spans(store) == [(start, start + 6, "GPE", m.ENTITY)]
    assert background(window, start) is not None


def test_accept_all_with_shift_a(window, qtbot):
    view, store = window.view, window.session.store
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert len(spans(store)) == 7
    assert view.pending() == []
    assert view.focused is None
    assert "0 undecided" in window.info_label.text()


def test_enter_marks_done_and_opens_next(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    store.set_setting("undecided_on_done", "leave")  # the question Enter asks: test_undecided_on_done
    with qtbot.waitSignal(window.session.article_changed):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert store.state(ANNOTATOR, d.a1) == m.DONE
    assert view.article.id == d.a2
    assert window.title_label.text() == "Energy prices"
    assert view.focused is None  # nothing focused yet: Tab goes to the first suggestion
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.focused.label == "GPE"
    assert "1 of 3 done" in window.progress_label.text()


def test_undo_of_an_action_on_another_article_opens_it(window, qtbot, ui_data):
    d = ui_data
    view, store = window.view, window.session.store
    qtbot.keyClick(view, Qt.Key.Key_A)
    window.session.open_article(d.a2)
    assert view.article.id == d.a2
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.article.id == d.a1
    assert spans(store) == []


def test_core_errors_go_to_the_status_bar(window, qtbot):
    view = window.view
    start = view.focused.start
    qtbot.keyClick(view, Qt.Key.Key_A)  # Berlin accepted
    view.select_range(start, start + 6)
    qtbot.keyClick(view, Qt.Key.Key_3)  # the same entity again: overlap
    assert (
        "overlap" in window.statusBar().currentMessage() or "already" in window.statusBar().currentMessage()
    )


def test_nothing_to_undo_is_a_message(window, qtbot):
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "nothing to undo"


def test_switch_annotator_shows_their_own_work(window, qtbot):
    view = window.view
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert view.annotation_count() == 1
    window.session.set_annotator("bo")
    assert view.annotation_count() == 0
    assert "bo" in window.annotator_button.text()
    assert len(view.pending()) == 7


def test_question_mark_opens_the_shortcuts(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr("annotator.ui.main_window.ShortcutsDialog.exec", lambda self: shown.append(self))
    qtbot.keyClick(window.view, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert shown and shown[0].table.rowCount() > 15


def test_menus_have_the_actions(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Model", "&Review", "&Help"]
    edit = window.menuBar().actions()[1].menu()
    texts = [a.text() for a in edit.actions() if a.text()]
    assert "&Accept\tA" in texts and "Re&ject\tX" in texts and "&Undo" in texts
    model = window.menuBar().actions()[3].menu()
    texts = [a.text() for a in model.actions() if a.text()]
    assert texts == [
        "&Retrain from my annotations…",
        "&Most uncertain articles first",
        "&Not this issue here…\tN",
    ]


def test_first_start_asks_the_name_and_remembers_it(ui_store, monkeypatch):
    from annotator.ui import app

    ui_store.set_setting("last_annotator", None)
    asked = []

    def fake_ask(parent, proposed, known, first_start=False):
        asked.append((proposed, first_start))
        return "zoe"

    monkeypatch.setattr("annotator.ui.dialogs.ask_annotator", fake_ask)
    monkeypatch.setattr("annotator.ui.dialogs.system_user", lambda: "login")
    assert app.choose_annotator(ui_store, None) == "zoe"
    assert asked == [("login", True)]
    assert ui_store.get_setting("last_annotator") == "zoe"
    assert app.choose_annotator(ui_store, None) == "zoe"  # remembered: not asked again
    assert len(asked) == 1
    ui_store.close()


def test_open_database_switches_the_window(window, tmp_path, qtbot, ui_data):
    other = ui_data.build_store(tmp_path / "other.db")
    other.close()
    assert window.open_database_path(tmp_path / "other.db")
    assert window.db_label.text() == str(tmp_path / "other.db")
    assert window.view.article is not None and window.view.focused is None
    assert window.view.pending()  # the first Tab goes to the first of them


def test_a_broken_database_leaves_the_current_one_open(window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    shown = []
    monkeypatch.setattr(window, "show_error", lambda exc: shown.append(exc))
    before = window.session.db_path
    assert not window.open_database_path(bad)
    assert shown and "not an annotator database" in str(shown[0]) or "damaged" in str(shown[0])
    assert window.session.db_path == before


def test_status_and_info_lines_follow_decisions_done_and_undo(window, qtbot, ui_data):
    # The window counts done articles again only when a state may have changed.
    d = ui_data
    view = window.view
    window.session.store.set_setting("undecided_on_done", "leave")
    assert window.progress_label.text() == "0 of 3 done"
    assert window.info_label.text().startswith("to do · ")
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert window.info_label.text().startswith("in progress · ")
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert window.progress_label.text() == "0 of 3 done"
    with qtbot.waitSignal(window.session.article_changed):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.progress_label.text() == "1 of 3 done"
    window.session.open_article(d.a1)
    assert window.info_label.text().startswith("done · ")
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.progress_label.text() == "0 of 3 done"
    assert window.info_label.text().startswith("in progress · ")


class _FakeTask(QObject):
    progressed = Signal(int, int)
    done = Signal()


def test_file_suggest_from_the_menu_suggests_all_articles(window, monkeypatch):
    # Seen: File > Suggest passed triggered(bool) on as run_suggest's ``articles`` (False).
    from annotator.ui import file_actions

    calls = []

    def fake_run_suggest(_window, _session, articles=None, **_kw):
        calls.append(articles)
        return _FakeTask()

    monkeypatch.setattr(file_actions, "run_suggest", fake_run_suggest)
    window.window_actions["file.suggest"].trigger()
    assert calls == [None]


def test_span_list_selects_the_focused_span_of_an_article_just_opened(window, qtbot):
    # Seen: after start, Enter (done, next) or Ctrl+Z onto another article the view focused the
    # first suggestion but the span list had no row selected (shots 20, 22, 30, 31).
    f = window.view.focused
    assert f is not None
    assert window.span_list.current_span() == (f.kind, f.id)
    window.session.store.set_setting("undecided_on_done", "leave")
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert window.view.focused is None and window.span_list.current_span() is None
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    f = window.view.focused
    assert f is not None
    assert window.span_list.current_span() == (f.kind, f.id)


def test_ctrl_tab_leaves_the_view_for_the_article_list(window, qtbot):
    # Seen: Tab belongs to the suggestions, and nothing else moved the keyboard focus out of
    # the article view: the article list, its filters and search were mouse-only (shot 26-27).
    qtbot.keyClick(window.view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    focus = QApplication.focusWidget()
    assert focus is not window.view
    assert window.docks["articles"].isAncestorOf(focus)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F6)
    assert window.docks["articles"].isAncestorOf(QApplication.focusWidget())
    window.view.setFocus()
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_Backtab,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert QApplication.focusWidget() is not window.view
    assert window.view.focused is not None  # the suggestion focus stays where it was


def test_span_list_follows_when_suggestions_arrive_for_the_open_article(window, qtbot):
    from annotator.model import ENTITY, Changes, SuggestedSpan

    session = window.session
    store = session.store
    bare = next(a for a in store.article_ids() if not store.suggestions(a, session.annotator))
    session.open_article(bare)
    source = "spacy:en_core_web_sm@3.8.0"
    word = store.article(bare).text.split()[0]
    store.store_suggestions([(bare, [SuggestedSpan(0, len(word), "GPE", ENTITY, source, 0.9)])], [source])
    session.notify(Changes(spans=True))
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    f = window.view.focused
    assert f is not None
    assert window.span_list.current_span() == (f.kind, f.id)
