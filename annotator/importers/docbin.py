"""spaCy DocBin (``.spacy``), the training format of ``spacy train``.

- ``doc.ents`` are entity spans.
- Span group ``issues`` (or ``issue``) holds issue-layer spans.
- Span group ``incorrect_spans`` (written by Prodigy's ``data-to-spacy`` from rejected binary
  answers) holds rejected suggestions: entity spans with ``answer="reject"``.
- Any other group (``sc`` for spancat, ruler output, ...) adds entity spans that overlap
  neither ``doc.ents`` nor each other; the rest are dropped with a warning, since an annotator
  may not have overlapping entities.
- ``doc.user_data`` values that JSON can hold, and ``doc.cats``, go into meta.

A document counts as done for the importing annotator when its entity annotation is set (any
token's ``ent_iob`` is not "missing") or it has spans in a group.

Files written by annotator's own exporter carry more in ``user_data``, and it is honoured:
``spans`` (exact ``[start, end, label, layer]``, which survive token alignment) replace what
``doc.ents`` and the groups say; ``annotator`` names who made them; ``answer`` ``reject``
makes them rejected suggestions and ``ignore`` drops them; ``title`` and ``source`` are used.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.errors import InputError
from annotator.importers.base import (
    SKIPPED_EMPTY,
    Notes,
    Where,
    non_overlapping,
    path_text,
    read_bytes,
    validate,
)
from annotator.model import ENTITY, ISSUE, ImportedDoc, ImportedSpan

ISSUE_GROUPS = ("issues", "issue")
REJECTED_GROUPS = ("incorrect_spans",)
# user_data keys that become spans or fields rather than meta.
_READ_FROM_USER_DATA = frozenset({"spans", "annotator", "answer"})


def read(path: Path) -> tuple[list[ImportedDoc], list[str]]:
    """Read every document of a spaCy DocBin file.

    Parameters
    ----------
    path
        A ``.spacy`` file.

    Returns
    -------
    tuple[list[ImportedDoc], list[str]]
        Documents in file order (located as records) and warnings.

    Raises
    ------
    InputError
        An empty file, a file that is not a DocBin, or a span problem.
    """
    data = read_bytes(path)
    if not data.strip():
        raise InputError(str(path), "the file is empty")
    # spaCy is heavy: only importing a .spacy file pays for it.
    import spacy
    from spacy.tokens import DocBin

    try:
        docs = list(DocBin().from_bytes(data).get_docs(spacy.blank("en").vocab))
    except Exception as exc:  # msgpack, zlib and spaCy all raise their own kinds
        raise InputError(
            str(path), f"is not a spaCy DocBin file ({type(exc).__name__}: {exc})".rstrip()
        ) from None
    notes = Notes()
    result = []
    for i, doc in enumerate(docs, start=1):
        where = Where(path, record=i)
        if not doc.text.strip() and not doc.ents and not any(len(g) for g in doc.spans.values()):
            # Prodigy's data-to-spacy writes empty examples as empty docs: nothing is lost.
            notes.add(SKIPPED_EMPTY, where)
            continue
        result.append(_convert(doc, where, notes, path_text(path)))
    if not result:
        raise InputError(str(path), "contains no documents" if not docs else "contains only empty documents")
    return result, notes.render()


def _convert(doc, where: Where, notes: Notes, source: str) -> ImportedDoc:
    spans = _spans_of(doc, where, notes)
    meta = _meta_of(doc, where, notes)
    annotated = any(token.ent_iob != 0 for token in doc) or any(len(g) for g in doc.spans.values())
    who = doc.user_data.get("annotator")
    annotator = None if who is None or who == "" else str(who)
    answer = doc.user_data.get("answer", "accept")
    if answer not in ("accept", "reject", "ignore"):
        raise where.error(f"user_data answer is {answer!r}; use accept, reject or ignore")
    exact = doc.user_data.get("spans")
    if isinstance(exact, (list, tuple)):  # msgpack gives tuples back
        spans = []
        for number, item in enumerate(exact, start=1):
            if not isinstance(item, (list, tuple)) or len(item) != 4:
                raise where.error(f"user_data spans item {number} must be [start, end, label, layer]")
            spans.append(ImportedSpan(item[0], item[1], item[2], item[3]))
        annotated = True
    if answer == "ignore":
        spans, annotated = [], False
    spans = [
        ImportedSpan(
            s.start,
            s.end,
            s.label,
            s.layer,
            s.annotator if s.annotator is not None else annotator,
            "reject" if answer == "reject" else s.answer,
        )
        for s in spans
    ]
    text_of = {
        k: v for k, v in doc.user_data.items() if isinstance(k, str) and isinstance(v, str) and v.strip()
    }
    imported = ImportedDoc(
        text=doc.text,
        location=str(where),
        title=" ".join(text_of.get("title", "").split()),
        source=text_of.get("source", source),
        meta=meta,
        spans=spans,
        annotators=[annotator] if annotated and answer == "accept" else [],
    )
    return validate(imported, where)


def _spans_of(doc, where: Where, notes: Notes) -> list[ImportedSpan]:
    spans = [ImportedSpan(e.start_char, e.end_char, e.label_, ENTITY) for e in doc.ents]
    extra = []
    for name, group in doc.spans.items():
        for span in group:
            if name in ISSUE_GROUPS:
                spans.append(ImportedSpan(span.start_char, span.end_char, span.label_, ISSUE))
            elif name in REJECTED_GROUPS:
                spans.append(
                    ImportedSpan(span.start_char, span.end_char, span.label_, ENTITY, answer="reject")
                )
            else:
                extra.append((name, span.start_char, span.end_char, span.label_))
    if extra:
        taken = [(s.start, s.end) for s in spans if s.layer == ENTITY and s.answer == "accept"]
        free = [x for x in extra if not any(x[1] < end and start < x[2] for start, end in taken)]
        kept, _ = non_overlapping(free, key=lambda x: (x[1], x[2]))
        spans.extend(ImportedSpan(start, end, label, ENTITY) for _, start, end, label in kept)
        for name in sorted({x[0] for x in extra if x not in kept}):
            notes.add(f"spans of group {name!r} that overlap other entities were dropped", where)
    return spans


def _meta_of(doc, where: Where, notes: Notes) -> dict:
    meta: dict = {}
    for key, value in doc.user_data.items():
        if isinstance(key, tuple):
            if len(key) == 4 and key[0] == "._." and key[2] is None:
                key = f"_.{key[1]}"  # a Doc extension attribute; token/span ones are skipped
            else:
                continue
        if not isinstance(key, str) or key in _READ_FROM_USER_DATA:
            continue
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            notes.add(f"user_data {key!r} cannot be stored as JSON and was skipped", where)
            continue
        meta[key] = value
    if doc.cats:
        meta["cats"] = dict(doc.cats)
    return meta
