"""Label Studio JSON: a list of tasks, one per article, as Label Studio imports and exports them.

Each task::

    {"id": 1, "data": {"text": ..., "title": ...},
     "meta": {...article meta, "article_id", "source"},
     "annotations": [{"id": 1001, "completed_by": "alice", "was_cancelled": false, "ground_truth": false,
                      "result": [region, ...]}, ...],
     "predictions": [{"model_version": "spacy:en_core_web_sm@3.8.0", "score": 0.91,
                      "result": [region with "score", ...]}, ...]}

and each region::

    {"id": "3f2a9c01d4", "from_name": "label", "to_name": "text", "type": "labels",
     "origin": "manual", "value": {"start": 0, "end": 5, "text": "Apple", "labels": ["ORG"]}}

- One ``annotations`` entry per annotator, named in ``completed_by``; the reviewed gold set
  is the annotator ``gold`` with ``ground_truth`` true. A skipped article is an annotation with
  ``was_cancelled`` true and no regions.
- Suggestions are ``predictions``, one per suggester, its name in ``model_version``, each
  region with its ``score`` and the prediction with their mean.
- Entity spans come from the control ``label``, issue spans from ``issue``: the labelling
  config (:func:`config`) has one ``<Labels>`` for each, over the ``<Text name="text">``.
  Label Studio regions may overlap, so both layers are kept whole.
- ``value.start``/``end`` count code points (Python string indices), which is what Label
  Studio reads; ``value.text`` is the covered text, so an importer can check them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import IO
from xml.sax.saxutils import quoteattr

from annotator.export.base import (
    ExportRecord,
    ExportSpan,
    Progress,
    Warn,
    batched_progress,
    check_record,
    dumps,
    sorted_spans,
)
from annotator.model import GOLD, ISSUE

#: Control names of the two layers in the labelling config.
ENTITY_CONTROL = "label"
ISSUE_CONTROL = "issue"
TEXT_OBJECT = "text"


def config(entity_labels: Iterable[str], issue_labels: Iterable[str]) -> str:
    """A Label Studio labelling config with one ``<Labels>`` per layer over the text.

    Parameters
    ----------
    entity_labels, issue_labels
        The label names of each layer.

    Returns
    -------
    str
        The XML, to paste into the project's "Labeling Interface" settings.
    """

    def labels(name: str, values: Iterable[str]) -> list[str]:
        inner = [f"    <Label value={quoteattr(value)}/>" for value in sorted(set(values))]
        return [f'  <Labels name="{name}" toName="{TEXT_OBJECT}">', *inner, "  </Labels>"]

    lines = ["<View>", *labels(ENTITY_CONTROL, entity_labels), *labels(ISSUE_CONTROL, issue_labels)]
    lines += [f'  <Text name="{TEXT_OBJECT}" value="$text"/>', "</View>", ""]
    return "\n".join(lines)


def _region(text: str, span: ExportSpan, origin: str, with_score: bool) -> dict:
    key = f"{span.layer}:{span.start}:{span.end}:{span.label}".encode()
    region = {
        "id": hashlib.sha1(key).hexdigest()[:10],
        "from_name": ISSUE_CONTROL if span.layer == ISSUE else ENTITY_CONTROL,
        "to_name": TEXT_OBJECT,
        "type": "labels",
        "origin": origin,
        "value": {
            "start": span.start,
            "end": span.end,
            "text": text[span.start : span.end],
            "labels": [span.label],
        },
    }
    if with_score and span.score is not None:
        region["score"] = span.score
    return region


def _predictions(text: str, spans: Iterable[ExportSpan]) -> list[dict]:
    by_source: dict[str, list[ExportSpan]] = {}
    for span in sorted_spans(spans):
        by_source.setdefault(span.source or "annotator", []).append(span)
    found = []
    for source, group in sorted(by_source.items()):
        scores = [s.score for s in group if s.score is not None]
        prediction: dict = {"model_version": source}
        if scores:
            prediction["score"] = sum(scores) / len(scores)
        prediction["result"] = [_region(text, s, "prediction", True) for s in group]
        found.append(prediction)
    return found


def task(records: list[ExportRecord], number: int = 1) -> dict:
    """One Label Studio task from the records of one article (annotators' and suggestions).

    Parameters
    ----------
    records
        Records of the same article: one per annotator, and one with annotator None holding
        the suggestions.
    number
        The task's ``id`` (1, 2, ... in the file); annotation ids are ``number * 1000 + i``.
        Label Studio assigns its own ids on import; its converters need these.

    Returns
    -------
    dict
        The task.
    """
    article = records[0].article
    text = article.text
    meta = dict(article.meta)
    meta["article_id"] = article.id
    meta["source"] = article.source
    data = {"text": text}
    if article.title:
        data["title"] = article.title
    annotations, suggested = [], []
    for record in records:
        check_record(record)
        if record.annotator is None:
            suggested.extend(record.spans)
            continue
        cancelled = record.answer == "ignore"
        annotations.append(
            {
                "id": number * 1000 + len(annotations) + 1,
                "completed_by": record.annotator,
                "was_cancelled": cancelled,
                "ground_truth": record.annotator == GOLD,
                "result": []
                if cancelled
                else [_region(text, s, "manual", False) for s in sorted_spans(record.spans)],
            }
        )
    found: dict = {"id": number, "data": data, "meta": meta, "annotations": annotations}
    if suggested:
        found["predictions"] = _predictions(text, suggested)
    return found


def _by_article(records: Iterable[ExportRecord]) -> Iterator[list[ExportRecord]]:
    group: list[ExportRecord] = []
    for record in records:
        if group and record.article.id != group[0].article.id:
            yield group
            group = []
        group.append(record)
    if group:
        yield group


def write(
    records: Iterable[ExportRecord], out: IO[str], progress: Progress | None = None, warn: Warn | None = None
) -> int:
    """Write ``records`` to ``out`` as one Label Studio JSON list, a task per article.

    Parameters
    ----------
    records
        The records, those of one article next to each other (as the store lists them).
    out
        A text stream (open the file with ``encoding="utf-8"``).
    progress
        Called with the number of records read so far, every few hundred records.
    warn
        Unused: Label Studio holds every span, overlapping ones too.

    Returns
    -------
    int
        How many tasks (articles) were written.
    """
    count = 0
    out.write("[")
    for group in _by_article(batched_progress(records, progress)):
        out.write(",\n" if count else "\n")
        out.write(dumps(task(group, count + 1)))
        count += 1
    out.write("\n]\n" if count else "]\n")
    if progress is not None:
        progress(count)
    return count
