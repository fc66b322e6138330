"""The merge rows: ``annotator merge`` of another annotator's database, against the import of
the same articles, at three sizes.

The team's flow: everyone imports the same articles and annotates them; the lead merges the
others' databases into theirs. Here annotator ``ann`` has the articles with their spans (a
few dropped, shifted or relabelled against the lead's, :func:`~annotator.bench.corpus.variant`)
and the lead (``bench``) has the same articles with their own spans. Each round times, in
fresh processes as a user runs them:

- ``annotator merge ANN.db --db LEAD.db`` into a new copy of the lead's database (copied
  before the clock starts), and
- ``annotator import ANN.jsonl --db NEW.db --annotator ann``: the same articles and spans
  written once, the reference of issue 15's target (merge at most 2x the import).

``merge-1`` has one span per article (100-word articles, the first span of each), ``merge-60``
the corpus's 500-word articles with their 60 or so spans. Sizes are ``--merge-articles`` N/4,
N/2 and N, smallest first, merge and import in the same rounds
(:func:`~annotator.bench.timing.interleaved`); the row passes when the ratio is within 2x at
every size, and its growth line says whether merge's marginal cost per article rises with the
size (quadratic work does). A merge past ``--merge-timeout`` is stopped and the row fails.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import replace
from functools import partial
from pathlib import Path

from annotator.bench.context import Bench
from annotator.bench.corpus import ANNOTATOR, corpus, prodigy_line, variant
from annotator.bench.databases import import_file
from annotator.bench.growth import growth_line
from annotator.bench.timing import Row, command, interleaved, median, remove_db

OTHER = "ann"
TARGET = 2.0
#: Per variant: the article length in words and how many spans each article keeps (None: all).
VARIANTS = {"merge-1": (100, 1), "merge-60": (500, None)}


def _copy_db(source: Path, target: Path) -> None:
    """A copy of a closed database (its WAL, if one is left, with it)."""
    remove_db(target)
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))


def _annotations_by(db: Path, annotator: str) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM annotations WHERE annotator = ?", (annotator,)).fetchone()[0]
    finally:
        con.close()


class MergeRows:
    """The merge rows over the files of one :class:`Bench`."""

    def __init__(self, bench: Bench):
        self.bench = bench
        self.work = bench.work

    def _file(self, count: int, words: int, keep: int | None, who: str) -> Path:
        """The Prodigy JSONL of ``who``'s version of ``count`` articles (made once)."""
        key = ("merge-file", count, words, keep, who)
        if (path := self.bench.cached(key)) is None:
            path = self.work / f"merge-{count}x{words}-{keep or 'all'}-{who}.jsonl"
            with open(path, "w", encoding="utf-8") as fh:
                for a in corpus(count, words):
                    a = replace(a, spans=a.spans[:keep]) if keep else a
                    fh.write(prodigy_line(variant(a, 0) if who == OTHER else a, who) + "\n")
            self.bench.keep(key, path)
        return path

    def _db(self, count: int, words: int, keep: int | None, who: str) -> Path:
        """``who``'s database: their file imported (made once, outside the clock)."""
        key = ("merge-db", count, words, keep, who)
        if (db := self.bench.cached(key)) is None:
            db = self.work / f"merge-{count}x{words}-{keep or 'all'}-{who}.db"
            import_file(db, self._file(count, words, keep, who), who)
            self.bench.keep(key, db)
        return db

    def import_once(self, count: int, words: int, keep: int | None) -> float:
        """Seconds of ``annotator import`` of the other annotator's file into a new database."""
        db = self.bench.fresh("merge-import")
        try:
            return command(
                ["import", str(self._file(count, words, keep, OTHER)), "--db", str(db), "--annotator", OTHER]
            )
        finally:
            remove_db(db)

    def merge_once(self, count: int, words: int, keep: int | None, timeout: float | None = None) -> float:
        """Seconds of ``annotator merge`` of the other annotator's database into a copy of the lead's."""
        theirs = self._db(count, words, keep, OTHER)
        target = self.bench.fresh("merge-into")
        _copy_db(self._db(count, words, keep, ANNOTATOR), target)
        try:
            t = command(["merge", str(theirs), "--db", str(target)], timeout)
            merged, expected = _annotations_by(target, OTHER), _annotations_by(theirs, OTHER)
            if merged != expected:
                raise RuntimeError(f"merge brought {merged:,} of {expected:,} annotations of {OTHER}")
            return t
        finally:
            remove_db(target)

    def measure(self, name: str, sizes: list[int]) -> dict:
        """Median seconds of merge and of import per size, in the same rounds; smallest size first.

        A merge that runs past ``--merge-timeout`` is stopped, and the larger sizes are not
        tried (they would take longer still): ``timed_out`` names the size.
        """
        words, keep = VARIANTS[name]
        args = self.bench.args
        got: dict = {"sizes": [], "merge": [], "import": [], "timed_out": None}
        for n in sizes:
            self._db(n, words, keep, OTHER), self._db(n, words, keep, ANNOTATOR)  # before any clock
            merge = partial(self.merge_once, n, words, keep, args.merge_timeout)
            try:
                merges, imports = interleaved(
                    merge, partial(self.import_once, n, words, keep), repeat=args.merge_repeat
                )
            except subprocess.TimeoutExpired:
                got["timed_out"] = n
                break
            got["sizes"].append(n)
            got["merge"].append(median(merges))
            got["import"].append(median(imports))
        largest = got["sizes"][-1] if got["sizes"] else sizes[0]
        got["spans"] = _annotations_by(self._db(largest, words, keep, OTHER), OTHER)
        return got

    def _row(self, name: str, n: int, got: dict) -> Row:
        args = self.bench.args
        ratios = [m / i for m, i in zip(got["merge"], got["import"], strict=True)]
        detail = {
            "sizes": got["sizes"],
            "merge_seconds": got["merge"],
            "import_seconds": got["import"],
            "ratios": ratios,
            "spans": got["spans"],
            "runs": args.merge_repeat,
            "baseline": f"annotator import of the same articles and spans by {OTHER}",
        }
        if got["timed_out"] is None and len(got["sizes"]) > 2:  # two points make no shape
            growth = growth_line(name, "articles", got["sizes"], got["merge"])
            self.bench.growth.append(growth)
            self.bench.growth.append(growth_line(f"{name}-import", "articles", got["sizes"], got["import"]))
            detail.update(merge_growth=growth["shape"], merge_marginal_us=growth["marginal_us"])
        what = f"annotator merge vs import of the same {n:,} articles"
        if got["timed_out"] is not None:
            detail["timed_out_at"] = got["timed_out"]
            return Row(
                name,
                f"{what}: merge of {got['timed_out']:,} stopped after {args.merge_timeout:g} s",
                "s",
                args.merge_timeout,
                got["import"][-1] if got["import"] else None,
                None,
                f"<= {TARGET:g}x at every size",
                False,
                detail,
            )
        return Row(
            name,
            f"{what} ({got['spans']:,} spans)",
            "s",
            got["merge"][-1],
            got["import"][-1],
            ratios[-1],
            f"<= {TARGET:g}x at every size",
            all(r <= TARGET for r in ratios),
            detail,
        )

    def rows(self) -> list[Row]:
        """``merge-1`` and ``merge-60``; their growth lines go to the run's growth."""
        n = self.bench.args.merge_articles
        sizes = sorted({max(n // 4, 1), max(n // 2, 1), n})
        return [self._row(name, n, self.measure(name, sizes)) for name in VARIANTS]
