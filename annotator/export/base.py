"""Records the exporters read, and the pieces every writer shares.

The store turns its rows into :class:`ExportRecord` objects; a writer turns records into
bytes or text. Writers never touch the database.

Tokens come from one shared tokenizer, ``spacy.blank("en")``, created once; its name
(:func:`tokenizer_name`) is recorded in every export that carries tokens, so token indices
keep their meaning.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter, lt
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from annotator.errors import AnnotatorError, SpanError
from annotator.model import ENTITY, LAYERS, Article
from annotator.text import spacy_safe

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

ANSWERS = ("accept", "reject", "ignore")

#: How many records a writer handles between two calls of its ``progress`` callback.
PROGRESS_EVERY = 250

#: Distinct chunks the shared tokenizer remembers (spaCy's default is 10,000). A few tens of
#: bytes each; the vocab keeps every distinct string anyway.
TOKENIZER_CACHE_SIZE = 500_000

Progress = Callable[[int], None]
Warn = Callable[[str], None]


class ExportSpan(NamedTuple):
    """One span as exported: character offsets ``[start, end)`` on one layer.

    A named tuple, not a dataclass: an export makes one per span (millions for an archive),
    and ``tuple.__new__(ExportSpan, row)`` makes one from a store row without a Python call.

    Parameters
    ----------
    start, end
        Character offsets into the article text (Python code points), end exclusive.
    label
        The label name.
    layer
        ``"entity"`` or ``"issue"``.
    source
        Provenance, e.g. ``"spacy:en_core_web_sm@3.8.0"`` or ``"taxonomy:news-issues@3"``;
        None for a span made by hand.
    origin
        How the annotator got it: accepted, corrected, manual, imported or suggestion.
    score
        The suggester's confidence, when it gave one.
    """

    start: int
    end: int
    label: str
    layer: str
    source: str | None = None
    origin: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One article with one annotator's spans and decision: one exported task.

    Parameters
    ----------
    article
        The article (id, text, title, source, meta).
    annotator
        Who made the spans; None for an export of suggestions.
    spans
        The spans, in any order (writers sort them).
    answer
        ``"accept"``, ``"reject"`` or ``"ignore"``; None for a task still to be answered
        (suggestions nobody has decided on).
    timestamp
        Unix seconds of the annotator's last decision on the article.
    session
        Session name; writers that need one fall back to the annotator.
    binary
        True for a decision on one suggested span (a rejected suggestion), False for the
        annotator's work on the whole article.
    """

    article: Article
    annotator: str | None
    spans: tuple[ExportSpan, ...]
    answer: str | None = "accept"
    timestamp: int = 0
    session: str | None = None
    binary: bool = False


# --- the shared tokenizer -----------------------------------------------------------------

_nlp_lock = threading.Lock()
_nlp: Language | None = None


def blank_nlp() -> Language:
    """The shared ``spacy.blank("en")`` pipeline, created on first use.

    Returns
    -------
    spacy.language.Language
        A blank English pipeline; only its tokenizer and vocab are used.
    """
    global _nlp
    if _nlp is None:
        with _nlp_lock:
            if _nlp is None:
                import spacy  # heavy: imported only when a writer needs tokens

                nlp = spacy.blank("en")
                # spaCy caches the split of 10,000 distinct whitespace-separated chunks; an
                # export of a news archive meets many more, and a miss costs ~20 times a hit.
                nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_SIZE
                _nlp = nlp
    return _nlp


@functools.cache
def tokenizer_name() -> str:
    """Name and version of the shared tokenizer, e.g. ``"spacy.blank:en@3.8.18"``.

    Returns
    -------
    str
        The name recorded in exports next to token indices.
    """
    import spacy

    return f"spacy.blank:en@{spacy.__version__}"


