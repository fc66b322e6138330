"""Where annotators disagree, what kind of disagreement it is, and what they all agree on.

Spans that every annotator of the article has exactly (same start, end, label and layer) are the
*consensus*: they go into gold without review. The remaining spans are grouped into clusters:

* entity layer: a cluster is a connected set of overlapping spans across annotators, whatever
  their labels (one annotator's entity spans never overlap, so each annotator usually has at
  most one span per cluster);
* issue layer: issues overlap freely, so clusters are built per label (a connected set of
  overlapping spans with that label). Per-label clusters on the very same characters that
  together cover every annotator once are merged into one ``label_conflict``.

Each cluster is one :class:`Disagreement`, classified as

* ``one_sided``: some annotators have no span in the region;
* ``label_conflict``: every annotator has a span, all with the same start and end, and the
  labels differ;
* ``boundary_shift``: every annotator has a span, all with the same label, and the boundaries
  differ;
* ``label_and_boundary``: every annotator has a span and both labels and boundaries differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from annotator.model import ENTITY, Span
from annotator.review.spans import ArticleSpans, check_layers, human_annotators, overlap

LABEL_CONFLICT = "label_conflict"
BOUNDARY_SHIFT = "boundary_shift"
ONE_SIDED = "one_sided"
LABEL_AND_BOUNDARY = "label_and_boundary"
KINDS = (LABEL_CONFLICT, BOUNDARY_SHIFT, ONE_SIDED, LABEL_AND_BOUNDARY)


@dataclass(frozen=True)
class Disagreement:
    """One region of one article where the annotators' spans differ.

    Attributes
    ----------
    article_id, layer
        Where it is.
    kind
        One of :data:`KINDS`.
    start, end
        The region: from the first start to the last end of the spans involved.
    versions
        Annotator -> that annotator's span in the region, or None if they marked nothing
        there. In the rare case an annotator has several spans in one region (one marked "New
        York City", another "New York" and "City"), this is the one overlapping the region most
        and ``all_spans`` has every one.
    all_spans
        Annotator -> every span of theirs in the region (empty when none).
    """

    article_id: str
    layer: str
    kind: str
    start: int
    end: int
    versions: Mapping[str, Span | None]
    all_spans: Mapping[str, tuple[Span, ...]]

    @property
    def region(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(self.versions)

    @property
    def marked_by(self) -> tuple[str, ...]:
        """Annotators with at least one span in the region."""
        return tuple(a for a, spans in self.all_spans.items() if spans)

    def to_dict(self) -> dict:
        """JSON-ready form."""

        def span(s: Span | None):
            return None if s is None else {"start": s.start, "end": s.end, "label": s.label, "layer": s.layer}

        return {
            "article_id": self.article_id,
            "layer": self.layer,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "versions": {a: span(s) for a, s in self.versions.items()},
            "all_spans": {a: [span(s) for s in spans] for a, spans in self.all_spans.items()},
        }


@dataclass(frozen=True)
class Consensus:
    """What the annotators of one article agree on exactly, and where they do not.

    ``agreed`` go into gold automatically; each of ``disagreements`` needs the reviewer.
    """

    article_id: str
    annotators: tuple[str, ...]
    agreed: tuple[Span, ...]
    disagreements: tuple[Disagreement, ...]


class QueueEntry(NamedTuple):
    """One article in the review queue: how much work it holds for the reviewer."""

    article_id: str
    disagreements: int
    label_conflicts: int
    boundary_shifts: int
    one_sided: int
    label_and_boundary: int
    agreed: int


def consensus(article: ArticleSpans, layer: str | None = None, model: str | None = None) -> Consensus:
    """Split an article's spans into those every annotator agrees on and the disagreements.

    Parameters
    ----------
    article
        The article with every annotator's spans.
    layer
        ``"entity"``, ``"issue"`` or None for both.
    model
        Name of a pseudo-annotator holding model suggestions; it is ignored.

    Returns
    -------
    Consensus
        Agreed spans sorted by layer and position; disagreements in text order, entity layer
        first. With a single annotator everything is agreed.
    """
    layers = check_layers(layer)
    names = human_annotators(article, exclude=[model])
    agreed: list[Span] = []
    found: list[Disagreement] = []
    for lay in layers:
        by_name = {n: article.layer_spans(n, lay) for n in names}
        if not names:
            continue
        common = set.intersection(*(set(spans) for spans in by_name.values()))
        agreed.extend(sorted(common, key=lambda s: (s.start, s.end, s.label)))
        rest = {n: [s for s in spans if s not in common] for n, spans in by_name.items()}
        found.extend(_layer_disagreements(article.article_id, lay, names, rest))
    return Consensus(article.article_id, names, tuple(agreed), tuple(found))


def find_disagreements(
    article: ArticleSpans, layer: str | None = None, model: str | None = None
) -> list[Disagreement]:
    """Every disagreement in one article, classified (see the module docstring).

    Parameters
    ----------
    article
        The article with every annotator's spans.
    layer
        ``"entity"``, ``"issue"`` or None for both.
    model
        Name of a pseudo-annotator holding model suggestions; it is ignored.

    Returns
    -------
    list of Disagreement
        In text order, entity layer first.
    """
    return list(consensus(article, layer, model).disagreements)


def review_queue(
    articles: Sequence[ArticleSpans], layer: str | None = None, model: str | None = None
) -> list[QueueEntry]:
    """Articles ordered for the reviewer: most disagreements first.

    Ties are broken by the number of label conflicts and boundary shifts, then by article id,
    so the order is stable.
    """
    queue = []
    for art in articles:
        result = consensus(art, layer, model)
        kinds = Counter(d.kind for d in result.disagreements)
        queue.append(
            QueueEntry(
                art.article_id,
                len(result.disagreements),
                kinds[LABEL_CONFLICT],
                kinds[BOUNDARY_SHIFT],
                kinds[ONE_SIDED],
                kinds[LABEL_AND_BOUNDARY],
                len(result.agreed),
            )
        )
    queue.sort(key=lambda e: (-e.disagreements, -e.label_conflicts, -e.boundary_shifts, e.article_id))
    return queue


def _clusters(spans: list[tuple[str, Span]]) -> list[list[tuple[str, Span]]]:
    """Connected groups of overlapping spans (a sweep by start with the running end)."""
    groups: list[list[tuple[str, Span]]] = []
    end = -1
    for item in sorted(spans, key=lambda x: (x[1].start, x[1].end)):
        if groups and item[1].start < end:
            groups[-1].append(item)
            end = max(end, item[1].end)
        else:
            groups.append([item])
            end = item[1].end
    return groups


def _layer_disagreements(
    article_id: str, layer: str, names: tuple[str, ...], rest: dict[str, list[Span]]
) -> list[Disagreement]:
    tagged = [(n, s) for n in names for s in rest[n]]
    if layer == ENTITY:
        groups = _clusters(tagged)
    else:
        groups = []
        for label in sorted({s.label for _, s in tagged}):
            groups.extend(_clusters([(n, s) for n, s in tagged if s.label == label]))
        groups = _merge_issue_label_conflicts(groups, names)
    found = [_disagreement(article_id, layer, names, g) for g in groups]
    found.sort(key=lambda d: (d.start, d.end, d.kind))
    return found


def _merge_issue_label_conflicts(groups: list[list[tuple[str, Span]]], names: tuple[str, ...]) -> list:
    """Merge per-label issue clusters on the same characters that together cover everyone once."""
    by_region: dict[tuple[int, int], list[int]] = {}
    for i, g in enumerate(groups):
        regions = {(s.start, s.end) for _, s in g}
        if len(regions) == 1:
            by_region.setdefault(regions.pop(), []).append(i)
    merged: set[int] = set()
    out = []
    for indexes in by_region.values():
        if len(indexes) < 2:
            continue
        members = [item for i in indexes for item in groups[i]]
        who = [n for n, _ in members]
        if len(who) == len(set(who)) and set(who) == set(names):
            merged.update(indexes)
            out.append(members)
    return out + [g for i, g in enumerate(groups) if i not in merged]


def _disagreement(
    article_id: str, layer: str, names: tuple[str, ...], group: list[tuple[str, Span]]
) -> Disagreement:
    start = min(s.start for _, s in group)
    end = max(s.end for _, s in group)
    region = Span(start, end, "region", layer)
    all_spans = {n: tuple(s for m, s in group if m == n) for n in names}
    versions = {
        n: max(spans, key=lambda s: overlap(s, region)) if spans else None for n, spans in all_spans.items()
    }
    spans = [s for _, s in group]
    if any(not v for v in all_spans.values()):
        kind = ONE_SIDED
    elif len({(s.start, s.end) for s in spans}) == 1:
        kind = LABEL_CONFLICT
    elif len({s.label for s in spans}) == 1:
        kind = BOUNDARY_SHIFT
    else:
        kind = LABEL_AND_BOUNDARY
    return Disagreement(article_id, layer, kind, start, end, versions, all_spans)


__all__ = [
    "BOUNDARY_SHIFT",
    "KINDS",
    "LABEL_AND_BOUNDARY",
    "LABEL_CONFLICT",
    "ONE_SIDED",
    "Consensus",
    "Disagreement",
    "QueueEntry",
    "consensus",
    "find_disagreements",
    "review_queue",
]
