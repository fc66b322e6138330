"""Prodigy JSONL: one annotated task per line, with tokens, the way ``ner_manual`` saves it.

Each line is::

    {"text": ..., "tokens": [{"text", "start", "end", "id", "ws"}, ...],
     "spans": [{"start", "end", "token_start", "token_end", "label", "layer", "source",
                "origin"?, "score"?}, ...],
     "answer": ..., "_input_hash": ..., "_task_hash": ..., "_annotator_id": ...,
     "_session_id": ..., "_timestamp": ..., "meta": {...}}

- ``token_end`` is inclusive, as in Prodigy. A span that does not fall on token boundaries
  keeps its exact character offsets; its token indices cover every token it touches
  (``Doc.char_span(..., alignment_mode="expand")``).
- Spans are sorted by start, end, layer, label. ``layer`` says ``entity`` or ``issue``;
  ``origin`` and ``score`` appear only when set.
- ``_input_hash`` is the signed 32-bit murmurhash of the compact, key-sorted, ASCII JSON of
  ``{"text": text}``; ``_task_hash`` hashes the input hash followed by the compact ASCII
  JSON of ``[answer, [[start, end, label, layer], ...]]`` (spans in export order). Both are stable
  across runs and machines. (Prodigy's own recipe is not published; these follow its idea,
  so a file re-imported into Prodigy dedupes against itself, not against Prodigy's hashes.)
- ``_annotator_id`` is the annotator name (null for suggestions); ``_session_id`` is the
  session, else the annotator.
- ``meta`` is the article's meta plus ``title``, ``source``, ``article_id`` and
  ``tokenizer`` (see :func:`annotator.export.base.tokenizer_name`).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import chain
from json.encoder import encode_basestring, encode_basestring_ascii
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
    is_line_safe,
    safe_line,
    sorted_spans,
    tokenize,
    tokenizer_name,
)

_TOKEN = '{"text":"%s","start":%d,"end":%d,"id":%d,"ws":%s}'
# What json.dumps escapes in a str when ensure_ascii is off.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_WS = ("false", "true")
_BATCH = 64


def _murmur(text: str) -> int:
    from murmurhash import hash as murmurhash  # a dependency of spaCy

    return murmurhash(text)


def input_hash(text: str) -> int:
    """Signed 32-bit hash of the input: ``murmurhash`` of ``{"text": text}`` as sorted ASCII JSON.

    Parameters
    ----------
    text
        The article text.

    Returns
    -------
    int
        The ``_input_hash``; the same text always gives the same value.
    """
    # Same string as json.dumps({"text": text}, sort_keys=True, separators=(",", ":")).
    return _murmur('{"text":' + encode_basestring_ascii(text) + "}")


def task_hash(input_hash_: int, spans: Iterable[tuple[int, int, str, str]], answer: str) -> int:
    """Signed 32-bit hash of one task: the input hash, the spans and the answer.

    Parameters
    ----------
    input_hash_
        :func:`input_hash` of the text.
    spans
        ``(start, end, label, layer)`` of each span, in export order.
    answer
        ``accept``, ``reject`` or ``ignore``.

    Returns
    -------
    int
        The ``_task_hash``.
    """
    task = [answer, [[s, e, lab, lay] for s, e, lab, lay in spans]]
    return _murmur(str(input_hash_) + json.dumps(task, separators=(",", ":")))


def tokens_json(text: str, tokens: Tokens) -> str:
    """The ``tokens`` array of one text as a JSON string.

    Built with one ``%`` over a template of all tokens, fed by C-level iterators: no
    per-token dict and no per-token Python bytecode, which is most of the speed of an export.
    Token texts go in raw; only the few tokens holding a character JSON must escape (quote,
    backslash, control characters such as a line break) are escaped. Line separators and
    lone surrogates are left for :func:`annotator.export.base.safe_line`.
    """
    starts, ends, ws = tokens.starts, tokens.ends, tokens.ws
    count = len(starts)
    texts = list(map(text.__getitem__, map(slice, starts, ends)))
    for match in _NEEDS_ESCAPE.finditer(text):
        at = match.start()
        i = bisect_right(starts, at) - 1
        if starts[i] <= at < ends[i]:  # else it is a token's trailing space, not in its text
            texts[i] = encode_basestring(text[starts[i] : ends[i]])[1:-1]
    template = "[" + ",".join([_TOKEN] * count) + "]"
    return template % tuple(
        chain.from_iterable(zip(texts, starts, ends, range(count), map(_WS.__getitem__, ws), strict=True))
    )


class _Prepared:
    """What one article contributes to every task about it, computed once per export."""

    __slots__ = ("head", "input_hash", "tokens")

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.input_hash = input_hash(text)
        # The line starts with text and tokens; the rest is appended per record. The tokens
        # hold nothing but the text's characters and ASCII, so one look at the text tells
        # whether the head needs safe_line.
        head = '{"text":' + encode_basestring(text) + ',"tokens":' + tokens_json(text, self.tokens) + ","
        self.head = head if is_line_safe(text) else safe_line(head)


def task(record: ExportRecord, prepared: _Prepared | None = None) -> str:
    """One record as one Prodigy JSON line (without the newline).

    Parameters
    ----------
    record
        The record to write.
    prepared
        Tokenization of the record's text, when the caller keeps one.

    Returns
    -------
    str
        The JSON line.
    """
    check_record(record)
    article = record.article
    if prepared is None:
        prepared = _Prepared(article.text)
    bounds = prepared.tokens.bounds
    spans = []
    keys = []
    for span in sorted_spans(record.spans):
        first, last = bounds(span.start, span.end)
        out = {
            "start": span.start,
            "end": span.end,
            "token_start": first,
            "token_end": last,
            "label": span.label,
            "layer": span.layer,
            "source": span.source,
        }
        if span.origin is not None:
            out["origin"] = span.origin
        if span.score is not None:
            out["score"] = span.score
        spans.append(out)
        keys.append((span.start, span.end, span.label, span.layer))
    meta = dict(article.meta)
    meta["title"] = article.title
    meta["source"] = article.source
    meta["article_id"] = article.id
    meta["tokenizer"] = tokenizer_name()
    rest = {
        "spans": spans,
        "answer": record.answer,
        "_input_hash": prepared.input_hash,
        "_task_hash": task_hash(prepared.input_hash, keys, record.answer),
        "_annotator_id": record.annotator,
        "_session_id": record.session if record.session is not None else record.annotator,
        "_timestamp": record.timestamp,
        "meta": meta,
    }
    return prepared.head + dumps(rest)[1:]


def write(
    records: Iterable[ExportRecord], out: IO[str], progress: Progress | None = None, warn: Warn | None = None
) -> int:
    """Write ``records`` to ``out`` as Prodigy JSONL.

    Parameters
    ----------
    records
        The records, e.g. one per article and annotator.
    out
        A text stream (open the file with ``encoding="utf-8"``).
    progress
        Called with the number of records written so far, every few hundred records.
    warn
        Unused: every span fits this format.

    Returns
    -------
    int
        How many records were written.
    """
    cache = TokenCache()
    batch: list[str] = []
    count = 0
    for record in batched_progress(records, progress):
        text = record.article.text
        prepared = cache.get(text, lambda: _Prepared(text))  # noqa: B023 - used at once
        batch.append(task(record, prepared))
        batch.append("\n")
        count += 1
        if len(batch) >= 2 * _BATCH:
            out.write("".join(batch))
            batch.clear()
    if batch:
        out.write("".join(batch))
    if progress is not None:
        progress(count)
    return count
