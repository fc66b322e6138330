"""Commands that live beside :mod:`annotator.cli`, so that it stays a short table of commands.

``evaluate`` has ``add_parser(sub)`` and ``run(args)`` (:data:`annotator.cli.MODULES` lists
such modules); ``install`` (``--version``, ``self-test``, ``install-desktop``, ``bundle``) and
``transfer`` (the import and export commands) are called from the CLI's own parser and
handlers. They share the CLI's conventions: one line per error, a progress bar on a terminal
only.
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
