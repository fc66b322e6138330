"""The ``suggest-cluster`` row: the suggester on a 2-worker Dask ``LocalCluster`` against one process.

Both ways run in this process over the same articles (see
:func:`annotator.suggest.cluster.measure`): the cluster is started and the suggester installed
once, then each round runs locally and on the warm cluster in turn. Without the ``cluster``
extra (``pip install "annotator[cluster]"``) the row's error says so; the other rows still run.
"""

from __future__ import annotations

from annotator.bench.baselines import article_texts
from annotator.bench.context import Bench
from annotator.bench.timing import Row

TARGET = 1.5
WORKERS = 2


def row_cluster(bench: Bench) -> Row:
    """Words per second on the cluster against one process; target ``>= 1.5``."""
    name = "suggest-cluster"
    title = f"annotator suggest --cluster local:{WORKERS} vs 1 process"
    from annotator.suggest import Suggester, cluster  # a ClusterError without Dask: the row's error
    n = min(bench.args.articles, bench.args.suggest_articles)
    texts = [t for _, t in article_texts(bench.imported_db(n))]
    got = cluster.measure(Suggester(), texts, workers=WORKERS, repeat=bench.args.repeat)
    words = got["words"]
    ours, base = words / got["cluster_seconds"], words / got["local_seconds"]
    ratio = ours / base
    details = {k: v for k, v in got.items() if k != "runs"}
    return Row(
        name, f"{title}, {n:,} articles", "words/s", ours, base, ratio, f">= {TARGET}", ratio >= TARGET, details
    )
