"""A benchmark run: its options, its scratch folder, the files made once and the rows so far."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from annotator.bench.corpus import ANNOTATOR, write_corpus
from annotator.bench.databases import import_file
from annotator.bench.timing import Row, timed


class Bench:
    """A benchmark run: its options, its scratch folder and the rows measured so far.

    Parameters
    ----------
    args
        The options (see :func:`annotator.bench.options.add_arguments`).
    work
        The scratch folder; corpora and databases made for the rows are kept there for the run.
    """

    def __init__(self, args: argparse.Namespace, work: Path):
        self.args = args
        self.work = work
        self.rows: list[Row] = []
        self.growth: list[dict] = []
        self._files: dict[tuple, Path] = {}

    def log(self, text: str) -> None:
        """A progress line on stderr (none with ``--quiet``)."""
        if not self.args.quiet:
            print(f"[bench] {text}", file=sys.stderr, flush=True)

    def cached(self, key: tuple) -> Path | None:
        """The file made earlier in this run under ``key``, if any."""
        return self._files.get(key)

    def keep(self, key: tuple, path: Path) -> Path:
        """Remember ``path`` under ``key`` for the rest of the run; returns it."""
        self._files[key] = path
        return path

    def corpus_file(self, count: int, words: int = 500) -> Path:
        """The Prodigy JSONL corpus of ``count`` articles of ``words`` words (made once)."""
        key = ("corpus", count, words)
        if (path := self.cached(key)) is None:
            path = self.work / f"corpus-{count}x{words}.jsonl"
            t = timed(lambda: write_corpus(path, count, words))
            self.log(f"generated {count} articles of {words} words in {t:.1f} s")
            self.keep(key, path)
        return path

    def imported_db(self, count: int, words: int = 500) -> Path:
        """A database with :meth:`corpus_file` imported into it (made once)."""
        key = ("db", count, words)
        if (path := self.cached(key)) is None:
            path = self.work / f"imported-{count}x{words}.db"
            import_file(path, self.corpus_file(count, words), ANNOTATOR)
            self.keep(key, path)
        return path

    def fresh(self, stem: str, suffix: str = ".db") -> Path:
        """A new file name in the scratch folder (nothing there yet)."""
        fd, name = tempfile.mkstemp(prefix=stem + "-", suffix=suffix, dir=self.work)
        os.close(fd)
        os.unlink(name)
        return Path(name)
