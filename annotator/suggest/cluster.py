"""Suggesting on a Dask cluster (``dask.distributed``): chunks of texts in, span lists out.

``annotator suggest --cluster ADDRESS`` hands the suggester to every worker once (in a worker
plugin, :mod:`annotator.suggest.dask_worker`: each worker unpickles the pipeline one time, so
workers need annotator and spaCy installed but not the model or the taxonomy file) and then
submits chunks of ``batch_size`` texts as tasks.
Each task returns the chunk's span lists, as the forked workers of
:mod:`annotator.suggest.workers` do; the client yields them in the texts' order, so the caller
writes them to the database as they arrive, with the same progress and cancellation.

``ADDRESS`` is ``local:N`` (a ``LocalCluster`` of N worker processes on this machine, started
and stopped here) or a running scheduler, e.g. ``tcp://host:8786`` (``dask scheduler`` and
``dask worker tcp://host:8786``, from the Dask documentation, start one).

Dask is an optional dependency (``pip install "annotator[cluster]"``); it is imported only here,
and only when a cluster is asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import statistics
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, starmap
from typing import Any

from annotator.errors import AnnotatorError, Cancelled, ClusterError
from annotator.model import SuggestedSpan
from annotator.suggest.failures import Failed

# Texts per task when none is given. The client spends about 5 ms of CPU on each task and 0.25 ms
# on each article (2,000 demo articles on a blank pipeline: 0.52 ms an article in tasks of 16,
# 0.28 in tasks of 64), so larger tasks let one client feed more workers; a cancel does not wait
# for running tasks, so their size costs nothing there.
CHUNK = 64
AHEAD = 3  # tasks handed out per worker thread ahead of the one being read
RECOUNT = 32  # tasks read between two counts of the workers (some may have joined or left)
SPREAD = 4  # with the number of texts known, tasks are small enough for this many per thread
POLL_S = 0.2  # how often waiting for a result looks at ``cancelled``
CONNECT_TIMEOUT_S = 10.0
_LOCAL = re.compile(r"local:(\d+)")
_USAGE = "use local:N for N worker processes here, or a scheduler address such as tcp://host:8786"


def local_workers(address: str) -> int | None:
    """N of ``local:N``; None for a scheduler address.

    Raises
    ------
    ClusterError
        If the address is empty, or ``local:`` without a positive number.
    """
    address = address.strip()
    if not address:
        raise ClusterError("--cluster needs an address", hint=_USAGE)
    if address.startswith("local"):
        found = _LOCAL.fullmatch(address)
        if found is None or int(found.group(1)) < 1:
            raise ClusterError(
                f"--cluster {address}: not a local cluster of one or more workers", hint=_USAGE
            )
        return int(found.group(1))
    return None


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "suggesting on a cluster needs Dask, which is not installed",
            hint='pip install "annotator[cluster]"',
        ) from None
    return distributed


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Dask's own log lines while it runs here (the CLI says what went wrong in one line)."""
    logs = [logging.getLogger(name) for name in ("distributed", "asyncio", "tornado")]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.CRITICAL)
    hook = sys.unraisablehook
    # A Client whose connection failed closes itself when collected, and complains about it.
    sys.unraisablehook = lambda _: None
    try:
        yield
    finally:
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)
        sys.unraisablehook = hook


def _check_reachable(address: str, timeout: float) -> None:
    """Fail in one line, at once, when nothing listens at a TCP scheduler address, and within
    ``timeout`` when what answers is not a Dask scheduler (a Client would wait for it forever)."""
    from distributed.comm import parse_address, parse_host_port
    from distributed.comm.registry import backends

    # Checked here: a Client made on a bad address fails, then hangs when it is collected.
    try:
        scheme, loc = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown scheme {scheme!r}; Dask knows {', '.join(sorted(backends))}")
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(loc)
    except ValueError as e:
        raise ClusterError(f"--cluster {address}: {e}", hint=_USAGE) from None
    start = f"start one with `dask scheduler` and `dask worker {address}`, or use --cluster local:N"
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({reason})", hint=start) from None
    try:
        identity = asyncio.run(_identity(address, timeout))
    except (OSError, TimeoutError, ValueError) as e:
        identity = {"error": str(e) or type(e).__name__}
    if identity.get("type") != "Scheduler":
        raise ClusterError(f"{address} answers, but not as a Dask scheduler", hint=start)


