"""Label Studio JSON export: a list of tasks (a single task object also occurs).

Text comes from ``data.text`` (else the first string value in ``data``). Each annotation (old
exports: ``completions``) that was not cancelled belongs to ``completed_by`` (an id, or a user
object whose email or id is used) and marks the article done for them, even with no regions.
Regions of type ``labels`` become spans, one per label; regions from a control whose name
contains "issue" go to the issue layer, all others to the entity layer. ``predictions``
become suggestions with source ``labelstudio:<model_version>`` (a model version that is one
of annotator's own provenance names, ``kind:name@version``, is kept as it is). Other result
types (choices, relations, text areas) are counted in the warnings.

Offsets that some Label Studio versions count in UTF-16 units after an emoji are told apart
and converted, with a warning (:mod:`.utf16`); ``--offsets utf16|codepoints`` decides instead.
"""

from __future__ import annotations

from typing import Any

from annotator.importers import utf16
from annotator.importers.base import (
    Notes,
    Where,
    as_label,
    check_span_text,
    options,
    record_source,
    record_title,
    validate,
)
from annotator.model import ENTITY, ISSUE, ImportedDoc, ImportedSpan, SuggestedSpan

TASK_KEYS = frozenset({"data", "annotations", "completions", "predictions", "id", "meta", "title", "text"})


def looks_like(record: Any) -> bool:
    """True if ``record`` is a Label Studio task: a ``data`` object and no top-level ``text``."""
    return isinstance(record, dict) and isinstance(record.get("data"), dict) and "text" not in record


def nothing_to_import(record: Any) -> bool:
    """A task whose data has no text and whose annotations and predictions hold no region."""
    data = record.get("data") if isinstance(record, dict) else None
    if not isinstance(data, dict):
        return False
    text = (
        data.get("text") if "text" in data else next((v for v in data.values() if isinstance(v, str)), None)
    )
    if text is not None and (not isinstance(text, str) or text.strip()):
        return False
    for key in ("annotations", "completions", "predictions"):
        items = record.get(key)
        if not isinstance(items, list):
            if items is not None:
                return False
            continue
        if any(not isinstance(item, dict) or item.get("result") for item in items):
            return False
    return True


def convert(record: Any, where: Where, notes: Notes) -> ImportedDoc:
    """Turn one Label Studio task into a validated :class:`ImportedDoc`.

    Parameters
    ----------
    record
        The parsed task object.
    where
        Its place in the file.
    notes
        Collects warnings.

    Raises
    ------
    InputError
        No text, a malformed annotation or region, offsets that do not fit the text.
    """
    if not isinstance(record, dict):
        raise where.error(f"a Label Studio task must be an object, got {type(record).__name__}")
    data = record.get("data")
    if not isinstance(data, dict):
        raise where.error("the task has no 'data' object; is this a Label Studio export?")
    text_key, text = _text_of(data, where)
    convert = _offsets(text, record, where, notes)

    spans: list[ImportedSpan] = []
    annotators: list[str | None] = []
    for key in ("annotations", "completions"):
        for number, annotation in enumerate(_list(record, key, where), start=1):
            if not isinstance(annotation, dict):
                raise where.error(f"{key} item {number} must be an object")
            if annotation.get("was_cancelled"):
                notes.add("cancelled (skipped) annotations were left out", where)
                continue
            annotator = _annotator(annotation.get("completed_by"))
            if annotator not in annotators:
                annotators.append(annotator)
            found = _regions(annotation, text, where, notes, f"{key} item {number}", convert)
            for start, end, label, layer in found:
                spans.append(ImportedSpan(start, end, label, layer, annotator))

    suggestions: list[SuggestedSpan] = []
    for number, prediction in enumerate(_list(record, "predictions", where), start=1):
        if not isinstance(prediction, dict):
            raise where.error(f"predictions item {number} must be an object")
        provenance = _provenance(prediction.get("model_version"))
        overall = _score(prediction.get("score"))
        for start, end, label, layer, score in _regions(
            prediction, text, where, notes, f"predictions item {number}", convert, with_score=True
        ):
            suggestions.append(
                SuggestedSpan(start, end, label, layer, provenance, score if score is not None else overall)
            )

    meta: dict = {}
    if isinstance(record.get("meta"), dict):
        meta.update(record["meta"])
    meta.update({k: v for k, v in data.items() if k != text_key and k not in meta})
    meta.update({k: v for k, v in record.items() if k not in TASK_KEYS and k not in meta})
    if "id" in record:
        meta["labelstudio_id"] = record["id"]
    doc = ImportedDoc(
        text=text,
        location=str(where),
        title=record_title({"meta": record.get("meta"), "title": data.get("title")}),
        source=record_source(record, where.path),
        meta=meta,
        spans=spans,
        suggestions=suggestions,
        annotators=annotators,
    )
    return validate(doc, where)


