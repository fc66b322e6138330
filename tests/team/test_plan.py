"""The plan on its own: shares, the overlap sample, balance by words, seeds, changes."""

from __future__ import annotations

import random

import pytest

from annotator.errors import AnnotatorError, NotFoundError
from annotator.team.plan import Plan, change_plan, make_plan, sample_size

NAMES = ["alice", "bob", "carol", "dave"]


def articles(n: int = 400, seed: int = 3) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    return [(f"a{i:04d}", rng.randrange(20, 1500)) for i in range(n)]


def loads(plan: Plan, arts) -> dict[str, int]:
    words = dict(arts)
    return {n: sum(words[a] for a in plan.assigned[n]) for n in plan.annotators}


def holders(plan: Plan) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, ids in plan.assigned.items():
        for aid in ids:
            out.setdefault(aid, set()).add(name)
    return out


@pytest.mark.parametrize("per_article", [1, 2, 3])
def test_every_article_goes_to_per_article_annotators_and_the_sample_to_everyone(per_article):
    arts = articles()
    plan = make_plan(arts, NAMES, overlap=0.1, per_article=per_article, seed=7)
    assert len(plan.sample) == 40
    held = holders(plan)
    assert set(held) == {a for a, _ in arts}
    for aid, who in held.items():
        assert len(who) == (4 if aid in plan.sample else per_article)
    for name in NAMES:  # each share in corpus order, the sample in it
        ids = plan.assigned[name]
        assert ids == sorted(ids) and set(plan.sample) <= set(ids)


@pytest.mark.parametrize("per_article", [1, 2])
def test_shares_are_balanced_by_words_within_the_longest_article(per_article):
    arts = articles()
    plan = make_plan(arts, NAMES, overlap=0.1, per_article=per_article, seed=1)
    load = loads(plan, arts)
    assert max(load.values()) - min(load.values()) <= max(w for _, w in arts)
    # far tighter than giving each the same number of articles would be
    assert max(load.values()) - min(load.values()) < 0.01 * sum(load.values()) / len(load)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    arts = articles()
    one = make_plan(arts, NAMES, overlap=0.2, per_article=2, seed=5)
    again = make_plan(arts, NAMES, overlap=0.2, per_article=2, seed=5)
    other = make_plan(arts, NAMES, overlap=0.2, per_article=2, seed=6)
    assert one.assigned == again.assigned and one.sample == again.sample and one.id == again.id
    assert other.sample != one.sample and other.id != one.id


def test_sample_size_rounds_half_up_and_keeps_one_article_for_a_small_share():
    assert sample_size(0.1, 60) == 6
    assert sample_size(0.05, 10) == 1  # 0.5 rounds up
    assert sample_size(0.01, 10) == 1  # not 0: the share asked for an overlap
    assert sample_size(0.0, 10) == 0
    assert sample_size(1.0, 10) == 10


@pytest.mark.parametrize("overlap", [-0.1, 1.5, float("nan")])
def test_an_overlap_outside_zero_to_one_is_refused(overlap):
    with pytest.raises(AnnotatorError, match="--overlap is the share of all articles"):
        make_plan(articles(10), NAMES, overlap=overlap)


@pytest.mark.parametrize(
    ("names", "per_article", "message"),
    [
        (["alice", "bob"], 3, "--per-article 3 needs at least 3 annotators; got 2 \\(alice, bob\\)"),
        (["alice", "bob"], 0, "at least 1"),
        (["alice", "alice"], 1, "named twice"),
        (["alice", "gold"], 1, "reserved"),
        (["alice", "../bob"], 1, "cannot be a file name"),
        ([], 1, "name the annotators"),
    ],
)
def test_bad_teams_are_refused_with_what_to_do(names, per_article, message):
    with pytest.raises(AnnotatorError, match=message):
        make_plan(articles(10), names, per_article=per_article)


def test_an_empty_corpus_is_refused():
    with pytest.raises(AnnotatorError, match="no articles"):
        make_plan([], NAMES)


def test_plan_survives_its_json():
    plan = make_plan(articles(50), NAMES, overlap=0.1, per_article=2, seed=2)
    back = Plan.from_json(plan.to_json())
    assert back == plan


