"""The agreement view shows what ops.agreement computes; the feedback view loads nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from review_data import A1, REVIEWER

from annotator import ops
from annotator.ui.agreement_view import AgreementView, FeedbackBrowser, FeedbackView, fmt
from annotator.ui.session import Session

WAIT_MS = 10_000


def rows(model):
    return model.rows()


def test_shows_the_figures_of_ops_agreement(review_session, qtbot, qtmodeltester):
    view = AgreementView(review_session, include_model=False)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.computed, timeout=WAIT_MS):
        pass
    expected = ops.agreement(review_session.store, include_model=False)
    for model in (view.overall_model, view.pairs_model, view.model_model, view.articles_model):
        qtmodeltester.check(model)
    overall = {(r[0], r[1]): r for r in rows(view.overall_model)}
    for e in expected.overall:
        r = overall[(e.layer, e.label or "all labels")]
        assert r[2:] == (
            str(sum(e.spans.values())),
            fmt(e.exact_f1),
            fmt(e.relaxed_f1),
            str(e.boundary_shifts),
            fmt(e.kappa),
            fmt(e.alpha),
        )
    entity = overall[("entity", "all labels")]
    assert entity[3] == f"{expected.layer('entity').exact_f1:.3f}"
    pairs = {(r[0], r[1], r[2]): r for r in rows(view.pairs_model)}
    p = expected.pair("alice", "carol", "entity")
    assert pairs[("entity", "all labels", "alice / carol")][3:7] == (
        fmt(p.exact.f1),
        fmt(p.relaxed.f1),
        str(p.boundary_shifts),
        fmt(p.kappa),
    )
    assert len(rows(view.pairs_model)) == len(expected.pairs)
    # worst first, with titles; TEXT1's issue layer is the worst
    arts = rows(view.articles_model)
    assert [view.articles_model.key(i) for i in range(len(arts))] == [a.article_id for a in expected.articles]
    assert arts[0][:2] == ("Summit", "issue")
    assert "3 articles compared" in view.status.text()


def test_double_click_opens_the_worst_article_in_the_main_view(review_session, qtbot):
    view = AgreementView(review_session, include_model=False)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    view.tabs.setCurrentWidget(view.articles_view)
    qtbot.waitUntil(lambda: view.articles_model.rowCount() > 0, timeout=WAIT_MS)
    index = view.articles_model.index(0, 0)
    rect = view.articles_view.visualRect(index)
    with qtbot.waitSignal(review_session.article_changed) as sig:
        # Qt 6 sees a double click only after a press and release at the same place.
        qtbot.mouseClick(view.articles_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.articles_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == [A1]
    assert review_session.article_id == A1


def test_with_the_model_and_no_suggestions_the_figures_are_the_same(review_session, qtbot):
    view = AgreementView(review_session, include_model=True)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=WAIT_MS)
    assert view.report is not None and view.report.model is None
    assert "model not included" in view.status.text()


def test_too_few_annotators_is_said_plainly(tmp_path, qtbot):
    from annotator.store import Store

    s = Session(Store(tmp_path / "empty.db"), REVIEWER)
    try:
        view = AgreementView(s)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: not view.is_computing(), timeout=WAIT_MS)
        assert view.status.text().startswith("No agreement figures: no article has work from two annotators")
        assert view.overall_model.rowCount() == 0
    finally:
        s.store.close()


def test_feedback_shows_the_report_and_saves_html(review_session, qtbot, tmp_path):
    ops.add_agreed_gold(review_session.store, REVIEWER)
    for _, _, open_ in ops.review_queue(review_session.store):
        for d in open_:
            ops.settle(review_session.store, REVIEWER, d, "take:alice")
    view = FeedbackView(review_session, "carol")
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=WAIT_MS)
    expected = ops.feedback(review_session.store, "carol")
    assert view.html == expected.to_html()
    shown = view.browser.toPlainText()
    assert "carol" in shown and "ORG" in shown and "PERSON" in shown
    assert view.save_button.isEnabled()
    out = view.save_html(tmp_path / "carol.html")
    assert out.read_text(encoding="utf-8") == expected.to_html()


def test_feedback_without_gold_says_what_to_do(review_session, qtbot):
    view = FeedbackView(review_session, "carol")
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: not view.is_computing(), timeout=WAIT_MS)
    assert "No feedback" in view.status.text() and "review first" in view.status.text()
    assert not view.save_button.isEnabled()


def test_the_feedback_browser_loads_no_resources_and_follows_no_links(qtbot):
    b = FeedbackBrowser()
    qtbot.addWidget(b)
    assert not b.openLinks() and not b.openExternalLinks()
    b.setHtml('<p>x<img src="http://example.invalid/track.png"><a href="http://example.invalid">y</a></p>')
    assert b.loadResource(0, QUrl("http://example.invalid/a.css")) is None
    assert b.source().isEmpty()


def test_the_charts_tab_shows_weakest_labels_first_and_the_confusion_between_annotators(
    review_session, qtbot
):
    from annotator.review.confusion import NONE

    view = AgreementView(review_session, include_model=False)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    with qtbot.waitSignal(view.computed, timeout=WAIT_MS):
        pass
    assert view.tabs.tabText(0) == "Charts" and view.tabs.currentIndex() == 0
    expected = ops.agreement(review_session.store, include_model=False)
    per_label = [e for e in expected.overall if e.label is not None and e.exact_f1 is not None]
    bars = view.charts.bars.rows
    assert len(bars) == len([e for e in expected.overall if e.label is not None])
    f1s = [r.values[0] for r in bars if r.values[0] is not None]
    assert f1s == sorted(f1s) and len(f1s) == len(per_label)  # weakest first
    weakest = min(per_label, key=lambda e: e.exact_f1)
    assert bars[0].label == f"{weakest.label} ({weakest.layer})"
    # The planted label conflict on "Joe Biden": PERSON (alice, bob) against ORG (carol).
    heat = view.charts.heat_maps["entity"]
    c = heat.confusion
    assert c is not None and c.count("ORG", "PERSON") == 2 and NONE in c.labels
    assert "most often" in view.charts.captions["entity"].text()
    # The tooltip of the cell under the mouse names the two labels and the count.
    labels = c.labels
    r, col = labels.index("PERSON"), labels.index("ORG")
    m = heat._margin()
    from PySide6.QtCore import QPointF

    assert heat.cell_at(QPointF(m + col * 26 + 5, m + r * 26 + 5)) == ("PERSON", "ORG")
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QToolTip

    qtbot.mouseMove(heat, QPoint(m + col * 26 + 5, m + r * 26 + 5))  # the mouse over that cell
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=WAIT_MS)
    assert QToolTip.text() == "PERSON against ORG: 2 times"
    view.tabs.widget(0).grab()  # paints without error
