"""Suggest on a Dask LocalCluster against one process, and the database writer's rate.

Not a test; run it by hand (it prints the figures the README quotes):

cd /work/main && .venv/bin/python tests/suggest/bench_cluster.py [articles] [workers] [repeat]
"""

from __future__ import annotations

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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    corpus = texts(n)
    suggester = Suggester()
    r = cluster.measure(suggester, corpus, workers=workers, repeat=repeat)
    local_rate, cluster_rate = r["words"] / r["local_seconds"], r["words"] / r["cluster_seconds"]
    print(
        f"{n} articles, {r['words']:,} words, {repeat} rounds: 1 process {r['local_seconds']:.1f} s"
        f" ({local_rate:,.0f} words/s); LocalCluster of {workers} {r['cluster_seconds']:.1f} s"
        f" ({cluster_rate:,.0f} words/s): {r['ratio']:.2f}x; same spans: {r['same']}"
    )
    print(f"cluster start {r['start_seconds']:.1f} s, pipeline to every worker {r['load_seconds']:.1f} s")
    spans = list(suggester.suggest(corpus[:64]))
    per_article = sum(map(len, spans)) / len(spans)
    t0 = time.perf_counter()
    rate, written = writer(list(zip([m.article_id(t) for t in corpus[:64]], spans, strict=True)), 150)
    print(
        f"writer: {rate:,.0f} suggestions/s ({rate / per_article:,.0f} articles/s at {per_article:.0f}"
        f" suggestions an article; {written:,} articles, {time.perf_counter() - t0:.0f} s with the setup)"
    )
    per_article_here = per_article * WORDS / (r["words"] / n)  # suggestions scale with words
    for k in (1, 2, 8, 32, 128):
        suggest_h = ARTICLES * WORDS / (k * local_rate) / 3600
        write_h = ARTICLES * per_article_here / rate / 3600
        print(
            f"  {ARTICLES:,} x {WORDS} words on {k:>3} workers: {max(suggest_h, write_h):6.1f} h"
            f" (suggest {suggest_h:.1f} h, writer {write_h:.2f} h)"
        )


if __name__ == "__main__":
    main()
