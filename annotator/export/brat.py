"""brat standoff: a folder with ``NAME.txt`` and ``NAME.ann`` for each article, and ``annotation.conf``.

- ``NAME`` is the first 16 characters of the article id (a hash of its text), so a second
  export of the same database writes the same names. The ``.txt`` is the exact text (brat
  counts offsets in code points, as annotator does).
- Each span is a ``T`` line, ``T3<TAB>PERSON 0 13<TAB>Angela Merkel``; line breaks and tabs in
  the covered text are written as spaces (brat compares it modulo whitespace).
- brat has no layers: an issue span is a ``T`` line with the attribute ``Layer`` set to
  ``issue`` (``A1<TAB>Layer T7 issue``), which annotator's brat importer reads back.
  ``annotation.conf`` declares every label, the ``Layer`` attribute, and ``<OVERLAP>`` so
  brat shows overlapping issues.
- A label with whitespace, which a brat type cannot hold, is written with ``_`` and reported.
- With ``per_annotator`` each annotator's articles go into a folder of their own
  (``OUT/alice/NAME.txt``); otherwise every record must be another article.
- Skipped articles (answer ``ignore``) are left out; rejections are not brat annotations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.export.base import (
    ExportRecord,
    Progress,
    Warn,
    batched_progress,
    check_record,
    sorted_spans,
)
from annotator.model import ISSUE

LAYER_ATTRIBUTE = "Layer"
_NAME_LENGTH = 16
_BREAKS = re.compile(r"\s")
_UNSAFE_NAME = re.compile(r"[^\w.@-]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _type(label: str, warn: Warn | None, record: ExportRecord) -> str:
    if not _BREAKS.search(label):
        return label
    if warn is not None:
        warn(
            f"article {record.article.id}: label {label!r} has whitespace, which brat types cannot; written with _"
        )
    return _BREAKS.sub("_", label)


def annotation(record: ExportRecord, warn: Warn | None = None) -> str:
    """The ``.ann`` of one record: a ``T`` line per span, a ``Layer`` attribute per issue span.

    Parameters
    ----------
    record
        The record.
    warn
        Told about labels written with ``_`` for whitespace.

    Returns
    -------
    str
        The lines, newline-terminated (empty for a record without spans).
    """
    check_record(record)
    text = record.article.text
    lines = []
    attributes = 0
    for number, span in enumerate(sorted_spans(record.spans), start=1):
        covered = _BREAKS.sub(" ", text[span.start : span.end])
        lines.append(f"T{number}\t{_type(span.label, warn, record)} {span.start} {span.end}\t{covered}\n")
        if span.layer == ISSUE:
            attributes += 1
            lines.append(f"A{attributes}\t{LAYER_ATTRIBUTE} T{number} {ISSUE}\n")
    return "".join(lines)


def config(labels: Iterable[str]) -> str:
    """``annotation.conf`` declaring ``labels``, the ``Layer`` attribute and overlaps."""
    return "\n".join(
        [
            "[entities]",
            *sorted({_BREAKS.sub("_", label) for label in labels}),
            "",
            "[relations]",
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
            "",
            "[events]",
            "",
            "[attributes]",
            f"{LAYER_ATTRIBUTE}\tArg:<ENTITY>, Value:{ISSUE}",
            "",
        ]
    )


def file_name(record: ExportRecord) -> str:
    """The stem of the record's two files."""
    return record.article.id[:_NAME_LENGTH]


def write(
    records: Iterable[ExportRecord],
    folder: Path,
    progress: Progress | None = None,
    warn: Warn | None = None,
    per_annotator: bool = False,
) -> int:
    """Write ``records`` into ``folder`` (which must exist) as brat ``.txt``/``.ann`` pairs.

    Parameters
    ----------
    records
        The records.
    folder
        An existing, empty folder.
    progress
        Called with the number of records written so far, every few hundred records.
    warn
        Told about labels written with ``_``.
    per_annotator
        A folder per annotator; without it an article met twice is an error.

    Returns
    -------
    int
        How many articles (``.txt``/``.ann`` pairs) were written.

    Raises
    ------
    AnnotatorError
        An article comes twice without ``per_annotator``.
    """
    folder = Path(folder)
    labels: set[str] = set()
    written: set[Path] = set()
    count = 0
    for record in batched_progress(records, progress):
        check_record(record)
        if record.answer != "accept":
            continue
        target = (
            folder / _UNSAFE_NAME.sub("_", record.annotator or "suggestions") if per_annotator else folder
        )
        stem = target / file_name(record)
        if stem in written:
            raise AnnotatorError(
                f"article {record.article.id} comes twice in a brat export",
                "export one annotator (--annotator), the gold set (--gold), or --all-annotators",
            )
        written.add(stem)
        target.mkdir(exist_ok=True)
        ann = annotation(record, warn)
        # A lone surrogate cannot be UTF-8: U+FFFD keeps every offset where it was.
        text = _SURROGATE.sub("\ufffd", record.article.text)
        stem.with_suffix(".txt").write_text(text, encoding="utf-8", newline="")
        stem.with_suffix(".ann").write_text(_SURROGATE.sub("\ufffd", ann), encoding="utf-8", newline="")
        labels.update(span.label for span in record.spans)
        count += 1
    (folder / "annotation.conf").write_text(config(labels), encoding="utf-8")
    if progress is not None:
        progress(count)
    return count