async def _identity(address: str, timeout: float) -> dict:
    from distributed.comm import connect

    comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
    try:
        await asyncio.wait_for(comm.write({"op": "identity"}), timeout)
        reply = await asyncio.wait_for(comm.read(), timeout)
    finally:
        comm.abort()
    return reply if isinstance(reply, dict) else {}


@contextlib.contextmanager
def connect(address: str, timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Any]:
    """A ``distributed.Client`` on ``address`` (see :func:`local_workers`), closed afterwards.

    A local cluster is started here and stopped on leaving; a remote scheduler must have at
    least one worker within ``timeout`` seconds.

    Raises
    ------
    ClusterError
        Dask is not installed, the address is malformed, the scheduler cannot be reached or
        has no workers.
    """
    distributed = _distributed()
    n = local_workers(address)
    with _quiet():
        client, cluster = _start(distributed, address, n, timeout)
        try:
            if n is None:
                try:
                    client.wait_for_workers(1, timeout=timeout)
                except TimeoutError:
                    raise ClusterError(
                        f"the Dask scheduler at {address} has no workers",
                        hint=f"start some with `dask worker {address}`",
                    ) from None
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _start(distributed, address: str, n: int | None, timeout: float) -> tuple[Any, Any]:
    """``(client, local cluster or None)``; see :func:`connect`."""
    cluster = None
    try:
        if n is not None:
            cluster = distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                # Its HTTP server starts either way: on a free port, never a warning about 8787.
                dashboard_address=":0",
                silence_logs=logging.CRITICAL,
            )
            return distributed.Client(cluster, set_as_default=False), cluster
        _check_reachable(address, timeout)
        return distributed.Client(address, timeout=timeout, set_as_default=False), None
    except ClusterError:
        raise
    except Exception as e:  # noqa: BLE001 - Dask's many ways to fail, said in one line
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot start or reach the Dask cluster {address}: {e}", hint=_USAGE) from None


# A span travels back as a plain tuple of SuggestedSpan's fields: unpickling the frozen, slotted
# dataclass runs its __setstate__ per span (64 demo articles of the English model: 15 ms of the
# client's CPU as dataclasses, 2.7 ms as tuples, and 3.4 ms more to make the spans again here).
_Wire = list[list[tuple] | str]  # per text: its spans as tuples, or the error it failed with


@contextlib.contextmanager
def installed(client: Any, suggester: Any) -> Iterator[str]:
    """``suggester`` on every worker of ``client`` (and on any that joins), under the name yielded.

    Raises
    ------
    ClusterError
        If a worker cannot set it up (annotator or spaCy missing there, say).
    """
    from annotator.suggest.dask_worker import SuggesterPlugin

    name = f"annotator-suggester-{uuid.uuid4().hex[:12]}"
    try:
        client.register_plugin(SuggesterPlugin(name, suggester), name=name)
    except Exception as e:  # noqa: BLE001 - a worker's failure, said in one line
        what = str(e) if type(e) is Exception else f"{type(e).__name__}: {e}"  # the scheduler wraps it
        raise ClusterError(
            f"a Dask worker could not load the suggester: {what}",
            hint="every worker needs annotator and spaCy installed, in the versions used here",
        ) from None
    try:
        yield name
    finally:
        with _quiet(), contextlib.suppress(Exception):
            client.unregister_worker_plugin(name)


