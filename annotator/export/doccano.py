"""doccano JSONL (sequence labelling): one article per line, spans as ``[start, end, label]``.

Each line is::

    {"id": article_id, "text": ..., "label": [[start, end, label], ...],
     "meta": {...article meta, "title", "source", "layers": {label: layer}, ...},
     "annotator": name}

- doccano has no layers: entity and issue spans share ``label``, sorted by start, end,
  layer, label. ``meta["layers"]`` maps every label of the line to its layer so an importer
  can put each span back on its layer. If one label name is used on both layers in the same
  line, that label is left out of ``meta["layers"]`` and ``meta["span_layers"]`` lists
  ``[start, end, label, layer]`` for its spans. An importer looks in ``span_layers`` first,
  then ``layers``, and defaults to ``entity``.
- ``annotator`` is left out for a suggestions export (no annotator). ``meta["answer"]`` is
  written only when the answer is not ``accept``.
- Provenance (source, origin, score) has no place in doccano and is not written; use the
  Prodigy format to keep it.
- doccano keeps overlapping spans only in a project that allows them ("Allow overlapping
  spans" in its settings); otherwise it drops them without a word. ``warn`` is told once how
  many records hold overlapping spans (issues overlap each other and entities), so the user can
  allow overlaps or export one layer (``--layer entity``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from annotator.export.base import (
    ExportRecord,
    ExportSpan,
    Progress,
    Warn,
    check_record,
    dumps,
    sorted_spans,
    write_lines,
)
from annotator.model import entities_overlap

_BATCH = 128


def line(record: ExportRecord) -> dict:
    """One record as a doccano dict (what is written as one JSON line).

    Parameters
    ----------
    record
        The record to convert.

    Returns
    -------
    dict
        The doccano object.
    """
    check_record(record)
    article = record.article
    spans = sorted_spans(record.spans)
    layers: dict[str, str] = {}
    mixed: set[str] = set()
    for span in spans:
        if layers.setdefault(span.label, span.layer) != span.layer:
            mixed.add(span.label)
    meta = dict(article.meta)
    meta["title"] = article.title
    meta["source"] = article.source
    meta["article_id"] = article.id
    meta["layers"] = {label: layer for label, layer in layers.items() if label not in mixed}
    if mixed:
        meta["span_layers"] = [[s.start, s.end, s.label, s.layer] for s in spans if s.label in mixed]
    if record.answer != "accept":
        meta["answer"] = record.answer
    out = {
        "id": article.id,
        "text": article.text,
        "label": [[s.start, s.end, s.label] for s in spans],
        "meta": meta,
    }
    if record.annotator is not None:
        out["annotator"] = record.annotator
    return out


def write(
    records: Iterable[ExportRecord], out: IO[str], progress: Progress | None = None, warn: Warn | None = None
) -> int:
    """Write ``records`` to ``out`` as doccano JSONL.

    Parameters
    ----------
    records
        The records to write.
    out
        A text stream (open the file with ``encoding="utf-8"``).
    progress
        Called with the number of records written so far, every few hundred records.
    warn
        Told once, at the end, how many records hold overlapping spans.

    Returns
    -------
    int
        How many records were written.
    """
    overlapping: list[str] = []

    def encode(record: ExportRecord) -> str:
        if _overlap(record.spans):
            overlapping.append(record.article.id)
        return dumps(line(record))

    count = write_lines(records, out, encode, progress, _BATCH)
    if overlapping and warn is not None:
        several = len(overlapping) > 1
        warn(
            f"{len(overlapping)} record{'s' if several else ''} hold{'' if several else 's'} overlapping spans"
            f" (first: article {overlapping[0]}); doccano drops them unless the project allows overlapping"
            " spans: allow them in its settings, or export one layer with --layer entity or --layer issue"
        )
    return count


def _overlap(spans: tuple[ExportSpan, ...]) -> bool:
    return entities_overlap([(s.start, s.end) for s in spans])
