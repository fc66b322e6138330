"""The bench's baselines do the same work as the paths they are compared with.

A baseline that wrote fewer rows than ``annotator import`` would flatter our path; these check
the counts, fast, on a few generated articles (the timing is the bench's business).
"""

from __future__ import annotations

import sqlite3

from annotator.bench.baselines import baseline_import, create_raw_tables, raw_import
from annotator.bench.corpus import ANNOTATOR, corpus, write_corpus
from annotator.bench.databases import import_file
from annotator.store import Store

COUNT = 6


def _count(db, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_the_corpus_is_the_same_for_the_same_seed_and_has_spans_of_both_layers():
    first, again = list(corpus(COUNT)), list(corpus(COUNT))
    assert first == again
    layers = {layer for a in first for *_, layer in a.spans}
    assert layers == {"entity", "issue"}
    for a in first:
        assert all(a.text[s:e].strip() == a.text[s:e] and s < e for s, e, *_ in a.spans)


def test_the_baseline_and_the_raw_limit_write_what_annotator_import_writes(tmp_path):
    jsonl = tmp_path / "corpus.jsonl"
    write_corpus(jsonl, COUNT)
    spans = sum(len(a.spans) for a in corpus(COUNT))

    ours = tmp_path / "ours.db"
    import_file(ours, jsonl, ANNOTATOR)
    with Store(ours) as store:
        assert store.article_count() == COUNT
        assert sum(1 for _ in store.all_annotations(ANNOTATOR)) == spans

    base = tmp_path / "base.db"
    Store(base).close()
    assert baseline_import(jsonl, base) == COUNT
    assert _count(base, "articles") == COUNT
    assert _count(base, "annotations") == spans

    raw = tmp_path / "raw.db"
    create_raw_tables(raw)
    assert raw_import(jsonl, raw) == COUNT
    assert _count(raw, "articles") == COUNT
    assert _count(raw, "spans") == spans
    # Unindexed: the raw limit pays for no index.
    conn = sqlite3.connect(raw)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index'").fetchone()[0] == 0
    finally:
        conn.close()
