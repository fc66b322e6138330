"""doccano JSONL in its historical shapes.

- ``{"text", "label": [[start, end, "L"], ...]}`` (and ``labels``): one annotator, unnamed.
- ``{"text", "entities": [{"start_offset", "end_offset", "label"}], "relations": [...]}``.
- ``{"text", "annotations": [{"label", "start_offset", "end_offset", "user"}]}``: several
  users per record; each user's spans are theirs (annotator ``str(user)``).

Labels may be numeric label ids: they are kept, as strings. ``label`` lists of plain strings
are document categories (text classification), not spans: they stay in meta. Relations stay
in meta too, with a warning, since annotator has no relations.

An article counts as done for an annotator when the file gives them at least one span: doccano
exports every example, annotated or not, so an empty list means "not done yet".
"""

from __future__ import annotations

from typing import Any

from annotator.importers.base import Notes, Where, as_label, record_meta, record_title, require_text, validate
from annotator.model import ENTITY, ImportedDoc, ImportedSpan

SPAN_KEYS = ("label", "labels", "entities", "annotations")
MARKERS = frozenset({*SPAN_KEYS, "annotation_approver", "relations"})


def looks_like(record: dict) -> bool:
    """True if ``record`` has one of doccano's span fields or doccano-only fields."""
    return any(key in record for key in MARKERS)


def convert(record: dict, where: Where, notes: Notes, source: str) -> ImportedDoc:
    """Turn one doccano record into a validated :class:`ImportedDoc`.

    Parameters
    ----------
    record
        The parsed JSON object.
    where
        Its place in the file.
    notes
        Collects warnings.
    source
        The ``source`` of the document (the file it came from).

    Raises
    ------
    InputError
        Missing text, a malformed span, offsets that do not fit the text.
    """
    text = require_text(record, where)
    spans: list[ImportedSpan] = []
    consumed = {"title"}
    for key in SPAN_KEYS:
        if key not in record:
            continue
        items = record[key]
        if not isinstance(items, list):
            if key in ("label", "labels") and isinstance(items, (str, int)):
                continue  # a single document category: stays in meta
            raise where.error(f"'{key}' must be a list, got {type(items).__name__}")
        found = [_span(item, key, i, where) for i, item in enumerate(items, start=1)]
        if all(span is not None for span in found):
            consumed.add(key)
        elif any(span is not None for span in found):
            raise where.error(f"'{key}' mixes spans and document categories")
        spans.extend(span for span in found if span is not None)
    if isinstance(record.get("relations"), list) and record["relations"]:
        notes.add("doccano relations are kept in meta but not imported as annotations", where)

    annotators: list[str | None] = []
    for span in spans:
        if span.annotator not in annotators:
            annotators.append(span.annotator)
    doc = ImportedDoc(
        text=text,
        location=str(where),
        title=record_title(record),
        source=source,
        meta=record_meta(record, consumed),
        spans=spans,
        annotators=annotators,
    )
    return validate(doc, where)


def _span(item: Any, key: str, number: int, where: Where) -> ImportedSpan | None:
    if isinstance(item, (list, tuple)):
        if len(item) != 3:
            raise where.error(f"{key} item {number} must be [start, end, label], got {item!r}")
        start, end, label = item
        return ImportedSpan(start, end, as_label(label), ENTITY)
    if isinstance(item, dict):
        start = item.get("start_offset", item.get("start"))
        end = item.get("end_offset", item.get("end"))
        if start is None and end is None:
            if "label" in item:
                return None  # a category annotation (text classification) without offsets
            raise where.error(f"{key} item {number} has no start_offset/end_offset")
        user = item.get("user")
        annotator = None if user is None else str(user)
        return ImportedSpan(start, end, as_label(item.get("label")), ENTITY, annotator)
    if isinstance(item, (str, int)) and not isinstance(item, bool):
        return None  # a document category
    raise where.error(f"{key} item {number} is not a span: {item!r}")
