"""Inter-annotator agreement: span F1, token kappa and alpha, per layer, label, pair and article.

Span measures
    *Exact* F1 counts a span as agreed when the other annotator has the same start, end and
    label. *Relaxed* F1 also pairs spans with the same label that overlap (one to one, largest
    overlap first); such a pair with different boundaries is a *boundary shift*. Precision of A
    against B is recall of B against A, so F1 is the same both ways round (the average of the
    two directions). When neither annotator has a span, F1 is 1.0: they agree on nothing.

Token measures
    Each text is tokenised once with ``spacy.blank("en").tokenizer`` (recorded as
    :data:`TOKENIZER`); whitespace tokens are dropped. A token is covered by a span when it
    shares at least one character with it.

    *entity*: one nominal code per token, the label of the covering span or ``"O"``. Per label,
    the binary coding "this label / anything else" is derived from the same codes.

    *issue*: spans overlap, so a token may carry several issues and one nominal code does not
    fit. Each label is coded on its own: 1 if the token is inside a span with that label, else 0.
    The layer figure pools these binary codings over the labels that anyone used (every
    (token, label) pair is one unit), i.e. a micro-average; labels nobody used are left out so
    the figure does not depend on the size of the taxonomy.

    Cohen's kappa (scikit-learn) is computed per pair of annotators on the pooled contingency
    table; Krippendorff's alpha (nominal, the ``krippendorff`` package) over all compared
    annotators. A value is None when it is undefined (every token got the same code).

Model
    With ``model``, the annotator of that name holds the model's suggestions. It is compared
    with each human (pairs flagged ``involves_model``) and the "simply accepted" rate is
    reported, but it stays out of the overall figures unless ``include_model`` is true.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotator.errors import AnnotatorError
from annotator.model import ENTITY
from annotator.review.spans import ArticleSpans, check_layers, match_spans

OUTSIDE = "O"


@functools.cache
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


@functools.cache
def tokenizer_name() -> str:
    """Name and version of the tokenizer the token measures use, e.g. ``spacy.blank:en@3.8.7``."""
    import spacy

    return f"spacy.blank:en@{spacy.__version__}"


def token_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the non-whitespace tokens of ``text``.

    Parameters
    ----------
    text
        The article text.

    Returns
    -------
    starts, ends
        Two int arrays of equal length, in code points.
    """
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    doc = _tokenizer()(text)
    if len(doc) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    arr = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(np.int64)
    keep = arr[:, 2] == 0
    starts = arr[keep, 0]
    return starts, starts + arr[keep, 1]


