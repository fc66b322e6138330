"""Review mode driven by keys: queue, agreed gold on open, 1/B/N/E, undo, next article, export."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from review_data import A1, A3, REVIEWER, TEXT1, TEXT2, TEXT3, at, gold, spans_of

from annotator import ops
from annotator.model import ENTITY, ISSUE
from annotator.ui.review_view import ReviewView

WAIT_MS = 10_000


@pytest.fixture
def view(review_session, qtbot):
    v = ReviewView(review_session)
    qtbot.addWidget(v)
    v.resize(1280, 800)
    v.show()
    qtbot.waitExposed(v)
    qtbot.waitUntil(lambda: not v.is_loading() and v.queue_model.rowCount() > 0, timeout=WAIT_MS)
    v.setFocus()
    return v


def key(qtbot, view, k, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(view, k, mods)


def _layer(span: dict) -> str:
    return span.get("layer", ENTITY)


def shown_disagreements(view):
    m = view.disagreements_model
    return [tuple(m.index(r, c).data() for c in range(1, 4)) for r in range(m.rowCount())]


def test_queue_lists_articles_with_disagreements_worst_first(view, qtmodeltester):
    qtmodeltester.check(view.queue_model)
    rows = [
        tuple(view.queue_model.index(r, c).data() for c in range(3))
        for r in range(view.queue_model.rowCount())
    ]
    assert rows == [
        ("Summit", "4", "label ×2 · boundary ×1 · one-sided ×1"),
        ("Gas", "1", "one-sided ×1"),
    ]
    # Said before the reviewer opens anything: opening moves agreed spans into gold.
    assert view.queue_status.text() == (
        "2 articles with 5 open disagreements. Opening an article puts the spans every annotator"
        " agrees on into gold (Ctrl+Z undoes it)."
    )


def test_review_opens_on_the_worst_article_and_its_keys_work_at_once(view, review_session, qtbot):
    # No click: the worst article of the queue is open and selected, Tab moves at once.
    assert view.article is not None and view.article.id == A1
    assert view.queue_view.selectionModel().selectedRows()[0].row() == 0
    assert view.message_label.text() == "1 span every annotator agrees on went into gold (Ctrl+Z undoes)"
    assert gold(review_session) == spans_of([at(TEXT1, "Angela Merkel", "PERSON")])
    assert view.focused.kind == "label_conflict"
    key(qtbot, view, Qt.Key.Key_Tab)
    assert view.focused.kind == "boundary_shift"
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one key takes the move back
    assert gold(review_session) == set()


def test_opening_puts_agreed_spans_into_gold_and_shows_every_planted_class(
    view, review_session, qtbot, qtmodeltester
):
    index = view.queue_model.index(0, 0)  # the worst article, opened already: a click opens it again
    qtbot.mouseClick(
        view.queue_view.viewport(), Qt.MouseButton.LeftButton, pos=view.queue_view.visualRect(index).center()
    )
    assert view.article is not None and view.article.id == A1
    assert gold(review_session) == spans_of([at(TEXT1, "Angela Merkel", "PERSON")])
    assert shown_disagreements(view) == [
        ("entity", "label conflict", "Joe Biden"),
        ("entity", "boundary shift", "in Berlin"),
        ("entity", "one-sided", "gas"),
        ("issue", "label conflict", "steel tariffs"),
    ]
    for model in (view.disagreements_model, view.versions_model, view.gold_model):
        qtmodeltester.check(model)
    # the versions side by side, annotators by number and name, with the legend
    versions = [tuple(view.versions_model.index(r, c).data() for c in range(6)) for r in range(3)]
    assert versions == [
        ("1", "alice", "Joe Biden", "PERSON", "18–27", "label conflict"),
        ("2", "bob", "Joe Biden", "PERSON", "18–27", "label conflict"),
        ("3", "carol", "Joe Biden", "ORG", "18–27", "label conflict"),
    ]
    assert view.versions_model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert view.legend.captions() == ["1 alice", "2 bob", "3 carol"]
    assert view.text_view.region == (18, 27)
    assert view.text_view.toPlainText() == TEXT1
    assert "label conflict" in view.focus_label.text()
    # Tab / Shift+Tab move between disagreements
    key(qtbot, view, Qt.Key.Key_Tab)
    assert view.focused.kind == "boundary_shift"
    assert sorted(view.text_view.underlines()) == [(28, 37, "carol"), (31, 37, "alice"), (31, 37, "bob")]
    key(qtbot, view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert view.focused.kind == "label_conflict"
    key(qtbot, view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert (view.focused.layer, view.focused.kind) == (ISSUE, "label_conflict")
    # the gold-so-far list shows the agreed span
    assert [view.gold_model.index(r, 2).data() for r in range(view.gold_model.rowCount())] == [
        "Angela Merkel"
    ]


def test_keys_settle_into_gold_undo_restores_and_the_queue_empties(
    view, review_session, qtbot, tmp_path, qtmodeltester
):
    # the testers stay attached: every row removed, inserted or changed below is checked too
    for model in (view.queue_model, view.disagreements_model, view.versions_model, view.gold_model):
        qtmodeltester.check(model)
    view.open_article(A1)
    merkel = at(TEXT1, "Angela Merkel", "PERSON")
    # B on overlapping entities is refused with a clear message; nothing changes
    key(qtbot, view, Qt.Key.Key_B)
    assert "overlap" in view.message_label.text() and "Not settled" in view.message_label.text()
    assert gold(review_session) == spans_of([merkel])
    # 1 takes alice's version of the label conflict
    key(qtbot, view, Qt.Key.Key_1)
    biden = at(TEXT1, "Joe Biden", "PERSON")
    assert gold(review_session) == spans_of([merkel, biden])
    assert view.focused.kind == "boundary_shift"
    # E edits: start one token to the left of alice's "Berlin", then OK
    key(qtbot, view, Qt.Key.Key_E)
    qtbot.waitUntil(lambda: view.edit_dialog is not None and view.edit_dialog.isVisible())
    dlg = view.edit_dialog
    assert (dlg.start_box.value(), dlg.end_box.value(), dlg.label_box.currentText()) == (31, 37, "GPE")
    qtbot.keyClicks(dlg, "[")
    assert "[in Berlin]" in dlg.preview.text()
    dlg.accept()
    qtbot.waitUntil(lambda: view.edit_dialog is None)
    in_berlin = at(TEXT1, "in Berlin", "GPE")
    assert gold(review_session) == spans_of([merkel, biden, in_berlin])
    # N: bob's one-sided "gas" stays out
    assert view.focused.kind == "one_sided"
    key(qtbot, view, Qt.Key.Key_N)
    assert gold(review_session) == spans_of([merkel, biden, in_berlin])
    # B on the issue layer takes both labels
    assert view.focused.layer == ISSUE
    key(qtbot, view, Qt.Key.Key_B)
    issues = [at(TEXT1, "steel tariffs", "TRADE", ISSUE), at(TEXT1, "steel tariffs", "TARIFFS", ISSUE)]
    assert gold(review_session) == spans_of([merkel, biden, in_berlin, *issues])
    assert view.focused is None and view.disagreements_model.rowCount() == 0
    assert [r.article_id for r in view.queue_model.rows()] == [A3]
    # Ctrl+Z brings the last settlement back; Ctrl+Shift+Z settles it again
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(review_session) == spans_of([merkel, biden, in_berlin])
    assert (view.focused.layer, view.focused.kind) == (ISSUE, "label_conflict")
    assert [r.article_id for r in view.queue_model.rows()] == [A1, A3]
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert gold(review_session) == spans_of([merkel, biden, in_berlin, *issues])
    assert [r.article_id for r in view.queue_model.rows()] == [A3]
    # Enter: the next article; its agreed span goes into gold; 2 takes bob's Norway
    key(qtbot, view, Qt.Key.Key_Return)
    assert view.article.id == A3
    assert gold(review_session, A3) == spans_of([at(TEXT3, "Germany", "GPE")])
    assert [n for n in view.versions_model.rows()[2][1]] == []  # carol marked nothing here
    assert view.versions_model.index(2, 2).data() == "— nothing marked —"
    key(qtbot, view, Qt.Key.Key_2)
    assert gold(review_session, A3) == spans_of([at(TEXT3, "Germany", "GPE"), at(TEXT3, "Norway", "GPE")])
    assert view.queue_model.rowCount() == 0
    assert view.queue_status.text().startswith("Nothing to review")
    key(qtbot, view, Qt.Key.Key_Return)
    assert "queue is empty" in view.message_label.text()
    # the core agrees: nothing left; every choice in the ledger under the reviewer
    assert ops.review_queue(review_session.store) == []
    done = [row for row in review_session.store.ledger(REVIEWER) if not row["undone"]]
    kinds = [row["kind"] for row in done]
    assert kinds.count("adjudicate") == 5 and kinds.count("agreed_gold") == 2
    # the gold export holds exactly the settled and agreed spans
    ops.add_agreed_gold(review_session.store, REVIEWER)  # TEXT2 was never opened: everyone agreed there
    out = tmp_path / "gold.jsonl"
    ops.export(review_session.store, "prodigy", out, gold=True)
    recs = {json.loads(x)["text"]: json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()}
    assert set(recs) == {TEXT1, TEXT2, TEXT3}
    got = {t: {(s["start"], s["end"], s["label"], _layer(s)) for s in r["spans"]} for t, r in recs.items()}
    assert got[TEXT1] == spans_of([merkel, biden, in_berlin, *issues]) == gold(review_session)
    assert (
        got[TEXT3]
        == gold(review_session, A3)
        == spans_of([at(TEXT3, "Norway", "GPE"), at(TEXT3, "Germany", "GPE")])
    )
    assert got[TEXT2] == spans_of([at(TEXT2, "European Union", "ORG"), at(TEXT2, "Russia", "GPE")])


def test_undo_of_the_agreed_gold_on_open(view, review_session, qtbot):
    view.open_article(A3)
    assert gold(review_session, A3) == spans_of([at(TEXT3, "Germany", "GPE")])
    key(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(review_session, A3) == set()
    assert "undone: agreed gold" in view.message_label.text()


def test_digit_of_a_missing_annotator_is_refused(view, review_session, qtbot):
    view.open_article(A1)
    key(qtbot, view, Qt.Key.Key_7)
    assert "no annotator 7" in view.message_label.text()
    assert gold(review_session) == spans_of([at(TEXT1, "Angela Merkel", "PERSON")])


def test_layer_filter_reviews_one_layer(view, review_session, qtbot):
    view.layer_box.setCurrentIndex(view.layer_box.findData(ISSUE))
    qtbot.waitUntil(lambda: not view.is_loading() and view.queue_model.rowCount() == 1, timeout=WAIT_MS)
    assert view.queue_model.rows()[0].article_id == A1
    view.open_article(A1)
    assert shown_disagreements(view) == [("issue", "label conflict", "steel tariffs")]
    # agreed gold is for the article, whatever the layer reviewed
    assert gold(review_session) == spans_of([at(TEXT1, "Angela Merkel", "PERSON")])


def test_at_1280x800_the_queue_titles_get_the_width_and_the_text_the_height(view, qtbot):
    from PySide6.QtWidgets import QSplitter

    header = view.queue_view.horizontalHeader()
    assert header.sectionSize(0) > header.sectionSize(2) >= 100  # Article over Classes
    assert view.queue_view.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert "Summit" in view.queue_model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert view.text_view.height() >= 0.45 * view.height()  # not the 350 of 800 px it had
    # A dragged splitter is kept for the next review window.
    centre = next(s for s in view.findChildren(QSplitter) if s.widget(0) is view.text_view)
    sizes = centre.sizes()
    centre.moveSplitter(sizes[0] - 120, 1)
    moved = centre.sizes()
    assert moved != sizes
    from annotator.ui import settings

    qtbot.waitUntil(lambda: settings.settings().value("review/centre_splitter") == centre.saveState())
    again = ReviewView(view.session)
    qtbot.addWidget(again)
    again.resize(1280, 800)
    again.show()
    qtbot.waitExposed(again)
    other = next(s for s in again.findChildren(QSplitter) if s.widget(0) is again.text_view)
    qtbot.waitUntil(lambda: again.article is not None, timeout=WAIT_MS)
    # The same split (a few pixels either way: the labels above it may wrap differently).
    assert all(abs(a - b) <= 10 for a, b in zip(other.sizes(), moved, strict=True))
    assert other.sizes()[0] < sizes[0] - 100


def _luminance(c) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def test_gold_text_stays_readable_in_the_dark_theme(view, qtbot):
    from PySide6.QtGui import QPalette, QTextCursor
    from PySide6.QtWidgets import QApplication

    from annotator.ui.theme import dark_palette

    app = QApplication.instance()
    old = app.palette()
    app.setPalette(dark_palette())
    try:
        view.open_article(A1)
        cur = QTextCursor(view.text_view.document())
        cur.setPosition(TEXT1.index("Angela") + 2)
        fmt = cur.charFormat()
        fg, bg = fmt.foreground().color(), fmt.background().color()
        if fmt.foreground().style() == Qt.BrushStyle.NoBrush:  # the theme's text colour
            fg = dark_palette().color(QPalette.ColorRole.Text)
        hi, lo = sorted((_luminance(fg) + 0.05, _luminance(bg) + 0.05), reverse=True)
        assert hi / lo >= 4.5  # WCAG AA; white on the pale green was 1.3
    finally:
        app.setPalette(old)


def test_review_of_one_annotators_work_says_what_review_needs(ui_session, qtbot):
    v = ReviewView(ui_session)
    qtbot.addWidget(v)
    v.show()
    qtbot.waitUntil(lambda: not v.is_loading(), timeout=WAIT_MS)
    assert v.article is None and v.queue_model.rowCount() == 0
    assert "Review > Merge databases" in v.focus_label.text()
    assert v.queue_status.text().startswith("Nothing to review")
