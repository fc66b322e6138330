"""The issue taxonomy: a versioned tree of policy issues, each with the phrases that signal it.

A taxonomy file is JSON::

    {
      "name": "news-issues",                  # no spaces and no "@"
      "version": 1,                           # a whole number or a string such as "2024.1"
      "description": "optional",
      "issues": [
        {
          "label": "TARIFFS",                 # UPPER_SNAKE, unique
          "description": "One sentence.",
          "parent": "TRADE",                  # null or another issue's label (a tree)
          "colour": "#88dd8d",                # #rrggbb
          "key": null,                        # optional one-character shortcut, unique
          "patterns": ["tariff", "import duty", [{"LEMMA": "levy"}]],
          "weak": ["duty"],                   # optional: only with another issue in the sentence
          "exceptions": ["trade union"]       # optional
        }
      ]
    }

A pattern is either a phrase of lowercase lemmas (``"impose sanction"`` matches "imposed
sanctions") or a spaCy token pattern (a list of token dicts; see
https://spacy.io/usage/rule-based-matching). Write ``LEMMA`` values in lowercase. An exception
is a pattern in the same form: a match of the issue that lies inside a match of one of its
exceptions is dropped ("trade" inside "trade union" is not ``TRADE``).

Loading checks the structure without importing spaCy (the label palette needs no model);
the patterns themselves are checked by spaCy when they are added to a pipeline
(:func:`annotator.suggest.ruler.add_issue_ruler`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.errors import ModelError
from annotator.model import ISSUE, Label
from annotator.paths import resource

DEFAULT_TAXONOMY = "taxonomy.json"

_LABEL_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAME_RE = re.compile(r"^[^\s@]+$")
_TOP_KEYS = {"name", "version", "description", "issues"}
_ISSUE_KEYS = {"label", "description", "parent", "colour", "key", "patterns", "weak", "exceptions"}
_REQUIRED_ISSUE_KEYS = ("label", "description", "parent", "colour", "patterns")

# A pattern as written in the file: a lemma phrase or a spaCy token pattern.
Pattern = str | list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Issue:
    """One issue of a taxonomy.

    Parameters
    ----------
    label
        UPPER_SNAKE name, unique in the taxonomy (``"TARIFFS"``).
    description
        One sentence saying what belongs under the issue.
    parent
        Label of the parent issue, or None for a top-level issue.
    colour
        Highlight colour, ``#rrggbb``.
    key
        Optional one-character shortcut; the UI decides the modifier.
    patterns
        Lemma phrases or spaCy token patterns that signal the issue.
    exceptions
        Patterns whose matches must not produce this issue.
    weak
        Patterns that signal the issue only when another issue is matched in the same sentence.
    """

    label: str
    description: str
    parent: str | None
    colour: str
    key: str | None = None
    patterns: tuple[Pattern, ...] = ()
    exceptions: tuple[Pattern, ...] = ()
    weak: tuple[Pattern, ...] = ()

    def to_label(self) -> Label:
        """The issue as a :class:`~annotator.model.Label` on the issue layer."""
        return Label(
            name=self.label,
            layer=ISSUE,
            colour=self.colour,
            key=self.key,
            description=self.description,
            parent=self.parent,
        )

    def to_dict(self) -> dict[str, Any]:
        """The issue in the file format (round-trips through :func:`parse_taxonomy`)."""
        return {
            "label": self.label,
            "description": self.description,
            "parent": self.parent,
            "colour": self.colour,
            "key": self.key,
            "patterns": list(self.patterns),
            "exceptions": list(self.exceptions),
            **({"weak": list(self.weak)} if self.weak else {}),
        }


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A named, versioned tree of issues.

    Parameters
    ----------
    name
        Name of the taxonomy (``"news-issues"``).
    version
        Version; bump it whenever patterns change so stored provenance keeps its meaning.
    issues
        The issues, parents before children is not required.
    description
        Optional free text.
    path
        The file it was read from, if any (used in messages).
    """

    name: str
    version: int | str
    issues: tuple[Issue, ...]
    description: str = ""
    path: Path | None = None

    @property
    def source(self) -> str:
        """Provenance of its suggestions: ``taxonomy:<name>@<version>``."""
        return f"taxonomy:{self.name}@{self.version}"

    def labels(self) -> list[Label]:
        """Every issue as a :class:`~annotator.model.Label` on the issue layer, in file order."""
        return [issue.to_label() for issue in self.issues]

    def issue(self, label: str) -> Issue:
        """The issue called ``label``.

        Raises
        ------
        ModelError
            If there is no such issue; the message lists the valid labels.
        """
        for issue in self.issues:
            if issue.label == label:
                return issue
        valid = ", ".join(i.label for i in self.issues)
        raise ModelError(f"taxonomy {self.name!r} has no issue {label!r}; use one of {valid}")

    def children(self, label: str | None) -> list[Issue]:
        """Issues whose parent is ``label`` (None gives the top-level issues)."""
        return [i for i in self.issues if i.parent == label]

    def ancestors(self, label: str) -> list[str]:
        """Labels from ``label``'s parent up to its top-level issue."""
        out: list[str] = []
        parent = self.issue(label).parent
        while parent is not None:
            out.append(parent)
            parent = self.issue(parent).parent
        return out

    def to_dict(self) -> dict[str, Any]:
        """The taxonomy in the file format."""
        data: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            data["description"] = self.description
        data["issues"] = [issue.to_dict() for issue in self.issues]
        return data


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file.

    Parameters
    ----------
    path
        A taxonomy JSON file; None reads the bundled ``resources/taxonomy.json``.

    Returns
    -------
    Taxonomy
        The checked taxonomy.

    Raises
    ------
    ModelError
        If the file is missing, is not JSON, or breaks the format; the message names the file
        and the issue at fault.
    """
    file = Path(path) if path is not None else resource(DEFAULT_TAXONOMY)
    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"taxonomy file {file} does not exist", hint="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"taxonomy file {file} cannot be read: {exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ModelError(
            f"{file}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})",
            hint="a taxonomy is one JSON object",
        ) from None
    return parse_taxonomy(data, file)


def parse_taxonomy(data: Any, where: str | Path = "<taxonomy>") -> Taxonomy:
    """Check already-parsed taxonomy data and build a :class:`Taxonomy`.

    Parameters
    ----------
    data
        The decoded JSON.
    where
        Name used in messages (normally the file path).

    Returns
    -------
    Taxonomy

    Raises
    ------
    ModelError
        If ``data`` breaks the format.
    """

    def fail(message: str, issue: str | None = None) -> ModelError:
        at = f"{where}: issue {issue}: " if issue else f"{where}: "
        return ModelError(at + message, hint="see the format in resources/taxonomy.json")

    name, version, description = _check_header(data, fail)
    raw_issues = data.get("issues")
    if not isinstance(raw_issues, list) or not raw_issues:
        raise fail("'issues' must be a non-empty list of issues")
    issues: list[Issue] = []
    seen_keys: dict[str, str] = {}
    for index, raw in enumerate(raw_issues):
        issue = _check_issue(raw, index, fail)
        if any(i.label == issue.label for i in issues):
            raise fail("the label is used twice", issue.label)
        if issue.key is not None:
            if issue.key in seen_keys:
                raise fail(f"key {issue.key!r} is already used by {seen_keys[issue.key]}", issue.label)
            seen_keys[issue.key] = issue.label
        issues.append(issue)
    _check_tree(issues, fail)
    return Taxonomy(
        name=name,
        version=version,
        issues=tuple(issues),
        description=description,
        path=Path(where) if isinstance(where, Path) else None,
    )


def _check_header(data: Any, fail) -> tuple[str, int | str, str]:
    if not isinstance(data, dict):
        raise fail(f"expected a JSON object with name, version and issues, got {type(data).__name__}")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail(f"unknown field(s) {', '.join(map(repr, unknown))}; use {', '.join(sorted(_TOP_KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise fail(f"'name' must be a non-empty string without spaces or '@', got {name!r}")
    version = data.get("version")
    if isinstance(version, bool) or not (
        (isinstance(version, int) and version >= 0) or (isinstance(version, str) and _NAME_RE.match(version))
    ):
        raise fail(f"'version' must be a whole number or a string without spaces, got {version!r}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("'description' must be a string")
    return name, version, description


def _check_issue(raw: Any, index: int, fail) -> Issue:
    if not isinstance(raw, dict):
        raise fail(f"issue number {index + 1} must be an object, got {type(raw).__name__}")
    label = raw.get("label")
    if not isinstance(label, str) or not _LABEL_RE.match(label):
        raise fail(f"issue number {index + 1} has label {label!r}; labels are UPPER_SNAKE like 'TRADE'")
    unknown = sorted(set(raw) - _ISSUE_KEYS)
    if unknown:
        raise fail(
            f"unknown field(s) {', '.join(map(repr, unknown))}; use {', '.join(sorted(_ISSUE_KEYS))}", label
        )
    missing = [k for k in _REQUIRED_ISSUE_KEYS if k not in raw]
    if missing:
        raise fail(f"missing field(s) {', '.join(map(repr, missing))}", label)
    if not isinstance(raw["description"], str) or not raw["description"].strip():
        raise fail("'description' must be a non-empty sentence", label)
    parent = raw["parent"]
    if parent is not None and not isinstance(parent, str):
        raise fail(f"'parent' must be null or another issue's label, got {parent!r}", label)
    colour = raw["colour"]
    if not isinstance(colour, str) or not _COLOUR_RE.match(colour):
        raise fail(f"'colour' must be a hex colour like '#88dd8d', got {colour!r}", label)
    key = raw.get("key")
    if key is not None and (not isinstance(key, str) or len(key) != 1 or key.isspace()):
        raise fail(f"'key' must be null or one character, got {key!r}", label)
    patterns = _check_patterns(raw["patterns"], "patterns", label, fail)
    weak = _check_patterns(raw.get("weak", []), "weak", label, fail)
    if not patterns and not weak:
        raise fail("'patterns' must list at least one pattern", label)
    exceptions = _check_patterns(raw.get("exceptions", []), "exceptions", label, fail)
    return Issue(label, raw["description"].strip(), parent, colour.lower(), key, patterns, exceptions, weak)


def _check_tree(issues: list[Issue], fail) -> None:
    labels = {i.label for i in issues}
    for issue in issues:
        if issue.parent is not None and issue.parent not in labels:
            raise fail(f"parent {issue.parent!r} is not an issue of this taxonomy", issue.label)
    parents = {i.label: i.parent for i in issues}
    for issue in issues:
        chain = [issue.label]
        parent = issue.parent
        while parent is not None:
            if parent in chain:
                raise fail(f"parents form a cycle: {' -> '.join([*chain, parent])}", issue.label)
            chain.append(parent)
            parent = parents[parent]


def _check_patterns(raw: Any, field: str, label: str, fail) -> tuple[Pattern, ...]:
    """Check the shape of a pattern list; spaCy checks the token dicts when they are compiled."""
    if not isinstance(raw, list):
        raise fail(f"'{field}' must be a list of patterns", label)
    out: list[Pattern] = []
    for n, pattern in enumerate(raw, 1):
        where = f"{field}[{n}]"
        if isinstance(pattern, str):
            phrase = " ".join(pattern.split())
            if not phrase:
                raise fail(f"{where} is an empty phrase", label)
            if phrase != phrase.lower():
                raise fail(f"{where} {pattern!r} must be lowercase lemmas, e.g. {phrase.lower()!r}", label)
            out.append(phrase)
        elif isinstance(pattern, list) and pattern and all(isinstance(t, dict) and t for t in pattern):
            for token in pattern:
                _check_lemma_case(token.get("LEMMA"), f"{where}", label, fail)
            out.append(pattern)
        else:
            raise fail(
                f'{where} must be a lemma phrase ("impose sanction") or a spaCy token pattern'
                f' ([{{"LEMMA": "tariff"}}]), got {pattern!r}',
                label,
            )
    return tuple(out)


def _check_lemma_case(value: Any, where: str, label: str, fail) -> None:
    values: list[Any] = []
    if isinstance(value, str):
        values = [value]
    elif isinstance(value, dict):
        for op in ("IN", "NOT_IN"):
            if isinstance(value.get(op), list):
                values.extend(value[op])
    for v in values:
        if isinstance(v, str) and v != v.lower():
            raise fail(f"{where}: LEMMA value {v!r} must be lowercase", label)
