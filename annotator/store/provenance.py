"""Provenance kept with a database: which pipeline and taxonomy its suggestions come from.

Two store settings record what ``annotator train`` and a taxonomy exception made:
``trained_model`` (the folder of the trained pipeline that suggests from then on) and
``taxonomy`` (the database's own taxonomy file, with its exceptions). ``annotator suggest``,
re-suggesting and the window read them here, so suggesting never goes through training.
Only the store's public settings and suggestion sources are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from annotator.model import ENTITY, ISSUE

if TYPE_CHECKING:
    from annotator.store import Store

TRAINED_MODEL = "trained_model"  # store setting: folder of the pipeline suggestions use by default
USER_TAXONOMY = "taxonomy"  # store setting: the database's own taxonomy file (with exceptions)


def trained_model(store: Store) -> Path | None:
    """The trained pipeline recorded for the database, if it still exists."""
    value = store.get_setting(TRAINED_MODEL)
    if value and (Path(value) / "meta.json").is_file():
        return Path(value)
    return None


def record_trained_model(store: Store, path: Path) -> None:
    """Record ``path`` as the pipeline the database's suggestions come from."""
    store.set_setting(TRAINED_MODEL, str(path))


def user_taxonomy(store: Store) -> Path | None:
    """The database's own taxonomy file (written when an exception is applied), if it exists."""
    value = store.get_setting(USER_TAXONOMY)
    if value and Path(value).is_file():
        return Path(value)
    return None


def record_user_taxonomy(store: Store, path: Path) -> None:
    """Record ``path`` as the database's own taxonomy, used from then on."""
    store.set_setting(USER_TAXONOMY, str(path))


def model_sources(store: Store, layers: set[str]) -> set[str]:
    """Sources of model and taxonomy suggestions on the given layers (not imported ones)."""
    out = set()
    for src, _ in store.suggestion_sources():
        if ISSUE in layers and "taxonomy:" in src:
            out.add(src)
        elif ENTITY in layers and src.startswith("spacy:") and "taxonomy:" not in src:
            out.add(src)
    return out
