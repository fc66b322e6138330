"""Inter-annotator agreement: span F1, token kappa and alpha, per layer, label, pair and article.

Span measures
    *Exact* F1 counts a span as agreed when the other annotator has the same start, end and
    label. *Relaxed* F1 also pairs spans with the same label that overlap (one to one, largest
    overlap first); such a pair with different boundaries is a *boundary shift*. Precision of A
    against B is recall of B against A, so F1 is the same both ways round (the average of the
    two directions). When neither annotator has a span, F1 is 1.0: they agree on nothing.

Token measures
    Each text is tokenised once with ``spacy.blank("en").tokenizer`` (recorded by name and
    version, :func:`tokenizer_name`); whitespace tokens are dropped. A token is covered by a
    span when it shares at least one character with it. The boundaries may come from a cache
    (:func:`text_tokens`; the store keeps them per article and tokenizer name), so spaCy is only
    imported for texts not tokenized before by the same version.

    *entity*: one nominal code per token, the label of the covering span or ``"O"``. Per label,
    the binary coding "this label / anything else" is derived from the same codes.

    *issue*: spans overlap, so a token may carry several issues and one nominal code does not
    fit. Each label is coded on its own: 1 if the token is inside a span with that label, else 0.
    The layer figure pools these binary codings over the labels that anyone used (every
    (token, label) pair is one unit), i.e. a micro-average; labels nobody used are left out so
    the figure does not depend on the size of the taxonomy.

    Cohen's kappa is computed per pair of annotators on the pooled contingency table, with
    scikit-learn's arithmetic (:func:`pair_kappa`; scikit-learn itself is only a test
    dependency); Krippendorff's alpha (nominal, the ``krippendorff`` package) over all compared
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotator.errors import AnnotatorError
from annotator.model import ENTITY
from annotator.review.spans import ArticleSpans, SpanColumns, check_layers
from annotator.text import spacy_safe

OUTSIDE = "O"


@functools.cache
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


_TOKENIZER_PREFIX = "spacy.blank:en@"


@functools.cache
def _installed_spacy_version() -> str | None:
    """The installed spaCy's version from its package metadata, without importing spaCy."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spacy")
    except PackageNotFoundError:
        return None


def tokenizer_name() -> str:
    """Name and version of the tokenizer the token measures use, e.g. ``spacy.blank:en@3.8.7``.

    Once spaCy is imported the version is ``spacy.__version__``; before, it is the installed
    package's version (its metadata), so a cached tokenization can be looked up without
    importing spaCy. :func:`text_tokens` checks the two agree when it does import spaCy.
    """
    import sys

    spacy = sys.modules.get("spacy")
    version = getattr(spacy, "__version__", None) or _installed_spacy_version()
    if version is None:  # no metadata: the import says what there is (or that there is none)
        import spacy

        version = spacy.__version__
    return _TOKENIZER_PREFIX + version


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

    doc = _tokenizer()(spacy_safe(text))
    if len(doc) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    arr = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(np.int64)
    keep = arr[:, 2] == 0
    starts = arr[keep, 0]
    return starts, starts + arr[keep, 1]


_PACKED = np.dtype("<i4")


def pack_bounds(starts: np.ndarray, ends: np.ndarray) -> bytes:
    """:func:`token_bounds` as bytes for the store's cache: little-endian int32, starts then ends."""
    return np.concatenate([starts, ends]).astype(_PACKED).tobytes()


