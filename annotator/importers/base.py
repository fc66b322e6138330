"""What every reader shares: decoding files, locating problems, and the one validation path.

A reader is a function ``read(path) -> (docs, warnings)``. It parses the whole file, calls
:func:`validate` on every document it builds and raises :class:`InputError` at the first
problem, so a file is either imported completely or not at all.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.errors import InputError, SpanError
from annotator.importers import jsontext
from annotator.model import (
    ENTITY,
    LAYERS,
    ImportedDoc,
    Span,
    check_no_entity_overlap,
    check_span,
    entities_overlap,
)

TITLE_MAX = 120
ANSWERS = ("accept", "reject")

Reader = Callable[[Path], tuple[list[ImportedDoc], list[str]]]

# Label name -> the layers it has in the database being imported into (see label_layers()).
_LABEL_LAYERS: ContextVar[Mapping[str, frozenset[str]] | None] = ContextVar("label_layers", default=None)
# Label name -> its layer, for the labels of _LABEL_LAYERS on one layer only: where a span of
# that label goes, whatever layer the file gives (validate() looks it up once per span).
_ONLY_LAYER: ContextVar[Mapping[str, str] | None] = ContextVar("only_layer", default=None)

OFFSET_UNITS = ("codepoints", "utf16")


@dataclass(frozen=True)
class ReadOptions:
    """Choices a user can make about how a file is read, where the file cannot say.

    Parameters
    ----------
    tag_column
        CoNLL: the column (1 = first) that holds the tags, for files with several tag columns.
    offsets
        Label Studio: ``"utf16"`` reads region offsets as UTF-16 code units (as some Label
        Studio versions count after an emoji), ``"codepoints"`` as Python string indices;
        None tells them apart per task (see :mod:`annotator.importers.labelstudio`).
    """

    tag_column: int | None = None
    offsets: str | None = None


_OPTIONS: ContextVar[ReadOptions | None] = ContextVar("read_options", default=None)


_NO_OPTIONS = ReadOptions()


@contextmanager
def read_options(options: ReadOptions | None) -> Iterator[None]:
    """While reading, use ``options`` (see :class:`ReadOptions`)."""
    token = _OPTIONS.set(options or ReadOptions())
    try:
        yield
    finally:
        _OPTIONS.reset(token)


def options() -> ReadOptions:
    """The :class:`ReadOptions` of the file being read."""
    return _OPTIONS.get() or _NO_OPTIONS


@contextmanager
def label_layers(layers: Mapping[str, frozenset[str]] | None) -> Iterator[None]:
    """While reading, treat a label known on one layer only as a span on that layer.

    The store puts a span on the only layer its label has (a file naming no layer says
    ``TARIFFS`` is an entity; the database knows it is an issue). :func:`validate` checks entity
    overlaps on the layers the spans will have, so overlapping issues are not refused.
    """
    token = _LABEL_LAYERS.set(layers)
    only = _ONLY_LAYER.set({name: next(iter(ls)) for name, ls in (layers or {}).items() if len(ls) == 1})
    try:
        yield
    finally:
        _ONLY_LAYER.reset(only)
        _LABEL_LAYERS.reset(token)


def stored_layer(layer: str, label: str) -> str:
    """The layer the store will give a span the file puts on ``layer`` (see :func:`label_layers`)."""
    return _stored_layer(layer, label, _LABEL_LAYERS.get())


def _stored_layer(layer: str, label: str, known: Mapping[str, frozenset[str]] | None) -> str:
    # The same rule as Store.import_docs: a label on exactly one other layer moves there.
    layers = known.get(label) if known else None
    if layers and layer not in layers and len(layers) == 1:
        return next(iter(layers))
    return layer


@dataclass(frozen=True)
class Format:
    """One importable format: its registry name, what it is, and its reader.

    Parameters
    ----------
    name
        Registry name, e.g. ``"brat"``.
    description
        One line for help texts and file dialogs.
    extensions
        File name endings (with the dot) this format usually has.
    read
        ``read(path) -> (docs, warnings)``; raises :class:`InputError` on the first problem.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    read: Reader


