"""After the work comes back: stats --team, what merge says is missing, agreement on the overlap."""

from __future__ import annotations

import json

from team_helpers import finish

from annotator import model as m
from annotator import ops, team
from annotator.cli import main
from annotator.model import Span
from annotator.store import Store

TEAM = ["alice", "bob", "carol"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assigned(corpus, tmp_path, **kw):
    team.assign(corpus, tmp_path / "work", TEAM, **kw)
    return team.load_plan(corpus), tmp_path / "work"


def test_stats_team_shows_each_annotators_progress_in_their_databases(corpus, tmp_path, capsys):
    plan, work = assigned(corpus, tmp_path, overlap=0.1)
    finish(work / "alice.db", "alice", plan.assigned["alice"][:3])
    finish(work / "alice.db", "alice", plan.assigned["alice"][3:4], m.IN_PROGRESS)
    code, out, _ = run(capsys, "stats", "--team", *(work / f"{n}.db" for n in TEAM))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["annotator", "assigned", "done"]
    alice = lines[1].split()
    assert alice[:5] == [
        "alice",
        str(len(plan.assigned["alice"])),
        "3",
        "1",
        str(len(plan.assigned["alice"]) - 4),
    ]
    assert alice[-1] == str(work / "alice.db")
    code, out, _ = run(capsys, "stats", "--team", work / "alice.db", "--json")
    (row,) = json.loads(out)
    assert row["annotator"] == "alice" and row["done"] == 3 and row["sample"] == len(plan.sample)
    done_sample = sum(a in plan.sample for a in plan.assigned["alice"][:3])
    assert row["sample_done"] == done_sample


def test_stats_team_on_the_merged_database_uses_the_plan(corpus, tmp_path, capsys):
    plan, work = assigned(corpus, tmp_path)
    finish(work / "bob.db", "bob", plan.assigned["bob"])
    ops.merge(corpus, [work / "bob.db"])
    code, out, _ = run(capsys, "stats", "--team", "--db", corpus.path, "--json")
    rows = {r["annotator"]: r for r in json.loads(out)}
    assert rows["bob"]["done"] == rows["bob"]["assigned"] == len(plan.assigned["bob"])
    assert rows["alice"]["done"] == 0 and rows["carol"]["todo"] == len(plan.assigned["carol"])


def test_stats_team_on_a_missing_database_is_one_line(tmp_path, capsys):
    code, out, err = run(capsys, "stats", "--team", tmp_path / "nope.db")
    assert code == 1 and err.strip() == f"annotator: error: {tmp_path / 'nope.db'}: no such database"
    assert not (tmp_path / "nope.db").exists()


def test_merge_says_who_has_not_returned_what(corpus, tmp_path, capsys):
    plan, work = assigned(corpus, tmp_path, overlap=0.1)
    finish(work / "alice.db", "alice", plan.assigned["alice"])
    bob_done = plan.assigned["bob"][:2]
    finish(work / "bob.db", "bob", bob_done)
    reports = ops.merge(corpus, [work / "alice.db", work / "bob.db"])
    returns = reports[-1]
    assert isinstance(returns, team.TeamReturns)
    missing = returns.missing()
    assert set(missing) == {"bob", "carol"}
    assert missing["bob"] == plan.assigned["bob"][2:] and missing["carol"] == plan.assigned["carol"]
    code, out, _ = run(capsys, "merge", work / "alice.db", work / "bob.db", "--db", corpus.path)
    lines = out.splitlines()
    i = lines.index(f"team plan {plan.id}: not yet returned done")
    n_bob = len(plan.assigned["bob"])
    assert lines[i + 1 :] == [
        f"  alice: all {len(plan.assigned['alice'])} articles done",
        f"  bob: {n_bob - 2} of {n_bob} articles not done (bob.db)",
        f"  carol: nothing returned yet ({len(plan.assigned['carol'])} articles, in carol.db)",
        f"  overlap sample ({len(plan.sample)} articles): not yet done by "
        + ", ".join(n for n in ("bob", "carol")),
    ]


def test_merge_without_a_plan_reports_as_before(tmp_path):
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        b.add_articles(["One article."])
        b.close()
        reports = ops.merge(a, [tmp_path / "b.db"])
    assert len(reports) == 1 and not isinstance(reports[0], team.TeamReturns)


def _label_both(corpus, plan, aid):
    text = corpus.article(aid).text
    for who in ("alice", "bob"):
        corpus.add_span(who, aid, Span(0, 5, "GPE", m.ENTITY))
        corpus.set_state(who, aid, m.DONE)
    return text


def test_agreement_measures_the_planned_overlap_by_default(corpus, tmp_path, capsys):
    plan, _ = assigned(corpus, tmp_path, overlap=0.1, per_article=2)
    in_sample = plan.sample[0]
    shared = next(a for a in plan.assigned["alice"] if a in plan.assigned["bob"] and a not in plan.sample)
    _label_both(corpus, plan, in_sample)
    _label_both(corpus, plan, shared)
    assert ops.agreement(corpus, include_model=False).n_articles == 1
    assert ops.agreement(corpus, include_model=False, planned=False).n_articles == 2
    code, out, err = run(capsys, "agreement", "--db", corpus.path, "--no-model", "--json")
    assert code == 0 and json.loads(out)["articles_measured"] == 1
    assert err.startswith(f"agreement on the planned overlap: {len(plan.sample)} articles")
    code, out, err = run(capsys, "agreement", "--db", corpus.path, "--no-model", "--json", "--all-articles")
    assert json.loads(out)["articles_measured"] == 2 and err == ""


def test_agreement_with_nothing_on_the_overlap_says_so(corpus, tmp_path, capsys):
    plan, _ = assigned(corpus, tmp_path, overlap=0.1, per_article=2)
    shared = next(a for a in plan.assigned["alice"] if a in plan.assigned["bob"] and a not in plan.sample)
    _label_both(corpus, plan, shared)
    code, _, err = run(capsys, "agreement", "--db", corpus.path)
    assert code == 1
    assert f"in the planned overlap ({len(plan.sample)} articles)" in err and "--all-articles" in err
