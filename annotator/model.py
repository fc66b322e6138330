"""Plain, frozen data passed between the store, importers, suggesters, exporters and the UI.

Offsets are Python code points, ``[start, end)``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter, lt
from typing import Any, NamedTuple

from annotator.errors import SpanError

ENTITY = "entity"
ISSUE = "issue"
LAYERS = (ENTITY, ISSUE)

# Where an annotation came from.
ORIGIN_ACCEPTED = "accepted"  # an accepted suggestion
ORIGIN_CORRECTED = "corrected"  # a suggestion whose boundaries or label were changed
ORIGIN_MANUAL = "manual"  # added by hand
ORIGIN_IMPORTED = "imported"  # came from a file
ORIGIN_AGREED = "agreed"  # gold: every annotator marked it the same way
ORIGIN_ADJUDICATED = "adjudicated"  # gold: a reviewer settled a disagreement
ORIGINS = (
    ORIGIN_ACCEPTED,
    ORIGIN_CORRECTED,
    ORIGIN_MANUAL,
    ORIGIN_IMPORTED,
    ORIGIN_AGREED,
    ORIGIN_ADJUDICATED,
)

# Gold spans are stored as the annotations of this reserved annotator; the reviewer who set
# each one is in its source ("reviewer:NAME") and in the ledger.
GOLD = "gold"

# Per-annotator state of an article.
TODO = "todo"
IN_PROGRESS = "in_progress"
DONE = "done"
SKIPPED = "skipped"
STATES = (TODO, IN_PROGRESS, DONE, SKIPPED)

# What an annotator decided about one suggestion.
PENDING = "pending"
ACCEPTED = "accepted"
REJECTED = "rejected"
CORRECTED = "corrected"


def article_id(text: str) -> str:
    """Stable id of an article: a hash of its exact text (re-importing is a no-op)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def normalised_text_id(text: str) -> str:
    """Hash of the text with line endings and Unicode normalisation folded.

    Two articles with different :func:`article_id` but the same normalised id differ only in
    line endings or normalisation: merging reports them instead of silently duplicating.
    """
    folded = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def text_ids(text: str) -> tuple[str, str]:
    """:func:`article_id` and :func:`normalised_text_id` of ``text``.

    A text with no CR in NFC form (almost every one) is its own folded form: it is hashed once.
    """
    aid = article_id(text)
    if "\r" not in text and unicodedata.is_normalized("NFC", text):
        return aid, aid
    return aid, normalised_text_id(text)


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character span ``[start, end)`` on one layer."""

    start: int
    end: int
    label: str
    layer: str = ENTITY

    def check(self, text: str) -> None:
        """Raise :class:`SpanError` if the span is empty, reversed or outside ``text``."""
        check_span(self.start, self.end, self.label, self.layer, len(text))

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    @property
    def key(self) -> tuple[str, int, int, str]:
        return (self.layer, self.start, self.end, self.label)


def check_span(start: Any, end: Any, label: Any, layer: Any, length: int) -> None:
    """Validate raw span values against a text of ``length`` code points."""
    if layer not in LAYERS:
        raise SpanError(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
    if not isinstance(label, str) or not label.strip():
        raise SpanError(f"span {start}-{end} has no label")
    if not label.isprintable():
        raise SpanError(
            f"span {start}-{end} has label {label!r}, with control or invisible characters;"
            " label names are printable text"
        )
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        raise SpanError(f"span offsets must be whole numbers, got {start!r}-{end!r}")
    if start < 0 or end < 0:
        raise SpanError(f"span {start}-{end} ({label}) has a negative offset")
    if end < start:
        raise SpanError(f"span {start}-{end} ({label}) ends before it starts")
    if end == start:
        raise SpanError(f"span {start}-{end} ({label}) is empty")
    if end > length:
        raise SpanError(f"span {start}-{end} ({label}) is outside the text ({length} characters)")


def check_no_entity_overlap(spans: list[Span]) -> None:
    """Raise :class:`SpanError` if two entity-layer spans overlap."""
    ents = sorted((s for s in spans if s.layer == ENTITY), key=lambda s: (s.start, s.end))
    for a, b in zip(ents, ents[1:], strict=False):
        if b.start < a.end:
            raise SpanError(
                f"entity spans {a.start}-{a.end} ({a.label}) and {b.start}-{b.end} ({b.label}) overlap;"
                " entity spans of one annotator may not overlap"
            )


_START, _END = itemgetter(0), itemgetter(1)


def entities_overlap(spans: list[tuple]) -> bool:
    """Whether two of ``spans`` (tuples starting with start and end, all on one layer) overlap.

    Sorted by start, spans overlap somewhere exactly when one starts before the one before it
    ends. The same test as :func:`check_no_entity_overlap`, which says which spans overlap, with
    the comparisons in C: imports run it once per article and annotator.
    """
    if len(spans) < 2:
        return False
    ordered = sorted(spans)
    return any(map(lt, map(_START, islice(ordered, 1, None)), map(_END, ordered)))


@dataclass(frozen=True, slots=True)
class Article:
    """One article. ``id`` is :func:`article_id` of ``text``."""

    id: str
    text: str
    title: str = ""
    source: str = ""
    meta: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """What the article list shows for one article and one annotator."""

    id: str
    title: str
    state: str
    pending: int
    accepted: int
    words: int


@dataclass(frozen=True, slots=True)
class Label:
    """A label on one layer; issues may have a parent issue (the taxonomy is a tree)."""

    name: str
    layer: str
    colour: str = "#888888"
    key: str | None = None
    description: str = ""
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A span proposed by a suggester (model or taxonomy), with its provenance.

    ``status`` is the decision of the annotator it was read for: pending, accepted, rejected or
    corrected.
    """

    id: int
    article_id: str
    layer: str
    start: int
    end: int
    label: str
    source: str
    score: float | None = None
    status: str = PENDING

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.label, self.layer)


