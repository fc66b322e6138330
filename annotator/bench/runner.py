"""Running the benchmark: each row asked for, one after the other, then the report.

A row that fails is reported as an error and does not stop the others. The window rows
(:mod:`annotator.bench.window`, the bench's only Qt) are imported when the first of them runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.bench.cluster import row_cluster
from annotator.bench.commands import CommandRows
from annotator.bench.context import Bench
from annotator.bench.growth import measure_growth
from annotator.bench.merge import MergeRows
from annotator.bench.options import ROWS, build_parser
from annotator.bench.report import print_report, result
from annotator.bench.scale import row_scale, row_start
from annotator.bench.timing import Row, settle_disk

if TYPE_CHECKING:
    from annotator.bench.window import WindowRows


class _Run:
    """One run over a scratch folder: the rows asked for, and the window once a row needs it."""

    def __init__(self, args: argparse.Namespace, work: Path):
        self.args = args
        self.only = set(args.only or ROWS)
        self.bench = Bench(args, work)
        self.commands = CommandRows(self.bench)
        self.window: WindowRows | None = None

    def attempt(self, name: str, fn: Callable[[], Row | list[Row]]) -> None:
        """Measure row ``name`` when asked for; an exception becomes the row's error."""
        if name not in self.only:
            return
        bench = self.bench
        settle_disk()
        bench.log(f"measuring {name}")
        t0 = time.perf_counter()
        try:
            got = fn()
        except Exception as e:  # noqa: BLE001 - one broken row must not hide the others
            import traceback

            traceback.print_exc(file=sys.stderr)
            bench.rows.append(Row(name, "", "", None, error=f"{type(e).__name__}: {e}"))
            return
        bench.rows.extend(got if isinstance(got, list) else [got])
        bench.log(f"{name} done in {time.perf_counter() - t0:.1f} s")

    def window_rows(self) -> WindowRows:
        """The real window over its own database (made on first use)."""
        if self.window is None:
            from annotator.bench.window import WindowRows

            self.window = WindowRows(self.bench)
        return self.window

    def rows(self) -> None:
        """Every row, in the order of the table; then growth with ``--sizes``."""
        args, bench, commands = self.args, self.bench, self.commands
        self.attempt("import", commands.row_import)
        self.attempt("suggest", commands.row_suggest)
        self.attempt("suggest-cluster", lambda: row_cluster(bench))
        self.attempt("export", commands.row_export)
        self.attempt("merge", MergeRows(bench).rows)
        self.attempt("open", lambda: self.window_rows().row_open(args.repeat))
        self.attempt("decide", lambda: self.window_rows().row_decide(args.decide_actions))
        self.attempt("decide-import", lambda: self.window_rows().row_decide_during_import(args.busy_articles))
        self.attempt("agreement", commands.row_agreement)
        self.attempt("start", lambda: row_start(bench))
        self.attempt("scale", lambda: row_scale(bench))
        if args.sizes:
            bench.log("measuring growth")
            try:
                window = self.window_rows() if "open" in self.only else None
                bench.growth.extend(measure_growth(bench, commands, self.only, window))
            except Exception as e:  # noqa: BLE001
                bench.growth.append({"error": f"{type(e).__name__}: {e}"})
        if self.window is not None:
            self.window.close()


def _scratch(args: argparse.Namespace) -> contextlib.AbstractContextManager[str]:
    """The scratch folder: ``--work`` (kept), else a temporary one removed afterwards."""
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        return contextlib.nullcontext(str(args.work))
    return tempfile.TemporaryDirectory(prefix="annotator-bench-")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark described by ``args``; prints the table, writes JSON; 0 when every row ran."""
    if args.child_scale:
        from annotator.bench.window import scale_child

        print(json.dumps(scale_child(args.child_scale, args.steps)))
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with _scratch(args) as work_dir:
        t_start = time.perf_counter()
        this = _Run(args, Path(work_dir))
        this.rows()
        rows = this.bench.rows
        data = result(args, rows, this.bench.growth, time.perf_counter() - t_start)
        print_report(args, rows, data, this.only)
        return 1 if any(r.error for r in rows) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``annotator bench ARGS`` (and ``python -m annotator.bench ARGS``)."""
    return run(build_parser().parse_args(argv))