def _spans(wire: _Wire) -> list[list[SuggestedSpan] | Failed]:
    return [Failed(spans) if isinstance(spans, str) else list(starmap(SuggestedSpan, spans)) for spans in wire]


def _result(future: Any, cancelled: Callable[[], bool] | None, done: int) -> _Wire:
    from distributed.scheduler import KilledWorker

    while True:
        try:
            return future.result(timeout=POLL_S)
        except TimeoutError:
            if cancelled is not None and cancelled():
                raise Cancelled(f"suggesting was cancelled after {done} text(s)") from None
        except KilledWorker:
            raise ClusterError(
                "a Dask worker died while suggesting (killed, or out of memory?)",
                hint="give the workers more memory, or run again",
            ) from None
        except AnnotatorError:
            raise
        except Exception as e:  # noqa: BLE001 - a worker's own failure, said in one line
            raise ClusterError(
                f"a Dask worker could not suggest: {type(e).__name__}: {e}",
                hint="every worker needs annotator and spaCy installed, in the versions used here",
            ) from None


def _threads(client: Any) -> int:
    return max(1, sum(client.nthreads().values()))


def ordered(
    client: Any,
    name: str,
    texts: Iterable[str],
    chunk: int = CHUNK,
    cancelled: Callable[[], bool] | None = None,
    total: int | None = None,
) -> Iterator[list[SuggestedSpan]]:
    """The span lists of ``texts``, in order, from tasks on ``client``'s workers.

    ``name`` is the suggester :func:`installed` on the workers. Tasks are ``chunk`` texts, fewer when ``total``
    (the number of texts) would make fewer than :data:`SPREAD` per worker thread: 200
    articles in tasks of 64 left one of two workers a single task of 8. At most :data:`AHEAD`
    tasks per thread are out at a time (counted again every :data:`RECOUNT` tasks, so workers
    that join are used); closing the generator cancels the ones not yet read.
    """
    from annotator.suggest.dask_worker import suggest_chunk

    threads = _threads(client)
    if total:
        chunk = max(1, min(chunk, -(-total // (SPREAD * threads))))
    it = iter(texts)
    queued: deque = deque()
    failed: list[BaseException] = []  # raised by ``texts``: raised after the texts before it
    done = 0

    def hand_out() -> bool:
        """Submit the next chunk; False when there is none (the texts ended or failed)."""
        part: list[str] = []
        if not failed:
            try:
                part.extend(islice(it, chunk))
            except Exception as e:  # noqa: BLE001 - raised again in order, below
                failed.append(e)
        if part:
            queued.append(client.submit(suggest_chunk, name, part, pure=False))
        return bool(part) and not failed

    try:
        while len(queued) < AHEAD * threads and hand_out():
            pass
        read = 0
        while queued:
            got = _spans(_result(queued[0], cancelled, done))
            queued.popleft()
            read += 1
            if read % RECOUNT == 0:
                threads = _threads(client)
            while len(queued) < AHEAD * threads and hand_out():
                pass
            done += len(got)
            yield from got
        if failed:
            raise failed[0]
    finally:
        if queued:
            with _quiet(), contextlib.suppress(Exception):
                client.cancel(list(queued))


def suggest(
    suggester: Any,
    texts: Iterable[str],
    address: str,
    batch_size: int = CHUNK,
    cancelled: Callable[[], bool] | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
    total: int | None = None,
) -> Iterator[list[SuggestedSpan]]:
    """The span lists of ``suggester.suggest(texts)``, in order, computed on the cluster at ``address``.

    Nothing starts until the first result is asked for. Closing the generator (a cancel, an
    error) cancels the tasks not yet read and disconnects (a local cluster is stopped).

    Raises
    ------
    ClusterError
        See :func:`connect`; or a worker died or failed.
    Cancelled
        When ``cancelled()`` turns true while a result is awaited.
    """
    with connect(address, timeout) as client, installed(client, suggester) as name:
        yield from ordered(client, name, texts, max(1, batch_size), cancelled, total)


# -- measuring ------------------------------------------------------------------------------------


def measure(suggester: Any, texts: Sequence[str], workers: int = 2, repeat: int = 3) -> dict:
    """Suggest ``texts`` in this process and on a ``LocalCluster`` of ``workers``, in turn.

    The cluster is started and the suggester installed once (timed apart); each round then
    runs both ways on the warm cluster, in alternating order, and the medians are compared.
    For the bench row ``suggest-cluster`` (target: ``ratio`` >= 1.5 with 2 workers). CPU
    seconds are counted too: on a busy machine the wall clock says how many cores were free,
    the CPU time what a worker needs.

    Returns
    -------
    dict
        ``articles``, ``words``, ``workers``, ``local_seconds`` and ``cluster_seconds``
        (medians), ``ratio`` (local / cluster), ``local_cpu_seconds``, ``worker_cpu_seconds``
        (all workers' together) and ``client_cpu_seconds`` (this process during a cluster
        run, the scheduler's threads included), medians too; ``idle_cpu_share`` (of a core,
        this process with the cluster idle) and ``client_ms_per_article`` (the client's CPU
        beyond that, per article); ``start_seconds`` (the cluster), ``load_seconds`` (installing the
        suggester and a first task), ``same`` (both gave the same spans) and ``runs``.
    """
    texts = list(texts)
    t0 = time.perf_counter()
    with connect(f"local:{workers}") as client:
        t1 = time.perf_counter()
        with installed(client, suggester) as name:
            list(ordered(client, name, texts[: 2 * workers], chunk=1))
            t2 = time.perf_counter()
            runs: dict[str, list[tuple[float, float, float]]] = {"local": [], "cluster": []}
            results: dict[str, list] = {}
            for i in range(repeat):
                for way in ("local", "cluster") if i % 2 == 0 else ("cluster", "local"):
                    before = client.run(time.process_time)
                    start, cpu = time.perf_counter(), time.process_time()
                    if way == "local":
                        results[way] = list(suggester.suggest(texts))
                    else:
                        results[way] = list(ordered(client, name, texts, total=len(texts)))
                    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                    after = client.run(time.process_time)
                    runs[way].append((wall, cpu, sum(after[w] - before.get(w, 0.0) for w in after)))
            idle = time.process_time()
            time.sleep(1.0)  # what this process (client and, here, the scheduler) spends doing nothing
            idle = time.process_time() - idle
    local, remote = (
        [statistics.median(col) for col in zip(*runs[way], strict=True)] for way in ("local", "cluster")
    )
    return {
        "articles": len(texts),
        "words": sum(len(t.split()) for t in texts),
        "workers": workers,
        "local_seconds": local[0],
        "cluster_seconds": remote[0],
        "ratio": local[0] / remote[0],
        "local_cpu_seconds": local[1],
        "worker_cpu_seconds": remote[2],
        "client_cpu_seconds": remote[1],
        "idle_cpu_share": idle,
        "client_ms_per_article": 1000 * max(0.0, remote[1] - idle * remote[0]) / len(texts),
        "start_seconds": t1 - t0,
        "load_seconds": t2 - t1,
        "same": results["local"] == results["cluster"],
        "runs": repeat,
    }


def write_rate(
    write: Callable[[list[tuple[str, list[SuggestedSpan]]]], object],
    results: Sequence[tuple[str, list[SuggestedSpan]]],
    batch: int = 256,
) -> float:
    """Suggestions per second that ``write`` takes, fed ``results`` in batches of ``batch``
    articles (``write`` is, e.g., ``partial(store.store_suggestions, sources=...)``, as
    ``annotator suggest`` writes)."""
    n = sum(len(spans) for _, spans in results)
    start = time.perf_counter()
    for i in range(0, len(results), batch):
        write(list(results[i : i + batch]))
    return n / (time.perf_counter() - start)