@dataclass
class ReadResult:
    """Everything parsed from one file.

    Parameters
    ----------
    path
        The file that was read (for brat, the ``.txt`` or ``.ann`` given).
    format
        Registry name of the format it was read as.
    docs
        The articles, validated, in file order.
    warnings
        What was skipped, changed or guessed, in plain words, one line each.
    """

    path: Path
    format: str
    docs: list[ImportedDoc]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Where:
    """A place in a file: the path plus a line (text formats) or a record (JSON arrays, DocBin)."""

    path: Path
    line: int | None = None
    record: int | None = None

    def error(self, message: str) -> InputError:
        """An :class:`InputError` at this place."""
        return InputError(str(self.path), message, line=self.line, record=self.record)

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.record is not None:
            return f"{self.path}: record {self.record}"
        return str(self.path)


class Notes:
    """Warnings collected while reading, counted so a big file gives a short report."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._first: dict[str, str] = {}

    def add(self, message: str, where: Where | None = None) -> None:
        """Count ``message``; the first place it happened is kept as an example."""
        self._counts[message] += 1
        if where is not None and message not in self._first:
            self._first[message] = str(where)

    def render(self) -> list[str]:
        """One line per distinct message, in the order first seen."""
        lines = []
        for message, count in self._counts.items():
            line = message
            if count > 1:
                line += f" ({count} times"
                line += f", first at {self._first[message]})" if message in self._first else ")"
            elif message in self._first:
                line += f" (at {self._first[message]})"
            lines.append(line)
        return lines


# ---------------------------------------------------------------------------------------------
# Decoding


def read_bytes(path: Path) -> bytes:
    """The raw bytes of ``path``; an unreadable file is an :class:`InputError`."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(str(path), "is a folder, not a file") from None
    except FileNotFoundError:
        raise InputError(str(path), "does not exist") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from None


