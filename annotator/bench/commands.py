"""The command rows: import, suggest, export and agreement, each ``python -m annotator ...``.

Each runs in a fresh process as a user runs it, against a baseline in a fresh process too,
interleaved in the same rounds (see :mod:`annotator.bench.timing`).
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from annotator.bench.baselines import (
    article_texts,
    bare_pipe,
    baseline_export,
    baseline_import,
    create_raw_tables,
    raw_import,
)
from annotator.bench.context import Bench
from annotator.bench.corpus import ANNOTATOR, ANNOTATORS3, corpus, prodigy_line, variant
from annotator.bench.databases import import_file
from annotator.bench.timing import Row, command, interleaved, median, remove_db, script, timed


class CommandRows:
    """The rows that time a command of the CLI, over the files of one :class:`Bench`."""

    def __init__(self, bench: Bench):
        self.bench = bench
        self.args = bench.args
        self.work = bench.work

    # -- import ---------------------------------------------------------------------------

    def import_once(self, count: int) -> float:
        """Seconds of one ``annotator import`` of ``count`` articles into a new database."""
        path = self.bench.corpus_file(count)
        db = self.bench.fresh("import")
        try:
            return command(["import", str(path), "--db", str(db), "--annotator", ANNOTATOR])
        finally:
            remove_db(db)

    def _baseline_once(self, path: Path, raw: bool) -> float:
        """Seconds of the baseline (the store's tables and indexes) or of the raw limit."""
        from annotator.store import Store

        db = self.bench.fresh("import-raw" if raw else "import-base")
        # The tables (and indexes) are made before the clock starts.
        if raw:
            create_raw_tables(db)
        else:
            Store(db).close()
        try:
            return script(raw_import if raw else baseline_import, path, db)
        finally:
            remove_db(db)

    def measure_import(self, count: int, repeat: int) -> tuple[float, float, float]:
        """Median seconds of ours, of the baseline and of the raw limit, in the same rounds."""
        path = self.bench.corpus_file(count)
        a, b, c = interleaved(
            partial(self.import_once, count),
            partial(self._baseline_once, path, False),
            partial(self._baseline_once, path, True),
            repeat=repeat,
        )
        return median(a), median(b), median(c)

    def row_import(self) -> Row:
        n, k = self.args.articles, self.args.repeat
        t_ours, t_base, t_raw = self.measure_import(n, k)
        ours, base, raw = n / t_ours, n / t_base, n / t_raw
        return Row(
            "import",
            f"annotator import, {n:,} articles (Prodigy JSONL with spans)",
            "articles/s",
            ours,
            base,
            ours / base,
            ">= 0.5, raw >= 0.4",
            # Issue 16: the bulk import within 2.5 times the raw limit of the same work.
            ours / base >= 0.5 and ours / raw >= 0.4,
            {
                "articles": n,
                "seconds": t_ours,
                "baseline_seconds": t_base,
                "raw_seconds": t_raw,
                "times_raw": t_ours / t_raw,
                "raw": "json.loads + one executemany of articles and of spans, unindexed tables",
            },
            raw=raw,
            raw_ratio=ours / raw,
        )

    # -- suggest --------------------------------------------------------------------------

    def suggest_once(self, count: int, processes: int = 1) -> float:
        """Seconds of one ``annotator suggest`` over the database of ``count`` imported articles."""
        db = self.bench.imported_db(count)
        return command(["suggest", "--db", str(db), "--processes", str(processes)])

    def measure_suggest(
        self, count: int, repeat: int, two: bool = False
    ) -> tuple[float, float, float | None, int]:
        """Median seconds of suggest on 1 process, of the baseline, and (``two``) on 2 processes,
        taken in the same rounds; and the words suggested on."""
        db = self.bench.imported_db(count)
        words = sum(len(t.split()) for _, t in article_texts(db))

        def base() -> float:
            return script(bare_pipe, db)

        runs = [partial(self.suggest_once, count), base]
        if two:
            runs.append(partial(self.suggest_once, count, processes=2))
        times = interleaved(*runs, repeat=repeat)
        return median(times[0]), median(times[1]), median(times[2]) if two else None, words

    def row_suggest(self) -> list[Row]:
        n = min(self.args.articles, self.args.suggest_articles)
        k = self.args.suggest_repeat
        t_ours, t_base, t2, words = self.measure_suggest(n, k, two=True)
        ours, base = words / t_ours, words / t_base
        two = words / t2
        return [
            Row(
                "suggest",
                f"annotator suggest, {n:,} articles, 1 process",
                "words/s",
                ours,
                base,
                ours / base,
                ">= 0.9",
                ours / base >= 0.9,
                {"articles": n, "words": words, "seconds": t_ours, "baseline_seconds": t_base, "runs": k},
            ),
            Row(
                "suggest-2p",
                f"annotator suggest --processes 2 vs 1 process, {n:,} articles",
                "words/s",
                two,
                ours,
                two / ours,
                ">= 1.6",
                two / ours >= 1.6,
                {"articles": n, "words": words, "seconds": t2, "cpus": os.cpu_count(), "runs": k},
            ),
        ]

    # -- export ---------------------------------------------------------------------------

    def _export_out(self, tokens: bool) -> Path:
        return self.work / ("export-tokens.jsonl" if tokens else "export.jsonl")

    def export_once(self, count: int, tokens: bool = False) -> float:
        """Seconds of one ``annotator export --format prodigy`` of ``count`` imported articles."""
        argv = ["export", "--db", str(self.bench.imported_db(count)), "--format", "prodigy"]
        argv += ["-o", str(self._export_out(tokens))] + (["--tokens"] if tokens else [])
        return command(argv)

    def measure_export(self, count: int, repeat: int, tokens: bool = False) -> tuple[float, float, int]:
        db = self.bench.imported_db(count)
        out_base = self.work / "export-base.jsonl"

        def base() -> float:
            return script(baseline_export, db, out_base)

        a, b = interleaved(partial(self.export_once, count, tokens), base, repeat=repeat)
        with open(self._export_out(tokens), encoding="utf-8") as fh:
            records = sum(1 for _ in fh)
        return median(a), median(b), records

    def row_export(self) -> list[Row]:
        n, k = self.args.articles, self.args.repeat
        t_ours, t_base, records = self.measure_export(n, k)
        ours, base = records / t_ours, records / t_base
        # For information: what Prodigy's tokens array costs (spaCy tokenizes every article and
        # the file grows about five times). The baseline writes no tokens, so no target.
        t_tok, t_base2, records2 = self.measure_export(n, k, tokens=True)
        ours2, base2 = records2 / t_tok, records2 / t_base2
        return [
            Row(
                "export",
                f"annotator export --format prodigy, {records:,} records",
                "records/s",
                ours,
                base,
                ours / base,
                ">= 0.5",
                ours / base >= 0.5,
                {"records": records, "seconds": t_ours, "baseline_seconds": t_base},
            ),
            Row(
                "export-tokens",
                f"annotator export --format prodigy --tokens, {records2:,} records (informational)",
                "records/s",
                ours2,
                base2,
                ours2 / base2,
                "-",
                None,
                {"records": records2, "seconds": t_tok, "baseline_seconds": t_base2},
            ),
        ]

    # -- agreement ------------------------------------------------------------------------

    def agreement_db(self, count: int) -> Path:
        """``count`` articles with the spans of three annotators, each a little different."""
        key = ("agreement", count)
        if (db := self.bench.cached(key)) is None:
            db = self.work / f"agreement-{count}.db"
            for i, who in enumerate(ANNOTATORS3):
                path = self.work / f"agreement-{count}-{who}.jsonl"
                with open(path, "w", encoding="utf-8") as fh:
                    for a in corpus(count):
                        fh.write(prodigy_line(variant(a, i), who) + "\n")
                import_file(db, path, who)
            self.bench.keep(key, db)
        return db

    def row_agreement(self) -> Row:
        from annotator import ops
        from annotator.store import Store

        n, k = self.args.agreement_articles, self.args.repeat
        db = self.agreement_db(n)
        # The first run tokenizes every text with spaCy and fills the store's token boundary
        # cache; the runs after it read the cache and do not import spaCy. Empty the cache (and
        # upgrade the schema, outside the timing) so the first timed run is that filling run.
        with Store(db) as store:
            store.drop_token_bounds()
        times = [command(["agreement", "--db", str(db), "--json"]) for _ in range(k)]
        t = median(times)
        # The same computation in a warm process (imports done): what the window's worker pays.
        with Store(db) as store:
            ops.agreement(store)
            warm = median([timed(lambda: ops.agreement(store)) for _ in range(k)])
        return Row(
            "agreement",
            f"annotator agreement, {n:,} articles x 3 annotators",
            "s",
            t,
            None,
            None,
            "<= 2 s",
            t <= 2.0,
            {"articles": n, "runs": times, "first_run_fills_cache": times[0], "warm_seconds": warm},
        )
