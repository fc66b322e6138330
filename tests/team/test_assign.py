"""`assign` end to end: the databases it writes, the plan it records, changing it later."""

from __future__ import annotations

import pytest
from team_helpers import SOURCE, add_articles, finish, make_corpus, texts

from annotator import model as m
from annotator import ops, team
from annotator.errors import AnnotatorError, Cancelled, NotFoundError, StoreError
from annotator.store import Store

TEAM = ["alice", "bob", "carol"]


def ids_in(path) -> set[str]:
    with Store(path) as st:
        return set(st.article_ids())


def test_each_annotator_gets_a_database_of_their_share_with_suggestions_and_labels(corpus, tmp_path):
    report = team.assign(corpus, tmp_path / "work", TEAM, overlap=0.1, per_article=2)
    plan = team.load_plan(corpus)
    assert plan is not None and plan.id == report.plan.id
    assert len(plan.sample) == 6
    for name in TEAM:
        path = tmp_path / "work" / f"{name}.db"
        assert report.files[name] == path
        with Store(path) as st:
            assert st.article_ids() == plan.assigned[name]  # exactly theirs, in corpus order
            assert st.get_setting("last_annotator") == name  # the window opens as them
            assert [(lab.name, lab.key) for lab in st.labels()] == [
                (lab.name, lab.key) for lab in corpus.labels()
            ]
            aid = plan.assigned[name][0]
            assert [(s.start, s.end, s.label, s.source) for s in st.suggestions(aid)] == [
                (0, 5, "GPE", SOURCE)
            ]
            assert st.article(aid) == corpus.article(aid)
            record = team.load_assignment(st)
        assert record["plan"] == plan.id and record["annotator"] == name
        assert record["sample"] == plan.sample  # the same agreement sample for everyone
    for aid in set(corpus.article_ids()) - set(plan.sample):
        assert sum(aid in plan.assigned[n] for n in TEAM) == 2


def test_shares_are_balanced_by_words(corpus, tmp_path):
    team.assign(corpus, tmp_path / "work", TEAM, overlap=0.1, per_article=1)
    rows = team.team_progress([corpus.path])
    words = [r.words for r in rows]
    longest = max(len(t.split()) for _, t in corpus.texts())
    assert max(words) - min(words) <= longest
    assert sum(r.assigned for r in rows) == 60 + 2 * 6  # the sample three times, the rest once


def test_the_same_seed_gives_the_same_databases(tmp_path):
    shares = []
    for k, seed in enumerate([3, 3, 4]):
        with make_corpus(tmp_path / f"c{k}.db") as c:
            team.assign(c, tmp_path / f"w{k}", TEAM, overlap=0.2, seed=seed)
        shares.append({n: ids_in(tmp_path / f"w{k}" / f"{n}.db") for n in TEAM})
    assert shares[0] == shares[1]
    assert shares[2] != shares[0]


def test_dry_run_writes_nothing(corpus, tmp_path):
    report = team.assign(corpus, tmp_path / "work", TEAM, dry_run=True)
    assert report.new and not report.files
    assert not (tmp_path / "work").exists() and team.load_plan(corpus) is None
    assert report.summary_lines()[-1] == "dry run: nothing was written"


def test_cancelled_leaves_no_database_and_no_plan(corpus, tmp_path):
    with pytest.raises(Cancelled):
        team.assign(corpus, tmp_path / "work", TEAM, cancelled=lambda: True)
    assert list((tmp_path / "work").iterdir()) == []
    assert team.load_plan(corpus) is None


def test_a_foreign_database_in_the_folder_is_never_overwritten(corpus, tmp_path):
    (tmp_path / "work").mkdir()
    with Store(tmp_path / "work" / "bob.db") as other:
        other.add_articles(["Someone else's work."])
    with pytest.raises(StoreError, match="bob.db exists and is not this round's database"):
        team.assign(corpus, tmp_path / "work", TEAM)
    assert ids_in(tmp_path / "work" / "bob.db") == {m.article_id("Someone else's work.")}
    assert team.load_plan(corpus) is None


