"""Label confusion between annotators: which label one gave where another gave a different one.

For every pair of annotators who both annotated an article, spans with the same boundaries are
paired: the same label counts on the diagonal, two labels in the cell where they meet, and a
span the other annotator did not mark at those boundaries against :data:`NONE`. Counts are
symmetric (A's ORG against B's GPE is B's GPE against A's ORG) and summed over pairs and
articles. Boundary disagreements therefore show as a label against "none" twice; the
agreement report's boundary shifts count them apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from annotator.review.spans import ArticleSpans

NONE = "(none)"


@dataclass(frozen=True)
class Confusion:
    """A symmetric count per pair of labels (``NONE`` included); ``labels`` most used first."""

    layer: str
    labels: tuple[str, ...]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, a: str, b: str) -> int:
        """How often ``a`` met ``b`` (in either order)."""
        return self.counts.get((a, b) if a <= b else (b, a), 0)

    def worst(self, n: int = 5) -> list[tuple[str, str, int]]:
        """The ``n`` most frequent confusions of two different labels (``NONE`` included)."""
        off = [(a, b, c) for (a, b), c in self.counts.items() if a != b]
        return sorted(off, key=lambda t: (-t[2], t[0], t[1]))[:n]


def label_confusion(articles: Iterable[ArticleSpans], layer: str, exclude: Collection[str] = ()) -> Confusion:
    """The label confusion on ``layer`` between the annotators of ``articles`` (not ``exclude``)."""
    counts: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    for art in articles:
        names = [n for n in art.annotators if n not in exclude]
        for a, b in combinations(names, 2):
            for la, lb in _paired(art.layer_spans(a, layer), art.layer_spans(b, layer)):
                counts[(la, lb) if la <= lb else (lb, la)] += 1
                totals[la] += 1
                totals[lb] += 1
    labels = sorted((lab for lab in totals if lab != NONE), key=lambda lab: (-totals[lab], lab))
    if NONE in totals:
        labels.append(NONE)
    return Confusion(layer, tuple(labels), dict(counts))


def _paired(spans_a, spans_b) -> list[tuple[str, str]]:
    """(label of A, label of B) for every boundary either marked; NONE where one did not."""
    by_a, by_b = _by_boundary(spans_a), _by_boundary(spans_b)
    out = []
    for key in sorted(by_a.keys() | by_b.keys()):
        la, lb = by_a.get(key, []), by_b.get(key, [])
        same = sorted(set(la) & set(lb))
        out += [(lab, lab) for lab in same]
        rest_a = [lab for lab in la if lab not in same]
        rest_b = [lab for lab in lb if lab not in same]
        for i in range(max(len(rest_a), len(rest_b))):
            out.append((rest_a[i] if i < len(rest_a) else NONE, rest_b[i] if i < len(rest_b) else NONE))
    return out


def _by_boundary(spans) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = {}
    for s in spans:
        out.setdefault((s.start, s.end), []).append(s.label)
    return out
