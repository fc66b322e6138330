"""`annotator assign`, `suggest --cluster` and their errors as a user meets them on the command line."""

from __future__ import annotations

import socket

import pytest

from annotator import team
from annotator.cli import main
from annotator.store import Store


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path, capsys):
    db = tmp_path / "corpus.db"
    assert main(["demo", "--db", str(db), "--no-suggest"]) == 0
    capsys.readouterr()
    return db


def test_assign_writes_one_database_per_annotator_and_says_where(corpus, tmp_path, capsys):
    work = tmp_path / "work"
    code, out, err = run(
        capsys, "assign", "--db", corpus, "--annotators", "alice,bob", "--overlap", "0.25", "--out", work
    )
    assert code == 0, err
    lines = out.splitlines()
    with Store(corpus) as st:
        plan = team.load_plan(st)
    assert lines[0] == (
        f"plan {plan.id}: 2 annotators; overlap 25% (2 of 8 articles, for everyone);"
        " 1 annotator per other article; seed 0"
    )
    assert lines[1].startswith("  alice: +5 articles (2 of the overlap), ")
    assert lines[1].endswith(f"-> {work / 'alice.db'}")
    assert (
        lines[-1]
        == f"recorded in {corpus}; when the databases come back: annotator merge {work}/*.db --db {corpus}"
    )
    assert sorted(p.name for p in work.iterdir()) == ["alice.db", "bob.db"]


def test_assign_add_and_drop_later(corpus, tmp_path, capsys):
    run(capsys, "assign", "--db", corpus, "--annotators", "alice,bob", "--out", tmp_path / "work")
    code, out, _ = run(capsys, "assign", "--db", corpus, "--add", "carol")
    assert code == 0 and ", round 2: carol joined" in out.splitlines()[0]
    assert (tmp_path / "work" / "carol.db").is_file()
    code, out, _ = run(capsys, "assign", "--db", corpus, "--drop", "bob", "--dry-run")
    assert code == 0 and "bob left" in out and out.splitlines()[-1] == "dry run: nothing was written"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--annotators", "alice,bob", "--overlap", "1.5"], "--overlap is the share of all articles"),
        (["--annotators", "alice,bob", "--per-article", "3"], "--per-article 3 needs at least 3 annotators"),
        (["--annotators", "alice,gold"], "'gold' is reserved"),
        (["--add", "carol"], "has no team plan yet"),
        ([], "name the annotators, e.g. --annotators alice,bob,carol"),
    ],
)
def test_assign_errors_are_one_line(corpus, capsys, argv, message):
    code, out, err = run(capsys, "assign", "--db", corpus, *argv)
    assert code == 1 and out == ""
    assert err.startswith("annotator: error: ") and message in err and err.count("\n") == 1


def test_an_unknown_annotator_is_one_line_naming_the_plans(corpus, tmp_path, capsys):
    run(capsys, "assign", "--db", corpus, "--annotators", "alice,bob", "--out", tmp_path / "w")
    code, _, err = run(capsys, "assign", "--db", corpus, "--drop", "zed")
    assert code == 1
    assert err == "annotator: error: 'zed' is not in the plan; its annotators are alice, bob\n"


def test_suggest_on_an_unreachable_scheduler_is_one_line(corpus, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = run(capsys, "suggest", "--db", corpus, "--cluster", f"tcp://127.0.0.1:{port}")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith(f"annotator: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
    assert "dask scheduler" in err and "--cluster local:N" in err


def test_suggest_with_a_bad_cluster_address_is_one_line(corpus, capsys):
    code, _, err = run(capsys, "suggest", "--db", corpus, "--cluster", "local:0")
    assert code == 1 and err.count("\n") == 1 and "local:N" in err
