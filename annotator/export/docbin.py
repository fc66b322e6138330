"""spaCy DocBin (``.spacy``), what ``spacy train`` reads.

- One ``Doc`` per record, tokenized by the shared ``spacy.blank("en")`` tokenizer.
- Entity-layer spans go to ``doc.ents``, aligned like
  ``doc.char_span(start, end, alignment_mode="expand")``, less whitespace-only tokens at
  either edge (``spacy debug data`` flags such entities). Tokens outside every entity are
  ``O``. When two entity spans touch the same token after alignment, the first (by start,
  then end) is kept and the other is reported through ``warn``.
- Issue-layer spans go to ``doc.spans["issues"]`` (they may overlap each other and
  entities), aligned the same way (an issue of whitespace only keeps its whitespace tokens).
- ``doc.user_data`` holds ``article_id``, ``title``, ``source``, ``annotator``, ``answer``,
  ``timestamp``, ``session``, ``tokenizer`` and ``spans``: the exact
  ``[start, end, label, layer]`` of every span, so offsets that do not fall on token
  boundaries survive a round trip.
- Written with ``DocBin(store_user_data=True)``; read it back with
  ``DocBin().from_bytes(data).get_docs(spacy.blank("en").vocab)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from annotator.export.base import (
    ExportRecord,
    Progress,
    TokenCache,
    Warn,
    batched_progress,
    check_record,
    entity_token_spans,
    sorted_spans,
    tokenize,
    tokenizer_name,
)
from annotator.model import ISSUE

#: The ``doc.spans`` group that holds the issue layer.
ISSUES_GROUP = "issues"


def doc(record: ExportRecord, warn: Warn | None = None, cache: TokenCache | None = None):
    """One record as a spaCy ``Doc`` with ``ents``, an ``issues`` span group and user data.

    Parameters
    ----------
    record
        The record to convert.
    warn
        Told about entity spans left out because they collide with another after alignment.
    cache
        Tokenizations to reuse between records of the same article.

    Returns
    -------
    spacy.tokens.Doc
        A new ``Doc`` (a copy when the tokenization came from ``cache``).
    """
    from spacy.tokens import Span

    check_record(record)
    article = record.article
    text = article.text
    if cache is None:
        tokens = tokenize(text)
    else:
        tokens = cache.get(text, lambda: tokenize(text))
    # Each record needs its own Doc: the cached one is shared by every record of the article.
    target = tokens.doc.copy()
    ents = [
        Span(target, first, last + 1, label=span.label)
        for first, last, span in entity_token_spans(record, tokens, warn)
    ]
    target.ents = ents
    issues = []
    for span in sorted_spans(s for s in record.spans if s.layer == ISSUE):
        bounds = tokens.bounds(span.start, span.end)
        first, last = tokens.trim(text, *bounds) or bounds
        issues.append(Span(target, first, last + 1, label=span.label))
    target.spans[ISSUES_GROUP] = issues
    target.user_data.update(
        {
            "article_id": article.id,
            "title": article.title,
            "source": article.source,
            "annotator": record.annotator,
            "answer": record.answer,
            "timestamp": record.timestamp,
            "session": record.session,
            "tokenizer": tokenizer_name(),
            "spans": [[s.start, s.end, s.label, s.layer] for s in sorted_spans(record.spans)],
        }
    )
    return target


def write(
    records: Iterable[ExportRecord],
    out: IO[bytes],
    progress: Progress | None = None,
    warn: Warn | None = None,
) -> int:
    """Write ``records`` to ``out`` as one serialized ``DocBin``.

    Parameters
    ----------
    records
        The records to write.
    out
        A binary stream (open the file with ``"wb"``). Nothing is written until every record
        has been converted.
    progress
        Called with the number of records converted so far, every few hundred records.
    warn
        Told about entity spans left out of ``doc.ents`` (see the module notes).

    Returns
    -------
    int
        How many records (docs) were written.
    """
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=True)
    cache = TokenCache()
    count = 0
    for record in batched_progress(records, progress):
        docbin.add(doc(record, warn, cache))
        count += 1
    out.write(docbin.to_bytes())
    if progress is not None:
        progress(count)
    return count
