"""doccano JSONL in its historical shapes.

- ``{"text", "label": [[start, end, "L"], ...]}`` (and ``labels``): one annotator, unnamed.
- ``{"text", "entities": [{"start_offset", "end_offset", "label"}], "relations": [...]}``.
- ``{"text", "annotations": [{"label", "start_offset", "end_offset", "user"}]}``: several
  users per record; each user's spans are theirs (annotator ``str(user)``).

Labels may be numeric label ids: they are kept, as strings. ``label`` lists of plain strings,
and ``annotations`` objects with a label and no offsets, are document categories (text
classification), not spans: they stay in meta, with a warning. Any other item that is not a
span is refused with its line, as a bad span is in every format. Relations stay in meta too,
with a warning, since annotator has no relations.

An article counts as done for an annotator when the file gives them at least one span: doccano
exports every example, annotated or not, so an empty list means "not done yet".

Files written by annotator's own doccano exporter carry more, and it is honoured: a top-level
``annotator`` names who made the spans, ``meta.span_layers`` (``[start, end, label, layer]``)
and then ``meta.layers`` (``{label: layer}``) put each span back on its layer, and
``meta.answer`` ``reject`` makes the spans rejected suggestions (``ignore``: no spans).
"""

from __future__ import annotations

from typing import Any

from annotator.importers.base import (
    Notes,
    Where,
    as_label,
    record_meta,
    record_source,
    record_title,
    require_text,
    validate,
)
from annotator.model import ENTITY, ImportedDoc, ImportedSpan

SPAN_KEYS = ("label", "labels", "entities", "annotations")
CATEGORIES_KEPT = (
    "doccano document categories (labels without offsets) are kept in meta, not imported as spans"
)
MARKERS = frozenset({*SPAN_KEYS, "annotation_approver", "relations"})


def looks_like(record: dict) -> bool:
    """True if ``record`` has one of doccano's span fields or doccano-only fields."""
    return not MARKERS.isdisjoint(record)  # any key of MARKERS in record, in C


def has_annotations(record: dict) -> bool:
    """True if one of the span fields (or relations) holds anything."""
    return any(record.get(key) not in (None, [], "") for key in (*SPAN_KEYS, "relations"))


def convert(record: dict, where: Where, notes: Notes) -> ImportedDoc:
    """Turn one doccano record into a validated :class:`ImportedDoc`.

    Parameters
    ----------
    record
        The parsed JSON object.
    where
        Its place in the file.
    notes
        Collects warnings.

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
        else:
            notes.add(CATEGORIES_KEPT, where)
        spans.extend(span for span in found if span is not None)
    if isinstance(record.get("relations"), list) and record["relations"]:
        notes.add("doccano relations are kept in meta but not imported as annotations", where)
    spans, done = _own_export(record, spans, where, notes)
    if "annotator" in record:
        consumed.add("annotator")

    annotators: list[str | None] = []
    for span in spans if done else []:
        if span.annotator not in annotators:
            annotators.append(span.annotator)
    doc = ImportedDoc(
        text=text,
        location=str(where),
        title=record_title(record),
        source=record_source(record, where.path),
        meta=record_meta(record, consumed),
        spans=spans,
        annotators=annotators,
    )
    return validate(doc, where)


def _own_export(
    record: dict, spans: list[ImportedSpan], where: Where, notes: Notes
) -> tuple[list[ImportedSpan], bool]:
    """Apply annotator's own export fields; returns the spans and whether they count as done."""
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    who = record.get("annotator")
    annotator = None if who is None or who == "" else str(who)
    layers = meta.get("layers") if isinstance(meta.get("layers"), dict) else {}
    exact: dict[tuple, str] = {}
    for item in meta.get("span_layers") or []:
        if isinstance(item, list) and len(item) == 4:
            exact[(item[0], item[1], as_label(item[2]))] = item[3]
        else:
            notes.add("meta.span_layers items that are not [start, end, label, layer] were ignored", where)
    answer = meta.get("answer", "accept")
    if answer not in ("accept", "reject", "ignore"):
        raise where.error(f"meta.answer is {answer!r}; use accept, reject or ignore")
    if answer == "ignore":
        if spans:
            notes.add("records answered 'ignore' were imported without spans", where)
        return [], False
    result = []
    for span in spans:
        layer = exact.get((span.start, span.end, span.label)) or layers.get(span.label) or span.layer
        result.append(
            ImportedSpan(
                span.start,
                span.end,
                span.label,
                layer,
                span.annotator if span.annotator is not None else annotator,
                "reject" if answer == "reject" else "accept",
            )
        )
    return result, answer == "accept"


# Fields doccano writes on a document category annotation (text classification), which has a
# label and no offsets; an object without offsets that has other fields is a malformed span.
CATEGORY_FIELDS = frozenset({"id", "label", "user", "prob", "created_at", "updated_at", "example"})
OFFSETS = ("start_offset", "end_offset", "start", "end")
SPAN_SHAPE = '[start, end, "LABEL"] or {"start_offset", "end_offset", "label"}'


def _span(item: Any, key: str, number: int, where: Where) -> ImportedSpan | None:
    """One item of a span field as a span; None for a document category.

    Categories are plain strings and numbers in ``label``/``labels``, and objects with a label,
    no offsets and nothing else but doccano's own fields in ``annotations``. Any other item is
    refused, as a bad span is in every format: the file and line, and what the item holds.
    """
    what = f"{key} item {number}"
    if isinstance(item, (list, tuple)):
        if len(item) != 3:
            raise where.error(f"{what} must be [start, end, label], got {item!r}")
        start, end, label = item
        return ImportedSpan(start, end, as_label(label), ENTITY)
    if isinstance(item, dict):
        if not any(field in item for field in OFFSETS):
            fields = ", ".join(sorted(map(str, item))) or "none"
            if key == "annotations" and "label" in item and CATEGORY_FIELDS.issuperset(item):
                return None  # a category annotation (text classification)
            raise where.error(f"{what} has no start_offset/end_offset (its fields: {fields})")
        start = item.get("start_offset", item.get("start"))
        end = item.get("end_offset", item.get("end"))
        user = item.get("user")
        annotator = None if user is None else str(user)
        return ImportedSpan(start, end, as_label(item.get("label")), ENTITY, annotator)
    if key in ("label", "labels") and isinstance(item, (str, int)) and not isinstance(item, bool):
        return None  # a document category
    raise where.error(f"{what} is not a span: {item!r} (a span is {SPAN_SHAPE})")
