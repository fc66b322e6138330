"""Importers: files in, :class:`~annotator.model.ImportedDoc` out.

A pure parsing layer: nothing here touches the database. Every reader parses the whole file
and raises :class:`~annotator.errors.InputError` (naming the file and line or record) at the
first problem, so the store can write a file's documents in one transaction or not at all.

>>> result = read(Path("news.jsonl"))             # doctest: +SKIP
>>> result.format, len(result.docs), result.warnings  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from annotator.errors import InputError
from annotator.importers import jsonl, labelstudio
from annotator.importers.base import OFFSET_UNITS, Format, ReadOptions, ReadResult, label_layers, read_options
from annotator.model import ImportedDoc

__all__ = [
    "FORMATS",
    "OFFSET_UNITS",
    "Format",
    "ReadOptions",
    "ReadResult",
    "detect_format",
    "expand_paths",
    "read",
]

# The readers of text, brat, CoNLL, DocBin and CSV files are imported when a file of theirs is
# read: a JSON Lines import never compiles nor runs them (13 ms of its start here).


def _read_text(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    from annotator.importers import text

    return text.read(path)


def _read_brat(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    from annotator.importers import brat

    return brat.read(path)


def _read_conll(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    from annotator.importers import conll

    return conll.read(path)


def _read_docbin(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    from annotator.importers import docbin

    return docbin.read(path)


def _read_csv(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    from annotator.importers import csvfile

    return csvfile.read(path)


def _looks_like_conll(head: str) -> bool:
    from annotator.importers import conll

    return conll.looks_like(head)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", "plain text, one article per file", (".txt",), _read_text),
        Format(
            "jsonl",
            "JSON Lines: plain input, Prodigy, doccano or Label Studio records, one per line",
            (".jsonl", ".ndjson"),
            jsonl.read,
        ),
        Format("json", "a JSON list of records (or one record) with a text field", (".json",), jsonl.read),
        Format("prodigy", "Prodigy tasks and answers (JSONL)", (".jsonl",), jsonl.read_prodigy),
        Format("doccano", "doccano export (JSONL)", (".jsonl",), jsonl.read_doccano),
        Format("labelstudio", "Label Studio JSON export", (".json",), jsonl.read_labelstudio),
        Format("brat", "brat standoff: .txt with .ann beside it", (".ann",), _read_brat),
        Format(
            "conll",
            "CoNLL / IOB, one token per line",
            (".conll", ".iob", ".bio", ".iob2", ".bioes", ".tsv"),
            _read_conll,
        ),
        Format("spacy", "spaCy DocBin", (".spacy",), _read_docbin),
        Format("csv", "CSV with a text column", (".csv",), _read_csv),
    )
}

# Files a folder import picks up; anything else in a folder (licences, brat's annotation.conf)
# is left alone. Files named explicitly are always tried, so they get a clear error.
FOLDER_SUFFIXES = frozenset(suffix for f in FORMATS.values() for suffix in f.extensions)
_PEEK_BYTES = 1 << 20


def _unknown(path: Path, why: str) -> InputError:
    return InputError(str(path), f"{why}; name the format, one of: {', '.join(FORMATS)}")


def detect_format(path: Path) -> str:
    """Guess the format of ``path`` from its extension and, where that is ambiguous, its content.

    ``.txt`` is brat when a ``.ann`` of the same name is beside it, CoNLL when its lines are
    tagged tokens (:func:`annotator.importers.conll.looks_like`), else text; ``.ann`` is brat;
    ``.jsonl``/``.json`` are ``labelstudio`` when the first record is a Label Studio task, else
    ``json`` for a JSON array or single object and ``jsonl`` for one record per line;
    ``.conll``/``.iob``/``.bio`` and a ``.tsv`` whose last column holds tags are ``conll``;
    ``.spacy`` is ``spacy``; ``.csv`` (and an untagged ``.tsv``) is ``csv``. A file of another
    extension is told by its content: JSON, or tagged token lines.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        A key of :data:`FORMATS`.

    Raises
    ------
    InputError
        The file does not exist, or its format cannot be told; the message lists the formats.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "does not exist")
    if path.is_dir():
        raise InputError(str(path), "is a folder; expand it into files first")
    suffix = path.suffix.lower()
    if suffix == ".txt":
        if path.with_suffix(".ann").is_file():
            return "brat"
        # CoNLL-2003 itself ships as train.txt: a text file of tagged token lines is CoNLL.
        return "conll" if _looks_like_conll(_peek(path)) else "text"
    if suffix == ".ann":
        return "brat"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _detect_json(path, suffix)
    if suffix in (".conll", ".iob", ".bio", ".iob2", ".bioes"):
        return "conll"
    if suffix == ".tsv":
        return "conll" if _looks_like_conll(_peek(path)) else "csv"
    if suffix == ".spacy":
        return "spacy"
    if suffix == ".csv":
        return "csv"
    head = _peek(path).lstrip()
    if head.startswith(("{", "[")):
        return _detect_json(path, ".jsonl")
    if _looks_like_conll(head):
        return "conll"
    raise _unknown(path, f"cannot tell the format from the extension {path.suffix or '(none)'!r}")


