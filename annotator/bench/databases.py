"""The databases the rows run on, made through the core (``annotator.ops`` and the store).

The core is imported inside each function: the bench's baselines import this package in
fresh processes and must not pay for it.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator.bench.corpus import (
    ENTITY_SOURCE,
    GENERATOR_VERSION,
    ISSUE_SOURCE,
    SEED,
    SynthArticle,
    corpus,
    make_article,
)


def import_file(db: Path, path: Path, annotator: str) -> None:
    """What ``annotator import PATH --db DB --annotator NAME`` does, in this process.

    A file that cannot be imported raises its error.
    """
    from annotator import ops
    from annotator.store import Store

    with Store(db) as store:
        ops.ensure_default_labels(store)
        for result in ops.import_paths(store, [path], annotator=annotator):
            if result.error is not None:
                raise result.error


def add_suggested_articles(store, arts: Sequence[SynthArticle]) -> list[str]:
    """Add ``arts`` with their spans as suggestions (entities and issues); returns their ids."""
    from annotator.model import SuggestedSpan, article_id

    store.add_articles([{"text": a.text, "title": a.title} for a in arts])
    ids = [article_id(a.text) for a in arts]
    store.store_suggestions(
        [
            (
                aid,
                [
                    SuggestedSpan(s, e, lab, lay, ENTITY_SOURCE if lay == "entity" else ISSUE_SOURCE)
                    for s, e, lab, lay in a.spans
                ],
            )
            for aid, a in zip(ids, arts, strict=True)
        ],
        [ENTITY_SOURCE, ISSUE_SOURCE],
    )
    return ids


def window_db(path: Path, sizes: Sequence[tuple[int, int]]) -> dict[int, list[str]]:
    """A database with ``count`` articles of ``words`` words per ``(words, count)``, with suggestions.

    Returns the article ids per word count.
    """
    from annotator import ops
    from annotator.store import Store

    ids: dict[int, list[str]] = {}
    with Store(path) as store:
        ops.ensure_default_labels(store)
        n = 0
        for words, count in sizes:
            arts = [make_article(1_000_000 + n + i, words) for i in range(count)]
            n += count
            ids[words] = add_suggested_articles(store, arts)
    return ids


def cache_dir(args: argparse.Namespace) -> Path:
    """The folder of the cached big databases (``--cache``, else ``~/.cache/annotator-bench``)."""
    base = Path(args.cache) if args.cache else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = base / "annotator-bench" if not args.cache else base
    path.mkdir(parents=True, exist_ok=True)
    return path


def list_db(args: argparse.Namespace, count: int, log: Callable[[str], None]) -> Path:
    """A database of ``count`` 500-word articles, each with its suggestions (cached between runs).

    Built once per corpus and schema version in the cache folder (``--cache``); the runs only
    read it, so it stays the same database for every measurement.
    """
    from annotator.store import Store

    schema = Store.schema_steps()[-1]
    path = cache_dir(args) / f"list-{count}-g{GENERATOR_VERSION}-s{SEED}-{schema}.db"
    if path.exists():
        return path
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    t0 = time.perf_counter()
    log(f"building a {count:,}-article database in {path} (once; it is cached)")
    _build_list_db(part, count)
    for suffix in ("-wal", "-shm"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    part.replace(path)
    log(f"built in {time.perf_counter() - t0:.0f} s")
    return path


def _build_list_db(path: Path, count: int, batch: int = 2000) -> None:
    from annotator import ops
    from annotator.store import Store

    with Store(path) as store:
        ops.ensure_default_labels(store)
        for first in range(0, count, batch):
            arts = list(corpus(min(batch, count - first), start=first))
            with store.transaction():
                add_suggested_articles(store, arts)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
