"""Where annotator finds its bundled resources and keeps its default database."""

from __future__ import annotations

import os
from pathlib import Path


def resource_dir() -> Path:
    """The bundled ``resources/`` folder.

    Installed, it is ``annotator/resources`` (the top-level folder ships inside the package);
    in a source checkout or an editable install it is the top-level ``resources/`` beside it.
    """
    here = Path(__file__).resolve().parent
    installed = here / "resources"
    if installed.is_dir():
        return installed
    return here.parent / "resources"


def resource(name: str) -> Path:
    """Path of one bundled resource, e.g. ``resource("taxonomy.json")``."""
    return resource_dir() / name


def data_dir() -> Path:
    """Per-user data folder (``$ANNOTATOR_HOME``, else ``$XDG_DATA_HOME/annotator``)."""
    if os.environ.get("ANNOTATOR_HOME"):
        return Path(os.environ["ANNOTATOR_HOME"])
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "annotator"


def default_db() -> Path:
    """The database used when no ``--db`` is given (``$ANNOTATOR_DB`` overrides it)."""
    if os.environ.get("ANNOTATOR_DB"):
        return Path(os.environ["ANNOTATOR_DB"])
    return data_dir() / "annotator.db"
