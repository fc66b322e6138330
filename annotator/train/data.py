"""Training data as plain values: an article's text, its gold spans and the spans rejected on it.

Nothing here imports spaCy or the store; the glue in :mod:`annotator.train` builds these from a
database, and tests build them by hand.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.model import ENTITY, ISSUE, Span


@dataclass(frozen=True, slots=True)
class TrainingArticle:
    """One annotated article.

    Parameters
    ----------
    article_id
        The article's id.
    text
        The article's text; span offsets are code points into it.
    spans
        The gold spans (both layers).
    rejected
        Spans that were suggested and rejected (or corrected into something else): negative
        evidence. A rejected span that is also gold is ignored.
    complete
        True when the annotator marked the article done, so every span of it is known and
        anything not marked is not an entity or issue. Incomplete articles teach only what was
        marked and rejected; they are never held out for scoring.
    """

    article_id: str
    text: str
    spans: tuple[Span, ...] = ()
    rejected: tuple[Span, ...] = ()
    complete: bool = True

    def layer_spans(self, layer: str) -> list[Span]:
        """Gold spans of one layer, sorted."""
        return sorted((s for s in self.spans if s.layer == layer), key=lambda s: (s.start, s.end, s.label))

    def layer_rejected(self, layer: str) -> list[Span]:
        """Rejected spans of one layer that are not also gold, sorted."""
        gold = set(self.spans)
        return sorted(
            (s for s in self.rejected if s.layer == layer and s not in gold),
            key=lambda s: (s.start, s.end, s.label),
        )


def split_held_out(
    articles: Sequence[TrainingArticle], fraction: float = 0.2, seed: int = 0
) -> tuple[list[TrainingArticle], list[TrainingArticle]]:
    """Split articles into training and held-out sets, by article and reproducibly.

    Only complete articles can be held out (a partly annotated article cannot be scored).
    With ``fraction > 0`` and at least two complete articles, at least one is held out and at
    least one stays for training.

    Parameters
    ----------
    articles
        The annotated articles.
    fraction
        Share of the complete articles to hold out, 0 to 1.
    seed
        Seed of the shuffle; the same seed and articles give the same split.

    Returns
    -------
    tuple of list
        ``(train, held_out)``, each in the order given.
    """
    if not 0 <= fraction < 1:
        raise ValueError(f"held-out fraction must be at least 0 and below 1, got {fraction}")
    complete = sorted(a.article_id for a in articles if a.complete)
    random.Random(seed).shuffle(complete)
    n = round(fraction * len(complete))
    if fraction > 0 and len(complete) >= 2:
        n = min(max(n, 1), len(complete) - 1)
    held = set(complete[:n])
    train = [a for a in articles if a.article_id not in held]
    held_out = [a for a in articles if a.article_id in held]
    return train, held_out


def layers_of(name: str) -> tuple[str, ...]:
    """``"entity"``, ``"issue"`` or ``"both"`` as a tuple of layers."""
    if name == "both":
        return (ENTITY, ISSUE)
    if name in (ENTITY, ISSUE):
        return (name,)
    raise ValueError(f"unknown layer {name!r}; use entity, issue or both")
