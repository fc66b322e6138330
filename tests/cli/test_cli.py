"""The command line as a user runs it: output, exit codes, what lands in the database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotator import model as m
from annotator.cli import main
from annotator.store import Store


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cli.db"


def test_help_is_fast_and_lists_commands():
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "--help"], capture_output=True, text=True, check=True
    )
    for name in ("import", "suggest", "export", "stats", "labels"):
        assert name in proc.stdout


def test_help_does_not_import_qt_or_spacy():
    code = "import sys; from annotator.cli import build_parser; build_parser(); print('PySide6' in sys.modules, 'spacy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "False"]


def test_a_jsonl_import_loads_no_exporter_other_reader_nor_worker_pool(tmp_path):
    """What `annotator import` of JSON Lines loads at start is what it needs (start counts in
    the time of every import)."""
    f = tmp_path / "in.jsonl"
    f.write_text('{"text": "Ada Lovelace visited Rome."}\n', encoding="utf-8")
    code = (
        "import sys; from annotator.cli import main; code = main(['import', sys.argv[1], '--db', sys.argv[2]]);"
        " print(code, *sorted(m for m in sys.modules if m.split('.')[0] in ('annotator', 'multiprocessing',"
        " 'spacy', 'PySide6', 'xml', 'urllib', 'email')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(f), str(tmp_path / "new.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "1 new article" in proc.stdout
    loaded = proc.stdout.split("\n")[-2].split()
    assert loaded[0] == "0"
    assert "annotator.importers.jsonl" in loaded
    unwanted = [
        m
        for m in loaded[1:]
        if m.startswith(("annotator.export", "multiprocessing", "spacy", "PySide6", "xml", "email"))
        or m
        in (
            "urllib.request",
            "annotator.suggest.workers",
            "annotator.importers.conll",
            "annotator.importers.brat",
        )
        or m in ("annotator.importers.docbin", "annotator.importers.csvfile")
    ]
    assert unwanted == []


def test_import_text_files_then_reimport_is_a_no_op(capsys, tmp_path, db):
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Tariffs rise\n\nThe US raised tariffs on steel.", encoding="utf-8")
    (folder / "sub" / "b.txt").write_text("Visa rules\n\nNew visa rules start in May.", encoding="utf-8")
    code, out, err = run(capsys, "import", folder, "--db", db)
    assert code == 0, err
    assert out.count("1 new article") == 2
    code, out, _ = run(capsys, "import", folder, "--db", db)
    assert code == 0 and out.count("1 already here") == 2
    with Store(db) as s:
        assert s.article_count() == 2
        assert sorted(s.article(i).title for i in s.article_ids()) == ["Tariffs rise", "Visa rules"]


def test_import_prodigy_with_annotator_and_new_labels(capsys, tmp_path, db):
    f = tmp_path / "x.jsonl"
    rows = [
        {
            "text": "Ada Lovelace visited Rome.",
            "spans": [{"start": 0, "end": 12, "label": "PERSON"}, {"start": 21, "end": 25, "label": "CITY"}],
            "answer": "accept",
            "_annotator_id": "news-ada",
        },
        {"text": "Nothing here.", "answer": "accept", "_annotator_id": "news-ada"},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import", f, "--db", db)
    assert code == 0, err
    assert "2 spans by news-ada" in out
    assert "new labels: CITY (entity)" in out
    with Store(db) as s:
        aid = m.article_id(rows[0]["text"])
        assert [(a.start, a.end, a.label) for a in s.annotations(aid, "news-ada")] == [
            (0, 12, "PERSON"),
            (21, 25, "CITY"),
        ]
        assert s.state("news-ada", aid) == "done"


def test_bad_file_is_refused_with_file_and_line_and_nothing_written(capsys, tmp_path, db):
    f = tmp_path / "bad.jsonl"
    f.write_text(
        '{"text": "Fine line."}\n{"text": "Broken", "spans": [{"start": 3, "end": 99, "label": "X"}]}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import", f, "--db", db)
    assert code != 0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert f"{f}:2" in lines[0] and "outside" in lines[0]
    assert "Traceback" not in err
    with Store(db) as s:
        assert s.article_count() == 0


def test_missing_file_is_one_line(capsys, tmp_path, db):
    code, _, err = run(capsys, "import", tmp_path / "nope.jsonl", "--db", db)
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "nope.jsonl" in err


def test_export_then_import_round_trip_prodigy(capsys, tmp_path, db):
    f = tmp_path / "in.jsonl"
    text = "Olaf Scholz met Emmanuel Macron in Berlin 🇩🇪 to discuss tariffs."
    f.write_text(
        json.dumps(
            {
                "text": text,
                "spans": [
                    {"start": 0, "end": 11, "label": "PERSON"},
                    {"start": 16, "end": 31, "label": "PERSON"},
                    {"start": 35, "end": 41, "label": "GPE"},
                ],
                "_annotator_id": "kim",
                "answer": "accept",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert run(capsys, "import", f, "--db", db)[0] == 0
    out_file = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "export", "--db", db, "-o", out_file)
    assert code == 0, err
    exported = [json.loads(x) for x in out_file.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == 1
    rec = exported[0]
    assert rec["_annotator_id"] == "kim" and rec["text"] == text
    assert [(s["start"], s["end"], s["label"]) for s in rec["spans"]] == [
        (0, 11, "PERSON"),
        (16, 31, "PERSON"),
        (35, 41, "GPE"),
    ]
    db2 = tmp_path / "again.db"
    assert run(capsys, "import", out_file, "--db", db2)[0] == 0
    with Store(db2) as s:
        aid = m.article_id(text)
        assert [(a.start, a.end, a.label) for a in s.annotations(aid, "kim")] == [
            (0, 11, "PERSON"),
            (16, 31, "PERSON"),
            (35, 41, "GPE"),
        ]


def test_stats_and_labels(capsys, tmp_path, db):
    (tmp_path / "a.txt").write_text("Hello world.", encoding="utf-8")
    run(capsys, "import", tmp_path / "a.txt", "--db", db)
    code, out, _ = run(capsys, "stats", "--db", db, "--json")
    assert code == 0 and json.loads(out)["articles"] == 1
    code, out, _ = run(capsys, "labels", "--db", db)
    assert code == 0 and "PERSON" in out and "TARIFFS" in out
    code, out, err = run(
        capsys, "labels", "--db", db, "add", "RECALL", "--layer", "issue", "--colour", "#aa3300", "--key", "7"
    )
    assert code == 0, err
    code, _, err = run(capsys, "labels", "--db", db, "colour", "RECALL", "blue")
    assert code != 0 and "#rrggbb" in err
    code, _, _ = run(capsys, "labels", "--db", db, "key", "GPE", "9")
    with Store(db) as s:
        assert s.label("issue", "RECALL").colour == "#aa3300"
        assert s.label("entity", "GPE").key == "9"


def test_export_spacy_needs_a_file(capsys, db):
    code, _, err = run(capsys, "export", "--db", db, "--format", "spacy")
    assert code != 0 and "-o" in err


def test_newer_database_is_one_line(capsys, db):
    Store(db).close()
    import sqlite3

    con = sqlite3.connect(db)
    con.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('annotator', '9999_x', 'x')"
    )
    con.commit()
    con.close()
    code, _, err = run(capsys, "stats", "--db", db)
    assert code != 0 and "newer version" in err and len(err.strip().splitlines()) == 1


def test_window_without_a_display_is_one_line(monkeypatch, capsys):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    code, _, err = run(capsys)
    assert code == 1
    assert err.strip() == (
        "annotator: error: no display found to open the window on (run it in a desktop session,"
        " or use the commands listed by `annotator --help`)"
    )


def test_suggest_again_with_another_model_version_replaces_the_old_suggestions(tmp_path):
    import spacy

    from annotator import ops

    with Store(tmp_path / "s.db") as s:
        s.add_articles(["Trade talks resumed on Monday."])
        aid = s.article_ids()[0]
        s.store_suggestions(
            [(aid, [m.SuggestedSpan(0, 5, "TRADE", "issue", "taxonomy:news-issues@0")])],
            ["taxonomy:news-issues@0"],
        )
        s.store_suggestions(
            [(aid, [m.SuggestedSpan(20, 26, "DATE", "entity", "spacy:old@1")])], ["spacy:old@1"]
        )
        ops.suggest(s, nlp=spacy.blank("en"), entities=False)
        sources = {g.source for g in s.suggestions(aid)}
    # the issue layer was re-suggested: the old taxonomy version is gone; the entity layer was not
    assert sources == {"taxonomy:news-issues@3", "spacy:old@1"}


def test_importing_the_database_itself_is_refused_without_reading_it(capsys, tmp_path, db):
    (tmp_path / "a.txt").write_text("Hello world.", encoding="utf-8")
    assert run(capsys, "import", tmp_path / "a.txt", "--db", db)[0] == 0
    code, _, err = run(capsys, "import", db, "--db", db)
    assert code != 0 and "the database being imported into" in err
    with Store(db) as s:
        assert s.article_count() == 1 and s.integrity_check() == "ok"