def _token_ranges(spans: Sequence, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token index ranges ``[first, stop)`` of the tokens each span touches."""
    s = np.fromiter((sp.start for sp in spans), dtype=np.int64, count=len(spans))
    e = np.fromiter((sp.end for sp in spans), dtype=np.int64, count=len(spans))
    return np.searchsorted(ends, s, side="right"), np.searchsorted(starts, e, side="left")


def kappa_from_table(table: np.ndarray) -> float | None:
    """Cohen's kappa of a square contingency table (rows: one annotator, columns: the other).

    Used for the per-article figures, where calling scikit-learn thousands of times would be
    slow; the tests check it equals :func:`sklearn.metrics.cohen_kappa_score`.

    Returns
    -------
    float or None
        None when kappa is undefined (no units, or one code only).
    """
    n = table.sum()
    if n == 0:
        return None
    observed = np.trace(table) / n
    expected = float(table.sum(axis=1) @ table.sum(axis=0)) / (n * n)
    if expected >= 1.0:
        return None
    return float((observed - expected) / (1.0 - expected))


def _sklearn_kappa(table: np.ndarray) -> float | None:
    """Cohen's kappa of a contingency table, computed by scikit-learn from weighted cells."""
    if kappa_from_table(table) is None:
        return None
    from sklearn.metrics import cohen_kappa_score

    k = table.shape[0]
    rows, cols = np.nonzero(table)
    value = cohen_kappa_score(rows, cols, labels=np.arange(k), sample_weight=table[rows, cols])
    return None if np.isnan(value) else float(value)


def _binary_table(n11: int, n10: int, n01: int, total: int) -> np.ndarray:
    return np.array([[total - n11 - n10 - n01, n01], [n10, n11]], dtype=np.int64)


def _alpha(diagonal: np.ndarray, rows: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) with units where every coder agreed merged.

    A unit where all of its ``m`` coders chose value ``v`` adds exactly ``m`` to the
    coincidence ``o[v, v]`` and nothing else, so any number of such units equals one unit of
    their summed coders: ``diagonal[v]`` holds that sum. Only the units with disagreement are
    passed one by one (``rows``: units x values). The result equals the unmerged computation.
    """
    import krippendorff

    merged = np.diag(diagonal.astype(np.float64))[diagonal > 0]
    value_counts = np.vstack([merged, rows.astype(np.float64)]) if len(rows) else merged
    if value_counts.shape[1] < 2 or np.count_nonzero(value_counts.sum(axis=0)) < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            value = krippendorff.alpha(value_counts=value_counts, level_of_measurement="nominal")
        except ValueError:
            return None
    return None if np.isnan(value) else float(value)


# ----------------------------------------------------------------------------------------------
# Report


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of one annotator against another, from spaCy's ``PRFScore``."""

    tp: int
    fp: int
    fn: int

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> PRF:
        return cls(int(tp), int(fp), int(fn))

    def _score(self):
        from spacy.scorer import PRFScore

        return PRFScore(tp=self.tp, fp=self.fp, fn=self.fn)

    @property
    def precision(self) -> float:
        return 1.0 if self.tp + self.fp == 0 and self.fn == 0 else self._score().precision

    @property
    def recall(self) -> float:
        return 1.0 if self.tp + self.fn == 0 and self.fp == 0 else self._score().recall

    @property
    def f1(self) -> float:
        """F1; 1.0 when neither side has a span."""
        return 1.0 if self.tp + self.fp + self.fn == 0 else self._score().fscore

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


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

    def format_table(self, worst: int = 10) -> str:
        """Plain-text tables for the command line: overall, pairs, model use, worst articles."""
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
                [e.article_id, e.layer, _fmt(e.exact_f1), _fmt(e.relaxed_f1), _fmt(e.kappa)]
                for e in self.articles[:worst]
            ]
            out.write(f"\nworst {len(rows)} articles\n")
            out.write(_table(["article", "layer", "exact F1", "relaxed F1", "kappa"], rows))
        return out.getvalue()


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"


# ----------------------------------------------------------------------------------------------
# Computation


@dataclass
class _PairCounts:
    """Span counts of one pair on one layer, per label."""

    exact_tp: Counter = field(default_factory=Counter)
    relaxed_tp: Counter = field(default_factory=Counter)
    shifts: Counter = field(default_factory=Counter)
    n_a: Counter = field(default_factory=Counter)
    n_b: Counter = field(default_factory=Counter)

    def prf(self, label: str | None, relaxed: bool) -> PRF:
        tp_counts = self.relaxed_tp if relaxed else self.exact_tp
        if label is None:
            tp, na, nb = tp_counts.total(), self.n_a.total(), self.n_b.total()
        else:
            tp, na, nb = tp_counts[label], self.n_a[label], self.n_b[label]
        return PRF.of(tp, na - tp, nb - tp)


class _LayerState:
    """Accumulators of one layer over all articles."""

    def __init__(self, layer: str, labels: list[str], pairs: list[tuple[str, str]]):
        self.layer = layer
        self.labels = labels
        self.index = {label: i for i, label in enumerate(labels)}
        n = len(labels)
        self.counts = {p: _PairCounts() for p in pairs}
        self.spans: dict[str, Counter] = {}
        if layer == ENTITY:
            # Code 0 is OUTSIDE, code i + 1 is labels[i].
            self.tables = {p: np.zeros((n + 1, n + 1), dtype=np.int64) for p in pairs}
            self.alpha_diag = np.zeros(n + 1, dtype=np.int64)
        else:
            self.n11 = {p: np.zeros(n, dtype=np.int64) for p in pairs}
            self.na = {p: np.zeros(n, dtype=np.int64) for p in pairs}
            self.nb = {p: np.zeros(n, dtype=np.int64) for p in pairs}
            self.alpha_diag0 = np.zeros(n, dtype=np.int64)
            self.alpha_diag1 = np.zeros(n, dtype=np.int64)
            self.alpha_seen = np.zeros(n, dtype=np.int64)  # coder-units already counted per label
            self.alpha_units = 0  # coder-units of all articles (tokens x coders)
        self.tokens = dict.fromkeys(pairs, 0)
        self.alpha_rows: list[np.ndarray] = []