def read_text(path: Path, *, allow_empty: bool = False) -> str:
    """Decode ``path`` as UTF-8 text, refusing binary, non-UTF-8 and (unless allowed) empty files.

    A UTF-8 byte order mark is dropped. Line endings are kept as they are, because offsets in
    the companion annotations count the characters of the text exactly as written.

    Parameters
    ----------
    path
        The file to read.
    allow_empty
        Return ``""`` for an empty file instead of raising (a brat ``.ann`` may be empty).

    Returns
    -------
    str
        The text.

    Raises
    ------
    InputError
        The file cannot be read, is empty, binary, UTF-16 or not valid UTF-8.
    """
    data = read_bytes(path)
    where = str(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or data.isspace():  # data.strip() is empty, without copying the file
        if allow_empty:
            return ""
        raise InputError(where, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(where, "is UTF-16 text; save it as UTF-8 and import it again")
    if data.startswith(b"PK\x03\x04"):
        raise InputError(where, "is a zip archive; unzip it and import the files inside")
    if data.startswith(b"\x1f\x8b"):
        raise InputError(where, "is gzip-compressed; decompress it and import the result")
    if b"\x00" in data[:65536]:
        raise InputError(where, "looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise InputError(
            where,
            f"is not valid UTF-8 (byte 0x{byte:02x} cannot be decoded); save the file as UTF-8 and "
            "import it again",
            line=line,
        ) from None


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` without their endings (``\\n`` or ``\\r\\n``), numbered as editors do.

    Only ``\\n`` ends a line: ``str.splitlines`` also breaks on U+2028, form feeds and other
    characters that JSON strings and tokens may legitimately contain.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def load_records(path: Path) -> Iterable[tuple[Any, Where]]:
    """Parse a JSON Lines file, a JSON array or a single JSON object into records.

    JSON Lines records are located by line, array items by record number (1-based). A ``.json``
    file that turns out to hold one object per line is read as JSON Lines. JSON Lines are
    parsed one by one as the records are taken (a parsed file takes several times its size).

    Raises
    ------
    InputError
        Invalid JSON, with the line (and column) of the problem.
    """
    text = read_text(path)
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            return _load_json_document(path, text)
        except InputError:
            if path.suffix.lower() not in (".jsonl", ".ndjson"):
                raise
            # A JSON Lines file whose first line is an array: let the line reader say where.
            return _load_json_lines(path, text)
    if stripped.startswith("{") and path.suffix.lower() == ".json":
        try:
            return _load_json_document(path, text)
        except _ExtraData:
            pass  # several objects in a .json file: JSON Lines under another name
    elif not stripped.startswith("{"):
        line = text[: len(text) - len(stripped)].count("\n") + 1
        raise InputError(str(path), "is not JSON: expected '{' or '[' at the start", line=line)
    return _load_json_lines(path, text)


class _ExtraData(Exception):
    pass


def _load_json_document(path: Path, text: str) -> list[tuple[Any, Where]]:
    try:
        value = jsontext.loads(path, text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and not text.lstrip().startswith("["):
            raise _ExtraData from None
        raise InputError(
            str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    jsontext.check_surrogates(path, text)
    if isinstance(value, list):
        return [(item, Where(path, record=i)) for i, item in enumerate(value, start=1)]
    return [(value, Where(path, record=1))]


# What json.loads runs once it has skipped leading whitespace, here run on the file's text at
# the start of each line: no copy of the line, nor json.loads' three Python calls per line.
_SCAN = json.JSONDecoder().scan_once


def _load_json_lines(path: Path, text: str) -> Iterator[tuple[Any, Where]]:
    scan, start, size, number = _SCAN, 0, len(text), 0
    while start < size:
        number += 1
        stop = text.find("\n", start)
        if stop < 0:
            stop = size
        try:  # the usual line: one value from its first character to its last (or to a CR)
            value, end = scan(text, start)
        except (StopIteration, ValueError, RecursionError):
            end = -1
        if end != stop and not (end == stop - 1 and text[end] == "\r"):
            # Anything else (blank, spaced, invalid, a value going on past the line) is parsed
            # as a line of its own, as json.loads places its errors.
            line = text[start : stop - 1 if text.endswith("\r", start, stop) else stop]
            start = stop + 1
            if not line.strip():
                continue
            try:
                value = jsontext.loads(path, line, number)
            except json.JSONDecodeError as exc:
                raise InputError(
                    str(path), f"invalid JSON: {exc.msg} (column {exc.colno})", line=number
                ) from None
        else:
            start = stop + 1
        yield value, Where(path, line=number)
    jsontext.check_surrogates(path, text)


# ---------------------------------------------------------------------------------------------
# Building and checking documents


def default_title(text: str) -> str:
    """First non-empty line of ``text``, trimmed, shortened to about 120 characters at a word."""
    for line in split_lines(text):
        line = " ".join(line.split())
        if line:
            if len(line) <= TITLE_MAX:
                return line
            cut = line[: TITLE_MAX - 1]
            if " " in cut[TITLE_MAX // 2 :]:
                cut = cut[: cut.rindex(" ")]
            return cut.rstrip() + "…"
    return ""


def is_blank(value: Any) -> bool:
    """True for a missing, null or whitespace-only text: a record with nothing to read."""
    return value is None or (isinstance(value, str) and not value.strip())


SKIPPED_EMPTY = "records with no text and no annotations were skipped"


def require_text(record: dict, where: Where) -> str:
    """The ``text`` field of a JSON record; missing, non-string or blank text is an error."""
    if "text" not in record:
        keys = ", ".join(sorted(map(str, record))) or "none"
        raise where.error(f"the record has no 'text' field (its fields: {keys})")
    text = record["text"]
    if not isinstance(text, str):
        raise where.error(f"'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise where.error("'text' is empty")
    return text


def check_span_text(text: str, start: Any, end: Any, expected: Any, where: Where, what: str) -> None:
    """Check that the file's copy of a span's text matches ``text[start:end]``.

    Whitespace differences (a newline written as a space) are tolerated; anything else means
    the offsets count something other than code points of this text, and importing would put
    every span in the wrong place.
    """
    if not isinstance(expected, str) or not isinstance(start, int) or not isinstance(end, int):
        return
    if not (0 <= start < end <= len(text)):
        return  # validate() reports the offsets themselves
    actual = text[start:end]
    if actual == expected or actual.split() == expected.split():
        return
    raise where.error(
        f"{what} {start}-{end} says its text is {expected!r} but the text there is {actual!r};"
        " the offsets do not match this text"
    )


def validate(doc: ImportedDoc, where: Where) -> ImportedDoc:
    """Check a document the way every reader must, before it is returned.

    The text is non-empty; every span and suggestion is a valid, in-range span on a known
    layer; answers are ``accept`` or ``reject``; accepted entity spans of one annotator do not
    overlap (rejected spans are negative examples and may overlap anything).

    Parameters
    ----------
    doc
        The document built by a reader.
    where
        Its place in the file, used in the error message.

    Returns
    -------
    ImportedDoc
        ``doc`` itself, so a reader can write ``docs.append(validate(doc, where))``.

    Raises
    ------
    InputError
        The first problem found, naming the file and line or record.
    """
    if not isinstance(doc.text, str) or not doc.text.strip():
        raise where.error("the article text is empty")
    length = len(doc.text)
    # Accepted entity spans as (start, end, label), by annotator, in file order.
    by_annotator: dict[str | None, list[tuple[int, int, str]]] = {}
    only_layer = (_ONLY_LAYER.get() or {}).get
    try:
        # One pass with check_span's tests inlined for the usual span (plain int offsets, a
        # str label): an import checks every span (1.2 million for 20,000 news articles).
        # Anything else goes through check_span itself, which raises its own message.
        for start, end, label, layer, annotator, answer in doc.spans:
            if not (
                type(start) is int
                and type(end) is int
                and 0 <= start < end <= length
                and type(label) is str
                and layer in LAYERS
                and label.strip()
                and label.isprintable()
            ):
                check_span(start, end, label, layer, length)
            if answer != "accept":
                if answer not in ANSWERS:
                    raise SpanError(f"span {start}-{end} has answer {answer!r}; use accept or reject")
                continue
            layer = only_layer(label, layer)  # _stored_layer(), in one look-up
            if layer == ENTITY:
                entities = by_annotator.get(annotator)
                if entities is None:
                    entities = by_annotator[annotator] = []
                entities.append((start, end, label))
        for suggestion in doc.suggestions:
            check_span(suggestion.start, suggestion.end, suggestion.label, suggestion.layer, length)
        for annotator, entities in by_annotator.items():
            if entities_overlap(entities):
                try:
                    check_no_entity_overlap([Span(s, e, label, ENTITY) for s, e, label in entities])
                except SpanError as exc:
                    who = f" (annotator {annotator})" if annotator is not None else ""
                    raise SpanError(f"{exc.message}{who}") from None
    except SpanError as exc:
        raise where.error(exc.message) from None
    return doc


def non_overlapping(spans: list, key: Callable[[Any], tuple[int, int]]) -> tuple[list, list]:
    """Split spans into a non-overlapping set and the rest.

    Earlier spans win, and at the same start the longer one, so nested entities keep their
    outermost span. Returns ``(kept, dropped)``, both in input order.
    """
    order = sorted(range(len(spans)), key=lambda i: (key(spans[i])[0], -key(spans[i])[1], i))
    kept_idx: set[int] = set()
    last_end = None
    for i in order:
        start, end = key(spans[i])
        if last_end is None or start >= last_end:
            kept_idx.add(i)
            last_end = end
    kept = [s for i, s in enumerate(spans) if i in kept_idx]
    dropped = [s for i, s in enumerate(spans) if i not in kept_idx]
    return kept, dropped


def layer_of(value: Any) -> Any:
    """The layer a file names for a span; none named means the entity layer."""
    return ENTITY if value is None or value == "" else value


# Fields of a JSON record that are never copied into meta: the text itself, and Prodigy's
# token list, which is large and rebuilt by any tokenizer.
_NEVER_META = frozenset({"text", "tokens", "meta"})


def record_meta(record: dict, consumed: set[str] | frozenset[str]) -> dict:
    """Meta of a JSON record: its ``meta`` object plus every field a reader did not consume."""
    meta: dict = {}
    given = record.get("meta")
    if isinstance(given, dict):
        meta.update(given)
    elif given is not None:
        meta["meta"] = given
    for key, value in record.items():
        if key in _NEVER_META or key in consumed or key in meta:
            continue
        meta[key] = value
    return meta


def record_title(record: dict) -> str:
    """``meta.title`` or ``title`` of a JSON record, if it is a string, else ``""``."""
    meta = record.get("meta")
    for value in (meta.get("title") if isinstance(meta, dict) else None, record.get("title")):
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def record_source(record: dict, path: Path) -> str:
    """Where an article came from: ``meta.source`` (e.g. a newspaper or URL), else the file."""
    meta = record.get("meta")
    value = meta.get("source") if isinstance(meta, dict) else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return path_text(path)


def path_text(path: Path) -> str:
    """``path`` as text the database can store, for an article's source.

    A file name that is not UTF-8 (bytes kept as the filesystem has them, which Python holds
    as lone surrogates) shows U+FFFD for each byte that cannot be decoded.
    """
    text = str(path)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "replace")
    return text


def as_label(value: Any) -> Any:
    """Labels may be numeric ids in some tools (doccano): keep them, as strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value
