"""Suggesting on a Dask cluster gives what the local path gives, with progress, cancel, clear errors."""

from __future__ import annotations

import socket
import sys
import threading

import pytest

from annotator import ops
from annotator.errors import Cancelled, ClusterError
from annotator.store import Store
from annotator.suggest import cluster

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    """A running scheduler with two worker processes, reached by its tcp:// address as a user would."""
    from distributed import LocalCluster

    with cluster._quiet():
        local = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
        )
    yield local.scheduler_address
    with cluster._quiet():
        local.close()


@pytest.fixture(scope="module")
def texts(demo_files_module):
    return [p.read_text(encoding="utf-8") for p in demo_files_module] * 3


@pytest.fixture(scope="module")
def demo_files_module():
    from annotator.paths import resource

    return sorted(resource("demo").glob("*.txt"))


def test_blank_pipeline_on_the_cluster_gives_the_local_spans_in_order(blank_suggester, texts, scheduler):
    local = list(blank_suggester.suggest(texts))
    assert any(local)
    done = []
    remote = list(blank_suggester.suggest(texts, cluster=scheduler, progress=done.append))
    assert remote == local
    assert done == list(range(1, len(texts) + 1))


def _rows(store: Store):
    return sorted(
        (aid, s.layer, s.start, s.end, s.label, s.source)
        for aid in store.article_ids()
        for s in store.suggestions(aid)
    )


def test_suggest_on_a_local_cluster_writes_what_one_process_writes(tmp_path, texts):
    import spacy

    stores = [Store(tmp_path / "one.db"), Store(tmp_path / "cluster.db")]
    for st in stores:
        st.add_articles(texts)
    progress = []
    one = ops.suggest(stores[0], nlp=spacy.blank("en"), entities=False)
    two = ops.suggest(
        stores[1],
        nlp=spacy.blank("en"),
        entities=False,
        cluster="local:2",
        progress=lambda d, t: progress.append((d, t)),
    )
    assert _rows(stores[0]) == _rows(stores[1]) and _rows(stores[0])
    assert two.spans == one.spans and two.articles == one.articles == len(set(texts))
    assert progress[-1] == (two.articles, two.articles)
    for st in stores:
        st.close()


@pytest.mark.model
def test_the_english_model_on_the_cluster_gives_the_local_spans(english, texts, scheduler):
    local = list(english.suggest(texts))
    assert list(english.suggest(texts, cluster=scheduler)) == local


def test_cancel_while_waiting_stops_and_keeps_only_whole_batches(tmp_path, texts, scheduler):
    import spacy

    store = Store(tmp_path / "c.db")
    many = [f"{t}\n({i})" for i, t in enumerate(texts * 10)]  # 240 distinct articles
    store.add_articles(many)
    seen = []
    with pytest.raises(Cancelled):
        ops.suggest(
            store,
            nlp=spacy.blank("en"),
            entities=False,
            cluster=scheduler,
            commit_every=16,
            progress=lambda done, total: seen.append(done),
            cancelled=lambda: len(seen) >= 20,  # progress comes per article: stop mid second batch
        )
    written = {row[0] for row in _rows(store)}
    # The first whole batch of 16 is kept, the 4 of the unfinished one are not, nor the rest of 240.
    assert seen == list(range(1, 21)) and len(written) == 16
    store.close()


def test_an_unreachable_scheduler_is_one_clear_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        list(cluster.suggest(None, ["text"], f"tcp://127.0.0.1:{port}", timeout=1))


def test_something_else_on_the_port_is_not_taken_for_a_scheduler():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        with pytest.raises(ClusterError, match="answers, but not as a Dask scheduler"):
            list(cluster.suggest(None, ["text"], address, timeout=1))
    finally:
        server.close()
        for conn, _ in accepted:
            conn.close()


def test_a_scheduler_without_workers_says_how_to_start_some():
    from distributed import LocalCluster

    with cluster._quiet():
        empty = LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=":0")
    try:
        with pytest.raises(ClusterError, match="has no workers.*dask worker"):
            list(cluster.suggest(None, ["text"], empty.scheduler_address, timeout=1))
    finally:
        with cluster._quiet():
            empty.close()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("local:0", "not a local cluster of one or more workers"),
        ("local:two", "not a local cluster"),
        ("", "needs an address"),
        ("foo://host:1", "unknown scheme 'foo'"),
        ("tcp://127.0.0.1", "missing port"),
    ],
)
def test_malformed_addresses_name_what_to_use(address, message):
    with pytest.raises(ClusterError, match=message) as info:
        list(cluster.suggest(None, ["text"], address))
    assert "local:N" in str(info.value)


def test_without_dask_installed_the_error_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ClusterError, match=r'pip install "annotator\[cluster\]"'):
        list(cluster.suggest(None, ["text"], "local:1"))


def test_a_worker_failure_is_one_clear_error(scheduler):
    class Broken:
        def suggest(self, texts, batch_size=16, keep_going=False):
            raise RuntimeError("no pipeline here")

    with pytest.raises(ClusterError, match="a Dask worker could not suggest: RuntimeError: no pipeline here"):
        list(cluster.suggest(Broken(), ["text"], scheduler))


def test_measure_returns_the_timings_of_both_ways(blank_suggester, texts):
    r = cluster.measure(blank_suggester, texts[:8], workers=1, repeat=1)
    assert r["same"] is True and r["articles"] == 8 and r["workers"] == 1
    for key in ("local_seconds", "cluster_seconds", "ratio", "worker_cpu_seconds", "start_seconds"):
        assert r[key] > 0


def test_write_rate_counts_the_suggestions_written(tmp_path):
    from annotator.model import ENTITY, SuggestedSpan

    with Store(tmp_path / "w.db") as st:
        st.add_articles(["Paris is big.", "Rome is old."])
        ids = st.article_ids()
        spans = [SuggestedSpan(0, 4, "GPE", ENTITY, "spacy:x@1")]
        rate = cluster.write_rate(
            lambda batch: st.store_suggestions(batch, ["spacy:x@1"]), [(a, spans) for a in ids]
        )
        assert rate > 0 and sum(len(st.suggestions(a)) for a in ids) == 2


def test_a_suggester_a_worker_cannot_load_is_one_clear_error(scheduler):
    class Unloadable:
        def __reduce__(self):  # unpickling it on a worker fails, as a missing package would
            return (int, ("not a number",))

    with pytest.raises(ClusterError, match="a Dask worker could not load the suggester: ValueError"):
        list(cluster.suggest(Unloadable(), ["text"], scheduler))


def test_the_suggester_is_installed_once_per_worker_and_removed_after(blank_suggester, scheduler):
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        with cluster.installed(client, blank_suggester) as name:
            assert set(client.run(_installed_names).values()) == {(name,)}
        assert set(client.run(_installed_names).values()) == {()}


def _installed_names():
    from annotator.suggest.dask_worker import INSTALLED

    return tuple(INSTALLED)
