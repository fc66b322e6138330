"""Prodigy tasks and answers (JSON Lines, one task per line).

How answers become spans:

- ``accept`` (or no ``answer`` at all, as ``prodigy db-in`` assumes): the spans are
  annotations by the task's annotator.
- ``reject`` on a binary task (``_is_binary`` true, or no ``_is_binary`` key and exactly one
  span): the span is a rejected suggestion, a negative example (``answer="reject"``).
- ``reject`` on a manual task (``_is_binary`` false or several spans): the annotator rejected
  the whole example; the article is imported without spans, with a warning.
- ``ignore``: the article is imported without spans.
- no ``answer`` and every span marked ``"origin": "suggestion"`` (annotator's export of the
  suggestions nobody decided on): the spans are suggestions again, with their ``source`` and
  ``score``, decided by nobody.

Spans that are not imported stay in ``meta["spans"]``.

An article counts as done for the annotator only after an accepted manual task: one binary
answer says nothing about the rest of the text.
"""

from __future__ import annotations

from sys import intern
from typing import Any

from annotator.importers.base import (
    Notes,
    Where,
    as_label,
    check_span_text,
    record_meta,
    record_source,
    record_title,
    require_text,
    validate,
)
from annotator.model import ENTITY, ImportedDoc, ImportedSpan, SuggestedSpan

ANSWERS = ("accept", "reject", "ignore")
# Keys only Prodigy writes; any of them marks a record as a Prodigy task.
MARKERS = frozenset(
    {"spans", "answer", "_input_hash", "_task_hash", "_view_id", "_annotator_id", "_session_id", "tokens"}
)
CONSUMED = frozenset({"spans", "title"})


def looks_like(record: dict) -> bool:
    """True if ``record`` carries Prodigy task fields."""
    return not MARKERS.isdisjoint(record)  # any key of MARKERS in record, in C


def annotator_of(record: dict) -> str | None:
    """``_annotator_id``, else ``_session_id``, else None (the importing user)."""
    for key in ("_annotator_id", "_session_id"):
        value = record.get(key)
        if value is not None and str(value).strip():
            return str(value)
    return None


def convert(record: dict, where: Where, notes: Notes) -> ImportedDoc:
    """Turn one Prodigy task into a validated :class:`ImportedDoc`.

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
        Missing text, a malformed span, an unknown answer, offsets that do not fit the text.
    """
    text = require_text(record, where)
    answer = record.get("answer", "accept")
    if answer not in ANSWERS:
        raise where.error(f"'answer' is {answer!r}; Prodigy answers are accept, reject or ignore")
    raw_spans = record.get("spans") or []
    if not isinstance(raw_spans, list):
        raise where.error(f"'spans' must be a list, got {type(raw_spans).__name__}")
    annotator = annotator_of(record)
    binary = record.get("_is_binary")
    # Without an answer the record is hand-made training data, not a binary decision.
    is_binary = binary is True or (binary is None and len(raw_spans) == 1 and "answer" in record)
    # Every span is parsed (and refused if malformed) even when the answer drops them all.
    span_answer = "accept" if answer == "accept" else "reject"
    parsed = _spans(raw_spans, record, text, where, annotator, span_answer)

    spans: list[ImportedSpan] = []
    annotators: list[str | None] = []
    if answer == "accept":
        spans = parsed
        if not is_binary:
            annotators = [annotator]
    elif answer == "reject" and is_binary:
        spans = parsed
    elif answer == "reject":
        if parsed:
            notes.add("rejected manual tasks were imported without their spans", where)
    else:
        notes.add("tasks answered 'ignore' were imported without spans", where)

    suggestions = _suggestions(record, raw_spans, parsed)
    if suggestions:
        spans, annotators = [], []
    doc = ImportedDoc(
        text=text,
        location=str(where),
        title=record_title(record),
        source=record_source(record, where.path),
        # Spans that were not imported stay in meta, so nothing the file said is lost.
        meta=record_meta(record, CONSUMED if spans or suggestions else CONSUMED - {"spans"}),
        spans=spans,
        suggestions=suggestions,
        annotators=annotators,
    )
    return validate(doc, where)


def _suggestions(record: dict, raw_spans: list, parsed: list[ImportedSpan]) -> list[SuggestedSpan]:
    """Spans of a task not answered yet whose every span says it is a suggestion (our own export)."""
    if "answer" in record or not raw_spans or any(raw.get("origin") != "suggestion" for raw in raw_spans):
        return []
    found = []
    for raw, span in zip(raw_spans, parsed, strict=True):
        source = raw.get("source")
        score = raw.get("score")
        found.append(
            SuggestedSpan(
                span.start,
                span.end,
                span.label,
                span.layer,
                source if isinstance(source, str) and source else "prodigy",
                float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
            )
        )
    return found


def _spans(
    raw_spans: list, record: dict, text: str, where: Where, annotator: str | None, answer: str
) -> list[ImportedSpan]:
    # One loop over the spans with the helpers inlined: an import calls it once per span
    # (1.2 million for 20,000 news articles). Offsets, labels and layers are checked by
    # validate(), once, as for every format.
    spans = []
    append = spans.append
    make = tuple.__new__  # ImportedSpan(...) without the NamedTuple's Python-level __new__
    for number, raw in enumerate(raw_spans, start=1):
        if not isinstance(raw, dict):
            raise where.error(f"span {number} must be an object with start, end and label")
        get = raw.get
        start, end = get("start"), get("end")
        if start is None or end is None:
            start, end = _from_tokens(raw, number, record, where)
        label = get("label")
        if type(label) is str:
            label = intern(label)  # one string per label name, not one per span
        else:
            label = as_label(label)
        expected = get("text")
        if expected is not None:
            check_span_text(text, start, end, expected, where, f"span {number}")
        layer = get("layer")
        if layer is None or layer == "":
            layer = ENTITY
        elif type(layer) is str:
            layer = intern(layer)
        append(make(ImportedSpan, (start, end, label, layer, annotator, answer)))
    return spans


def _from_tokens(raw: dict, number: int, record: dict, where: Where) -> tuple[Any, Any]:
    # Some recipes write only token indices; token_end is inclusive in Prodigy.
    tokens = record.get("tokens")
    first, last = raw.get("token_start"), raw.get("token_end")
    if not isinstance(tokens, list) or not isinstance(first, int) or not isinstance(last, int):
        raise where.error(f"span {number} has no start and end offsets")
    if not (0 <= first <= last < len(tokens)):
        raise where.error(f"span {number} has token indices {first}-{last} outside the {len(tokens)} tokens")
    try:
        return tokens[first]["start"], tokens[last]["end"]
    except (KeyError, TypeError):
        raise where.error(f"span {number}: its tokens have no start/end offsets") from None
