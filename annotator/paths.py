"""Where annotator finds its bundled resources and keeps its default database."""

from __future__ import annotations

import json
import os
from pathlib import Path

PREFERENCES_FILE = "preferences.json"


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


def config_dir() -> Path:
    """Per-user settings folder (``$XDG_CONFIG_HOME/annotator``, else ``~/.config/annotator``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
    return Path(base) / "annotator"


def preferences() -> dict:
    """What the Preferences dialog saved for every command (``{}`` when nothing or unreadable)."""
    try:
        data = json.loads((config_dir() / PREFERENCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def set_preference(key: str, value: str | None) -> None:
    """Save one preference (None removes it), replacing the file whole."""
    prefs = preferences()
    if value is None:
        prefs.pop(key, None)
    else:
        prefs[key] = value
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / (PREFERENCES_FILE + ".part")
    part.write_text(json.dumps(prefs, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(part, folder / PREFERENCES_FILE)


def database_folder() -> Path:
    """Folder of the default database: ``$ANNOTATOR_HOME``, else the one chosen in Preferences
    (``database_folder``), else :func:`data_dir`."""
    chosen = preferences().get("database_folder")
    if not os.environ.get("ANNOTATOR_HOME") and isinstance(chosen, str) and chosen:
        return Path(chosen).expanduser()
    return data_dir()


def default_db() -> Path:
    """The database used when no ``--db`` is given (``$ANNOTATOR_DB`` overrides it)."""
    if os.environ.get("ANNOTATOR_DB"):
        return Path(os.environ["ANNOTATOR_DB"])
    return database_folder() / "annotator.db"
