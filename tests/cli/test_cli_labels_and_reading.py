"""`annotator labels enable/disable`, and commands that only read: no database made, no silent nothing."""

from __future__ import annotations

from annotator.cli import main
from annotator.store import Store, scope


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _db_with_an_article(capsys, tmp_path):
    db = tmp_path / "cli.db"
    (tmp_path / "a.txt").write_text("Hello\n\nAnn met Bob in Rome.", encoding="utf-8")
    code, _, err = run(capsys, "import", tmp_path / "a.txt", "--db", db)
    assert code == 0, err
    return db


def test_labels_disable_and_enable_change_the_scope_and_list_shows_it(capsys, tmp_path):
    db = _db_with_an_article(capsys, tmp_path)
    code, out, _ = run(capsys, "labels", "--db", db)
    assert code == 0
    lines = {line.split()[4]: line.split()[1] for line in out.splitlines() if line.startswith("entity")}
    assert lines["PERSON"] == "on" and lines["DATE"] == "off"  # the default scope of a new project
    code, out, err = run(capsys, "labels", "--db", db, "enable", "DATE", "CARDINAL")
    assert code == 0 and "in scope: DATE, CARDINAL" in out and "annotator suggest" in err
    code, out, _ = run(capsys, "labels", "--db", db, "disable", "TRADE", "--layer", "issue")
    assert code == 0 and "out of scope: TRADE" in out
    with Store(db) as s:
        off = scope.labels_off(s)
    assert ("entity", "DATE") not in off and ("issue", "TRADE") in off
    code, _, err = run(capsys, "labels", "--db", db, "disable", "NOPE")
    assert code == 1 and "no label 'NOPE'" in err and "PERSON" in err


def test_reading_commands_never_create_a_database(capsys, tmp_path):
    missing = tmp_path / "nowhere" / "x.db"
    for argv in (
        ("stats",),
        ("export",),
        ("agreement",),
        ("review",),
        ("feedback", "--annotator", "ana"),
        ("labels",),
    ):
        code, out, err = run(capsys, *argv, "--db", missing)
        assert code == 1, argv
        assert f"no database at {missing}" in err, argv
    assert not missing.parent.exists()


def test_an_export_of_nothing_says_so(capsys, tmp_path):
    db = _db_with_an_article(capsys, tmp_path)
    code, out, err = run(capsys, "export", "--db", db)
    assert code == 0 and out == ""
    assert "nothing to export" in err and "--suggestions" in err
    code, _, err = run(capsys, "export", "--db", db, "--annotator", "zoe", "-o", tmp_path / "z.jsonl")
    assert code == 0 and "no decisions or spans of zoe yet" in err


def test_stats_shows_the_pace_per_annotator_and_day(capsys, tmp_path):
    import json

    from annotator import model as m
    from annotator.model import ENTITY, SuggestedSpan

    db = _db_with_an_article(capsys, tmp_path)
    with Store(db) as s:
        (aid,) = s.article_ids()
        src = "spacy:x@1"
        s.store_suggestions([(aid, [SuggestedSpan(7, 10, "PERSON", ENTITY, src)])], [src])
        s.accept_all("ana", aid)
        s.set_state("ana", aid, m.DONE)
    code, out, _ = run(capsys, "stats", "--db", db)
    assert code == 0
    (line,) = [ln for ln in out.splitlines() if ln.startswith("pace")]
    assert "ana " in line and "1 article done" in line and "100% of suggestions accepted unchanged" in line
    code, out, _ = run(capsys, "stats", "--db", db, "--json")
    (day,) = json.loads(out)["pace"]
    assert (day["annotator"], day["articles_done"], day["decisions"], day["accepted_share"]) == (
        "ana",
        1,
        1,
        1.0,
    )