def _peek(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(_PEEK_BYTES)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def _detect_json(path: Path, suffix: str) -> str:
    head = _peek(path).lstrip()
    decoder = json.JSONDecoder()
    if head.startswith("["):
        start = 1
        while start < len(head) and head[start].isspace():
            start += 1
        try:
            first, _ = decoder.raw_decode(head, start)
        except (json.JSONDecodeError, ValueError, RecursionError):
            first = None  # an empty list, a huge or too deep first record: the reader will tell
        return "labelstudio" if labelstudio.looks_like(first) else "json"
    try:
        first, end = decoder.raw_decode(head)
    except (json.JSONDecodeError, RecursionError):
        return "json" if suffix == ".json" else "jsonl"
    if labelstudio.looks_like(first):
        return "labelstudio"
    one_document = not head[end:].strip()
    if suffix == ".json" and one_document:
        return "json"
    return "jsonl"


def expand_paths(paths: list[Path]) -> list[Path]:
    """Turn files and folders into the list of files to import.

    Folders are walked recursively in sorted order, skipping hidden files and folders and files
    of no importable kind. A brat pair counts once, as its ``.txt``. Duplicates are removed,
    first occurrence kept.

    Parameters
    ----------
    paths
        Files and folders, as given by the user.

    Returns
    -------
    list[Path]
        Files in a stable order.

    Raises
    ------
    InputError
        A path that does not exist.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(_walk(path))
        elif path.exists():
            found.append(path)
        else:
            raise InputError(str(path), "does not exist")
    result: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        if path.suffix.lower() == ".ann" and path.with_suffix(".txt").is_file():
            path = path.with_suffix(".txt")
        if path not in seen:
            seen.add(path)
            result.append(path)
    return result


def _walk(folder: Path) -> list[Path]:
    files = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            files.extend(_walk(entry))
        elif entry.is_file() and entry.suffix.lower() in FOLDER_SUFFIXES:
            files.append(entry)
    return files


def read(
    path: Path,
    format: str | None = None,
    layers: Mapping[str, frozenset[str]] | None = None,
    options: ReadOptions | None = None,
) -> ReadResult:
    """Parse one file completely into documents.

    Parameters
    ----------
    path
        The file (for brat, the ``.txt`` or the ``.ann``).
    format
        A key of :data:`FORMATS`; None detects it with :func:`detect_format`.
    layers
        Label name -> its layers in the database the file goes into. A span whose label is on
        one layer only is checked as a span on that layer (overlapping issues are fine),
        as the store will put it there.
    options
        What the user chose where a file cannot say (CoNLL ``tag_column``, Label Studio
        ``offsets``); see :class:`~annotator.importers.base.ReadOptions`.

    Returns
    -------
    ReadResult
        The validated documents and the warnings.

    Raises
    ------
    InputError
        An unknown format or the first problem in the file, naming the file and line or record.
    """
    path = Path(path)
    if format is None:
        format = detect_format(path)
    elif format not in FORMATS:
        raise InputError(str(path), f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if path.is_dir():
        raise InputError(str(path), "is a folder; expand it into files first")
    if options is not None and options.offsets not in (None, *OFFSET_UNITS):
        raise InputError(
            str(path), f"unknown offsets {options.offsets!r}; use one of {', '.join(OFFSET_UNITS)}"
        )
    with label_layers(layers), read_options(options):
        docs, warnings = FORMATS[format].read(path)
    return ReadResult(path=path, format=format, docs=docs, warnings=warnings)