@dataclass(slots=True)
class Tokens:
    """One tokenized text: the spaCy ``Doc`` and its token offsets as Python lists.

    ``starts[i]``/``ends[i]`` are the character offsets of token ``i`` without its trailing
    space; ``ws[i]`` is 1 when the token is followed by one space.
    """

    doc: Doc
    starts: list[int]
    ends: list[int]
    ws: list[int]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Token indices ``(first, last)`` (both inclusive) of the tokens ``[start, end)`` touches.

        Same result as ``doc.char_span(start, end, alignment_mode="expand")`` (a test checks
        it), without building a ``Span``. A span that covers nothing but the trailing space of
        a token is given that token.
        """
        starts = self.starts
        first = bisect_right(starts, start) - 1
        # The trailing space belongs to the token before it; do not start a span on it.
        if start == self.ends[first] and self.ws[first]:
            first += 1
        last = bisect_right(starts, end - 1) - 1
        if first > last:
            first = last
        return first, last

    def trim(self, text: str, first: int, last: int) -> tuple[int, int] | None:
        """Drop whitespace-only tokens from both ends of ``first..last``; None if nothing is left."""
        starts, ends = self.starts, self.ends
        while first <= last and text[starts[first] : ends[first]].isspace():
            first += 1
        while last >= first and text[starts[last] : ends[last]].isspace():
            last -= 1
        return (first, last) if first <= last else None


def tokenize(text: str) -> Tokens:
    """Tokenize ``text`` with the shared tokenizer.

    Parameters
    ----------
    text
        The article text.

    Returns
    -------
    Tokens
        The ``Doc`` plus token offsets as lists, ready for :meth:`Tokens.bounds`. A lone
        surrogate (which spaCy cannot handle) is U+FFFD in ``doc.text``; offsets are unchanged.
    """
    from spacy.attrs import IDX, SPACY

    doc = blank_nlp().tokenizer(spacy_safe(text))
    if not len(doc):
        return Tokens(doc, [], [], [])
    array = doc.to_array([IDX, SPACY]).astype("int64")
    # A token ends where the next one starts, less its trailing space.
    ends = array[:, 0].copy()
    ends[:-1] = ends[1:]
    ends[-1] = len(text)
    ends -= array[:, 1]
    return Tokens(doc, array[:, 0].tolist(), ends.tolist(), array[:, 1].tolist())


class TokenCache:
    """Tokenization of the last few articles of one export.

    An export of several annotators lists one article once per annotator; the text is
    tokenized once.
    """

    def __init__(self, size: int = 32):
        self._size = size
        self._items: dict[str, Any] = {}

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        """Return the value cached under ``key``, making (and caching) it if absent."""
        items = self._items
        found = items.get(key)
        if found is None:
            if len(items) >= self._size:
                del items[next(iter(items))]
            found = items[key] = make()
        return found


# --- checks and helpers shared by the writers -----------------------------------------------


_LAYER_SET = frozenset(LAYERS)


def check_record(record: ExportRecord) -> None:
    """Raise if a record's answer or any of its spans cannot be exported.

    Parameters
    ----------
    record
        The record to check.

    Raises
    ------
    AnnotatorError
        The answer is not accept, reject or ignore.
    SpanError
        A span is empty, reversed, outside the text or on an unknown layer.
    """
    if record.answer not in ANSWERS and record.answer is not None:
        raise AnnotatorError(
            f"article {record.article.id}: answer {record.answer!r} cannot be exported; use one of {', '.join(ANSWERS)}"
        )
    length = len(record.article.text)
    spans = record.spans
    if not spans:
        return
    starts, ends, _, layers, *_ = zip(*spans, strict=True)
    # The common case, checked with C-level iterators; the loop below names the culprit.
    if (
        min(starts) >= 0
        and max(ends) <= length
        and all(map(lt, starts, ends))
        and _LAYER_SET.issuperset(layers)
    ):
        return
    for span in spans:
        if not 0 <= span.start < span.end <= length or span.layer not in LAYERS:
            if span.layer not in LAYERS:
                problem = f"is on unknown layer {span.layer!r} (use one of {', '.join(LAYERS)})"
            else:
                problem = f"is empty, reversed or outside the text ({length} characters)"
            raise SpanError(
                f"article {record.article.id}: span {span.start}-{span.end} ({span.label}) {problem}"
            )


_SPAN_ORDER = attrgetter("start", "end", "layer", "label")


def sorted_spans(spans: Iterable[ExportSpan]) -> list[ExportSpan]:
    """Spans in a stable order: by start, end, layer, then label."""
    return sorted(spans, key=_SPAN_ORDER)


def entity_token_spans(
    record: ExportRecord, tokens: Tokens, warn: Warn | None
) -> list[tuple[int, int, ExportSpan]]:
    """Entity spans as non-overlapping token ranges ``(first, last, span)``, last inclusive.

    Spans are aligned with :meth:`Tokens.bounds` (expanded to whole tokens), then
    whitespace-only tokens at their edges are dropped (:meth:`Tokens.trim`). A span with
    nothing left is left out, and so is a span that touches a token of the span before it
    (the first by start, then end, is kept); ``warn`` is told about each.
    """
    text = record.article.text
    kept: list[tuple[int, int, ExportSpan]] = []
    taken = -1
    for span in sorted_spans(s for s in record.spans if s.layer == ENTITY):
        found = tokens.trim(text, *tokens.bounds(span.start, span.end))
        if found is None:
            if warn is not None:
                warn(
                    f"article {record.article.id}: entity {span.start}-{span.end} ({span.label})"
                    " covers only whitespace; it is left out"
                )
            continue
        first, last = found
        if first <= taken:
            if warn is not None:
                other = kept[-1][2]
                warn(
                    f"article {record.article.id}: entity {span.start}-{span.end} ({span.label}) overlaps"
                    f" {other.start}-{other.end} ({other.label}) once aligned to tokens; it is left out"
                )
            continue
        kept.append((first, last, span))
        taken = last
    return kept


def batched_progress(records: Iterable[ExportRecord], progress: Progress | None) -> Iterator[ExportRecord]:
    """Yield ``records``, calling ``progress(count)`` every :data:`PROGRESS_EVERY` records.

    ``progress`` may raise (e.g. :class:`annotator.errors.Cancelled`) to stop the export.
    The caller reports the final count itself.
    """
    if progress is None:
        yield from records
        return
    count = 0
    for record in records:
        yield record
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(count)


def write_lines(
    records: Iterable[ExportRecord],
    out: IO[str],
    encode: Callable[[ExportRecord], str],
    progress: Progress | None,
    batch: int,
) -> int:
    """Write ``encode(record)`` as one line per record, ``batch`` lines per ``out.write``.

    The JSONL writers share it: one write per few dozen records instead of two per record.
    ``progress`` is called as in :func:`batched_progress`, then once with the final count.
    Returns how many records were written.
    """
    lines: list[str] = []
    count = 0
    for record in batched_progress(records, progress):
        lines.append(encode(record))
        lines.append("\n")
        count += 1
        if len(lines) >= 2 * batch:
            out.write("".join(lines))
            lines.clear()
    if lines:
        out.write("".join(lines))
    if progress is not None:
        progress(count)
    return count


# Characters ``json.dumps(ensure_ascii=False)`` leaves raw but that break a line for some
# readers (``str.splitlines``, JavaScript) or cannot be encoded (lone surrogates).
_UNSAFE_IN_LINE = re.compile("[\u2028\u2029\x85\ud800-\udfff]")


def _escape_unsafe(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def is_line_safe(text: str) -> bool:
    """True when ``text`` has nothing :func:`safe_line` would escape."""
    return text.isascii() or _UNSAFE_IN_LINE.search(text) is None


def safe_line(text: str) -> str:
    """Escape line separators and lone surrogates that JSON with ``ensure_ascii=False`` keeps.

    The result is still valid JSON and decodes to the same value.
    """
    if is_line_safe(text):
        return text
    return _UNSAFE_IN_LINE.sub(_escape_unsafe, text)


def dumps(value: Any) -> str:
    """Compact JSON on one line, non-ASCII kept as is (meta values that JSON lacks become text)."""
    return safe_line(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))
