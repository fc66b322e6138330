"""Measuring: a row of the table, medians, interleaved rounds and timed fresh processes.

A command row runs ``python -m annotator ...`` in a fresh process, exactly as a user runs it,
and each baseline runs in a fresh process too, so interpreter start and imports count on both
sides and ``time annotator ...`` agrees with the table.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Row:
    """One line of the table: our figure, the baseline's, their ratio and the target.

    ``raw`` is a second baseline, the physical limit of the same work (import only: parse and
    write the rows, nothing else), and ``raw_ratio`` ours against it, in the same sense as
    ``ratio``.
    """

    name: str
    what: str
    unit: str
    ours: float | None
    baseline: float | None = None
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None
    detail: dict = field(default_factory=dict)
    error: str | None = None
    raw: float | None = None
    raw_ratio: float | None = None


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def percentile(xs: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0.95: p95) by the nearest-rank method; NaN for no values."""
    s = sorted(xs)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, max(math.ceil(q * len(s)) - 1, 0))]


def p95(xs: Sequence[float]) -> float:
    return percentile(xs, 0.95)


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleaved(*runs: Callable[[], T], repeat: int) -> list[list[T]]:
    """What each of ``runs`` returns (seconds, mostly), run once per round for ``repeat`` rounds.

    Each round starts one later than the one before (ours, base; then base, ours), so a drift
    of the machine's speed hits every run alike: on this shared machine the CPU time of the
    same suggest run varied by a third within minutes.
    """
    out: list[list[T]] = [[] for _ in runs]
    for i in range(repeat):
        for j in range(len(runs)):
            k = (i + j) % len(runs)
            out[k].append(runs[k]())
    return out


def child_env(shown_hook: bool = True) -> dict[str, str]:
    """The environment of a child process: offscreen Qt, and (``shown_hook``) exit once shown."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if shown_hook:
        env["ANNOTATOR_EXIT_AFTER_SHOWN"] = "1"
    return env


def command(argv: list[str], timeout: float | None = None) -> float:
    """Seconds of ``annotator ARGS`` run as a user runs it: a fresh ``python -m annotator`` process.

    Past ``timeout`` seconds the process is killed and :class:`subprocess.TimeoutExpired` raised.
    """
    return process([sys.executable, "-m", "annotator", *argv], timeout)


def script(function: Callable, *args: object) -> float:
    """Seconds of a fresh Python process running ``function(*args)`` (a baseline, imports included).

    ``function`` is imported from its own module, so the process imports no more than it needs.
    """
    call = f"{function.__name__}({', '.join(repr(str(a)) for a in args)})"
    return process([sys.executable, "-c", f"from {function.__module__} import {function.__name__}; {call}"])


def process(cmd: list[str], timeout: float | None = None) -> float:
    """Seconds of one run of ``cmd``; a non-zero exit raises with the end of its error output."""
    t0 = time.perf_counter()
    out = subprocess.run(
        cmd, capture_output=True, text=True, env=child_env(shown_hook=False), timeout=timeout
    )
    t = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[-4:])} exited {out.returncode}: {out.stderr.strip()[-800:]}")
    return t


def remove_db(path: Path) -> None:
    """Delete a database the bench made, with its WAL files (at full scale, 1.4 GB a run)."""
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        p.unlink(missing_ok=True)


def settle_disk() -> None:
    """Write out what earlier rows left in the page cache, so no row pays for another's writes.

    After the import row at full scale, gigabytes of its databases were still being written
    out while suggest ran; only our path commits (and waits for the disk), the bare pipe does
    not, and suggest read 0.89-0.90 of it in two full-scale runs against 0.94-1.04 at the
    default size.
    """
    sync = getattr(os, "sync", None)  # not on Windows
    if sync is not None:
        sync()


def rss_mb() -> float:
    """Resident memory of this process in MB (read from ``/proc``: Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
