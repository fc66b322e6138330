"""Prodigy JSONL: one annotated task per line, the way Prodigy's recipes save it.

Each line is::

    {"text": ..., "spans": [{"start", "end", "label", "layer", "source", "origin"?, "score"?}, ...],
     "answer": ..., "_is_binary": ..., "_input_hash": ..., "_task_hash": ..., "_annotator_id": ...,
     "_session_id": ..., "_timestamp": ..., "meta": {...}}

and with ``tokens=True`` (``annotator export --tokens``), as ``prodigy db-out`` writes a
``ner_manual`` dataset::

    {"text": ..., "tokens": [{"text", "start", "end", "id", "ws"}, ...],
     "spans": [{"start", "end", "token_start", "token_end", "label", ...}, ...], ...}

- Without tokens a task holds everything Prodigy needs: it tokenizes a task that comes
  without ``tokens`` when it loads it (its ``add_tokens`` preprocessor) and finds each span's
  tokens from its character offsets. Tokens cost a spaCy tokenizer run per article and make
  the file about five times larger, so they are opt-in.
- With tokens, ``token_end`` is inclusive, as in Prodigy. A span that does not fall on token
  boundaries keeps its exact character offsets; its token indices cover every token it
  touches (``Doc.char_span(..., alignment_mode="expand")``). ``meta["tokenizer"]`` names the
  tokenizer (see :func:`annotator.export.base.tokenizer_name`).
- Spans are sorted by start, end, layer, label. ``layer`` says ``entity`` or ``issue``;
  ``origin`` and ``score`` appear only when set.
- ``_input_hash`` is the signed 32-bit murmurhash of the compact, key-sorted, ASCII JSON of
  ``{"text": text}``; ``_task_hash`` hashes the input hash followed by the compact ASCII
  JSON of ``[answer, [[start, end, label, layer], ...]]`` (spans in export order). Both are stable
  across runs and machines, and the same with or without tokens. (Prodigy's own recipe is
  not published; these follow its idea, so a file re-imported into Prodigy dedupes against
  itself, not against Prodigy's hashes.)
- Answers travel as ``prodigy db-out`` writes them: an annotator's work on an article is a
  manual task (``_is_binary`` false) answered ``accept`` (``ignore`` when skipped); each
  suggestion they rejected is a binary task of that one span (``_is_binary`` true) answered
  ``reject``. A task still to be answered (an undecided suggestion) has neither ``answer``
  nor ``_is_binary``.
- ``_annotator_id`` is the annotator name (null for suggestions); ``_session_id`` is the
  session, else the annotator.
- ``meta`` is the article's meta plus ``title``, ``source``, ``article_id`` (and
  ``tokenizer`` with tokens).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import chain
from json.encoder import encode_basestring, encode_basestring_ascii
from operator import add
from typing import IO

from annotator.export.base import (
    ExportRecord,
    Progress,
    TokenCache,
    Tokens,
    Warn,
    check_record,
    dumps,
    is_line_safe,
    safe_line,
    sorted_spans,
    tokenize,
    tokenizer_name,
    write_lines,
)
from annotator.model import Article

_TOKEN = '{"text":"%s","start":%d,"end":%d,"id":%d,"ws":%s}'
# Each template starts with its separator; the first is dropped after repeating it.
_SPAN = ',{"start":%d,"end":%d,%s}'
_TOKEN_SPAN = ',{"start":%d,"end":%d,"token_start":%d,"token_end":%d,%s}'
_KEY = ",[%d,%d,%s]"
# What json.dumps escapes in a str when ensure_ascii is off.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_WS = ("false", "true")
_BATCH = 64


def _murmur(text: str) -> int:
    from murmurhash import hash as murmurhash  # a dependency of spaCy; small, no spaCy import

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


def task_hash(input_hash_: int, spans: Iterable[tuple[int, int, str, str]], answer: str | None) -> int:
    """Signed 32-bit hash of one task: the input hash, the spans and the answer.

    Parameters
    ----------
    input_hash_
        :func:`input_hash` of the text.
    spans
        ``(start, end, label, layer)`` of each span, in export order.
    answer
        ``accept``, ``reject``, ``ignore``, or None for a task not answered yet.

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


class _Memo(dict):
    """Strings made from a few recurring values (labels, layers, sources, names), made once."""

    def __init__(self, make):
        super().__init__()
        self._make = make

    def __missing__(self, key):
        found = self[key] = self._make(key)
        return found


def _json(value: object) -> str:
    return "null" if value is None else dumps(value)


def _span_tail(key: tuple[str, str, str | None, str | None]) -> str:
    label, layer, source, origin = key
    tail = f'"label":{dumps(label)},"layer":{dumps(layer)},"source":{_json(source)}'
    return tail if origin is None else f'{tail},"origin":{dumps(origin)}'


def _hash_key(key: tuple[str, str]) -> str:
    # What json.dumps (ASCII) writes for the label and layer in task_hash.
    return encode_basestring_ascii(key[0]) + "," + encode_basestring_ascii(key[1])


def _score(value: float | None) -> str:
    return "" if value is None else ',"score":' + dumps(value)


def _number(value: object) -> str:
    return str(value) if type(value) is int else dumps(value)


