"""Suggest on a Dask LocalCluster against one process, and the database writer's rate.

Not a test; run it by hand (it prints the figures the README quotes):

cd /work/main && .venv/bin/python tests/suggest/bench_cluster.py [articles] [workers] [repeat]
"""

from __future__ import annotations

import sys
import tempfile
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
    client = w / r["client_cpu_seconds"]
    print(
        f"CPU: 1 process {w / r['local_cpu_seconds']:,.0f} words per CPU-s; a worker {per_worker:,.0f};"
        f" the client {client:,.0f} (it would keep {client / per_worker:.0f} workers busy)"
    )
    print(f"cluster start {r['start_seconds']:.1f} s, pipeline to every worker {r['load_seconds']:.1f} s")
    spans = list(suggester.suggest(corpus[:64]))
    per_article = sum(map(len, spans)) / len(spans)
    rate, written = writer(list(zip([m.article_id(t) for t in corpus[:64]], spans, strict=True)), 150)
    print(
        f"writer: {rate:,.0f} suggestions/s ({rate / per_article:,.0f} articles/s at {per_article:.0f}"
        f" suggestions an article; {written:,} articles)"
    )
    suggestions = ARTICLES * per_article * WORDS / (w / n)  # suggestions grow with the words
    write_h = suggestions / rate / 3600
    client_h = ARTICLES * WORDS / client / 3600
    for k in (1, 2, 8, 32, 128):
        suggest_h = ARTICLES * WORDS / (k * per_worker) / 3600
        print(
            f"  {ARTICLES:,} x {WORDS} words on {k:>3} workers: {max(suggest_h, write_h, client_h):6.1f} h"
            f" (workers {suggest_h:.1f} h, client {client_h:.2f} h, writer {write_h:.2f} h)"
        )


if __name__ == "__main__":
    main()
