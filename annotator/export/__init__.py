"""Exporters: records in, text or bytes out. One module per format; they never touch the store.

The store builds :class:`ExportRecord` objects (one per article and annotator, or one per
article for suggestions) and passes them to :func:`write` with a format name from
:data:`FORMATS`::

    with open("news.jsonl", "w", encoding="utf-8") as out:
        write("prodigy", records, out)
    with open("news.spacy", "wb") as out:
        write("spacy", records, out)
    with open("news-tokens.jsonl", "w", encoding="utf-8") as out:
        write("prodigy", records, out, tokens=True)  # Prodigy's tokens array too

Format notes live in each module: :mod:`.prodigy`, :mod:`.doccano`, :mod:`.docbin`,
:mod:`.conll`, :mod:`.labelstudio`, :mod:`.brat`. spaCy is imported only when a writer that
needs tokens runs: ``spacy`` and ``conll`` always, ``prodigy`` only with ``tokens=True``.
``brat`` writes a folder: its ``out`` is the path of an existing, empty folder.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from annotator.errors import AnnotatorError
from annotator.export import brat, conll, docbin, doccano, labelstudio, prodigy
from annotator.export.base import (
    PROGRESS_EVERY,
    ExportRecord,
    ExportSpan,
    Progress,
    Warn,
    blank_nlp,
    tokenizer_name,
)

__all__ = [
    "BINARY_FORMATS",
    "DEFAULT_FORMAT",
    "FOLDER_FORMATS",
    "FORMATS",
    "PROGRESS_EVERY",
    "ExportFormat",
    "ExportRecord",
    "ExportSpan",
    "blank_nlp",
    "tokenizer_name",
    "write",
]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    Parameters
    ----------
    name
        The name given to :func:`write` and on the command line.
    extension
        Usual file name ending, with its dot.
    binary
        True when the writer needs a binary stream.
    description
        One line for menus and ``--help``.
    writer
        ``writer(records, out, progress, warn) -> int``; with ``optional_tokens`` it also
        takes ``tokens=``.
    optional_tokens
        True when tokens are the caller's choice (``prodigy``); the others always carry them
        (``spacy``, ``conll``) or never (``doccano``).
    optional_text
        True when the exact-text line is the caller's choice (``conll``, ``keep_text=``).
    folder
        True when the writer fills a folder (``brat``) instead of a stream; it then also
        takes ``per_annotator=``.
    """

    name: str
    extension: str
    binary: bool
    description: str
    writer: Callable[..., int]
    optional_tokens: bool = False
    optional_text: bool = False
    folder: bool = False


DEFAULT_FORMAT = "prodigy"

FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "prodigy",
            ".jsonl",
            False,
            "Prodigy JSONL, both layers and provenance (spaCy tokens on request)",
            prodigy.write,
            optional_tokens=True,
        ),
        ExportFormat(
            "doccano", ".jsonl", False, "doccano JSONL, both layers, layer names in meta", doccano.write
        ),
        ExportFormat(
            "spacy", ".spacy", True, "spaCy DocBin: entities in doc.ents, issues in doc.spans", docbin.write
        ),
        ExportFormat(
            "conll",
            ".conll",
            False,
            "CoNLL IOB2 of the entity layer, two tab-separated columns (spaCy convert and doccano read it)",
            conll.write,
            optional_text=True,
        ),
        ExportFormat(
            "labelstudio",
            ".json",
            False,
            "Label Studio JSON tasks: an annotation per annotator, suggestions as predictions",
            labelstudio.write,
        ),
        ExportFormat(
            "brat",
            "",
            False,
            "brat standoff: a folder of .txt and .ann, both layers",
            brat.write,
            folder=True,
        ),
    )
}

BINARY_FORMATS = frozenset(name for name, f in FORMATS.items() if f.binary)
FOLDER_FORMATS = frozenset(name for name, f in FORMATS.items() if f.folder)