class _Encoder:
    """Writes the tasks of one export; memos and the per-article part live as long as it does.

    A task is put together from string templates filled by C-level iterators (``zip``,
    ``map`` over memo lookups), not from a dict per span given to ``json.dumps``: the
    label, layer, source and origin of a span come from a handful of values, so their JSON is
    made once per export.
    """

    def __init__(self, tokens: bool):
        self.tokens = tokens
        self.names = _Memo(_json)
        self.tails = _Memo(_span_tail)
        self.hash_keys = _Memo(_hash_key)
        # (template, count) -> the template repeated count times, less the first separator.
        self.templates = _Memo(lambda key: (key[0] * key[1])[1:])
        self.articles = TokenCache()

    def prepared(self, record: ExportRecord) -> _Prepared:
        article = record.article
        # Keyed by the object: the store hands every annotator's record of an article the same
        # Article, and _Prepared holds it, so the id cannot be reused while the entry lives.
        return self.articles.get(id(article), lambda: _Prepared(article, self.tokens))

    def task(self, record: ExportRecord, prepared: _Prepared) -> str:
        check_record(record)
        spans = sorted_spans(record.spans)
        count = len(spans)
        if count:
            starts, ends, labels, layers, sources, origins, scores = zip(*spans, strict=True)
        else:
            starts = ends = labels = layers = sources = origins = scores = ()
        tails = map(self.tails.__getitem__, zip(labels, layers, sources, origins, strict=True))
        if scores.count(None) != count:  # scores are many distinct floats: no memo
            tails = map(add, tails, map(_score, scores))
        if self.tokens:
            firsts, lasts = prepared.token_bounds(starts, ends)
            columns: tuple = (starts, ends, firsts, lasts, tails)
            template = _TOKEN_SPAN
        else:
            columns = (starts, ends, tails)
            template = _SPAN
        spans_json = self.templates[template, count] % tuple(chain.from_iterable(zip(*columns, strict=True)))
        # The same string as json.dumps([answer, [[start, end, label, layer], ...]]) in task_hash.
        keys = self.templates[_KEY, count] % tuple(
            chain.from_iterable(
                zip(
                    starts,
                    ends,
                    map(self.hash_keys.__getitem__, zip(labels, layers, strict=True)),
                    strict=True,
                )
            )
        )
        answer = record.answer
        ihash = prepared.input_hash
        names = self.names
        session = record.session if record.session is not None else record.annotator
        if answer is None:  # a task still to be answered: no answer, no _is_binary
            thash = _murmur(f"{ihash}[null,[{keys}]]")
            decided = ""
        else:
            thash = _murmur(f'{ihash}["{answer}",[{keys}]]')
            decided = f'"answer":"{answer}","_is_binary":{_WS[record.binary]},'
        return (
            f'{prepared.head}"spans":[{spans_json}],{decided}"_input_hash":{ihash},'
            f'"_task_hash":{thash},"_annotator_id":{names[record.annotator]},"_session_id":{names[session]},'
            f'"_timestamp":{_number(record.timestamp)},"meta":{prepared.meta}}}'
        )


class _Prepared:
    """What one article contributes to every task about it, computed once per export."""

    __slots__ = ("article", "by_end", "by_start", "head", "input_hash", "meta", "tokens")

    def __init__(self, article: Article, tokens: bool):
        text = article.text
        self.article = article
        self.input_hash = input_hash(text)
        # The line starts with text (and tokens); the rest is appended per record. The tokens
        # hold nothing but the text's characters and ASCII, so one look at the text tells
        # whether the head needs safe_line.
        head = '{"text":' + encode_basestring(text) + ","
        if tokens:
            self.tokens = tokenize(text)
            head += '"tokens":' + tokens_json(text, self.tokens) + ","
            # Token index by start and by end offset: most spans fall on token boundaries.
            self.by_start = dict(zip(self.tokens.starts, range(len(self.tokens.starts)), strict=True))
            self.by_end = dict(zip(self.tokens.ends, range(len(self.tokens.ends)), strict=True))
        else:
            self.tokens = None
        self.head = head if is_line_safe(text) else safe_line(head)
        meta = dict(article.meta)
        meta["title"] = article.title
        meta["source"] = article.source
        meta["article_id"] = article.id
        if tokens:
            meta["tokenizer"] = tokenizer_name()
        self.meta = dumps(meta)

    def token_bounds(self, starts: Sequence[int], ends: Sequence[int]) -> tuple[list[int], list[int]]:
        """``token_start`` and (inclusive) ``token_end`` of each span, as :meth:`Tokens.bounds` gives them.

        A span that starts where a token starts and ends where a token ends is looked up in
        two dicts (the same answer, since tokens are never empty); the others, e.g. a span
        inside a token, go through :meth:`Tokens.bounds`.
        """
        firsts = list(map(self.by_start.get, starts))
        lasts = list(map(self.by_end.get, ends))
        if None in firsts or None in lasts:
            bounds = self.tokens.bounds
            for i, (first, last) in enumerate(zip(firsts, lasts, strict=True)):
                if first is None or last is None:
                    firsts[i], lasts[i] = bounds(starts[i], ends[i])
        return firsts, lasts


def task(record: ExportRecord, tokens: bool = False) -> str:
    """One record as one Prodigy JSON line (without the newline).

    Parameters
    ----------
    record
        The record to write.
    tokens
        Add the ``tokens`` array and each span's ``token_start``/``token_end``.

    Returns
    -------
    str
        The JSON line.
    """
    encoder = _Encoder(tokens)
    return encoder.task(record, encoder.prepared(record))


def write(
    records: Iterable[ExportRecord],
    out: IO[str],
    progress: Progress | None = None,
    warn: Warn | None = None,
    tokens: bool = False,
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
    tokens
        Add the ``tokens`` array and span token indices (spaCy's tokenizer; see the module notes).

    Returns
    -------
    int
        How many records were written.
    """
    encoder = _Encoder(tokens)

    def encode(record: ExportRecord) -> str:
        return encoder.task(record, encoder.prepared(record))

    return write_lines(records, out, encode, progress, _BATCH)