def _provenance(model: Any) -> str:
    if model in (None, ""):
        return "labelstudio"
    model = str(model)
    # Our own export writes the suggester's name ("spacy:en_core_web_sm@3.8.0"): keep it.
    kind, _, rest = model.partition(":")
    if kind.isidentifier() and "@" in rest:
        return model
    return f"labelstudio:{model}"


def _label_regions(record: dict) -> list[tuple[Any, Any, Any]]:
    """``(start, end, text)`` of every ``labels`` region of the task's annotations and predictions."""
    found = []
    for key in ("annotations", "completions", "predictions"):
        items = record.get(key)
        for item in items if isinstance(items, list) else ():
            result = item.get("result") if isinstance(item, dict) else None
            for region in result if isinstance(result, list) else ():
                value = region.get("value") if isinstance(region, dict) else None
                if region.get("type") == "labels" and isinstance(value, dict):
                    found.append((value.get("start"), value.get("end"), value.get("text")))
    return found


def _offsets(text: str, record: dict, where: Where, notes: Notes) -> utf16.Utf16Offsets | None:
    """The UTF-16 converter when the task's offsets count UTF-16 units, else None (code points)."""
    forced = options().offsets
    if forced == utf16.CODEPOINTS:
        return None
    if forced == utf16.UTF16:
        return utf16.Utf16Offsets(text)
    if not utf16.differs(text):
        return None
    for_codepoints, for_utf16 = utf16.votes(text, _label_regions(record))
    if for_codepoints and for_utf16:
        raise where.error(
            f"{for_codepoints} regions fit the text counted in characters and {for_utf16} counted in"
            " UTF-16 units (as Label Studio counts after an emoji); choose with --offsets codepoints"
            " or --offsets utf16"
        )
    if not for_utf16:
        return None
    notes.add(
        "offsets counted in UTF-16 units (as some Label Studio versions count after an emoji)"
        " were converted to characters",
        where,
    )
    return utf16.Utf16Offsets(text)


def _text_of(data: dict, where: Where) -> tuple[str, str]:
    if "text" in data:
        key = "text"
    else:
        key = next((k for k, v in data.items() if isinstance(v, str)), None)
        if key is None:
            raise where.error("the task's 'data' has no text")
    text = data[key]
    if not isinstance(text, str):
        raise where.error(f"data.{key} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise where.error(f"data.{key} is empty")
    return key, text


def _list(record: dict, key: str, where: Where) -> list:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error(f"'{key}' must be a list, got {type(value).__name__}")
    return value


def _annotator(completed_by: Any) -> str | None:
    if isinstance(completed_by, dict):
        for key in ("email", "id", "username"):
            if completed_by.get(key) not in (None, ""):
                return str(completed_by[key])
        return None
    if completed_by is None or completed_by == "":
        return None
    return str(completed_by)


def _score(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _regions(
    annotation: dict,
    text: str,
    where: Where,
    notes: Notes,
    what: str,
    convert: utf16.Utf16Offsets | None = None,
    *,
    with_score: bool = False,
) -> list[tuple]:
    result = annotation.get("result") or []
    if not isinstance(result, list):
        raise where.error(f"{what}: 'result' must be a list")
    found = []
    for number, item in enumerate(result, start=1):
        if not isinstance(item, dict):
            raise where.error(f"{what}, result {number} must be an object")
        kind = item.get("type")
        if kind != "labels":
            notes.add(f"Label Studio results of type {kind!r} were skipped", where)
            continue
        value = item.get("value")
        if not isinstance(value, dict):
            raise where.error(f"{what}, result {number} has no 'value' object")
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if (
            convert is not None
            and type(start) is int
            and type(end) is int
            and (start, end) != (found_span := convert.span(start, end))
        ):
            if found_span is None:
                raise where.error(
                    f"{what}, result {number}: offsets {start}-{end} do not fall between characters"
                    " when counted in UTF-16 units"
                )
            start, end = found_span
        if not isinstance(labels, list) or not labels:
            raise where.error(f"{what}, result {number} has no labels")
        check_span_text(text, start, end, value.get("text"), where, f"{what}, result {number}, region")
        name = str(item.get("from_name") or "")
        layer = ISSUE if "issue" in name.lower() else ENTITY
        for label in labels:
            if with_score:
                found.append((start, end, as_label(label), layer, _score(item.get("score"))))
            else:
                found.append((start, end, as_label(label), layer))
    return found
