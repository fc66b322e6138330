"""Learning curve: what training on a few annotated articles does to suggestions on others.

For each size ``k`` and each of ``splits`` random splits of a gold set, the pipeline is trained
on ``k`` articles (as ``annotator train`` trains it: the entity recogniser fine-tuned, the issue
layer learned on top of the taxonomy), and both the untrained and the trained suggester are
scored on the articles not trained on. The gain is the mean difference over the splits.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.model import ENTITY, ISSUE, Span
from annotator.suggest.evaluate import EvalReport, GoldArticle, evaluate
from annotator.train.data import TrainingArticle


@dataclass
class CurvePoint:
    """Mean scores over the splits for one training size."""

    size: int
    splits: int
    held_out: int
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    per_issue_gain: dict[str, float] = field(default_factory=dict)

    def gain(self, key: str) -> float:
        return self.after[key] - self.before[key]

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "splits": self.splits,
            "held_out": self.held_out,
            "before": self.before,
            "after": self.after,
            "gain": {k: round(self.gain(k), 4) for k in self.before},
            "per_issue_gain": self.per_issue_gain,
        }


def _figures(report: EvalReport) -> dict[str, float]:
    return {
        "entity_f": report.entity_total.f,
        "org_f": report.entity["ORG"].f if "ORG" in report.entity else 0.0,
        "issue_f": report.issue_overlap.f,
        "issue_p": report.issue_overlap.p,
        "issue_r": report.issue_overlap.r,
        "issue_label_f": report.issue_overlap_label.f,
    }


def _training(article: GoldArticle, n: int) -> TrainingArticle:
    spans = [Span(s, e, label, ENTITY) for s, e, label in article.entities]
    spans += [Span(s, e, label, ISSUE) for s, e, label in article.issues]
    return TrainingArticle(str(article.meta.get("id", n)), article.text, tuple(spans), (), complete=True)


def learning_curve(
    gold: Sequence[GoldArticle],
    sizes: Sequence[int] = (5, 30),
    splits: int = 3,
    seed: int = 0,
    epochs: int = 10,
    model: str | None = None,
    load_base: Callable[[], Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[CurvePoint]:
    """Train on ``k`` articles for each size and split, score before and after on the rest.

    Parameters
    ----------
    gold
        Annotated articles; each size must leave at least one to score on.
    sizes, splits, seed
        Training sizes, random splits per size, and the seed of the splits.
    epochs
        Passes over the training articles.
    model, load_base
        The starting pipeline (default: the English one), or a function returning it.
    progress
        Called with a line of text before each training run.
    """
    from annotator.suggest import Suggester, load_pipeline
    from annotator.suggest.taxonomy import load_taxonomy
    from annotator.train import components  # noqa: F401  registers the trained pipeline's parts
    from annotator.train.trainer import train_pipeline

    load = load_base or (lambda: load_pipeline(model))
    taxonomy = load_taxonomy()
    base = Suggester(nlp=load(), taxonomy=taxonomy)
    points = []
    for size in sizes:
        if not 0 < size < len(gold):
            raise ValueError(f"cannot train on {size} of {len(gold)} articles and score on the rest")
        before: list[dict[str, float]] = []
        after: list[dict[str, float]] = []
        issue_gain: dict[str, list[float]] = {}
        for split in range(splits):
            order = list(range(len(gold)))
            random.Random(seed * 1000 + split).shuffle(order)
            train = [gold[i] for i in order[:size]]
            rest = [gold[i] for i in order[size:]]
            if progress is not None:
                progress(f"training on {size} articles, split {split + 1} of {splits}")
            articles = [_training(a, n) for n, a in enumerate(train)]
            rehearsal = [a.text for a in rest[:size]]  # unannotated articles, as `annotator train` uses
            result = train_pipeline(
                load, taxonomy, articles, [], rehearsal_texts=rehearsal, epochs=epochs, seed=seed + split
            )
            old = evaluate(rest, base)
            new = evaluate(rest, Suggester(nlp=result.nlp, taxonomy=taxonomy))
            before.append(_figures(old))
            after.append(_figures(new))
            for label, count in new.issue_exact.items():
                was = old.issue_exact.get(label)
                issue_gain.setdefault(label, []).append(count.f - (was.f if was else 0.0))
        points.append(
            CurvePoint(
                size,
                splits,
                len(gold) - size,
                before=_mean(before),
                after=_mean(after),
                per_issue_gain={k: round(sum(v) / len(v), 4) for k, v in sorted(issue_gain.items())},
            )
        )
    return points


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in rows[0]}


def format_curve(points: Sequence[CurvePoint]) -> str:
    """The curve as a plain-text table: before, after and gain per figure and size."""
    keys = ("entity_f", "org_f", "issue_f", "issue_p", "issue_r", "issue_label_f")
    lines = [f"{'trained on':<12}{'figure':<15}{'before':>8}{'after':>8}{'gain':>8}"]
    for p in points:
        for key in keys:
            lines.append(f"{p.size:<12}{key:<15}{p.before[key]:8.3f}{p.after[key]:8.3f}{p.gain(key):+8.3f}")
        gains = ", ".join(f"{k} {v:+.2f}" for k, v in p.per_issue_gain.items() if v)
        lines.append(f"{'':<12}issue gain by label (exact F): {gains or 'none'}")
        lines.append(f"{'':<12}(mean of {p.splits} splits, {p.held_out} held-out articles each)")
    return "\n".join(lines)
