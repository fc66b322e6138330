"""Suggesting on several forked processes (annotator.suggest.workers), on a blank pipeline."""

from __future__ import annotations

import multiprocessing
import os
import sys

import pytest

from annotator.errors import Cancelled, ModelError
from annotator.suggest import workers

pytestmark = pytest.mark.skipif(not workers.available(), reason="forked workers are used on Linux only")

TEXTS = ["The US imposed new tariffs on steel.", "", "An oil embargo and visa rules.", "Nothing here."] * 9


def test_two_processes_give_the_same_spans_in_the_same_order_as_one(blank_suggester):
    one = list(blank_suggester.suggest(TEXTS))
    two = list(blank_suggester.suggest(TEXTS, batch_size=3, n_process=2))
    assert two == one
    assert sum(map(len, two)) == 9 * 4  # tariffs, oil, embargo, visa: the texts did reach the ruler


def test_the_workers_are_other_processes_and_are_gone_afterwards(blank_suggester):
    class WhoRuns:
        def suggest(self, texts, batch_size, keep_going=False):
            return [[os.getpid()] for _ in texts]

    pids = {p for (p,) in workers.suggest(WhoRuns(), TEXTS, n_process=2, batch_size=2)}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2
    assert multiprocessing.active_children() == []


def test_progress_and_cancel_work_as_with_one_process(blank_suggester):
    done: list[int] = []
    with pytest.raises(Cancelled):
        for _ in blank_suggester.suggest(
            TEXTS, batch_size=2, n_process=2, progress=done.append, cancelled=lambda: len(done) == 5
        ):
            pass
    assert done == [1, 2, 3, 4, 5]
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_is_a_model_error_not_a_hang():
    class Dies:
        def suggest(self, texts, batch_size, keep_going=False):
            os._exit(3)

    with pytest.raises(ModelError, match="worker process stopped"):
        list(workers.suggest(Dies(), TEXTS, n_process=2))


def test_an_error_in_a_worker_reaches_the_caller():
    class Fails:
        def suggest(self, texts, batch_size, keep_going=False):
            raise ValueError("bad text")

    with pytest.raises(ValueError, match="bad text"):
        list(workers.suggest(Fails(), TEXTS, n_process=2))


@pytest.mark.parametrize("batch_size", [1, 16])
def test_a_text_too_long_is_suggested_in_pieces_by_the_workers_too(blank_suggester, batch_size):
    blank_suggester.nlp.max_length = 40
    long_text = "New tariffs on steel were announced. " * 6
    texts = ["tariffs"] * 3 + [long_text] + ["tariffs"]
    got = list(blank_suggester.suggest(texts, batch_size=batch_size, n_process=2))
    assert got == list(blank_suggester.suggest(texts, batch_size=batch_size))
    assert [len(spans) for spans in got] == [1, 1, 1, 6, 1]


def test_not_used_when_the_program_chose_spawn(monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "spawn")
    assert not workers.available()
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: None)
    assert not workers.available()
