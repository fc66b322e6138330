"""Benchmark: Prodigy export with tokens (``--tokens``) vs. bare ``json.dumps`` of the same rows.

Not collected by pytest. Run::

    cd /work/main && /work/venv/bin/python tests/export/bench_export.py [articles] [words] [spans]

Defaults: 2,000 synthetic articles of 500 words with 60 spans each (40 entity, 20 issue).
Prints records/second for

- ``export``: ``write("prodigy", records, StringIO(), tokens=True)``, tokenization included;
- ``dumps(record rows)``: ``json.dumps`` of one dict per record holding what the store gives
  the exporter (text, title, source, meta, spans with provenance, annotator, answer, timestamp);
- ``dumps(export rows)``: ``json.dumps`` of the rows the export wrote (``json.loads`` of
  each line: the same content, tokens included);

and the export rate as a fraction of each, for a cold run (first export of these texts in
the process) and a warm one (spaCy's tokenizer cache filled). Times are CPU seconds of this process
(``time.process_time``, best of 3), so other work on the machine does not skew the ratios.
"""

from __future__ import annotations

import io
import json
import random
import string
import sys
import time

from annotator.export import ExportRecord, ExportSpan, write
from annotator.export.base import tokenize
from annotator.model import Article, article_id


def synthetic(count: int, words: int, spans: int, seed: int = 7) -> list[ExportRecord]:
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 11))) for _ in range(20_000)
    ]
    vocabulary += ["U.S.", "Mr.", "don't", "health-care", "(2024)", "€5", "Zoë", "😀", '"quoted"', "e-mail"]
    punctuation = ["", "", "", "", "", ",", ".", ";", ":", "'s"]
    records = []
    for n in range(count):
        parts = []
        for i in range(words):
            word = rng.choice(vocabulary)
            if rng.random() < 0.12:
                word = word.capitalize()
            parts.append(word + rng.choice(punctuation))
            parts.append("\n\n" if i % 80 == 79 else " ")
        text = "".join(parts).strip()
        # Word starts, to put spans mostly on word boundaries (a few deliberately not).
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
        made = []
        for k in range(spans):
            at = rng.randrange(len(starts) - 4)
            start = starts[at] + (1 if k % 17 == 0 else 0)
            end = min(len(text), starts[at + rng.randint(1, 3)] - 1)
            if end <= start:
                end = start + 1
            if k < spans * 2 // 3:
                made.append(
                    ExportSpan(
                        start,
                        end,
                        rng.choice(["PERSON", "ORG", "GPE"]),
                        "entity",
                        "spacy:en_core_web_sm@3.8.0",
                        "accepted",
                        round(rng.random(), 3),
                    )
                )
            else:
                made.append(
                    ExportSpan(
                        start,
                        end,
                        rng.choice(["TAXES", "HEALTH", "ENERGY"]),
                        "issue",
                        "taxonomy:news-issues@3",
                        "manual",
                    )
                )
        article = Article(article_id(text), text, f"Article {n}", "synthetic", {"n": n})
        records.append(ExportRecord(article, "alice", tuple(made), timestamp=1_700_000_000 + n))
    return records


def record_row(record: ExportRecord) -> dict:
    a = record.article
    return {
        "text": a.text,
        "spans": [
            {
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "layer": s.layer,
                "source": s.source,
                "origin": s.origin,
                "score": s.score,
            }
            for s in record.spans
        ],
        "annotator": record.annotator,
        "answer": record.answer,
        "timestamp": record.timestamp,
        "meta": {**a.meta, "title": a.title, "source": a.source, "article_id": a.id},
    }


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    count, words, spans = (int(x) for x in (sys.argv[1:] + ["2000", "500", "60"][len(sys.argv) - 1 :])[:3])
    records = synthetic(count, words, spans)
    write("prodigy", records[:5], io.StringIO(), tokens=True)  # load spaCy once, outside the timings

    # Cold: the first export of these texts (spaCy's tokenizer cache knows none of their
    # words); warm: best of 3 more, as when the same archive is exported again.
    started = time.process_time()
    write("prodigy", records, io.StringIO(), tokens=True)
    cold_s = time.process_time() - started
    export_s = best_of(3, lambda: write("prodigy", records, io.StringIO(), tokens=True))
    tokenize_s = best_of(3, lambda: [tokenize(r.article.text) for r in records])
    out = io.StringIO()
    write("prodigy", records, out, tokens=True)
    record_rows = [record_row(r) for r in records]
    export_rows = [json.loads(line) for line in out.getvalue().splitlines()]

    def dumps_all(rows):
        return lambda: [json.dumps(row, ensure_ascii=False) for row in rows]

    record_s = best_of(3, dumps_all(record_rows))
    export_rows_s = best_of(3, dumps_all(export_rows))
    tokens = sum(len(row["tokens"]) for row in export_rows)
    print(f"{count} articles, {words} words, {spans} spans each; {tokens / count:.0f} tokens per article")
    print(f"export (prodigy), cold: {cold_s:7.3f} s  {count / cold_s:9.0f} records/s")
    print(
        f"export (prodigy), warm: {export_s:7.3f} s  {count / export_s:9.0f} records/s"
        f"   of which spaCy tokenization {tokenize_s:.3f} s"
    )
    for name, seconds in (("dumps(record rows)", record_s), ("dumps(export rows)", export_rows_s)):
        print(
            f"{name}:     {seconds:7.3f} s  {count / seconds:9.0f} records/s"
            f"   export is {seconds / cold_s:.2f} (cold) / {seconds / export_s:.2f} (warm) of this rate"
        )


if __name__ == "__main__":
    main()
