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
