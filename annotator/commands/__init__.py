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
from pathlib import Path

from annotator.errors import AnnotatorError


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


def open_store(db: Path | None, create: bool = True):
    """The database at ``db`` (the default one when None), upgraded if need be.

    ``create=False`` (the commands that only read): a missing file is an error, never a new
    empty database (nor a new folder).
    """
    from annotator.paths import default_db
    from annotator.store import Store

    path = Path(db) if db else default_db()
    if not create and not path.exists():
        raise AnnotatorError(
            f"no database at {path}",
            hint="give an existing one with --db, or create one with `annotator import` or `annotator demo`",
        )
    store = Store(path)
    if store.backup_path is not None:
        print(f"annotator: upgraded {path}; the old version is kept in {store.backup_path}", file=sys.stderr)
    return store
