"""File > Assign work…: the dialog, the background run, and the menu entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow

from annotator import team
from annotator.errors import AnnotatorError
from annotator.store import Store
from annotator.ui.assign_dialog import AssignChoice, AssignDialog, assign_work
from annotator.ui.tasks import running_tasks

WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def _no_task_left_running():
    yield
    for task in running_tasks():
        task.cancel()
        task.wait(WAIT_MS)


class _Host(QMainWindow):
    """Just what the action needs of the main window: a session and a File menu with Export."""

    def __init__(self, session):
        super().__init__()
        self.session = session
        file_menu = self.menuBar().addMenu("&File")
        self.act_export = file_menu.addAction("&Export…")
        self.act_quit = file_menu.addAction("&Quit")


def test_a_new_plan_is_asked_as_names_overlap_per_article_and_seed(qtbot, tmp_path):
    dlg = AssignDialog(None, tmp_path / "work")
    qtbot.addWidget(dlg)
    assert not dlg.assign_button.isEnabled()  # nobody named yet
    dlg.names.setText("alice, bob ,carol")
    dlg.overlap.setValue(20)
    dlg.per_article.setValue(2)
    dlg.seed.setValue(7)
    assert dlg.assign_button.isEnabled()
    assert dlg.choice() == AssignChoice(
        tmp_path / "work", annotators=("alice", "bob", "carol"), overlap=0.2, per_article=2, seed=7
    )


def test_with_a_plan_recorded_it_asks_who_joins_or_leaves(qtbot, tmp_path, ui_store):
    team.assign(ui_store, tmp_path / "work", ["alice", "bob"], overlap=0.5)
    dlg = AssignDialog(team.load_plan(ui_store), tmp_path / "work")
    qtbot.addWidget(dlg)
    assert not dlg.overlap.isVisibleTo(dlg) and dlg.drop.placeholderText() == "alice, bob"
    dlg.names.setText("carol")
    dlg.drop.setText("bob")
    assert dlg.choice() == AssignChoice(tmp_path / "work", add=("carol",), drop=("bob",))


def test_assigning_runs_in_the_background_and_writes_the_databases(qtbot, tmp_path, ui_session):
    host = _Host(ui_session)
    qtbot.addWidget(host)
    got = []
    assign_work(host, AssignChoice(tmp_path / "work", annotators=("alice", "bob"), overlap=0.34), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    (report,) = got
    assert isinstance(report, team.AssignReport)
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["alice.db", "bob.db"]
    with Store(ui_session.db_path) as st:
        assert team.load_plan(st).annotators == ["alice", "bob"]


def test_an_error_comes_back_as_the_exception(qtbot, tmp_path, ui_session):
    host = _Host(ui_session)
    qtbot.addWidget(host)
    got = []
    assign_work(host, AssignChoice(tmp_path / "work", annotators=("alice",), overlap=2.0), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT_MS)
    assert isinstance(got[0], AnnotatorError) and "--overlap" in str(got[0])
    assert not Path(tmp_path / "work").exists()


def test_file_assign_work_comes_after_export_and_opens_the_dialog(window, monkeypatch):
    from annotator.ui import assign_dialog

    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts[texts.index("&Export…") + 1] == "Assi&gn work…"
    called = []
    monkeypatch.setattr(assign_dialog, "assign_work", lambda w: called.append(w))
    window.window_actions["file.assign"].trigger()
    assert called == [window]
