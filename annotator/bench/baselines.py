"""The baselines: the same work done bare, with the same libraries, to compare our paths with.

Each runs in a fresh process (see :func:`annotator.bench.timing.script`), so this module
imports nothing of the annotator at its top: a baseline pays for its own imports only.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path


def baseline_import(jsonl: str | Path, db: str | Path) -> int:
    """Plain sqlite3: parse the JSONL and executemany the same rows in one transaction.

    The rows are the ones ``annotator import`` writes (articles with their ids, normalised ids
    and word counts; one annotation per span), into the same tables and indexes: the caller
    creates the schema beforehand, outside the timing.
    """
    import hashlib
    import unicodedata

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    stamp = "2024-01-01T00:00:00.000000+00:00"
    arts, anns = [], []
    with open(jsonl, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            text = r["text"]
            aid = digest(text)
            norm = digest(unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")))
            meta = json.dumps(r["meta"], ensure_ascii=False, sort_keys=True)
            arts.append((aid, norm, r["meta"]["title"], text, "", meta, len(text.split()), stamp))
            who = r["_annotator_id"]
            anns.extend(
                (aid, who, s["layer"], s["start"], s["end"], s["label"], "imported", None, stamp)
                for s in r["spans"]
            )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", arts)
    conn.executemany(
        'INSERT INTO annotations(article_id, annotator, layer, start, "end", label, origin, source, created_at)'
        " VALUES (?,?,?,?,?,?,?,?,?)",
        anns,
    )
    conn.execute("COMMIT")
    conn.close()
    return len(arts)


# The raw limit's tables: no key, no index, no constraint.
RAW_TABLES = (
    "CREATE TABLE articles (n INTEGER, text TEXT, title TEXT)",
    'CREATE TABLE spans (article INTEGER, annotator TEXT, layer TEXT, start INTEGER, "end" INTEGER, label TEXT)',
)


def create_raw_tables(db: str | Path) -> None:
    """Make the raw limit's unindexed tables, in WAL as the store's (before the clock starts)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for sql in RAW_TABLES:
        conn.execute(sql)
    conn.close()


def raw_import(jsonl: str | Path, db: str | Path) -> int:
    """The raw limit of import: ``json.loads`` of each line, then one ``executemany`` of the
    articles and one of the spans into unindexed tables, in one transaction.

    Nothing else: no ids, no normalisation, no checks, no meta. Made by
    :func:`create_raw_tables` beforehand, outside the timing.
    """
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    arts, spans = [], []
    with open(jsonl, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            r = json.loads(line)
            arts.append((n, r["text"], r["meta"]["title"]))
            who = r["_annotator_id"]
            spans.extend((n, who, s["layer"], s["start"], s["end"], s["label"]) for s in r["spans"])
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO articles VALUES (?, ?, ?)", arts)
    conn.executemany("INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?)", spans)
    conn.execute("COMMIT")
    conn.close()
    return len(arts)


def baseline_export(db: str | Path, out: str | Path) -> int:
    """Plain sqlite3 reads of the same rows, one ``json.dumps`` per article and annotator."""
    conn = sqlite3.connect(db)
    spans: dict[tuple[str, str], list] = {}
    for aid, who, layer, s, e, label in conn.execute(
        'SELECT article_id, annotator, layer, start, "end", label FROM annotations ORDER BY article_id, start'
    ):
        spans.setdefault((aid, who), []).append({"start": s, "end": e, "label": label, "layer": layer})
    whos: dict[str, list[str]] = {}
    for aid, who in spans:
        whos.setdefault(aid, []).append(who)
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for aid, text, title, meta in conn.execute(
            "SELECT id, text, title, meta FROM articles ORDER BY rowid"
        ):
            for who in whos.get(aid, ()):
                fh.write(
                    json.dumps(
                        {
                            "text": text,
                            "spans": spans[(aid, who)],
                            "meta": json.loads(meta),
                            "title": title,
                            "annotator": who,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                n += 1
    conn.close()
    return n


def article_texts(db: str | Path) -> list[tuple[str, str]]:
    """``(id, text)`` of every article, read with plain sqlite3 in import order."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, text FROM articles ORDER BY rowid").fetchall()
    finally:
        conn.close()


def bare_pipe(db: str | Path) -> int:
    """Load the same pipeline as ``annotator suggest`` and run bare ``nlp.pipe`` over the texts."""
    from annotator.suggest import Suggester

    texts = [t for _, t in article_texts(db)]
    suggester = Suggester()  # the pipeline load, the issue ruler and the same disabled components
    n = 0
    for _doc in suggester.nlp.pipe(texts, batch_size=64, disable=suggester.disabled):
        n += 1
    return n


def bare_insert_times(path: Path, count: int) -> list[float]:
    """Seconds of one bare INSERT + commit each (WAL, synchronous=FULL like the store)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, article_id TEXT, start INTEGER, label TEXT)"
    )
    out = []
    for i in range(count):
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t(article_id, start, label) VALUES (?, ?, ?)", ("x" * 24, i, "ORG"))
        conn.execute("COMMIT")
        out.append(time.perf_counter() - t0)
    conn.close()
    return out