def test_running_again_changes_nothing_and_the_settings_cannot_change(corpus, tmp_path):
    team.assign(corpus, tmp_path / "work", TEAM, overlap=0.1)
    again = team.assign(corpus)
    assert not again.changed and not again.files
    assert again.summary_lines()[0].endswith("nothing to change (3 annotators, 60 articles)")
    with pytest.raises(AnnotatorError, match="made with --overlap 0.1; it cannot change"):
        team.assign(corpus, overlap=0.2)
    with pytest.raises(AnnotatorError, match="has a plan for alice, bob, carol already"):
        team.assign(corpus, annotators=["alice", "bob"])
    with pytest.raises(AnnotatorError, match="no team plan yet"):
        with make_corpus(tmp_path / "fresh.db") as fresh:
            team.assign(fresh, add=["dave"])


def test_adding_an_annotator_later_moves_only_unstarted_work(corpus, tmp_path):
    work = tmp_path / "work"
    first = team.assign(corpus, work, TEAM, overlap=0.1)
    plan = team.load_plan(corpus)
    alice_done = plan.assigned["alice"][:8]
    finish(work / "alice.db", "alice", alice_done)  # in her database, still in the folder
    bob_done = plan.assigned["bob"][:5]
    finish(work / "bob.db", "bob", bob_done)
    ops.merge(corpus, [work / "bob.db"])  # bob's returned work is in the corpus ...
    (work / "bob.db").rename(tmp_path / "with-bob.db")  # ... and his database is with him
    report = team.assign(corpus, add=["dave"])
    after = team.load_plan(corpus)
    assert report.files == {"dave": work / "dave.db"}
    assert set(after.sample) <= ids_in(work / "dave.db") == set(after.assigned["dave"])
    assert set(alice_done) <= set(after.assigned["alice"]) and set(bob_done) <= set(after.assigned["bob"])
    for name in TEAM:
        gone = set(plan.assigned[name]) - set(after.assigned[name])
        assert gone <= set(after.assigned["dave"])
        assert gone.isdisjoint(alice_done + bob_done)
        if name == "bob":
            continue
        with Store(work / f"{name}.db") as st:  # the file keeps its articles, its record says
            record = team.load_assignment(st)
            assert set(st.article_ids()) == set(plan.assigned[name])
        assert set(record["articles"]) == set(after.assigned[name])
        assert set(record.get("withdrawn", [])) == gone
    assert report.taken["bob"] and report.taken["alice"]
    assert sum(len(ids) for ids in report.taken.values()) == len(after.assigned["dave"]) - len(after.sample)
    assert first.plan.id == after.id


def test_dropping_an_annotator_hands_on_what_they_had_not_started(corpus, tmp_path):
    work = tmp_path / "work"
    team.assign(corpus, work, TEAM, overlap=0.1, per_article=1)
    plan = team.load_plan(corpus)
    started = plan.assigned["bob"][:4]
    finish(work / "bob.db", "bob", started[:3])
    finish(work / "bob.db", "bob", started[3:], m.IN_PROGRESS)
    report = team.assign(corpus, drop=["bob"])
    after = team.load_plan(corpus)
    assert after.assigned["bob"] == started and after.left == ["bob"]
    orphans = set(plan.assigned["bob"]) - set(started) - set(plan.sample)
    assert orphans == {a for n in ("alice", "carol") for a in report.new.get(n, [])}
    assert report.files == {"alice": work / "alice-2.db", "carol": work / "carol-2.db"}
    assert ids_in(work / "alice-2.db") == set(report.new["alice"])  # only the new ones
    with pytest.raises(NotFoundError, match="'bob' is not in the plan"):
        team.assign(corpus, drop=["bob"])


def test_articles_imported_after_the_plan_are_given_out_on_the_next_run(corpus, tmp_path):
    team.assign(corpus, tmp_path / "work", TEAM, overlap=0.1)
    add_articles(corpus, texts(6, seed=9, start=100))
    report = team.assign(corpus)
    assert sum(len(v) for v in report.new.values()) == 6
    assert all(p.name.endswith("-2.db") for p in report.files.values())
    assert report.plan.rounds[-1]["new_articles"] == 6


def test_a_part_file_left_by_a_killed_run_is_not_carried_over(corpus, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    with Store(work / ".alice.db.part") as stale:
        stale.add_articles(["Left over from a run that was killed."])
    team.assign(corpus, work, TEAM)
    assert ids_in(work / "alice.db") == set(team.load_plan(corpus).assigned["alice"])
    assert sorted(p.name for p in work.iterdir()) == ["alice.db", "bob.db", "carol.db"]