def _log_warning(message: str) -> None:
    _log.warning("%s", message)


def write(
    format: str,
    records: Iterable[ExportRecord],
    out: IO,
    progress: Progress | None = None,
    warn: Warn | None = None,
    tokens: bool = False,
    keep_text: bool = False,
    per_annotator: bool = False,
) -> int:
    """Write ``records`` to ``out`` in ``format``.

    Parameters
    ----------
    format
        A key of :data:`FORMATS`: ``prodigy``, ``doccano``, ``spacy`` or ``conll``.
    records
        The records; consumed once, lazily (only ``spacy`` holds all docs before writing).
    out
        A text stream, a binary stream for the formats in :data:`BINARY_FORMATS`, or the path
        of an existing, empty folder for those in :data:`FOLDER_FORMATS`.
    progress
        Called with the number of records written so far, every :data:`PROGRESS_EVERY`
        records and once at the end. It may raise (e.g. :class:`annotator.errors.Cancelled`)
        to stop; what was written so far stays in ``out``, so write to a temporary file.
    warn
        Called with one message for each span a format cannot hold (colliding entity
        spans in ``spacy`` and ``conll``); by default they are logged.
    tokens
        ``prodigy`` only: add the ``tokens`` array and each span's ``token_start`` and
        ``token_end`` (tokenized with spaCy, which is then imported). Off by default: Prodigy
        tokenizes a task itself when it loads one without tokens.
    keep_text
        ``conll`` only: add ``-DOCSTART-`` and the ``# annotator_text`` line, for an exact
        round trip through annotator (other readers do not know the comment).
    per_annotator
        ``brat`` only: a subfolder per annotator.

    Returns
    -------
    int
        How many records were written.

    Raises
    ------
    AnnotatorError
        ``format`` is unknown, ``out`` is the wrong kind of stream, ``tokens`` is asked of a
        format other than ``prodigy``, or a record's answer is not accept, reject or ignore.
    SpanError
        A span is empty, reversed, outside its text or on an unknown layer.
    """
    found = _checked_format(format, out, tokens, keep_text)
    warn = warn if warn is not None else _log_warning
    if found.optional_tokens:
        return found.writer(records, out, progress, warn, tokens=tokens)
    if found.optional_text:
        return found.writer(records, out, progress, warn, keep_text=keep_text)
    if found.folder:
        return found.writer(records, out, progress, warn, per_annotator=per_annotator)
    return found.writer(records, out, progress, warn)


def _checked_format(format: str, out: IO | Path, tokens: bool, keep_text: bool):
    """The format called ``format``, once ``out`` and the options are known to suit it."""
    found = FORMATS.get(format)
    if found is None:
        raise AnnotatorError(f"unknown export format {format!r}; use one of {', '.join(FORMATS)}")
    if found.folder != isinstance(out, Path):
        raise AnnotatorError(
            f"the {format} format writes "
            + ("a folder but was given a stream" if found.folder else "a file but was given a folder path"),
            "give the path of an empty folder" if found.folder else "open the file and pass the stream",
        )
    if keep_text and not found.optional_text:
        raise AnnotatorError(f"keeping the text line is an option of the conll format only, not of {format}")
    if found.binary and isinstance(out, io.TextIOBase):
        raise AnnotatorError(
            f"the {format} format writes bytes but was given a text stream", "open the file with 'wb'"
        )
    if not found.binary and isinstance(out, io.RawIOBase | io.BufferedIOBase):
        raise AnnotatorError(
            f"the {format} format writes text but was given a binary stream",
            "open the file with 'w' and encoding='utf-8'",
        )
    if tokens and not found.optional_tokens:
        choosing = ", ".join(name for name, f in FORMATS.items() if f.optional_tokens)
        raise AnnotatorError(
            f"tokens are an option of the {choosing} format only, not of {format}",
            "spacy and conll always carry tokens and doccano has none; leave tokens off",
        )
    return found
