"""Scores of a trained pipeline: precision, recall and F per layer and label, and the chance
that a lower F is only the luck of which articles were held out.

Also the fields a training run and its report share (:class:`TrainScores`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotator.model import ENTITY, ISSUE
from annotator.train.data import TrainingArticle

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class LabelScore:
    """Precision, recall and F of one label (None when there is nothing to score)."""

    precision: float | None
    recall: float | None
    f: float | None
    support: int = 0  # gold spans of the label in the scored articles


@dataclass(frozen=True)
class LayerScore:
    """Scores of one layer on the held-out articles (spaCy's ``Scorer.score_spans``)."""

    precision: float | None
    recall: float | None
    f: float | None
    labels: dict[str, LabelScore] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "p": self.precision,
            "r": self.recall,
            "f": self.f,
            "labels": {
                k: {"p": v.precision, "r": v.recall, "f": v.f, "support": v.support}
                for k, v in self.labels.items()
            },
        }


@dataclass(kw_only=True)
class TrainScores:
    """What a training run and its report share: the layers, the scores and the sizes.

    Attributes
    ----------
    before, after
        Per layer (``"entity"``, ``"issue"``), the scores on the held-out articles of the
        starting pipeline with the taxonomy, and of the trained pipeline.
    worse_share
        Per layer, the share of bootstrap resamples of the held-out articles on which the
        trained pipeline's F is lower than the starting one's (see :func:`worse_share`).
    """

    layers: tuple[str, ...]
    before: dict[str, LayerScore]
    after: dict[str, LayerScore]
    train_articles: int
    held_out_articles: int
    rehearsal_texts: int
    epochs: int
    seconds: float
    worse_share: dict[str, float] = field(default_factory=dict)


def score_docs(docs: Sequence[Doc], articles: Sequence[TrainingArticle], layers: Sequence[str]) -> dict:
    """Score predicted docs against the articles' gold spans, per layer and label.

    Entities are ``doc.ents``; issues are ``doc.spans["issues"]`` (overlaps allowed). Uses
    ``spacy.scorer.Scorer.score_spans``.

    Returns
    -------
    dict of str to LayerScore
    """
    from spacy.scorer import Scorer
    from spacy.tokens import Doc as SpacyDoc
    from spacy.training import Example

    examples = []
    support: dict[str, dict[str, int]] = {ENTITY: {}, ISSUE: {}}
    for doc, art in zip(docs, articles, strict=True):
        ref = SpacyDoc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        aligned = _aligned(doc, art.layer_spans(ENTITY))
        for _, _, label in aligned:
            support[ENTITY][label] = support[ENTITY].get(label, 0) + 1
        ents = []
        for start, end, label in _without_overlaps(aligned):
            ents.append(ref[start:end])
            ents[-1].label_ = label
        ref.ents = ents
        issues = []
        for start, end, label in _aligned(doc, art.layer_spans(ISSUE)):
            issues.append(ref[start:end])
            issues[-1].label_ = label
            support[ISSUE][label] = support[ISSUE].get(label, 0) + 1
        ref.spans["issues"] = issues
        examples.append(Example(doc, ref))

    def issues_of(doc: Doc, attr: str):
        return doc.spans.get("issues", [])

    out: dict[str, LayerScore] = {}
    for layer in layers:
        if layer == ENTITY:
            res = Scorer.score_spans(examples, "ents")
            attr = "ents"
        else:
            res = Scorer.score_spans(
                examples, "issues", getter=issues_of, has_annotation=lambda doc: True, allow_overlap=True
            )
            attr = "issues"
        per = res.get(f"{attr}_per_type") or {}
        labels = {
            label: LabelScore(v["p"], v["r"], v["f"], support[layer].get(label, 0))
            for label, v in sorted(per.items())
        }
        for label, n in support[layer].items():
            labels.setdefault(label, LabelScore(0.0, 0.0, 0.0, n))
        out[layer] = LayerScore(res.get(f"{attr}_p"), res.get(f"{attr}_r"), res.get(f"{attr}_f"), labels)
    return out


RESAMPLES = 1000


def _predicted(doc: Doc, layer: str) -> set[tuple[int, int, str]]:
    spans = doc.ents if layer == ENTITY else doc.spans.get("issues", [])
    return {(s.start, s.end, s.label_) for s in spans}


def _gold(doc: Doc, art: TrainingArticle, layer: str) -> set[tuple[int, int, str]]:
    """Gold spans in ``doc``'s tokens as :func:`score_docs` scores them (entities without overlaps)."""
    aligned = _aligned(doc, art.layer_spans(layer))
    return set(_without_overlaps(aligned) if layer == ENTITY else aligned)


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans, in order, less each one overlapping a span kept before it.

    ``doc.ents`` may not overlap, and a gold span widened to whole tokens may touch the next.
    """
    kept, taken = [], set()
    for start, end, label in spans:
        if not taken & set(range(start, end)):
            kept.append((start, end, label))
            taken |= set(range(start, end))
    return kept


def worse_share(
    before_docs: Sequence[Doc],
    after_docs: Sequence[Doc],
    articles: Sequence[TrainingArticle],
    layer: str,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> float:
    """How often the trained pipeline scores a lower F than the starting one on resampled articles.

    A paired bootstrap over the held-out articles: draw as many articles as there are, with
    replacement, ``resamples`` times, and compare the two pipelines' F on each draw (both count
    exact spans with label, as :func:`score_docs`). A handful of held-out articles makes F jump
    by chance; a share near 1 means the trained pipeline is worse on nearly any such sample,
    one near 0.5 that the held-out articles cannot tell the two apart. 0.0 without articles.
    """
    import numpy as np

    if not articles:
        return 0.0
    counts = np.zeros((len(articles), 2, 3))  # article, before/after, tp/fp/fn
    for i, (b, a, art) in enumerate(zip(before_docs, after_docs, articles, strict=True)):
        gold = _gold(b, art, layer)
        for j, doc in enumerate((b, a)):
            pred = _predicted(doc, layer)
            counts[i, j] = (len(pred & gold), len(pred - gold), len(gold - pred))
    draws = np.random.default_rng(seed).integers(0, len(articles), size=(resamples, len(articles)))
    total = counts[draws].sum(axis=1)  # resample, before/after, tp/fp/fn
    tp, fp, fn = total[..., 0], total[..., 1], total[..., 2]
    denominator = 2 * tp + fp + fn
    f = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    return float((f[:, 1] < f[:, 0]).mean())


def _aligned(doc: Doc, spans) -> list[tuple[int, int, str]]:
    out = []
    for s in spans:
        span = doc.char_span(s.start, s.end, alignment_mode="expand")
        if span is not None:
            out.append((span.start, span.end, s.label))
    return out