def unpack_bounds(packed: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The ``(starts, ends)`` that :func:`pack_bounds` packed."""
    both = np.frombuffer(packed, dtype=_PACKED).astype(np.int64)
    n = len(both) // 2
    return both[:n], both[n:]


@dataclass(frozen=True)
class TextTokens:
    """Token boundaries of a list of texts and the tokenizer that made them.

    Attributes
    ----------
    tokenizer
        Its name and version (:func:`tokenizer_name`).
    bounds
        ``(starts, ends)`` of each text, as :func:`token_bounds` gives them.
    made
        Indices of the texts tokenized now rather than taken from the cache: what a cache
        would want to keep (packed with :func:`pack_bounds`).
    """

    tokenizer: str
    bounds: list[tuple[np.ndarray, np.ndarray]]
    made: tuple[int, ...] = ()


def text_tokens(texts: Sequence[str], cached: Sequence[bytes | None] = (), tokenizer: str = "") -> TextTokens:
    """Token boundaries of ``texts``, unpacked from ``cached`` where given, else tokenized.

    spaCy is imported only when some text has no cached boundaries. The cache's tokenizer name
    comes from the installed spaCy's metadata; should the imported spaCy say otherwise, the
    cached boundaries are not used and every text is tokenized.

    Parameters
    ----------
    texts
        The texts.
    cached
        Per text, its boundaries packed by :func:`pack_bounds` with ``tokenizer``, or None;
        empty: nothing cached.
    tokenizer
        The name the cached boundaries were made with (:func:`tokenizer_name` when they were
        looked up).

    Returns
    -------
    TextTokens
        The boundaries, the (true) tokenizer name and which texts were tokenized now.
    """
    cached = list(cached) or [None] * len(texts)
    missing = [i for i, packed in enumerate(cached) if packed is None]
    if missing:
        _tokenizer()  # imports spaCy
        name = tokenizer_name()
        if name != tokenizer:
            missing = list(range(len(texts)))
    else:
        name = tokenizer or tokenizer_name()
    bounds = [unpack_bounds(packed) if packed is not None else None for packed in cached]
    for i in missing:
        bounds[i] = token_bounds(texts[i])
    return TextTokens(name, bounds, tuple(missing))


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


def pair_kappa(table: np.ndarray) -> float | None:
    """Cohen's kappa of a contingency table, with scikit-learn's arithmetic.

    The same steps, in the same order, as :func:`sklearn.metrics.cohen_kappa_score` on the
    table's cells as weighted samples (``expected`` from the outer product of the column and
    row sums, kappa as ``1 - sum(w * observed) / sum(w * expected)``), so the figures are the
    ones scikit-learn reports to the last digit; the tests check they are equal. It is written
    out because importing scikit-learn took 1.3 s of every ``annotator agreement`` run.

    Returns
    -------
    float or None
        None when kappa is undefined (no units, or one code only).
    """
    if kappa_from_table(table) is None:
        return None
    confusion = table.astype(np.float64)
    sum0 = confusion.sum(axis=0)
    sum1 = confusion.sum(axis=1)
    expected = np.outer(sum0, sum1) / sum0.sum()
    weights = np.ones_like(confusion)
    np.fill_diagonal(weights, 0.0)
    denominator = np.sum(weights * expected)
    if denominator == 0:
        return None
    return float(1 - np.sum(weights * confusion) / denominator)


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
    """Precision, recall and F1 of one annotator against another.

    The arithmetic is spaCy's ``PRFScore`` (``tp / (tp + fp + 1e-100)`` and so on), written out
    so that the figures do not need spaCy imported; the tests check they are equal.
    """

    tp: int
    fp: int
    fn: int

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> PRF:
        return cls(int(tp), int(fp), int(fn))

    @property
    def precision(self) -> float:
        return 1.0 if self.tp + self.fp == 0 and self.fn == 0 else self.tp / (self.tp + self.fp + 1e-100)

    @property
    def recall(self) -> float:
        return 1.0 if self.tp + self.fn == 0 and self.fp == 0 else self.tp / (self.tp + self.fn + 1e-100)

    @property
    def f1(self) -> float:
        """F1; 1.0 when neither side has a span."""
        if self.tp + self.fp + self.fn == 0:
            return 1.0
        p = self.tp / (self.tp + self.fp + 1e-100)
        r = self.tp / (self.tp + self.fn + 1e-100)
        return 2 * ((p * r) / (p + r + 1e-100))

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
#
# Every article is laid end to end: one table of tokens and, per layer, one table of spans
# (numpy columns), with offsets shifted by the length of the texts before, so spans of different
# articles never overlap. Each measure is then a few array operations over the whole corpus
# instead of a Python loop per article, pair and label; the per-article figures come from the
# same arrays, grouped by article.


@dataclass
class _Corpus:
    """Token boundaries of all articles, in order, and who annotated which article."""

    n_articles: int
    present: np.ndarray  # (articles, annotators) bool
    text_offset: np.ndarray  # (articles,) where each text starts in the joined text
    n_tokens: np.ndarray  # (articles,)
    token_offset: np.ndarray  # (articles + 1,) index of each article's first token
    token_article: np.ndarray  # (tokens,) the article of each token
    starts: np.ndarray  # (tokens,) joined-text offsets
    ends: np.ndarray


@dataclass
class _Spans:
    """The spans of one layer without duplicates, sorted by article, annotator, start, end, label.

    ``key`` numbers the distinct (article, start, end, label); ``marked`` says which annotator
    has each key, so exact matches are a lookup. ``first``/``stop`` are the token range each
    span touches (joined-text token indices).
    """

    labels: list[str]
    article: np.ndarray
    who: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray
    first: np.ndarray
    stop: np.ndarray
    key: np.ndarray
    marked: np.ndarray  # (keys, annotators) bool


@dataclass
class _PairFigures:
    """What one pair shares on one layer: corpus totals per label and per-article totals."""

    n_a: np.ndarray  # (labels,)
    n_b: np.ndarray
    exact_tp: np.ndarray
    shifts: np.ndarray
    tokens: int
    table: np.ndarray | None = None  # entity: (codes, codes)
    n11: np.ndarray | None = None  # issue: (labels,) token counts
    na: np.ndarray | None = None
    nb: np.ndarray | None = None
    both: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (articles,)
    article_n_a: np.ndarray | None = None
    article_n_b: np.ndarray | None = None
    article_exact: np.ndarray | None = None
    article_shifts: np.ndarray | None = None
    article_kappa: np.ndarray | None = None  # NaN where undefined

    def prf(self, label: int | None, relaxed: bool) -> PRF:
        tp_counts = self.exact_tp + self.shifts if relaxed else self.exact_tp
        if label is None:
            tp, na, nb = tp_counts.sum(), self.n_a.sum(), self.n_b.sum()
        else:
            tp, na, nb = tp_counts[label], self.n_a[label], self.n_b[label]
        return PRF.of(tp, na - tp, nb - tp)


@dataclass
class _LayerState:
    """Figures of one layer over all articles (alpha: units where every coder agreed merged)."""

    layer: str
    labels: list[str]
    index: dict[str, int]
    pairs: dict[tuple[str, str], _PairFigures]
    spans: np.ndarray  # (annotators, labels) span counts
    article_spans: np.ndarray  # (articles, annotators) span counts
    alpha_rows: np.ndarray  # entity: (units, codes); issue: (units, 3) = (label, zeros, ones)
    alpha_diag: np.ndarray | None = None  # entity: (codes,)
    alpha_diag0: np.ndarray | None = None  # issue: (labels,)
    alpha_diag1: np.ndarray | None = None


def _corpus(columns: SpanColumns, names: list[str], bounds: list[tuple[np.ndarray, np.ndarray]]) -> _Corpus:
    who = {n: i for i, n in enumerate(names)}
    n = len(columns)
    present = np.zeros((n, len(names)), dtype=bool)
    for i, here in enumerate(columns.annotators):
        present[i, [who[name] for name in here]] = True
    lengths = np.fromiter((len(text) for text in columns.texts), dtype=np.int64, count=n)
    text_offset = np.cumsum(lengths) - lengths
    n_tokens = np.fromiter((len(s) for s, _ in bounds), dtype=np.int64, count=n)
    empty = np.zeros(0, dtype=np.int64)
    offsets = text_offset.tolist()
    starts = np.concatenate([empty] + [s + o for (s, _), o in zip(bounds, offsets, strict=True)])
    ends = np.concatenate([empty] + [e + o for (_, e), o in zip(bounds, offsets, strict=True)])
    token_offset = np.concatenate([[0], np.cumsum(n_tokens)])
    return _Corpus(
        n, present, text_offset, n_tokens, token_offset, np.repeat(np.arange(n), n_tokens), starts, ends
    )


def _spans(
    columns: SpanColumns, names: list[str], layers: tuple[str, ...], corpus: _Corpus
) -> dict[str, _Spans]:
    who = {n: i for i, n in enumerate(names)}
    count = len(columns.article)
    article = np.fromiter(columns.article, dtype=np.int64, count=count)
    annotator = np.fromiter(map(who.__getitem__, columns.annotator), dtype=np.int64, count=count)
    start = np.fromiter(columns.start, dtype=np.int64, count=count)
    end = np.fromiter(columns.end, dtype=np.int64, count=count)
    # Number each (layer, label) by the first span that has it: one dict call per span.
    kinds: dict[tuple[str, str], int] = {}
    kind = np.fromiter(
        map(kinds.setdefault, zip(columns.layer, columns.label, strict=True), itertools.count()),
        dtype=np.int64,
        count=count,
    )
    out = {}
    for lay in layers:
        labels = sorted(label for kind_layer, label in kinds if kind_layer == lay)
        code = {label: i for i, label in enumerate(labels)}
        label_of_kind = np.full(count, -1, dtype=np.int64)
        for (kind_layer, label), number in kinds.items():
            if kind_layer == lay:
                label_of_kind[number] = code[label]
        label_code = label_of_kind[kind]
        keep = np.flatnonzero(label_code >= 0)
        fields = [article[keep], annotator[keep], start[keep], end[keep], label_code[keep]]
        order = np.lexsort(fields[::-1])
        a, w, s, e, lab = (c[order] for c in fields)
        s = s + corpus.text_offset[a]
        e = e + corpus.text_offset[a]
        if len(a):
            new = np.ones(len(a), dtype=bool)
            new[1:] = (np.diff(a) != 0) | (np.diff(w) != 0) | (np.diff(s) != 0) | (np.diff(e) != 0)
            new[1:] |= np.diff(lab) != 0
            a, w, s, e, lab = a[new], w[new], s[new], e[new], lab[new]
        # A token is covered when it shares a character with the span (and is in its article,
        # should a span reach outside its text).
        first = np.maximum(np.searchsorted(corpus.ends, s, side="right"), corpus.token_offset[a])
        stop = np.minimum(np.searchsorted(corpus.starts, e, side="left"), corpus.token_offset[a + 1])
        by_key = np.lexsort((lab, e, s, a))
        change = np.ones(len(by_key), dtype=bool)
        if len(by_key):
            same = (np.diff(a[by_key]) == 0) & (np.diff(s[by_key]) == 0) & (np.diff(e[by_key]) == 0)
            change[1:] = ~same | (np.diff(lab[by_key]) != 0)
        key = np.empty(len(a), dtype=np.int64)
        key[by_key] = np.cumsum(change) - 1
        marked = np.zeros((int(change.sum()), len(names)), dtype=bool)
        marked[key, w] = True
        out[lay] = _Spans(labels, a, w, s, e, lab, first, stop, key, marked)
    return out


def _expand(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index of the ranges ``[first, stop)`` and the number of the range it came from."""
    lengths = np.maximum(stop - first, 0)
    owner = np.repeat(np.arange(len(first)), lengths)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(len(owner)) - offsets[owner] + first[owner], owner