def compute_agreement(
    articles: Sequence[ArticleSpans],
    layer: str | None = None,
    model: str | None = None,
    include_model: bool = False,
) -> AgreementReport:
    """Measure how well the annotators agree, per layer, label, pair and article.

    Parameters
    ----------
    articles
        The articles with every annotator's spans. An annotator absent from an article's
        ``spans`` is left out of that article's comparisons.
    layer
        ``"entity"`` or ``"issue"``; None measures both.
    model
        Name of the pseudo-annotator holding the model's suggestions, if any: it is compared
        with each human and its "simply accepted" rate is reported.
    include_model
        Count the model as one more annotator in the overall and per-article figures.

    Returns
    -------
    AgreementReport
        See the module docstring for the exact definitions.

    Raises
    ------
    AnnotatorError
        If ``layer`` is unknown or ``model`` names nobody.
    """
    layers = check_layers(layer)
    names = list(dict.fromkeys(name for art in articles for name in art.spans))
    if model is not None and model not in names:
        raise AnnotatorError(
            f"no spans from the model {model!r} in any article; annotators found: {', '.join(names) or 'none'}",
            hint="put the model's suggestions under that name, or leave model unset",
        )
    humans = [n for n in names if n != model]
    compared = humans + ([model] if model is not None and include_model else [])
    pairs = list(itertools.combinations(humans, 2))
    if model is not None:
        pairs += [(h, model) for h in humans]
    aggregate_pairs = [p for p in pairs if p[0] in compared and p[1] in compared]

    labels: dict[str, set[str]] = {lay: set() for lay in layers}
    for art in articles:
        for spans in art.spans.values():
            for s in spans:
                if s.layer in labels:
                    labels[s.layer].add(s.label)
    states = {lay: _LayerState(lay, sorted(labels[lay]), pairs) for lay in layers}
    acceptance = {(h, lay): [0, 0, 0, 0, 0] for h in humans for lay in layers} if model else {}
    per_article: list[ArticleAgreement] = []

    for art in articles:
        starts, ends = token_bounds(art.text)
        present = [n for n in names if n in art.spans]
        for lay in layers:
            state = states[lay]
            by_name = {n: art.layer_spans(n, lay) for n in present}
            label_counts = {n: Counter(s.label for s in spans) for n, spans in by_name.items()}
            for n, c in label_counts.items():
                state.spans.setdefault(n, Counter()).update(c)
            if lay == ENTITY:
                coding = {n: _entity_codes(by_name[n], starts, ends, state.index) for n in present}
                rows = None
            else:
                art_labels = sorted({s.label for spans in by_name.values() for s in spans})
                rows = np.array([state.index[label] for label in art_labels], dtype=np.int64)
                local = {label: i for i, label in enumerate(art_labels)}
                coding = {n: _issue_matrix(by_name[n], starts, ends, local) for n in present}
            article_prf_exact = PRF(0, 0, 0)
            article_prf_relaxed = PRF(0, 0, 0)
            article_shifts = 0
            article_kappas: list[float] = []
            for pair in pairs:
                a, b = pair
                if a not in art.spans or b not in art.spans:
                    continue
                counts = state.counts[pair]
                exact, shifted, _, _ = match_spans(by_name[a], by_name[b])
                counts.n_a.update(label_counts[a])
                counts.n_b.update(label_counts[b])
                counts.exact_tp.update(s.label for s, _ in exact)
                counts.relaxed_tp.update(s.label for s, _ in exact)
                counts.relaxed_tp.update(s.label for s, _ in shifted)
                counts.shifts.update(s.label for s, _ in shifted)
                state.tokens[pair] += len(starts)
                if lay == ENTITY:
                    k = len(state.labels) + 1
                    table = np.bincount(coding[a] * k + coding[b], minlength=k * k).reshape(k, k)
                    state.tables[pair] += table
                else:
                    ma, mb = coding[a], coding[b]
                    n11 = np.count_nonzero(ma & mb, axis=1)
                    na = np.count_nonzero(ma, axis=1)
                    nb = np.count_nonzero(mb, axis=1)
                    state.n11[pair][rows] += n11
                    state.na[pair][rows] += na
                    state.nb[pair][rows] += nb
                    table = _binary_table(
                        int(n11.sum()), int(na.sum() - n11.sum()), int(nb.sum() - n11.sum()), ma.size
                    )
                if pair in aggregate_pairs:
                    n_a, n_b = len(by_name[a]), len(by_name[b])
                    article_prf_exact += PRF.of(len(exact), n_a - len(exact), n_b - len(exact))
                    tp = len(exact) + len(shifted)
                    article_prf_relaxed += PRF.of(tp, n_a - tp, n_b - tp)
                    article_shifts += len(shifted)
                    kappa = kappa_from_table(table)
                    if kappa is not None:
                        article_kappas.append(kappa)
            coders = [n for n in compared if n in art.spans]
            if len(coders) >= 2:
                _add_alpha_units(state, [coding[n] for n in coders], rows, len(starts))
                per_article.append(
                    ArticleAgreement(
                        article_id=art.article_id,
                        layer=lay,
                        annotators=tuple(coders),
                        spans={n: len(by_name[n]) for n in coders},
                        exact_f1=article_prf_exact.f1,
                        relaxed_f1=article_prf_relaxed.f1,
                        boundary_shifts=article_shifts,
                        kappa=float(np.mean(article_kappas)) if article_kappas else None,
                    )
                )
            if model is not None and model in art.spans:
                model_keys = {s.key for s in by_name[model]}
                for h in humans:
                    if h in art.spans:
                        keys = {s.key for s in by_name[h]}
                        acc = acceptance[(h, lay)]
                        acc[0] += len(keys)
                        acc[1] += len(keys & model_keys)
                        acc[2] += len(model_keys)
                        acc[3] += 1
                        acc[4] += keys == model_keys

    overall: list[LabelAgreement] = []
    pair_results: list[PairAgreement] = []
    for lay in layers:
        state = states[lay]
        for label in [None, *state.labels]:
            pair_entries = [_pair_agreement(state, p, label, model) for p in pairs]
            pair_results.extend(pair_entries)
            agg = [e for e, p in zip(pair_entries, pairs, strict=True) if p in aggregate_pairs]
            kappas = [e.kappa for e in agg if e.kappa is not None]
            spans = {
                n: (
                    state.spans.get(n, Counter()).total()
                    if label is None
                    else state.spans.get(n, {}).get(label, 0)
                )
                for n in compared
            }
            overall.append(
                LabelAgreement(
                    layer=lay,
                    label=label,
                    annotators=tuple(compared),
                    spans=spans,
                    exact=sum((e.exact for e in agg), PRF(0, 0, 0)),
                    relaxed=sum((e.relaxed for e in agg), PRF(0, 0, 0)),
                    boundary_shifts=sum(e.boundary_shifts for e in agg),
                    kappa=float(np.mean(kappas)) if kappas else None,
                    alpha=_label_alpha(state, label),
                )
            )
    per_article.sort(key=ArticleAgreement.sort_key)
    model_acceptance = tuple(
        ModelAcceptance(h, lay, *values) for (h, lay), values in acceptance.items() if values[3]
    )
    return AgreementReport(
        layers=layers,
        annotators=tuple(compared),
        model=model,
        include_model=include_model,
        overall=tuple(overall),
        pairs=tuple(pair_results),
        articles=tuple(per_article),
        model_acceptance=model_acceptance,
        tokenizer=tokenizer_name(),
        n_articles=len(articles),
    )


