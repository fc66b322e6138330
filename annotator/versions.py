"""What this installation is made of: annotator, Python, spaCy, the pipeline, Qt, the schema.

``annotator --version`` prints it and the About dialog shows it, so a bug report can say exactly
what was running. Nothing heavy is imported: spaCy's version comes from its package metadata
and the pipeline's from its ``meta.json``, so this takes milliseconds, not the seconds a
pipeline load takes. Qt is the caller's to name (the core never imports it).
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from annotator import __version__

NOT_INSTALLED = "not installed"


@dataclass(frozen=True)
class Component:
    """One line of the version report: ``name`` and its ``version``, with an optional note."""

    name: str
    version: str
    note: str = ""

    def line(self) -> str:
        return f"{self.name} {self.version}" + (f" ({self.note})" if self.note else "")


def _distribution_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def pipeline_component() -> Component:
    """The pipeline ``annotator suggest`` loads by default, read from its ``meta.json``.

    The first installed of :data:`annotator.suggest.entities.DEFAULT_PIPELINES`, the order
    :func:`~annotator.suggest.entities.load_pipeline` tries them in.
    """
    from annotator.suggest.entities import DEFAULT_PIPELINES

    for package in DEFAULT_PIPELINES:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            continue
        meta_file = Path(spec.origin).parent / "meta.json"
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            version = _distribution_version(package) or "unknown version"
            return Component(f"pipeline {package}", version)
        note = f"for spaCy {meta['spacy_version']}" if meta.get("spacy_version") else ""
        return Component(f"pipeline {package}", str(meta.get("version", "unknown version")), note)
    return Component("pipeline", NOT_INSTALLED, " or ".join(DEFAULT_PIPELINES))


def schema_steps_of(db_path: Path) -> list[str] | None:
    """The schema steps applied to the database at ``db_path`` (None when it is not one)."""
    from annotator.store.inspect import applied_steps

    return applied_steps(db_path)


def schema_component(db_path: Path | None = None) -> Component:
    """The database schema this version writes (its number of steps and the last one's name);
    with ``db_path``, also where that database is."""
    from annotator.store import Store

    known = Store.schema_steps()
    note = known[-1]
    if db_path is not None:
        applied = schema_steps_of(db_path)
        if not Path(db_path).is_file():
            note += f"; {db_path} is not created yet"
        elif applied is None:
            note += f"; {db_path} is not a database"
        elif applied == known:
            note += f"; {db_path} is up to date"
        else:
            note += f"; {db_path} has {len(applied)} step{'s' * (len(applied) != 1)}"
    return Component("database schema", str(len(known)), note)


def components(qt: str | None = None, db_path: Path | None = None) -> list[Component]:
    """Every part worth naming in a bug report, in a fixed order.

    Parameters
    ----------
    qt
        The Qt line's version, e.g. ``"6.11.3 (PySide6 6.11.3)"``, as the caller found it; None
        when Qt could not be imported.
    db_path
        A database to report the schema of, besides the schema this version writes.
    """
    frozen = getattr(sys, "frozen", False)
    return [
        Component("annotator", __version__, "self-contained bundle" if frozen else ""),
        Component("Python", platform.python_version(), platform.python_implementation()),
        Component("spaCy", _distribution_version("spacy") or NOT_INSTALLED),
        pipeline_component(),
        Component("Qt", qt or NOT_INSTALLED),
        schema_component(db_path),
    ]


def report(qt: str | None = None, db_path: Path | None = None) -> str:
    """:func:`components` as lines of text, one component a line."""
    return "\n".join(c.line() for c in components(qt, db_path))
