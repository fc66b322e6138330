"""Suggesting on several processes: forked workers that send back spans, not Docs.

spaCy's ``nlp.pipe(n_process=N)`` sends every Doc back to the parent as bytes and the parent
builds it again. A suggester needs only each text's spans. On 100 news articles with 2
workers on a 2-core machine, the parent used 1.2 s of CPU for that while each worker used
3.7 s, so three processes competed for two cores. Here each worker runs the whole suggester
on a chunk of texts and sends back the span lists (a few kilobytes per article). The parent
waits.

Workers are forked, so they share the pipeline already loaded in the parent instead of
loading it again. This is used on Linux unless the program chose another start method;
elsewhere (spawn on macOS and Windows) :meth:`~annotator.suggest.Suggester.suggest` uses
spaCy's own multiprocessing, which pickles the pipeline.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any

from annotator.errors import ModelError
from annotator.model import SuggestedSpan

# Texts a worker takes at a time: small enough that two workers share 100 articles evenly
# and a cancel waits for little, large enough that handing them out costs nothing measurable.
CHUNK = 16

_suggester: Any = None  # in a worker: the suggester it inherited from the parent


def available() -> bool:
    """Whether forked workers are used: Linux, and no other start method chosen."""
    return sys.platform.startswith("linux") and multiprocessing.get_start_method(allow_none=True) in (
        None,
        "fork",
    )


def _adopt(suggester: Any) -> None:
    # Runs in each forked worker: the argument is the parent's object, not a pickled copy.
    global _suggester
    _suggester = suggester
    _die_with(os.getppid())


PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """End this worker when ``parent`` dies, however it dies (SIGKILL included).

    Linux delivers SIGTERM on the parent's death (``prctl(PR_SET_PDEATHSIG)``); a thread that
    notices the worker was re-parented covers the rest. Without either, a killed ``annotator
    suggest`` left its workers blocked on a pipe, each holding the model and the database open.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's "cancel" handler
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run(texts: list[str], batch_size: int) -> list[list[SuggestedSpan]]:
    return list(_suggester.suggest(texts, batch_size=batch_size, keep_going=True))  # Failed pickles


def suggest(
    suggester: Any, texts: Iterable[str], n_process: int, batch_size: int = CHUNK
) -> Iterator[list[SuggestedSpan]]:
    """The span lists of ``suggester.suggest(texts)``, in order, computed by ``n_process``
    forked workers.

    At most two chunks per worker are handed out ahead of the one being read, so a long
    corpus is not all queued at once. Closing the generator (a cancel, an error) drops the
    chunks not yet started and waits for the running ones (a chunk is :data:`CHUNK` texts).

    Raises
    ------
    ModelError
        If a worker process dies (killed, out of memory) instead of returning its spans.
    """
    chunk = max(1, min(batch_size, CHUNK))
    pool = ProcessPoolExecutor(
        max_workers=n_process,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt,
        initargs=(suggester,),
    )
    it = iter(texts)
    queued: deque[Future] = deque()
    failed: list[BaseException] = []  # raised by ``texts``: raised after the texts before it

    def hand_out() -> None:
        part: list[str] = []
        if not failed:
            try:
                part.extend(islice(it, chunk))
            except Exception as e:  # noqa: BLE001 - raised again in order, below
                failed.append(e)
        if part:
            queued.append(pool.submit(_run, part, chunk))

    try:
        for _ in range(2 * n_process):
            hand_out()
        while queued:
            try:
                got = queued.popleft().result()
            except BrokenProcessPool as e:
                raise ModelError(
                    "a worker process stopped before it finished (killed, or out of memory?)",
                    hint="run again with fewer processes",
                ) from e
            hand_out()
            yield from got
        if failed:
            raise failed[0]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