class SuggestionRow(NamedTuple):
    """A suggestion of one article as the window reads it: :class:`Suggestion` without the
    article id, as a plain tuple.

    The window reads every suggestion of the article it opens (2,400 for 20,000 words); a tuple
    is made by SQLite's row itself, where a frozen dataclass costs a Python call per row. The
    fields the window uses have the same names as :class:`Suggestion`'s.
    """

    id: int
    layer: str
    start: int
    end: int
    label: str
    source: str
    score: float | None
    status: str


@dataclass(frozen=True, slots=True)
class Annotation:
    """A span an annotator decided on."""

    id: int
    article_id: str
    annotator: str
    layer: str
    start: int
    end: int
    label: str
    origin: str
    source: str | None = None  # provenance of the suggestion it came from, if any

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.label, self.layer)


@dataclass(frozen=True, slots=True)
class SuggestedSpan:
    """A suggester's output before it is stored: a span plus provenance and score."""

    start: int
    end: int
    label: str
    layer: str
    source: str
    score: float | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.label, self.layer)


class ImportedSpan(NamedTuple):
    """A span found in an imported file.

    ``annotator`` is the name the file gives (Prodigy ``_annotator_id``, Label Studio
    ``completed_by``, doccano user) or None for the ``--annotator`` default. ``answer`` is
    ``accept`` for an annotation and ``reject`` for a rejected suggestion (a negative example).

    A plain tuple rather than a frozen dataclass: an import makes one per span (1.2 million
    for 20,000 news articles), and a frozen dataclass costs six ``object.__setattr__`` calls
    each; the validation and the store unpack it in one step.
    """

    start: int
    end: int
    label: str
    layer: str = ENTITY
    annotator: str | None = None
    answer: str = "accept"

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.label, self.layer)


@dataclass(slots=True)
class ImportedDoc:
    """One article parsed from a file, with what the file says about it.

    ``location`` names the file and line or record ("news.jsonl:12") for messages.
    ``annotators`` lists annotators who completed the article (so it counts as done for them
    even with no spans). ``suggestions`` are model predictions (Label Studio ``predictions``).
    """

    text: str
    location: str
    title: str = ""
    source: str = ""
    meta: dict = field(default_factory=dict)
    spans: list[ImportedSpan] = field(default_factory=list)
    suggestions: list[SuggestedSpan] = field(default_factory=list)
    annotators: list[str | None] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SpanUpdate:
    """Where one action changed an article's spans for one annotator, and those spans as they are now.

    ``ranges`` are disjoint, sorted code-point ranges ``[start, end)`` covering every span the
    action added, removed or changed (before and after). ``suggestions`` (each with the
    annotator's status, duplicates folded as :meth:`Store.suggestions` does) and ``annotations``
    are every row of the article and annotator overlapping one of the ranges, read after the
    write: a screen showing that article drops its rows overlapping the ranges and takes these
    instead, without reading the whole article again.
    """

    article_id: str
    annotator: str
    ranges: tuple[tuple[int, int], ...] = ()
    suggestions: tuple[Suggestion | SuggestionRow, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    # What the action did to the article's counts for the annotator (the article list's
    # Pending and Accepted columns) and its state after it (None: unchanged).
    pending_delta: int = 0
    accepted_delta: int = 0
    state: str | None = None

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps one of the ranges."""
        return any(start < b and a < end for a, b in self.ranges)


@dataclass(frozen=True, slots=True)
class Changes:
    """Summary of what one write changed, so each screen redraws only what it cares about.

    ``update``, when set, says exactly which spans of one article changed (see
    :class:`SpanUpdate`); None means "anywhere in ``articles``": read them again.
    """

    articles: frozenset[str] = frozenset()
    labels: bool = False
    spans: bool = False
    states: bool = False
    counts: tuple[tuple[str, int], ...] = ()
    update: SpanUpdate | None = field(default=None, compare=False)

    def count(self, name: str) -> int:
        return dict(self.counts).get(name, 0)

    def __or__(self, other: Changes) -> Changes:
        merged = dict(self.counts)
        for k, v in other.counts:
            merged[k] = merged.get(k, 0) + v
        # An exact update survives a merge only when the other side changed no spans.
        update = None
        if not other.spans:
            update = self.update
        elif not self.spans:
            update = other.update
        return Changes(
            self.articles | other.articles,
            self.labels or other.labels,
            self.spans or other.spans,
            self.states or other.states,
            tuple(sorted(merged.items())),
            update,
        )
