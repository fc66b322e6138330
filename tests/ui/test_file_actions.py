"""File actions: import, suggest and export in the background, with Cancel and errors."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QPushButton

import annotator.export as exporters
import annotator.importers as importers
from annotator.ui import file_actions
from annotator.ui.article_list import ArticleListModel
from annotator.ui.file_actions import ExportChoice, ExportDialog, export_data, import_files, run_suggest

WAIT_MS = 20_000


@pytest.fixture
def window(qtbot):
    w = QMainWindow()
    qtbot.addWidget(w)
    return w


@pytest.fixture
def files(tmp_path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    a = folder / "wind.txt"
    a.write_text("Wind power\nDenmark opened a new wind farm off its coast.", encoding="utf-8")
    b = folder / "wheat.txt"
    b.write_text("Wheat exports\nUkraine shipped wheat through the Black Sea.", encoding="utf-8")
    c = folder / "more.jsonl"
    c.write_text(
        json.dumps({"text": "Steel tariffs\nThe EU raised tariffs on steel."}) + "\n", encoding="utf-8"
    )
    return [a, b, c]


def wait_done(qtbot, task):
    qtbot.waitUntil(lambda: not task.is_running(), timeout=WAIT_MS)


def titles(session) -> list[str]:
    return [r.title for r in session.store.article_rows(session.store.article_ids(), session.annotator)]


def test_import_runs_in_the_background_and_the_list_shows_the_new_articles(
    session, window, files, qtbot, boxes
):
    model = ArticleListModel(session)
    changed = []
    session.changed.connect(changed.append)
    task = import_files(window, session, paths=files)
    wait_done(qtbot, task)
    assert task.outcome == "finished"
    assert window.statusBar().currentMessage() == "Imported 3 files: 3 new articles"
    assert titles(session)[-3:] == ["Wind power", "Wheat exports", "Steel tariffs"]
    assert model.rowCount() == 8  # the list was told
    assert len(changed) == 1 and len(changed[0].articles) == 3
    assert boxes == []


def test_import_asks_for_paths_through_the_dialog_function(session, window, files, qtbot, monkeypatch, boxes):
    asked = []
    monkeypatch.setattr(
        file_actions, "choose_import_paths", lambda w, folder=False: asked.append(folder) or None
    )
    assert import_files(window, session, folder=True) is None
    assert asked == [True]
    monkeypatch.setattr(file_actions, "choose_import_paths", lambda w, folder=False: [files[0].parent])
    task = import_files(window, session, folder=True)
    wait_done(qtbot, task)
    assert len(titles(session)) == 8


def test_a_broken_file_is_skipped_and_listed_the_others_are_imported(session, window, files, qtbot, boxes):
    broken = files[0].parent / "broken.jsonl"
    broken.write_text('{"text": "fine"}\n{not json\n', encoding="utf-8")
    task = import_files(window, session, paths=[files[0], broken])
    wait_done(qtbot, task)
    message = window.statusBar().currentMessage()
    assert message.startswith("Imported 1 file: 1 new article; 1 file failed")
    [(text, details)] = boxes
    assert text == message and "broken.jsonl" in details
    assert "fine" not in titles(session)  # nothing of the broken file, not even its good line
    assert "Wind power" in titles(session)


def test_cancel_stops_the_import_and_nothing_is_written(session, window, files, qtbot, monkeypatch, boxes):
    real_read = importers.read
    gate = threading.Event()
    calls = []

    def slow_read(path, format=None, *args, **kwargs):  # ops passes the known label layers too
        calls.append(path)
        if len(calls) == 2:
            gate.wait(WAIT_MS / 1000)  # hold the second file until the test has cancelled
        return real_read(path, format, *args, **kwargs)

    monkeypatch.setattr(importers, "read", slow_read)
    monkeypatch.setattr(file_actions, "run_on_store", _progress_now(file_actions.run_on_store))
    before = titles(session)
    task = import_files(window, session, paths=files)
    qtbot.waitUntil(lambda: task.last_progress == (1, 3), timeout=WAIT_MS)
    qtbot.waitUntil(task.dialog.isVisible, timeout=WAIT_MS)
    cancel = task.dialog.findChild(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    gate.set()
    wait_done(qtbot, task)
    assert task.outcome == "cancelled"
    assert window.statusBar().currentMessage() == "Import cancelled; nothing was imported."
    assert titles(session) == before  # the first file, already read and written, was rolled back
    assert boxes == []


def _progress_now(run):
    def wrapped(*args, **kwargs):
        kwargs["show_after_ms"] = 0
        return run(*args, **kwargs)

    return wrapped


def test_an_import_error_is_a_dialog_and_the_data_is_unchanged(session, window, tmp_path, qtbot, boxes):
    empty = tmp_path / "empty"
    empty.mkdir()
    before = titles(session)
    task = import_files(window, session, paths=[empty])
    wait_done(qtbot, task)
    assert task.outcome == "failed"
    [(text, details)] = boxes
    assert "no files to import found there" in text and not text.startswith("Unexpected")
    assert "Traceback" in details
    assert titles(session) == before


def test_export_writes_the_file_in_the_background(session, window, tmp_path, qtbot):
    ids = session.store.article_ids()
    session.accept(session.store.suggestions(ids[0], session.annotator)[0].id)
    out = tmp_path / "out.jsonl"
    task = export_data(window, session, ExportChoice("prodigy", out))
    wait_done(qtbot, task)
    assert task.outcome == "finished"
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1 and lines[0]["text"].startswith("Trade talks")
    assert "tokens" not in lines[0]  # tokens are opt-in
    assert window.statusBar().currentMessage() == f"Exported 1 record (prodigy) to {out}."


def test_cancelled_export_leaves_no_file(session, window, tmp_path, qtbot, monkeypatch):
    ids = session.store.article_ids()
    session.accept(session.store.suggestions(ids[0], session.annotator)[0].id)
    gate, reached = threading.Event(), threading.Event()
    real_write = exporters.write

    def slow_write(fmt, records, out, progress=None, **kw):
        def held(done):
            reached.set()
            gate.wait(WAIT_MS / 1000)  # every record is written; hold before the last report
            progress(done)

        return real_write(fmt, records, out, progress=held, **kw)

    monkeypatch.setattr(exporters, "write", slow_write)
    out = tmp_path / "out.jsonl"
    task = export_data(window, session, ExportChoice("prodigy", out, suggestions=True))
    qtbot.waitUntil(reached.is_set, timeout=WAIT_MS)
    task.cancel()
    gate.set()
    wait_done(qtbot, task)
    assert task.outcome == "cancelled"
    assert not out.exists() and list(tmp_path.glob("*.part")) == []
    assert window.statusBar().currentMessage() == "Export cancelled; no file was written."


def test_export_dialog_builds_the_choice(session, qtbot, tmp_path):
    dialog = ExportDialog(session)
    qtbot.addWidget(dialog)
    names = [dialog.format_combo.itemData(i) for i in range(dialog.format_combo.count())]
    assert names == ["prodigy", "doccano", "spacy", "conll", "labelstudio", "brat", "ledger"]
    dialog.path_edit.setText(str(tmp_path / "x.jsonl"))
    dialog.format_combo.setCurrentIndex(names.index("spacy"))
    dialog.scope_combo.setCurrentIndex(1)
    assert dialog.choice() == ExportChoice("spacy", tmp_path / "x.spacy", session.annotator, False)


def test_export_dialog_offers_tokens_for_prodigy_only(session, qtbot, tmp_path):
    dialog = ExportDialog(session)
    qtbot.addWidget(dialog)
    names = [dialog.format_combo.itemData(i) for i in range(dialog.format_combo.count())]
    dialog.path_edit.setText(str(tmp_path / "x.jsonl"))
    assert dialog.format_combo.currentData() == "prodigy"
    assert dialog.tokens_check.isEnabled() and not dialog.tokens_check.isChecked()
    assert dialog.choice().tokens is False
    dialog.tokens_check.setChecked(True)
    assert dialog.choice() == ExportChoice("prodigy", tmp_path / "x.jsonl", None, False, tokens=True)
    dialog.format_combo.setCurrentIndex(names.index("doccano"))
    assert not dialog.tokens_check.isEnabled()
    assert dialog.choice().tokens is False


def test_export_with_tokens_from_the_window(session, window, tmp_path, qtbot):
    ids = session.store.article_ids()
    session.accept(session.store.suggestions(ids[0], session.annotator)[0].id)
    out = tmp_path / "out.jsonl"
    task = export_data(window, session, ExportChoice("prodigy", out, tokens=True))
    wait_done(qtbot, task)
    [line] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert line["tokens"] and "token_start" in line["spans"][0]


@pytest.mark.model
def test_suggest_runs_in_the_background(session, window, qtbot, boxes):
    model = ArticleListModel(session)
    ids = session.store.article_ids()
    task = run_suggest(window, session, articles=[ids[2]])
    qtbot.waitUntil(lambda: not task.is_running(), timeout=120_000)
    assert task.outcome == "finished", boxes
    assert window.statusBar().currentMessage().startswith("Suggested ")
    assert session.store.suggestions(ids[2], session.annotator)  # "Home Office", "students"…
    assert model.data(model.index(2, 2)) > 0
