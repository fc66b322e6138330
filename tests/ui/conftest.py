"""Fixtures for the window tests: a real database in tmp_path with labels, articles, suggestions.

No spaCy model is needed: suggestions are written directly with ``store.store_suggestions``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import ENTITY, ISSUE, Label, SuggestedSpan
from annotator.store import Store

ANNOTATOR = "ana"

ARTICLE_1 = (
    "Trade talks in Berlin\n"
    "Angela Merkel met Siemens officials in Berlin on Monday to discuss tariffs on steel exports.\n"
    "The European Commission said new trade rules would follow."
)
ARTICLE_2 = "Energy prices\nGas prices rose again as Norway cut exports to Germany."
ARTICLE_3 = "Visa rules\nThe Home Office changed visa rules for students from India."

LABELS = [
    Label("PERSON", ENTITY, "#e69494", "1", "People, including fictional ones."),
    Label("ORG", ENTITY, "#94e6af", "2", "Companies, agencies, institutions."),
    Label("GPE", ENTITY, "#ca94e6", "3", "Countries, cities and states."),
    Label("DATE", ENTITY, "#af94e6", "4", "Dates and periods."),
    Label("TRADE", ISSUE, "#dd9888", "1", "Trade between countries."),
    Label("TARIFFS", ISSUE, "#8ddd88", None, "Tariffs and duties.", "TRADE"),
    Label("ENERGY", ISSUE, "#dddd88", "2", "Energy supply and prices."),
]

SOURCE_ENT = "spacy:en_core_web_sm@3.8.0"
SOURCE_ISSUE = "taxonomy:policy@1"


def span(text: str, phrase: str, label: str, layer: str = ENTITY, nth: int = 0) -> SuggestedSpan:
    """A suggested span over the ``nth`` occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    source = SOURCE_ENT if layer == ENTITY else SOURCE_ISSUE
    return SuggestedSpan(start, start + len(phrase), label, layer, source, 0.9 if layer == ENTITY else None)


def build_store(path: Path) -> Store:
    """Three articles; the first two with entity and issue suggestions."""
    from annotator.model import article_id

    store = Store(path)
    store.ensure_labels(LABELS)
    store.add_articles([ARTICLE_1, ARTICLE_2, ARTICLE_3])
    a1, a2 = article_id(ARTICLE_1), article_id(ARTICLE_2)
    store.store_suggestions(
        [
            (
                a1,
                [
                    span(ARTICLE_1, "Berlin", "GPE", nth=0),
                    span(ARTICLE_1, "Angela Merkel", "PERSON"),
                    span(ARTICLE_1, "Siemens", "ORG"),
                    span(ARTICLE_1, "Berlin", "GPE", nth=1),
                    span(ARTICLE_1, "Monday", "DATE"),
                    span(ARTICLE_1, "tariffs", "TARIFFS", ISSUE),
                    span(ARTICLE_1, "trade", "TRADE", ISSUE),
                ],
            ),
            (a2, [span(ARTICLE_2, "Norway", "GPE"), span(ARTICLE_2, "exports", "TRADE", ISSUE)]),
        ],
        [SOURCE_ENT, SOURCE_ISSUE],
    )
    store.set_setting("last_annotator", ANNOTATOR)
    return store


@pytest.fixture
def ui_store(tmp_path) -> Store:
    """An open store with the fixture data (closed by the session that owns it)."""
    return build_store(tmp_path / "ui.db")


@pytest.fixture
def ui_session(ui_store, qtbot):
    """A session of ``ana`` on the fixture store, nothing open yet."""
    from annotator.ui.session import Session

    s = Session(ui_store, ANNOTATOR)
    yield s
    s.store.close()


@pytest.fixture
def window(ui_session, qtbot):
    """The real main window on the fixture database, with the first article open."""
    from annotator.ui.main_window import MainWindow

    w = MainWindow(ui_session)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    first = ui_session.store.article_ids()[0]
    ui_session.open_article(first)
    w.view.setFocus()
    qtbot.waitUntil(lambda: w.view.article is not None and w.view.hasFocus())
    # An article opens with nothing focused; the README's first step is Tab, to its first suggestion.
    from PySide6.QtCore import Qt

    qtbot.keyClick(w.view, Qt.Key.Key_Tab)
    return w


@pytest.fixture
def ui_data():
    """The fixture's texts, ids and annotator, for assertions."""
    from types import SimpleNamespace

    from annotator.model import article_id

    return SimpleNamespace(
        annotator=ANNOTATOR,
        text1=ARTICLE_1,
        text2=ARTICLE_2,
        text3=ARTICLE_3,
        a1=article_id(ARTICLE_1),
        a2=article_id(ARTICLE_2),
        a3=article_id(ARTICLE_3),
        labels=LABELS,
        build_store=build_store,
    )


# -- shared by the widget tests ------------------------------------------------------------------

TASK_WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def _no_task_left_running():
    """Background work a test started is cancelled and waited for before the next test."""
    yield
    from annotator.ui.tasks import running_tasks

    for task in running_tasks():
        task.cancel()
        task.wait(TASK_WAIT_MS)


@pytest.fixture
def session(tmp_path, qtbot):
    """A session of ``ana`` on a small database of five articles (``helpers_lists``), nothing open."""
    from helpers_lists import make_session

    s = make_session(tmp_path)
    yield s
    s.store.close()


@pytest.fixture
def review_session(tmp_path, qtbot):
    """A session of the reviewer ``rita`` on three annotators' merged work with planted
    disagreements (``review_data``), nothing open."""
    from review_data import REVIEWER, build_review_store

    from annotator.ui.session import Session

    s = Session(build_review_store(tmp_path / "review.db"), REVIEWER)
    yield s
    s.store.close()


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes 'shown' during the test, as (text, detailed text); exec never blocks."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def fake_exec(box):
        shown.append((box.text(), box.detailedText()))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


@pytest.fixture(autouse=True)
def _own_settings(tmp_path_factory):
    """The window's settings (dock sizes, View toggles, theme) in a folder of the test's own."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield
