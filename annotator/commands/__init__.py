"""Commands that live beside :mod:`annotator.cli`: each module adds its parser and runs it.

A module here has ``add_parser(sub)`` (called while the parser is built) and ``run(args)``
(called with the parsed arguments); :mod:`annotator.cli` lists them in :data:`MODULES`. They
share the CLI's conventions: one line per error, a progress bar on a terminal only.
"""

from __future__ import annotations

import contextlib
import sys


def _no_progress(done: int, total: int) -> None:
    pass


def progress_bar(desc: str, unit: str):
    """A tqdm bar on a terminal (nothing otherwise) and its ``update(done, total)``."""
    if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        # What tqdm(disable=None) does off a terminal, without importing tqdm (30 ms of every
        # scripted command).
        return contextlib.nullcontext(), _no_progress

    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=unit, file=sys.stderr, disable=None, leave=False)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update
