"""Score suggestions against hand-annotated articles (an evaluation set).

A gold file is JSONL, one article per line, as ``annotator export`` writes it (Prodigy style)::

    {"text": "...", "spans": [{"start": 0, "end": 5, "label": "GPE", "layer": "entity"}, ...],
     "meta": {"id": "001", "split": "dev", "url": "...", "date": "...", "licence": "..."}}

Entities are scored exactly (same start, end and label), over the labels in scope only
(:data:`ENTITY_SCOPE` by default: a suggested DATE is neither right nor wrong when the gold set
does not mark dates). Issues are scored exactly with the label, and by overlap: a suggested issue
is right when it overlaps any gold issue phrase, and a gold phrase is found when any suggestion
overlaps it (the label does not count there; ``overlap_label`` is the same with the label).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.model import ENTITY, ISSUE

ENTITY_SCOPE = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT")

SpanT = tuple[int, int, str]


@dataclass(frozen=True)
class GoldArticle:
    """One hand-annotated article: its text, its spans per layer and its meta data."""

    text: str
    entities: tuple[SpanT, ...]
    issues: tuple[SpanT, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def split(self) -> str:
        return str(self.meta.get("split", ""))


def load_gold(path: str | Path, split: str | None = None) -> list[GoldArticle]:
    """Read a gold JSONL file; ``split`` keeps only the articles whose ``meta.split`` is it.

    Raises
    ------
    AnnotatorError
        If the file is missing or a line is not an article with valid spans (file and line named).
    """
    path = Path(path)
    if not path.is_file():
        raise AnnotatorError(
            f"{path}: no such evaluation file", hint="pass a JSONL file of annotated articles"
        )
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                article = _article(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise AnnotatorError(f"{path}:{n}: not an annotated article ({exc})") from exc
            if split is None or article.split == split:
                out.append(article)
    if not out:
        raise AnnotatorError(f"{path}: no articles" + (f" in split {split!r}" if split else ""))
    return out


def _article(record: dict[str, Any]) -> GoldArticle:
    text = record["text"]
    if not isinstance(text, str):
        raise TypeError("text is not a string")
    layers: dict[str, list[SpanT]] = {ENTITY: [], ISSUE: []}
    for span in record.get("spans", []):
        start, end, label = int(span["start"]), int(span["end"]), str(span["label"])
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span {start}-{end} outside the text")
        layers[span.get("layer") or ENTITY].append((start, end, label))
    return GoldArticle(
        text, tuple(sorted(layers[ENTITY])), tuple(sorted(layers[ISSUE])), record.get("meta", {})
    )


@dataclass
class Count:
    """True positives, false positives and false negatives, and the figures made of them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def add(self, other: Count) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, float | int]:
        return {
            "p": round(self.p, 4),
            "r": round(self.r, 4),
            "f": round(self.f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def exact(gold: Iterable[SpanT], predicted: Iterable[SpanT]) -> dict[str, Count]:
    """Exact-match counts per label (same start, end and label)."""
    gold, predicted = set(gold), set(predicted)
    out: dict[str, Count] = {}
    for span in gold | predicted:
        count = out.setdefault(span[2], Count())
        if span in gold and span in predicted:
            count.tp += 1
        elif span in predicted:
            count.fp += 1
        else:
            count.fn += 1
    return out


@dataclass
class OverlapScore:
    """Precision over predictions and recall over gold spans, by overlap."""

    right: int = 0
    predicted: int = 0
    found: int = 0
    gold: int = 0

    @property
    def p(self) -> float:
        return self.right / self.predicted if self.predicted else 0.0

    @property
    def r(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def add(self, gold: Sequence[SpanT], predicted: Sequence[SpanT], same_label: bool) -> None:
        def hits(span: SpanT, others: Sequence[SpanT]) -> bool:
            return any(
                s < span[1] and span[0] < e and (not same_label or label == span[2]) for s, e, label in others
            )

        self.predicted += len(predicted)
        self.right += sum(1 for span in predicted if hits(span, gold))
        self.gold += len(gold)
        self.found += sum(1 for span in gold if hits(span, predicted))

    def to_dict(self) -> dict[str, float | int]:
        return {
            "p": round(self.p, 4),
            "r": round(self.r, 4),
            "f": round(self.f, 4),
            "right": self.right,
            "predicted": self.predicted,
            "found": self.found,
            "gold": self.gold,
        }


@dataclass
class EvalReport:
    """Scores of one suggester on one gold set."""

    articles: int
    source: dict[str, str]
    entity: dict[str, Count]
    entity_total: Count
    issue_exact: dict[str, Count]
    issue_exact_total: Count
    issue_overlap: OverlapScore
    issue_overlap_label: OverlapScore

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "source": self.source,
            "entity": {
                "all": self.entity_total.to_dict(),
                **{k: v.to_dict() for k, v in sorted(self.entity.items())},
            },
            "issue": {
                "overlap": self.issue_overlap.to_dict(),
                "overlap_label": self.issue_overlap_label.to_dict(),
                "exact": {
                    "all": self.issue_exact_total.to_dict(),
                    **{k: v.to_dict() for k, v in sorted(self.issue_exact.items())},
                },
            },
        }

    def format_table(self) -> str:
        lines = [f"{self.articles} articles · " + " · ".join(f"{k}: {v}" for k, v in self.source.items()), ""]
        lines.append(f"{'entity (exact)':<24}{'P':>7}{'R':>7}{'F':>7}{'gold':>7}")
        for label, count in [("all", self.entity_total), *sorted(self.entity.items())]:
            lines.append(f"  {label:<22}{count.p:7.3f}{count.r:7.3f}{count.f:7.3f}{count.tp + count.fn:7d}")
        lines.append("")
        lines.append(f"{'issue':<24}{'P':>7}{'R':>7}{'F':>7}{'gold':>7}")
        for name, score in (
            ("by overlap", self.issue_overlap),
            ("overlap, same label", self.issue_overlap_label),
        ):
            lines.append(f"  {name:<22}{score.p:7.3f}{score.r:7.3f}{score.f:7.3f}{score.gold:7d}")
        for label, count in [("exact, all", self.issue_exact_total), *sorted(self.issue_exact.items())]:
            lines.append(f"  {label:<22}{count.p:7.3f}{count.r:7.3f}{count.f:7.3f}{count.tp + count.fn:7d}")
        return "\n".join(lines)


def score(
    gold: Sequence[GoldArticle],
    predicted: Sequence[tuple[Sequence[SpanT], Sequence[SpanT]]],
    source: dict[str, str] | None = None,
    scope: Sequence[str] = ENTITY_SCOPE,
) -> EvalReport:
    """Score ``predicted`` (entity spans, issue spans per article) against ``gold``."""
    entity: dict[str, Count] = {label: Count() for label in scope}
    issue_exact: dict[str, Count] = {}
    overlap_any, overlap_label = OverlapScore(), OverlapScore()
    for article, (ents, issues) in zip(gold, predicted, strict=True):
        in_scope = [s for s in ents if s[2] in scope]
        for label, count in exact([s for s in article.entities if s[2] in scope], in_scope).items():
            entity.setdefault(label, Count()).add(count)
        for label, count in exact(article.issues, issues).items():
            issue_exact.setdefault(label, Count()).add(count)
        overlap_any.add(article.issues, list(issues), same_label=False)
        overlap_label.add(article.issues, list(issues), same_label=True)
    return EvalReport(
        articles=len(gold),
        source=dict(source or {}),
        entity=entity,
        entity_total=_total(entity.values()),
        issue_exact=issue_exact,
        issue_exact_total=_total(issue_exact.values()),
        issue_overlap=overlap_any,
        issue_overlap_label=overlap_label,
    )


def _total(counts: Iterable[Count]) -> Count:
    total = Count()
    for count in counts:
        total.add(count)
    return total


def evaluate(
    gold: Sequence[GoldArticle],
    suggester: Any,
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    """Run ``suggester`` (a :class:`~annotator.suggest.Suggester`) on the gold texts and score it."""
    predicted = []
    for spans in suggester.suggest([a.text for a in gold], progress=progress):
        ents = [(s.start, s.end, s.label) for s in spans if s.layer == ENTITY]
        issues = [(s.start, s.end, s.label) for s in spans if s.layer == ISSUE]
        predicted.append((ents, issues))
    return score(gold, predicted, source=suggester.sources)
