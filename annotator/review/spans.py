"""The input of the review functions and the span matching they share.

Everything here is pure: spans in, spans out. No database, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from annotator.errors import AnnotatorError
from annotator.model import LAYERS, Span


@dataclass(frozen=True)
class ArticleSpans:
    """One article with every annotator's spans, the unit all review functions work on.

    Parameters
    ----------
    article_id
        The article's id.
    text
        The article text; span offsets are code points into it.
    spans
        Annotator name -> that annotator's spans on all layers. An annotator who is absent from
        the mapping did not annotate the article and is left out of its comparisons; one who is
        present with no spans annotated it and found nothing. Pseudo-annotators (the model's
        suggestions, the gold standard) are put here under their own name.
    """

    article_id: str
    text: str
    spans: Mapping[str, Sequence[Span]] = field(default_factory=dict, hash=False)

    @property
    def annotators(self) -> tuple[str, ...]:
        """Names in ``spans``, in the mapping's order."""
        return tuple(self.spans)

    def layer_spans(self, annotator: str, layer: str) -> list[Span]:
        """The annotator's spans on ``layer``, without duplicates, sorted by position."""
        return sorted(
            {s for s in self.spans.get(annotator, ()) if s.layer == layer},
            key=lambda s: (s.start, s.end, s.label),
        )


@dataclass(frozen=True)
class SpanColumns:
    """The content of a list of :class:`ArticleSpans` as columns, one entry per span.

    Measuring agreement over thousands of articles took longer to make and read one
    :class:`~annotator.model.Span` per row than to measure; this form carries the same content
    as plain values straight from the store's rows. :func:`~annotator.review.agreement.compute_agreement`
    takes either form and gives the same figures.

    Parameters
    ----------
    article_ids, texts
        One per article.
    annotators
        One per article: who annotated it (with spans or none), in the order of
        :attr:`ArticleSpans.spans`.
    article
        One per span: the index of its article in ``article_ids``.
    annotator, layer, start, end, label
        One per span. Each annotator of a span is among its article's ``annotators``.
    """

    article_ids: Sequence[str]
    texts: Sequence[str]
    annotators: Sequence[Sequence[str]]
    article: Sequence[int]
    annotator: Sequence[str]
    layer: Sequence[str]
    start: Sequence[int]
    end: Sequence[int]
    label: Sequence[str]

    @classmethod
    def of(cls, articles: Sequence[ArticleSpans]) -> SpanColumns:
        """The columns of ``articles``."""
        rows = [
            (i, name, s.layer, s.start, s.end, s.label)
            for i, art in enumerate(articles)
            for name, spans in art.spans.items()
            for s in spans
        ]
        article, annotator, layer, start, end, label = zip(*rows, strict=True) if rows else ((),) * 6
        return cls(
            [a.article_id for a in articles],
            [a.text for a in articles],
            [tuple(a.spans) for a in articles],
            article,
            annotator,
            layer,
            start,
            end,
            label,
        )

    def __len__(self) -> int:
        return len(self.article_ids)

    def articles(self) -> list[ArticleSpans]:
        """The same content as :class:`ArticleSpans`."""
        spans: list[dict[str, list[Span]]] = [{name: [] for name in names} for names in self.annotators]
        for i, who, layer, start, end, label in zip(
            self.article, self.annotator, self.layer, self.start, self.end, self.label, strict=True
        ):
            spans[i][who].append(Span(start, end, label, layer))
        return [
            ArticleSpans(aid, text, d)
            for aid, text, d in zip(self.article_ids, self.texts, spans, strict=True)
        ]

    def without(self, name: str) -> SpanColumns:
        """The same articles without the annotator ``name`` (absent, not empty)."""
        columns = (self.article, self.annotator, self.layer, self.start, self.end, self.label)
        if name in self.annotator:
            keep = [i for i, who in enumerate(self.annotator) if who != name]
            columns = tuple([column[i] for i in keep] for column in columns)
        return SpanColumns(
            self.article_ids,
            self.texts,
            [tuple(n for n in names if n != name) for names in self.annotators],
            *columns,
        )


def check_layers(layer: str | None) -> tuple[str, ...]:
    """The layers to work on: ``layer`` alone, or every layer when it is None.

    Raises
    ------
    AnnotatorError
        If ``layer`` is not a known layer; the message names the valid ones.
    """
    if layer is None:
        return LAYERS
    if layer not in LAYERS:
        raise AnnotatorError(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
    return (layer,)


def human_annotators(article: ArticleSpans, exclude: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Annotators of ``article`` other than the pseudo-annotators named in ``exclude``."""
    skip = {name for name in exclude if name}
    return tuple(a for a in article.spans if a not in skip)


def overlap(a: Span, b: Span) -> int:
    """Number of code points two spans share (0 when they do not overlap)."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def match_spans(
    left: Sequence[Span], right: Sequence[Span], same_label: bool = True
) -> tuple[list[tuple[Span, Span]], list[tuple[Span, Span]], list[Span], list[Span]]:
    """Pair the spans of two annotators one to one.

    Exact matches (same start, end and label) are paired first. The rest are paired greedily by
    overlap, largest first, so one span is never matched twice; with ``same_label`` only spans
    with the same label may pair.

    Parameters
    ----------
    left, right
        The spans of one layer, without duplicates.
    same_label
        Whether overlapping spans must share their label to pair.

    Returns
    -------
    exact, overlapping, left_only, right_only
        Exact pairs, overlapping (non-exact) pairs, and the unpaired spans of each side.
    """
    right_keys = {s.key for s in right}
    exact_keys = {s.key for s in left} & right_keys
    exact = [(s, s) for s in left if s.key in exact_keys]
    rest_left = [s for s in left if s.key not in exact_keys]
    rest_right = [s for s in right if s.key not in exact_keys]
    if not rest_left or not rest_right:
        return exact, [], rest_left, rest_right
    rest_right.sort(key=lambda s: s.start)
    candidates = []
    for i, a in enumerate(rest_left):
        for j, b in enumerate(rest_right):
            if b.start >= a.end:
                break
            if b.end > a.start and (not same_label or a.label == b.label):
                # Prefer large overlaps, then equal labels, then close starts.
                candidates.append(
                    (-overlap(a, b), a.label != b.label, abs(a.start - b.start) + abs(a.end - b.end), i, j)
                )
    candidates.sort()
    used_left: set[int] = set()
    used_right: set[int] = set()
    overlapping = []
    for *_, i, j in candidates:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        overlapping.append((rest_left[i], rest_right[j]))
    left_only = [s for i, s in enumerate(rest_left) if i not in used_left]
    right_only = [s for j, s in enumerate(rest_right) if j not in used_right]
    return exact, overlapping, left_only, right_only
