"""CoNLL, IOB2 tags of the entity layer (issues are not written: CoNLL has one tag column).

By default each record is one block of ``token<TAB>tag`` lines, then a blank line::

    Obama<TAB>B-PERSON
    visited<TAB>O
    ...
    <blank line after the article>

That is what ``python -m spacy convert FILE OUT -c ner`` (one Doc per article) and doccano's
CoNLL import (one example per article; every line two tab-separated columns) read unchanged.
The article is one block, not a block per sentence: a blank line is the only boundary both
readers know, and annotator's importer reads a file without markers one article per block.

With ``keep_text=True`` (``annotator export --format conll --keep-text``) each record also
carries what an exact round trip needs, at the cost of lines other readers do not know::

    -DOCSTART- -X- O O
    # annotator_text = "<the exact text as a JSON string>"
    Obama<TAB>B-PERSON
    ...
    <blank line between sentences and after the document>

- Tokens come from the shared ``spacy.blank("en")`` tokenizer; whitespace-only tokens are
  not written. With ``keep_text`` a sentence ends where the text has a line break (``\\n``,
  ``\\r``, and the other characters ``str.splitlines`` breaks on), except inside an entity,
  which is never split.
- A token that an entity starts or ends inside is split there ("iPhones" with the entity
  "iPhone" is written as "iPhone" and "s"), so the entity keeps its exact offsets through a
  round trip. Whitespace-only tokens at an entity's edges are not tagged. When two entity
  spans still touch the same token, the first (by start, then end) is kept and the other is
  reported through ``warn``.
- ``# annotator_text`` holds ``json.dumps(text, ensure_ascii=False)`` (with U+2028, U+2029,
  U+0085 and lone surrogates escaped, so it stays on one line): an importer restores the
  exact text, and thus the offsets, with ``json.loads``. Without it, the text is rebuilt by
  joining tokens with one space.
- Whitespace inside a written token (never produced by the spaCy tokenizer today) is
  replaced by ``_`` so the token stays one column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import IO

from annotator.export.base import (
    ExportRecord,
    Progress,
    TokenCache,
    Tokens,
    Warn,
    batched_progress,
    check_record,
    dumps,
    entity_token_spans,
    tokenize,
)
from annotator.model import ENTITY

# spaCy's own form: its converter reads the last column as a tag, so "-X- -X- O" is no entity.
DOCSTART = "-DOCSTART- -X- O O"
TEXT_COMMENT = "# annotator_text = "

_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_WHITESPACE = re.compile(r"\s")
_SURROGATE = re.compile("[\ud800-\udfff]")


def document(
    record: ExportRecord, warn: Warn | None = None, cache: TokenCache | None = None, keep_text: bool = False
) -> str:
    """One record as a CoNLL document, ending with a blank line.

    Parameters
    ----------
    record
        The record to convert (its issue spans are ignored).
    warn
        Told about entity spans left out because they collide with another.
    cache
        Tokenizations to reuse between records of the same article.
    keep_text
        Start with ``-DOCSTART-`` and the ``# annotator_text`` line, and break sentences at
        line breaks (see the module notes).

    Returns
    -------
    str
        The lines of the document, newline-terminated.
    """
    check_record(record)
    text = record.article.text
    tokens = tokenize(text) if cache is None else cache.get(text, lambda: tokenize(text))
    tokens = _split_at_entities(record, tokens)
    count = len(tokens.starts)
    tags = ["O"] * count
    inside = [False] * count  # token continues the entity of the token before it
    for first, last, span in entity_token_spans(record, tokens, warn):
        tags[first] = "B-" + span.label
        inner = "I-" + span.label
        for i in range(first + 1, last + 1):
            tags[i] = inner
            inside[i] = True

    lines = [DOCSTART, "\n", TEXT_COMMENT, dumps(text), "\n"] if keep_text else []
    in_sentence = False
    pending_break = False
    for i, (start, end) in enumerate(zip(tokens.starts, tokens.ends, strict=True)):
        token = text[start:end]
        if not token or token.isspace():
            if keep_text and in_sentence and _LINE_BREAK.search(token) is not None:
                pending_break = True
            continue
        if pending_break and not inside[i]:
            lines.append("\n")
        pending_break = False
        in_sentence = True
        if _WHITESPACE.search(token) is not None:
            token = _WHITESPACE.sub("_", token)
        if _SURROGATE.search(token) is not None:
            token = _SURROGATE.sub("\ufffd", token)
        lines.append(token)
        lines.append("\t")
        lines.append(tags[i])
        lines.append("\n")
    lines.append("\n")
    return "".join(lines)


def _split_at_entities(record: ExportRecord, tokens: Tokens) -> Tokens:
    """``tokens`` with every token an entity starts or ends inside split at that offset."""
    starts, ends = tokens.starts, tokens.ends
    cuts: dict[int, set[int]] = {}
    for span in record.spans:
        if span.layer != ENTITY:
            continue
        for at in (span.start, span.end):
            i = bisect_right(starts, at) - 1
            if i >= 0 and starts[i] < at < ends[i]:
                cuts.setdefault(i, set()).add(at)
    if not cuts:
        return tokens
    new_starts: list[int] = []
    new_ends: list[int] = []
    new_ws: list[int] = []
    for i, (start, end, ws) in enumerate(zip(starts, ends, tokens.ws, strict=True)):
        for at in sorted(cuts.get(i, ())):
            new_starts.append(start)
            new_ends.append(at)
            new_ws.append(0)
            start = at
        new_starts.append(start)
        new_ends.append(end)
        new_ws.append(ws)
    return Tokens(tokens.doc, new_starts, new_ends, new_ws)


def write(
    records: Iterable[ExportRecord],
    out: IO[str],
    progress: Progress | None = None,
    warn: Warn | None = None,
    keep_text: bool = False,
) -> int:
    """Write the entity layer of ``records`` to ``out`` as CoNLL with IOB2 tags.

    Parameters
    ----------
    records
        The records to write.
    out
        A text stream (open the file with ``encoding="utf-8"``).
    progress
        Called with the number of records written so far, every few hundred records.
    warn
        Told about entity spans left out (see the module notes).
    keep_text
        Add the ``-DOCSTART-`` and ``# annotator_text`` lines for an exact round trip.

    Returns
    -------
    int
        How many records (documents) were written.
    """
    cache = TokenCache()
    count = 0
    for record in batched_progress(records, progress):
        out.write(document(record, warn, cache, keep_text))
        count += 1
    if progress is not None:
        progress(count)
    return count
