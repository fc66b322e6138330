"""The rows over a big database, each run in fresh processes: start and scale.

``start`` times ``annotator open`` until the window says it is shown; ``scale`` runs the window
in a child process (``python -m annotator.bench --child-scale DB``) that scrolls the article
list. Neither imports Qt here: the child does (:func:`annotator.bench.window.scale_child`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from annotator.bench.context import Bench
from annotator.bench.corpus import ANNOTATOR
from annotator.bench.databases import list_db
from annotator.bench.timing import Row, child_env, interleaved, median


def _start_once(db: Path) -> tuple[float, str]:
    """Seconds from process start to the window's "shown" line, and that line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "open", str(db), "--annotator", ANNOTATOR],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    line = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("annotator: window shown"):
            break
    t = time.perf_counter() - t0
    _, err = proc.communicate(timeout=120)
    if not line.startswith("annotator: window shown"):
        raise RuntimeError(
            f"the window never said it was shown (exit {proc.returncode}): {err.strip()[-800:]}"
        )
    return t, line.strip()


def _import_qt_once() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import PySide6.QtWidgets"], check=True, env=child_env())
    return time.perf_counter() - t0


def row_start(bench: Bench) -> Row:
    db = list_db(bench.args, bench.args.list_articles, bench.log)
    k = max(bench.args.repeat, 3)
    _start_once(db)  # the first start warms the page cache for both
    lines = []

    def ours() -> float:
        t, line = _start_once(db)
        lines.append(line)
        return t

    a, b = interleaved(ours, _import_qt_once, repeat=k)
    t, base = median(a), median(b)
    return Row(
        "start",
        f"process start to window shown, {bench.args.list_articles:,} articles",
        "s",
        t,
        base,
        t / base,
        "<= 1.5 s",
        t <= 1.5,
        {
            "articles": bench.args.list_articles,
            "runs": a,
            "baseline_runs": b,
            "shown": lines[-1] if lines else "",
        },
    )


def run_scale_child(db: Path, steps: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "annotator.bench", "--child-scale", str(db), "--steps", str(steps)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"scale child failed: {out.stderr.strip()[-800:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def row_scale(bench: Bench) -> list[Row]:
    big = bench.args.list_articles
    small = max(big // 10, 1)
    dbs = {n: list_db(bench.args, n, bench.log) for n in (small, big)}
    # In the same rounds, so a drift of the machine's speed hits both sizes alike.
    rounds = interleaved(
        *(partial(run_scale_child, dbs[n], bench.args.steps) for n in (small, big)),
        repeat=max(bench.args.repeat, 1),
    )
    results = {
        n: {key: median([r[key] for r in runs]) for key in runs[0] if isinstance(runs[0][key], int | float)}
        for n, runs in zip((small, big), rounds, strict=True)
    }
    rss = results[big]["rss_mb"]
    step_big, step_small = results[big]["jump_ms"], results[small]["jump_ms"]
    page_big, page_small = results[big]["page_ms"], results[small]["page_ms"]
    return [
        Row(
            "scale-rss",
            f"RSS of the window over {big:,} articles",
            "MB",
            rss,
            results[small]["rss_mb"],
            rss / results[small]["rss_mb"],
            "<= 400 MB",
            rss <= 400,
            {"articles": big, "baseline": f"the same window over {small:,} articles", **results[big]},
        ),
        Row(
            "scale-scroll",
            f"article list scroll step (jump), {big:,} vs {small:,} articles",
            "ms",
            step_big,
            step_small,
            step_big / step_small,
            "ratio <= 1.5",
            step_big / step_small <= 1.5,
            {
                "page_step_ms": page_big,
                "page_step_baseline_ms": page_small,
                "page_ratio": page_big / page_small if page_small else None,
                "small": results[small],
                "big": results[big],
            },
        ),
    ]