def test_someone_joining_gets_the_sample_and_a_balanced_share_of_unstarted_work_only():
    arts = articles()
    plan = make_plan(arts, NAMES[:3], overlap=0.1, per_article=1, seed=1)
    started = {n: set(plan.assigned[n][: len(plan.assigned[n]) // 2]) for n in NAMES[:3]}
    after, new, taken = change_plan(plan, arts, started, add=["dave"])
    assert set(plan.sample) <= set(new["dave"])
    for name in NAMES[:3]:
        assert started[name] <= set(after.assigned[name])  # nothing started moved
        assert set(taken[name]).isdisjoint(started[name])
        assert set(taken[name]) <= set(new["dave"])
    words = dict(arts)
    left = {n: sum(words[a] for a in after.assigned[n] if a not in started.get(n, ())) for n in NAMES}
    assert max(left.values()) - min(left.values()) <= max(words.values())
    assert after.rounds[-1]["joined"] == ["dave"] and after.id == plan.id


def test_someone_leaving_keeps_what_they_started_and_the_rest_goes_to_others():
    arts = articles()
    plan = make_plan(arts, NAMES, overlap=0.1, per_article=2, seed=1)
    bob_started = set(plan.assigned["bob"][:10])
    after, new, taken = change_plan(plan, arts, {"bob": bob_started}, drop=["bob"])
    assert after.annotators == ["alice", "carol", "dave"] and after.left == ["bob"]
    assert set(after.assigned["bob"]) == bob_started
    assert "bob" not in new
    held = holders(after)
    for aid, who in held.items():
        if aid not in plan.sample:
            assert len(who) == 2  # bob's started work still counts as one of the two
    assert set(taken["bob"]) == set(plan.assigned["bob"]) - bob_started


def test_unknown_annotators_and_known_ones_are_refused():
    plan = make_plan(articles(20), NAMES[:2], overlap=0.1)
    with pytest.raises(NotFoundError, match="'zed' is not in the plan; its annotators are alice, bob"):
        change_plan(plan, articles(20), {}, drop=["zed"])
    with pytest.raises(AnnotatorError, match="'alice' is in the plan already"):
        change_plan(plan, articles(20), {}, add=["alice"])
    with pytest.raises(AnnotatorError, match="nobody would be left"):
        change_plan(plan, articles(20), {}, drop=["alice", "bob"])


def test_new_articles_are_given_out_and_nothing_else_moves():
    arts = articles(100)
    plan = make_plan(arts, NAMES, overlap=0.1, per_article=2, seed=4)
    more = arts + [(f"b{i}", 300) for i in range(8)]
    after, new, taken = change_plan(plan, more, {})
    assert taken == {}
    assert sorted(a for ids in new.values() for a in ids) == sorted([f"b{i}" for i in range(8)] * 2)
    unchanged, nothing, _ = change_plan(after, more, {})
    assert nothing == {} and len(unchanged.rounds) == len(after.rounds)


def test_rebalance_moves_unstarted_work_to_whoever_has_least_left():
    arts = articles()
    plan = make_plan(arts, NAMES[:2], overlap=0.0, per_article=1, seed=1)
    started = {"alice": set(plan.assigned["alice"])}  # alice has started everything of hers
    after, new, taken = change_plan(plan, arts, started, rebalance=True)
    assert set(new["alice"]) == set(taken["bob"]) and new["alice"]
    assert set(plan.assigned["alice"]) <= set(after.assigned["alice"])


def test_a_plan_is_the_same_in_another_process_with_another_hash_seed():
    import os
    import subprocess
    import sys

    code = (
        "import random, json; from annotator.team.plan import make_plan, change_plan;"
        "rng = random.Random(3); arts = [(f'a{i:04d}', rng.randrange(20, 1500)) for i in range(300)];"
        "p = make_plan(arts, ['alice', 'bob', 'carol'], overlap=0.1, per_article=2, seed=9);"
        "q, new, taken = change_plan(p, arts, {'bob': set(p.assigned['bob'][:20])}, add=['dave'], drop=['bob']);"
        "print(json.dumps([p.assigned, q.assigned, new, taken], sort_keys=True))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outs) == 1