def _entity_codes(spans: list, starts: np.ndarray, ends: np.ndarray, index: dict[str, int]) -> np.ndarray:
    codes = np.zeros(len(starts), dtype=np.int64)
    if spans:
        first, stop = _token_ranges(spans, starts, ends)
        for s, i, j in zip(spans, first.tolist(), stop.tolist(), strict=True):
            codes[i:j] = index[s.label] + 1
    return codes


def _issue_matrix(spans: list, starts: np.ndarray, ends: np.ndarray, local: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(local), len(starts)), dtype=bool)
    if spans:
        first, stop = _token_ranges(spans, starts, ends)
        for s, i, j in zip(spans, first.tolist(), stop.tolist(), strict=True):
            matrix[local[s.label], i:j] = True
    return matrix


def _add_alpha_units(
    state: _LayerState, codings: list[np.ndarray], rows: np.ndarray | None, n_tokens: int
) -> None:
    """Add one article's units to the alpha accumulators (agreeing units merged, see _alpha)."""
    m = len(codings)
    if state.layer == ENTITY:
        k = len(state.labels) + 1
        counts = np.zeros((n_tokens, k), dtype=np.int64)
        positions = np.arange(n_tokens)
        for codes in codings:
            counts[positions, codes] += 1
        agree = counts.max(axis=1) == m
        state.alpha_diag += counts[agree].sum(axis=0)
        if not agree.all():
            state.alpha_rows.append(counts[~agree])
        return
    state.alpha_units += m * n_tokens
    if rows is None or not len(rows):
        return
    ones = np.sum(codings, axis=0)  # (labels in article, tokens): coders who marked it
    state.alpha_seen[rows] += m * n_tokens
    state.alpha_diag1[rows] += m * np.count_nonzero(ones == m, axis=1)
    state.alpha_diag0[rows] += m * np.count_nonzero(ones == 0, axis=1)
    li, ti = np.nonzero((ones > 0) & (ones < m))
    if len(li):
        marked = ones[li, ti]
        state.alpha_rows.append(np.column_stack([rows[li], m - marked, marked]))


