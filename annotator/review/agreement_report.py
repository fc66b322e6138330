"""The agreement report: figures per pair, label, layer and article, as data, JSON and text tables.

:func:`~annotator.review.agreement.compute_agreement` fills these in; the module docstring of
:mod:`annotator.review.agreement` gives the exact definitions of the figures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from annotator.errors import AnnotatorError
from annotator.review.statistics import PRF


@dataclass(frozen=True)
class PairAgreement:
    """Agreement of annotator ``a`` with annotator ``b`` on one layer, or one label of it.

    ``label`` is None for the whole layer. Precision is ``a`` against ``b``. ``tokens`` is the
    number of units the kappa counted.
    """

    layer: str
    label: str | None
    a: str
    b: str
    exact: PRF
    relaxed: PRF
    boundary_shifts: int
    kappa: float | None
    tokens: int
    involves_model: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "label": self.label,
            "a": self.a,
            "b": self.b,
            "exact": self.exact.to_dict(),
            "relaxed": self.relaxed.to_dict(),
            "boundary_shifts": self.boundary_shifts,
            "kappa": self.kappa,
            "tokens": self.tokens,
            "involves_model": self.involves_model,
        }


@dataclass(frozen=True)
class LabelAgreement:
    """Overall agreement on one layer (``label`` None) or one label, over the compared annotators.

    ``exact`` and ``relaxed`` pool the counts of every compared pair; ``kappa`` is the mean of
    the pairs' kappas; ``alpha`` is Krippendorff's alpha over all compared annotators at once.
    """

    layer: str
    label: str | None
    annotators: tuple[str, ...]
    spans: dict[str, int]
    exact: PRF
    relaxed: PRF
    boundary_shifts: int
    kappa: float | None
    alpha: float | None

    @property
    def exact_f1(self) -> float:
        return self.exact.f1

    @property
    def relaxed_f1(self) -> float:
        return self.relaxed.f1

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "label": self.label,
            "annotators": list(self.annotators),
            "spans": dict(self.spans),
            "exact": self.exact.to_dict(),
            "relaxed": self.relaxed.to_dict(),
            "boundary_shifts": self.boundary_shifts,
            "kappa": self.kappa,
            "alpha": self.alpha,
        }


@dataclass(frozen=True)
class ArticleAgreement:
    """Agreement on one article and layer, over the compared annotators who annotated it.

    F1 pools the counts of the pairs; kappa is the mean of the pairs' kappas (None when every
    token got the same code, e.g. nobody marked anything).
    """

    article_id: str
    layer: str
    annotators: tuple[str, ...]
    spans: dict[str, int]
    exact_f1: float
    relaxed_f1: float
    boundary_shifts: int
    kappa: float | None

    def sort_key(self) -> tuple[float, float, float, str]:
        """Worst first: lowest exact F1, then relaxed F1, then kappa."""
        kappa = 1.0 if self.kappa is None else self.kappa
        return (self.exact_f1, self.relaxed_f1, kappa, self.article_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "layer": self.layer,
            "annotators": list(self.annotators),
            "spans": dict(self.spans),
            "exact_f1": self.exact_f1,
            "relaxed_f1": self.relaxed_f1,
            "boundary_shifts": self.boundary_shifts,
            "kappa": self.kappa,
        }


@dataclass(frozen=True)
class ModelAcceptance:
    """How often one annotator's spans on a layer equal the model's suggestions.

    ``spans_equal`` of the annotator's ``spans`` are exactly a model span (the "simply
    accepted" spans); ``identical_articles`` of ``articles`` have exactly the model's spans.
    """

    annotator: str
    layer: str
    spans: int
    spans_equal: int
    model_spans: int
    articles: int
    identical_articles: int

    @property
    def accepted_rate(self) -> float | None:
        """Share of the annotator's spans that equal a model span (None without spans)."""
        return self.spans_equal / self.spans if self.spans else None

    @property
    def identical_rate(self) -> float | None:
        """Share of articles where the annotator's spans are exactly the model's."""
        return self.identical_articles / self.articles if self.articles else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "layer": self.layer,
            "spans": self.spans,
            "spans_equal": self.spans_equal,
            "model_spans": self.model_spans,
            "articles": self.articles,
            "identical_articles": self.identical_articles,
            "accepted_rate": self.accepted_rate,
            "identical_rate": self.identical_rate,
        }


