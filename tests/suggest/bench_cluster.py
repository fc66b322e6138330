"""Suggest on a Dask LocalCluster against one process, and the database writer's rate.

Not a test; run it by hand (it prints the figures the README quotes):

cd /work/main && .venv/bin/python tests/suggest/bench_cluster.py [articles] [workers] [repeat]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from annotator import model as m
from annotator.paths import resource
from annotator.store import Store
from annotator.suggest import Suggester, cluster

ARTICLES = 1_000_000  # the projection's archive
WORDS = 500  # words per article in the projection


def texts(n: int) -> list[str]:
    demo = [p.read_text(encoding="utf-8") for p in sorted(resource("demo").glob("*.txt"))]
    return [f"{demo[i % len(demo)]}\n({i})" for i in range(n)]


def writer(results: list[tuple[str, list]], copies: int) -> tuple[float, int]:
    """Suggestions per second ``store_suggestions`` takes, on ``copies`` x the articles of ``results``."""
    sources = sorted({s.source for _, spans in results for s in spans})
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "w.db") as st:
        big = texts(len(results) * copies)
        st.add_articles(big)
        ids = [m.article_id(t) for t in big]
        feed = [(aid, results[i % len(results)][1]) for i, aid in enumerate(ids)]
        return cluster.write_rate(partial(st.store_suggestions, sources=sources), feed), len(feed)


class Replay:
    """A stand-in suggester for the workers: the spans found already, so only the client works."""

    def __init__(self, by_text: dict[str, list]):
        self.by_text = by_text

    def suggest(self, texts, batch_size: int = 64, keep_going: bool = False):
        return (self.by_text[t] for t in texts)


def client_cost(by_text: dict[str, list], rounds: int = 10) -> float:
    """The client's CPU milliseconds per article, against a scheduler and a worker each in a
    process of its own (as on a real cluster), the worker replaying known spans."""
    dask = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "scheduler.json"
        procs = [
            subprocess.Popen(
                [dask, "scheduler", "--scheduler-file", file, "--port", "0", "--dashboard-address", ":0"],
                **quiet,
            ),
        ]
        try:
            while not file.is_file() or not file.read_text():
                time.sleep(0.2)
            address = json.loads(file.read_text())["address"]
            procs.append(
                subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1"], **quiet)
            )
            with (
                cluster.connect(address, timeout=60) as client,
                cluster.installed(client, Replay(by_text)) as name,
            ):
                corpus = list(by_text) * 20
                list(cluster.ordered(client, name, corpus[:64]))
                cpu = time.process_time()
                for _ in range(rounds):
                    list(cluster.ordered(client, name, corpus))
                return 1000 * (time.process_time() - cpu) / (rounds * len(corpus))
        finally:
            for p in reversed(procs):
                p.terminate()
                p.wait()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    corpus = texts(n)
    suggester = Suggester()
    r = cluster.measure(suggester, corpus, workers=workers, repeat=repeat)
    w = r["words"]
    print(
        f"{n} articles, {w:,} words, {repeat} rounds: 1 process {r['local_seconds']:.1f} s"
        f" ({w / r['local_seconds']:,.0f} words/s); LocalCluster of {workers} {r['cluster_seconds']:.1f} s"
        f" ({w / r['cluster_seconds']:,.0f} words/s): {r['ratio']:.2f}x; same spans: {r['same']}"
    )
    per_worker = w / r["worker_cpu_seconds"]  # words per CPU second of one worker
    print(
        f"CPU: 1 process {w / r['local_cpu_seconds']:,.0f} words per CPU-s; a worker {per_worker:,.0f}"
        f" (the client here, the scheduler's threads included: {r['client_ms_per_article']:.2f} ms an article"
        f" beyond {r['idle_cpu_share']:.0%} of a core idle)"
    )
    print(f"cluster start {r['start_seconds']:.1f} s, pipeline to every worker {r['load_seconds']:.1f} s")
    spans = list(suggester.suggest(corpus[:64]))
    per_article = sum(map(len, spans)) / len(spans)
    rate, written = writer(list(zip([m.article_id(t) for t in corpus[:64]], spans, strict=True)), 150)
    print(
        f"writer: {rate:,.0f} suggestions/s ({rate / per_article:,.0f} articles/s at {per_article:.0f}"
        f" suggestions an article; {written:,} articles)"
    )
    ms = client_cost(dict(zip(corpus[:64], spans, strict=True)))
    print(f"client (scheduler and worker apart): {ms:.2f} ms of CPU an article")
    scale = WORDS / (w / n)  # suggestions grow with the words
    ms_article = (ms + 1000 * per_article / rate) * scale  # receiving, then writing: one thread
    main_h = ARTICLES * ms_article / 1000 / 3600
    for k in (1, 2, 8, 32, 64, 128, 512):
        suggest_h = ARTICLES * WORDS / (k * per_worker) / 3600
        print(
            f"  {ARTICLES:,} x {WORDS} words on {k:>3} workers: {max(suggest_h, main_h):6.2f} h"
            f" (workers {suggest_h:.2f} h; the command receiving and writing {main_h:.2f} h)"
        )


if __name__ == "__main__":
    main()