def _label_alpha(state: _LayerState, label: str | None) -> float | None:
    if state.layer == ENTITY:
        rows = (
            np.vstack(state.alpha_rows)
            if state.alpha_rows
            else np.zeros((0, len(state.labels) + 1), np.int64)
        )
        if label is None:
            return _alpha(state.alpha_diag, rows)
        c = state.index[label] + 1
        coders = rows.sum(axis=1)
        marked = rows[:, c]
        split = marked > 0
        diag = np.array(
            [state.alpha_diag.sum() - state.alpha_diag[c] + coders[~split].sum(), state.alpha_diag[c]]
        )
        return _alpha(diag, np.column_stack([coders[split] - marked[split], marked[split]]))
    rows = np.vstack(state.alpha_rows) if state.alpha_rows else np.zeros((0, 3), np.int64)
    # Articles where nobody used a label still code every token 0 for it.
    diag0 = state.alpha_diag0 + (state.alpha_units - state.alpha_seen)
    if label is None:
        return _alpha(np.array([diag0.sum(), state.alpha_diag1.sum()]), rows[:, 1:])
    i = state.index[label]
    return _alpha(np.array([diag0[i], state.alpha_diag1[i]]), rows[rows[:, 0] == i, 1:])


def _pair_agreement(
    state: _LayerState, pair: tuple[str, str], label: str | None, model: str | None
) -> PairAgreement:
    counts = state.counts[pair]
    total = state.tokens[pair]
    if state.layer == ENTITY:
        table = state.tables[pair]
        units = total
        if label is not None:
            c = state.index[label] + 1
            n11 = int(table[c, c])
            table = _binary_table(n11, int(table[c].sum()) - n11, int(table[:, c].sum()) - n11, total)
    else:
        n11, na, nb = state.n11[pair], state.na[pair], state.nb[pair]
        if label is None:
            # Micro-average over the labels anyone used: one unit per (token, label).
            units = total * len(state.labels)
            table = _binary_table(int(n11.sum()), int((na - n11).sum()), int((nb - n11).sum()), units)
        else:
            i = state.index[label]
            units = total
            table = _binary_table(int(n11[i]), int(na[i] - n11[i]), int(nb[i] - n11[i]), units)
    return PairAgreement(
        layer=state.layer,
        label=label,
        a=pair[0],
        b=pair[1],
        exact=counts.prf(label, relaxed=False),
        relaxed=counts.prf(label, relaxed=True),
        boundary_shifts=counts.shifts.total() if label is None else counts.shifts[label],
        kappa=_sklearn_kappa(table) if units else None,
        tokens=units,
        involves_model=model is not None and model in pair,
    )


__all__ = [
    "OUTSIDE",
    "PRF",
    "AgreementReport",
    "ArticleAgreement",
    "ArticleSpans",
    "LabelAgreement",
    "ModelAcceptance",
    "PairAgreement",
    "compute_agreement",
    "kappa_from_table",
    "token_bounds",
    "tokenizer_name",
]