@dataclass(frozen=True)
class AgreementReport:
    """Everything :func:`compute_agreement` measured.

    Attributes
    ----------
    layers
        Layers measured.
    annotators
        Annotators in the overall figures (the humans, plus the model with ``include_model``).
    model
        Name of the model pseudo-annotator, or None.
    overall
        One :class:`LabelAgreement` per layer (label None) followed by one per label.
    pairs
        One :class:`PairAgreement` per pair, layer and label (label None for the layer).
    articles
        Per article and layer, worst first.
    model_acceptance
        Per annotator and layer, when ``model`` was given.
    tokenizer
        Name and version of the tokenizer behind the token measures.
    """

    layers: tuple[str, ...]
    annotators: tuple[str, ...]
    model: str | None
    include_model: bool
    overall: tuple[LabelAgreement, ...]
    pairs: tuple[PairAgreement, ...]
    articles: tuple[ArticleAgreement, ...]
    model_acceptance: tuple[ModelAcceptance, ...] = ()
    tokenizer: str = ""
    n_articles: int = 0

    def layer(self, layer: str, label: str | None = None) -> LabelAgreement:
        """The overall figures of ``layer`` (or one ``label`` of it).

        Raises
        ------
        AnnotatorError
            If the layer or label was not measured; the message names what was.
        """
        for entry in self.overall:
            if entry.layer == layer and entry.label == label:
                return entry
        known = ", ".join(f"{e.layer}/{e.label or '*'}" for e in self.overall)
        raise AnnotatorError(f"no agreement figures for {layer}/{label or '*'}; measured: {known}")

    def pair(self, a: str, b: str, layer: str, label: str | None = None) -> PairAgreement:
        """The figures of one pair (in either order) on ``layer`` or one ``label``."""
        for entry in self.pairs:
            if entry.layer == layer and entry.label == label and {entry.a, entry.b} == {a, b}:
                return entry
        raise AnnotatorError(
            f"no pair {a}/{b} on {layer}/{label or '*'}; annotators: {', '.join(self.annotators)}"
        )

    def worst_articles(self, n: int = 10, layer: str | None = None) -> list[ArticleAgreement]:
        """The ``n`` articles with the lowest agreement, worst first."""
        return [a for a in self.articles if layer is None or a.layer == layer][:n]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the whole report."""
        return {
            "layers": list(self.layers),
            "annotators": list(self.annotators),
            "model": self.model,
            "include_model": self.include_model,
            "tokenizer": self.tokenizer,
            "articles_measured": self.n_articles,
            "overall": [e.to_dict() for e in self.overall],
            "pairs": [e.to_dict() for e in self.pairs],
            "articles": [e.to_dict() for e in self.articles],
            "model_acceptance": [e.to_dict() for e in self.model_acceptance],
        }

    def format_table(self, worst: int = 10, titles: dict[str, str] | None = None) -> str:
        """Plain-text tables for the command line: overall, pairs, model use, worst articles.

        ``titles``: article id -> title, so the worst articles are named (else by id).
        """
        out = io.StringIO()
        out.write(f"{self.n_articles} articles; annotators: {', '.join(self.annotators)}")
        if self.model:
            out.write(f"; model: {self.model}{' (included)' if self.include_model else ''}")
        out.write(f"; tokens: {self.tokenizer}\n\n")
        rows = [
            [
                e.layer,
                e.label or "*",
                str(sum(e.spans.values())),
                _fmt(e.exact_f1),
                _fmt(e.relaxed_f1),
                str(e.boundary_shifts),
                _fmt(e.kappa),
                _fmt(e.alpha),
            ]
            for e in self.overall
        ]
        out.write(
            _table(["layer", "label", "spans", "exact F1", "relaxed F1", "shifts", "kappa", "alpha"], rows)
        )
        rows = [
            [
                e.layer,
                f"{e.a} / {e.b}",
                _fmt(e.exact.f1),
                _fmt(e.relaxed.f1),
                str(e.boundary_shifts),
                _fmt(e.kappa),
            ]
            for e in self.pairs
            if e.label is None
        ]
        if rows:
            out.write("\n")
            out.write(_table(["layer", "pair", "exact F1", "relaxed F1", "shifts", "kappa"], rows))
        if self.model_acceptance:
            rows = [
                [
                    e.layer,
                    e.annotator,
                    f"{e.spans_equal}/{e.spans}",
                    _fmt(e.accepted_rate),
                    f"{e.identical_articles}/{e.articles}",
                ]
                for e in self.model_acceptance
            ]
            out.write("\n")
            out.write(
                _table(["layer", "annotator", "equal to model", "accepted rate", "identical articles"], rows)
            )
        if self.articles and worst:
            rows = [
                [_named(e.article_id, titles), e.layer, _fmt(e.exact_f1), _fmt(e.relaxed_f1), _fmt(e.kappa)]
                for e in self.articles[:worst]
            ]
            out.write(f"\nworst {len(rows)} articles\n")
            out.write(_table(["article", "layer", "exact F1", "relaxed F1", "kappa"], rows))
        return out.getvalue()


def _named(article_id: str, titles: dict[str, str] | None, width: int = 48) -> str:
    """An article as a reader knows it: its title (shortened) and the start of its id."""
    title = " ".join(((titles or {}).get(article_id) or "").split())
    if not title:
        return article_id
    if len(title) > width:
        title = title[: width - 1] + "…"
    return f"{title} ({article_id[:8]})"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"


__all__ = ["AgreementReport", "ArticleAgreement", "LabelAgreement", "ModelAcceptance", "PairAgreement"]
