"""Speed of Suggester.suggest on the demo articles (not a test; run it by hand).

cd /work/main && /work/venv/bin/python tests/suggest/bench_suggest.py [n_process] [repeats]
"""

from __future__ import annotations

import sys
import time

from annotator.paths import resource
from annotator.suggest import Suggester


def main() -> None:
    n_process = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    texts = [p.read_text(encoding="utf-8") for p in sorted(resource("demo").glob("*.txt"))] * repeats
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    suggester = Suggester()
    loaded = time.perf_counter()
    list(suggester.suggest(texts[:8]))  # warm up
    begin = time.perf_counter()
    spans = sum(len(r) for r in suggester.suggest(texts, n_process=n_process))
    took = time.perf_counter() - begin
    print(
        f"{suggester.sources}; load {loaded - start:.1f}s; {len(texts)} texts, {words} words,"
        f" {spans} spans in {took:.1f}s = {words / took:,.0f} words/s (n_process={n_process})"
    )


if __name__ == "__main__":
    main()
