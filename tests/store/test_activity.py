"""Decisions today and the pace per annotator and day, from the ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from annotator import model as m
from annotator.model import ENTITY, Label, SuggestedSpan
from annotator.store import Store, activity


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "pace.db") as s:
        s.ensure_labels([Label("PERSON", ENTITY)])
        text = "Ann met Bob and Cy."
        s.add_articles([text])
        aid = m.article_id(text)
        src = "spacy:x@1"
        s.store_suggestions(
            [(aid, [SuggestedSpan(a, b, "PERSON", ENTITY, src) for a, b in ((0, 3), (8, 11), (16, 18))])],
            [src],
        )
        yield s, aid


def test_decisions_today_count_bulk_actions_per_span_and_leave_undone_ones_out(store):
    s, aid = store
    counter = activity.DecisionCounter()
    assert counter.today(s, "ana") == 0
    first = s.suggestions(aid, "ana")[0]
    s.accept("ana", first.id)
    s.accept_all("ana", aid)  # the other two
    s.set_state("ana", aid, m.DONE)  # no decision
    assert counter.today(s, "ana") == 3
    s.undo("ana")  # the state
    s.undo("ana")  # accept all
    assert counter.today(s, "ana") == 1
    assert counter.today(s, "bob") == 0
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert counter.today(s, "ana", now=tomorrow) == 0


def _row(who, at, kind, detail=None):
    return (who, at.isoformat(), kind, "a1", json.dumps(detail or {}))


def test_pace_leaves_idle_gaps_out_and_counts_unchanged_accepts():
    t = datetime(2025, 3, 4, 9, 0, tzinfo=UTC).astimezone()
    rows = [
        _row("ana", t, "accept"),
        _row("ana", t + timedelta(seconds=30), "reject"),
        _row("ana", t + timedelta(seconds=60), "correct"),
        _row("ana", t + timedelta(seconds=90), "accept_all", {"accepted": 4}),
        _row("ana", t + timedelta(seconds=120), "state", {"state": "done"}),
        # Back from lunch: the hour between counts for nothing.
        _row("ana", t + timedelta(hours=1), "add"),
        _row("ana", t + timedelta(hours=1, seconds=60), "state", {"state": "done"}),
        _row("bob", t, "reject"),
    ]
    ana, bob = activity.pace(rows)
    assert (ana.annotator, ana.articles_done, ana.decisions) == ("ana", 2, 8)
    assert ana.active_seconds == 180
    assert ana.accepted_share == pytest.approx(5 / 7)  # 5 accepted as they were of 7 suggestions decided
    assert ana.decisions_per_minute == pytest.approx(8 / 3)
    assert ana.seconds_per_article == 90
    assert (bob.decisions, bob.active_seconds, bob.seconds_per_article) == (1, 0, None)
    assert ana.to_dict()["accepted_share"] == 0.714


def test_pace_reads_the_ledger(store):
    s, aid = store
    s.accept_all("ana", aid)
    s.set_state("ana", aid, m.DONE)
    (day,) = activity.pace(activity.actions(s))
    assert (day.annotator, day.articles_done, day.decisions, day.accepted_unchanged) == ("ana", 1, 3, 3)