def _table_kappas(tables: np.ndarray) -> np.ndarray:
    """:func:`kappa_from_table` of each of ``tables`` (n, k, k), NaN where it is None."""
    n = tables.sum(axis=(1, 2))
    trace = np.trace(tables, axis1=1, axis2=2)
    product = (tables.sum(axis=2) * tables.sum(axis=1)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = trace / n
        expected = product.astype(np.float64) / (n * n)
        kappa = (observed - expected) / (1.0 - expected)
    kappa[(n == 0) | (expected >= 1.0)] = np.nan
    return kappa


def _binary_tables(n11: np.ndarray, n10: np.ndarray, n01: np.ndarray, total: np.ndarray) -> np.ndarray:
    """:func:`_binary_table` of each article: (n, 2, 2)."""
    return np.stack(
        [np.stack([total - n11 - n10 - n01, n01], axis=-1), np.stack([n10, n11], axis=-1)], axis=-2
    )


def _relaxed_matches(sp: _Spans, left: np.ndarray, right: np.ndarray, corpus: _Corpus) -> np.ndarray:
    """The spans of ``left`` paired with an overlapping span of ``right`` with the same label.

    The pairing of :func:`~annotator.review.spans.match_spans` (one to one, largest overlap
    first, then the closest boundaries, then position), applied to spans without an exact
    match. Candidates are found with array operations; only spans that compete for the same
    partner go through the greedy loop.
    """
    if not len(left) or not len(right):
        return np.zeros(0, dtype=np.int64)
    big = int(sp.end.max()) + 1  # label-major search keys: label * big + offset
    right = right[np.lexsort((sp.start[right], sp.label[right]))]  # stable: then end, label
    right_key = sp.label[right] * big + sp.start[right]
    longest = int((sp.end[right] - sp.start[right]).max())
    # Right spans with the same label that start before the left span ends and after it starts
    # minus the longest right span (and in the same article): a superset of the overlapping ones.
    low = np.maximum(sp.start[left] - longest, corpus.text_offset[sp.article[left]])
    lo = np.searchsorted(right_key, sp.label[left] * big + low, side="left")
    hi = np.searchsorted(right_key, sp.label[left] * big + sp.end[left], side="left")
    position, owner = _expand(lo, hi)
    li, ri = left[owner], right[position]
    overlapping = (sp.end[ri] > sp.start[li]) & (sp.article[ri] == sp.article[li])
    li, ri = li[overlapping], ri[overlapping]
    size = np.minimum(sp.end[li], sp.end[ri]) - np.maximum(sp.start[li], sp.start[ri])
    distance = np.abs(sp.start[li] - sp.start[ri]) + np.abs(sp.end[li] - sp.end[ri])
    order = np.lexsort((ri, li, distance, -size))
    li, ri = li[order], ri[order]
    # A candidate whose two spans are in no other candidate is always taken.
    lone = (np.bincount(li)[li] == 1) & (np.bincount(ri)[ri] == 1)
    matched = [li[lone]]
    used_left: set[int] = set()
    used_right: set[int] = set()
    taken = []
    for i, j in zip(li[~lone].tolist(), ri[~lone].tolist(), strict=True):
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        taken.append(i)
    matched.append(np.array(taken, dtype=np.int64))
    return np.concatenate(matched)


def _measure_layer(
    layer: str,
    sp: _Spans,
    corpus: _Corpus,
    names: list[str],
    pairs: list[tuple[str, str]],
    compared: list[str],
) -> _LayerState:
    who = {n: i for i, n in enumerate(names)}
    nl, na_, nn = len(sp.labels), corpus.n_articles, len(names)
    n_tokens_all = len(corpus.starts)
    tok_art = corpus.token_article
    spans = np.bincount(sp.who * nl + sp.label, minlength=nn * nl).reshape(nn, nl)
    article_spans = np.bincount(sp.article * nn + sp.who, minlength=na_ * nn).reshape(na_, nn)
    cover, owner = _expand(sp.first, sp.stop)
    if layer == ENTITY:
        # One code per token and annotator: 0 is OUTSIDE, i + 1 the label i of the covering span
        # (the last one in span order where spans overlap).
        k = nl + 1
        last = np.full(nn * n_tokens_all, -1, dtype=np.int64)
        np.maximum.at(last, sp.who[owner] * n_tokens_all + cover, owner)
        codes = np.zeros(nn * n_tokens_all, dtype=np.int64)
        hit = last >= 0
        codes[hit] = sp.label[last[hit]] + 1
        codes = codes.reshape(nn, n_tokens_all)
    else:
        # The (token, label) units each annotator marked, as token * labels + label, sorted.
        marks = np.unique((sp.who[owner] * n_tokens_all + cover) * nl + sp.label[owner])
        per_who = np.searchsorted(marks, np.arange(nn + 1) * n_tokens_all * nl)
        units = {w: marks[per_who[w] : per_who[w + 1]] - w * n_tokens_all * nl for w in range(nn)}
        # Labels anyone used in each article: its units are (tokens x those labels).
        used = np.unique(sp.article * nl + sp.label)
        article_labels = np.bincount(used // nl, minlength=na_)

    figures = {}
    for a, b in pairs:
        ia, ib = who[a], who[b]
        both = corpus.present[:, ia] & corpus.present[:, ib]
        on_a = np.flatnonzero((sp.who == ia) & both[sp.article])
        on_b = np.flatnonzero((sp.who == ib) & both[sp.article])
        exact_a = sp.marked[sp.key[on_a], ib]
        exact_b = sp.marked[sp.key[on_b], ia]
        shifted = _relaxed_matches(sp, on_a[~exact_a], on_b[~exact_b], corpus)
        f = _PairFigures(
            n_a=np.bincount(sp.label[on_a], minlength=nl),
            n_b=np.bincount(sp.label[on_b], minlength=nl),
            exact_tp=np.bincount(sp.label[on_a[exact_a]], minlength=nl),
            shifts=np.bincount(sp.label[shifted], minlength=nl),
            tokens=int(corpus.n_tokens[both].sum()),
            both=both,
            article_n_a=np.bincount(sp.article[on_a], minlength=na_),
            article_n_b=np.bincount(sp.article[on_b], minlength=na_),
            article_exact=np.bincount(sp.article[on_a[exact_a]], minlength=na_),
            article_shifts=np.bincount(sp.article[shifted], minlength=na_),
        )
        shared = both[tok_art]
        if layer == ENTITY:
            cells = (tok_art[shared] * k + codes[ia, shared]) * k + codes[ib, shared]
            tables = np.bincount(cells, minlength=na_ * k * k).reshape(na_, k, k)
            f.table = tables.sum(axis=0)
        else:
            ua = units[ia][both[tok_art[units[ia] // nl]]]
            ub = units[ib][both[tok_art[units[ib] // nl]]]
            u11 = np.intersect1d(ua, ub, assume_unique=True)
            f.n11 = np.bincount(u11 % nl, minlength=nl)
            f.na = np.bincount(ua % nl, minlength=nl)
            f.nb = np.bincount(ub % nl, minlength=nl)
            n11, n1_, n_1 = (np.bincount(tok_art[u // nl], minlength=na_) for u in (u11, ua, ub))
            tables = _binary_tables(n11, n1_ - n11, n_1 - n11, article_labels * corpus.n_tokens)
        f.article_kappa = _table_kappas(tables)
        figures[(a, b)] = f

    state = _LayerState(
        layer, sp.labels, {label: i for i, label in enumerate(sp.labels)}, figures, spans, article_spans, None
    )
    # Alpha over the compared annotators, on articles where at least two of them worked.
    coders = [who[n] for n in compared]
    m = corpus.present[:, coders].sum(axis=1)
    rated = m >= 2
    if layer == ENTITY:
        tokens = np.flatnonzero(rated[tok_art])
        counts = np.zeros((len(tokens), k), dtype=np.int64)
        positions = np.arange(len(tokens))
        for c in coders:
            counts[positions, codes[c, tokens]] += corpus.present[tok_art[tokens], c]
        agree = counts.max(axis=1) == m[tok_art[tokens]]
        state.alpha_diag = counts[agree].sum(axis=0)
        state.alpha_rows = counts[~agree]
        return state
    # Every rated article codes each token 0 for every label, except the units someone marked.
    weight = m * corpus.n_tokens * rated  # coder-units of each rated article
    mine = np.concatenate([np.zeros(0, dtype=np.int64)] + [units[c] for c in coders])
    unit, ones = np.unique(mine[rated[tok_art[mine // nl]]], return_counts=True)
    token, label = unit // nl, unit % nl
    art = tok_art[token]
    coders_of = m[art]
    diag0 = np.full(nl, weight.sum(), dtype=np.int64)
    np.subtract.at(diag0, label, coders_of)
    diag1 = np.zeros(nl, dtype=np.int64)
    full = ones == coders_of
    np.add.at(diag1, label[full], coders_of[full])
    split = np.flatnonzero(ones < coders_of)
    split = split[np.lexsort((token[split], label[split], art[split]))]  # the order of the old loop
    state.alpha_diag0, state.alpha_diag1 = diag0, diag1
    state.alpha_rows = np.column_stack([label[split], coders_of[split] - ones[split], ones[split]])
    return state


def compute_agreement(
    articles: Sequence[ArticleSpans] | SpanColumns,
    layer: str | None = None,
    model: str | None = None,
    include_model: bool = False,
    tokens: TextTokens | None = None,
) -> AgreementReport:
    """Measure how well the annotators agree, per layer, label, pair and article.

    Parameters
    ----------
    articles
        The articles with every annotator's spans, as :class:`ArticleSpans` or (faster for
        many articles) :class:`~annotator.review.spans.SpanColumns`. An annotator absent from
        an article's ``spans`` is left out of that article's comparisons.
    layer
        ``"entity"`` or ``"issue"``; None measures both.
    model
        Name of the pseudo-annotator holding the model's suggestions, if any: it is compared
        with each human and its "simply accepted" rate is reported.
    include_model
        Count the model as one more annotator in the overall and per-article figures.
    tokens
        The token boundaries of the articles' texts, in order (e.g. from a cache, through
        :func:`text_tokens`); None tokenizes every text.

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
    columns = articles if isinstance(articles, SpanColumns) else SpanColumns.of(articles)
    names = list(dict.fromkeys(name for here in columns.annotators for name in here))
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
    who = {n: i for i, n in enumerate(names)}

    if tokens is None:
        tokens = text_tokens(columns.texts)
    elif len(tokens.bounds) != len(columns):
        raise ValueError(f"token boundaries of {len(tokens.bounds)} texts for {len(columns)} articles")
    corpus = _corpus(columns, names, tokens.bounds)
    layer_spans = _spans(columns, names, layers, corpus)
    states = {lay: _measure_layer(lay, layer_spans[lay], corpus, names, pairs, compared) for lay in layers}

    # Per article: pooled span counts and the mean kappa of the compared pairs.
    per_layer: dict[str, tuple] = {}
    for lay, state in states.items():
        agg = [state.pairs[p] for p in aggregate_pairs]
        zeros = np.zeros(corpus.n_articles, dtype=np.int64)
        exact = sum((f.article_exact * f.both for f in agg), zeros)
        shifts = sum((f.article_shifts * f.both for f in agg), zeros)
        n_a = sum((f.article_n_a * f.both for f in agg), zeros)
        n_b = sum((f.article_n_b * f.both for f in agg), zeros)
        kappas = np.column_stack(
            [np.where(f.both, f.article_kappa, np.nan) for f in agg] or [np.full(corpus.n_articles, np.nan)]
        )
        per_layer[lay] = (
            exact.tolist(),
            (exact + shifts).tolist(),
            n_a.tolist(),
            n_b.tolist(),
            shifts.tolist(),
            kappas.tolist(),
            state.article_spans.tolist(),
        )
    coder_index = [(n, who[n]) for n in compared]
    per_article: list[ArticleAgreement] = []
    for i, (article_id, here) in enumerate(zip(columns.article_ids, corpus.present.tolist(), strict=True)):
        coders = [(n, w) for n, w in coder_index if here[w]]
        if len(coders) < 2:
            continue
        for lay in layers:
            exact, relaxed, n_a, n_b, shifts, kappas, spans = (c[i] for c in per_layer[lay])
            defined = [k for k in kappas if k == k]  # NaN: undefined or not both present
            per_article.append(
                ArticleAgreement(
                    article_id=article_id,
                    layer=lay,
                    annotators=tuple(n for n, _ in coders),
                    spans={n: spans[w] for n, w in coders},
                    exact_f1=PRF(exact, n_a - exact, n_b - exact).f1,
                    relaxed_f1=PRF(relaxed, n_a - relaxed, n_b - relaxed).f1,
                    boundary_shifts=shifts,
                    kappa=float(np.mean(defined)) if defined else None,
                )
            )

    overall: list[LabelAgreement] = []
    pair_results: list[PairAgreement] = []
    for lay in layers:
        state = states[lay]
        for label in [None, *state.labels]:
            pair_entries = [_pair_agreement(state, p, label, model) for p in pairs]
            pair_results.extend(pair_entries)
            agg = [e for e, p in zip(pair_entries, pairs, strict=True) if p in aggregate_pairs]
            kappas = [e.kappa for e in agg if e.kappa is not None]
            counts = state.spans.sum(axis=1) if label is None else state.spans[:, state.index[label]]
            overall.append(
                LabelAgreement(
                    layer=lay,
                    label=label,
                    annotators=tuple(compared),
                    spans={n: int(counts[who[n]]) for n in compared},
                    exact=sum((e.exact for e in agg), PRF(0, 0, 0)),
                    relaxed=sum((e.relaxed for e in agg), PRF(0, 0, 0)),
                    boundary_shifts=sum(e.boundary_shifts for e in agg),
                    kappa=float(np.mean(kappas)) if kappas else None,
                    alpha=_label_alpha(state, label),
                )
            )
    per_article.sort(key=ArticleAgreement.sort_key)
    model_acceptance = _model_acceptance(layer_spans, corpus, humans, who, model) if model else ()
    return AgreementReport(
        layers=layers,
        annotators=tuple(compared),
        model=model,
        include_model=include_model,
        overall=tuple(overall),
        pairs=tuple(pair_results),
        articles=tuple(per_article),
        model_acceptance=model_acceptance,
        tokenizer=tokens.tokenizer,
        n_articles=len(columns),
    )


def _model_acceptance(
    layer_spans: dict[str, _Spans], corpus: _Corpus, humans: list[str], who: dict[str, int], model: str
) -> tuple[ModelAcceptance, ...]:
    """Per annotator and layer, on the articles both they and the model annotated."""
    out = []
    mi = who[model]
    n = corpus.n_articles
    for h in humans:
        hi = who[h]
        both = corpus.present[:, hi] & corpus.present[:, mi]
        if not both.any():
            continue
        for lay, sp in layer_spans.items():
            mine = np.flatnonzero((sp.who == hi) & both[sp.article])
            theirs = np.flatnonzero((sp.who == mi) & both[sp.article])
            equal = mine[sp.marked[sp.key[mine], mi]]
            per_mine = np.bincount(sp.article[mine], minlength=n)
            per_equal = np.bincount(sp.article[equal], minlength=n)
            per_theirs = np.bincount(sp.article[theirs], minlength=n)
            identical = both & (per_mine == per_equal) & (per_theirs == per_equal)
            out.append(
                ModelAcceptance(
                    h, lay, len(mine), len(equal), len(theirs), int(both.sum()), int(identical.sum())
                )
            )
    return tuple(out)


def _label_alpha(state: _LayerState, label: str | None) -> float | None:
    rows = state.alpha_rows
    if state.layer == ENTITY:
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
    diag0, diag1 = state.alpha_diag0, state.alpha_diag1
    if label is None:
        return _alpha(np.array([diag0.sum(), diag1.sum()]), rows[:, 1:])
    i = state.index[label]
    return _alpha(np.array([diag0[i], diag1[i]]), rows[rows[:, 0] == i, 1:])


def _pair_agreement(
    state: _LayerState, pair: tuple[str, str], label: str | None, model: str | None
) -> PairAgreement:
    f = state.pairs[pair]
    total = f.tokens
    i = None if label is None else state.index[label]
    if state.layer == ENTITY:
        table = f.table
        units = total
        if i is not None:
            c = i + 1
            n11 = int(table[c, c])
            table = _binary_table(n11, int(table[c].sum()) - n11, int(table[:, c].sum()) - n11, total)
    elif i is None:
        # Micro-average over the labels anyone used: one unit per (token, label).
        units = total * len(state.labels)
        n11, na, nb = f.n11, f.na, f.nb
        table = _binary_table(int(n11.sum()), int((na - n11).sum()), int((nb - n11).sum()), units)
    else:
        units = total
        table = _binary_table(int(f.n11[i]), int(f.na[i] - f.n11[i]), int(f.nb[i] - f.n11[i]), units)
    return PairAgreement(
        layer=state.layer,
        label=label,
        a=pair[0],
        b=pair[1],
        exact=f.prf(i, relaxed=False),
        relaxed=f.prf(i, relaxed=True),
        boundary_shifts=int(f.shifts.sum() if i is None else f.shifts[i]),
        kappa=pair_kappa(table) if units else None,
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
    "SpanColumns",
    "TextTokens",
    "compute_agreement",
    "kappa_from_table",
    "pack_bounds",
    "pair_kappa",
    "text_tokens",
    "token_bounds",
    "tokenizer_name",
    "unpack_bounds",
]
