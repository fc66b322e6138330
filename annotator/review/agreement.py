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

The pieces
    :mod:`~annotator.review.tokens` (token boundaries and their cache form),
    :mod:`~annotator.review.statistics` (PRF, kappa, alpha),
    :mod:`~annotator.review.agreement_report` (the report types),
    :mod:`~annotator.review.joined_corpus` (the articles end to end as arrays) and
    :mod:`~annotator.review.layer_measures` (the figures of one layer); this module puts them
    together in :func:`compute_agreement` and re-exports their public names.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from annotator.errors import AnnotatorError
from annotator.review.agreement_report import (
    AgreementReport,
    ArticleAgreement,
    LabelAgreement,
    ModelAcceptance,
    PairAgreement,
)
from annotator.review.joined_corpus import JoinedCorpus, LayerSpans, join_articles, spans_by_layer
from annotator.review.layer_measures import (
    OUTSIDE,
    LayerFigures,
    label_alpha,
    measure_layer,
    pair_agreement,
)
from annotator.review.spans import ArticleSpans, SpanColumns, check_layers
from annotator.review.statistics import PRF, kappa_from_table, pair_kappa
from annotator.review.tokens import (
    TextTokens,
    pack_bounds,
    text_tokens,
    token_bounds,
    tokenizer_name,
    unpack_bounds,
)


@dataclass(frozen=True)
class _Roles:
    """Who is compared with whom.

    ``names`` holds every annotator in the order of the corpus' columns; ``compared`` the ones
    in the overall figures; ``pairs`` every pair measured (humans with each other, then each
    human with the model); ``aggregate_pairs`` those of them between compared annotators.
    """

    names: list[str]
    humans: list[str]
    compared: list[str]
    pairs: list[tuple[str, str]]
    aggregate_pairs: list[tuple[str, str]]

    @property
    def who(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.names)}


def _roles(columns: SpanColumns, model: str | None, include_model: bool) -> _Roles:
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
    return _Roles(names, humans, compared, pairs, aggregate_pairs)


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
    roles = _roles(columns, model, include_model)
    if tokens is None:
        tokens = text_tokens(columns.texts)
    elif len(tokens.bounds) != len(columns):
        raise ValueError(f"token boundaries of {len(tokens.bounds)} texts for {len(columns)} articles")
    corpus = join_articles(columns, roles.names, tokens.bounds)
    layer_spans = spans_by_layer(columns, roles.names, layers, corpus)
    figures = {
        lay: measure_layer(lay, layer_spans[lay], corpus, roles.names, roles.pairs, roles.compared)
        for lay in layers
    }
    per_article = _article_agreements(columns, corpus, figures, roles)
    overall, pair_results = _overall_and_pairs(figures, roles, model)
    model_acceptance = _model_acceptance(layer_spans, corpus, roles.humans, roles.who, model) if model else ()
    return AgreementReport(
        layers=layers,
        annotators=tuple(roles.compared),
        model=model,
        include_model=include_model,
        overall=tuple(overall),
        pairs=tuple(pair_results),
        articles=tuple(per_article),
        model_acceptance=model_acceptance,
        tokenizer=tokens.tokenizer,
        n_articles=len(columns),
    )


def _article_columns(figures: LayerFigures, corpus: JoinedCorpus, aggregate_pairs: list) -> tuple[list, ...]:
    """Per article of one layer: pooled span counts, and the kappas of the compared pairs (NaN: none)."""
    agg = [figures.pairs[p] for p in aggregate_pairs]
    zeros = np.zeros(corpus.n_articles, dtype=np.int64)
    exact = sum((f.article_exact * f.both for f in agg), zeros)
    shifts = sum((f.article_shifts * f.both for f in agg), zeros)
    n_a = sum((f.article_n_a * f.both for f in agg), zeros)
    n_b = sum((f.article_n_b * f.both for f in agg), zeros)
    kappas = np.column_stack(
        [np.where(f.both, f.article_kappa, np.nan) for f in agg] or [np.full(corpus.n_articles, np.nan)]
    )
    return (
        exact.tolist(),
        (exact + shifts).tolist(),
        n_a.tolist(),
        n_b.tolist(),
        shifts.tolist(),
        kappas.tolist(),
        figures.article_spans.tolist(),
    )


def _article_agreements(
    columns: SpanColumns, corpus: JoinedCorpus, figures: dict[str, LayerFigures], roles: _Roles
) -> list[ArticleAgreement]:
    """Per article and layer with two or more compared annotators: pooled F1, mean kappa; worst first."""
    per_layer = {lay: _article_columns(f, corpus, roles.aggregate_pairs) for lay, f in figures.items()}
    who = roles.who
    coder_index = [(n, who[n]) for n in roles.compared]
    per_article: list[ArticleAgreement] = []
    for i, (article_id, here) in enumerate(zip(columns.article_ids, corpus.present.tolist(), strict=True)):
        coders = [(n, w) for n, w in coder_index if here[w]]
        if len(coders) < 2:
            continue
        for lay in figures:
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
    per_article.sort(key=ArticleAgreement.sort_key)
    return per_article


def _overall_and_pairs(
    figures: dict[str, LayerFigures], roles: _Roles, model: str | None
) -> tuple[list[LabelAgreement], list[PairAgreement]]:
    """Per layer, then per label of it: the pooled figures of the compared pairs, and every pair's."""
    overall: list[LabelAgreement] = []
    pair_results: list[PairAgreement] = []
    who = roles.who
    for lay, state in figures.items():
        for label in [None, *state.labels]:
            pair_entries = [pair_agreement(state, p, label, model) for p in roles.pairs]
            pair_results.extend(pair_entries)
            agg = [e for e, p in zip(pair_entries, roles.pairs, strict=True) if p in roles.aggregate_pairs]
            kappas = [e.kappa for e in agg if e.kappa is not None]
            counts = state.spans.sum(axis=1) if label is None else state.spans[:, state.index[label]]
            overall.append(
                LabelAgreement(
                    layer=lay,
                    label=label,
                    annotators=tuple(roles.compared),
                    spans={n: int(counts[who[n]]) for n in roles.compared},
                    exact=sum((e.exact for e in agg), PRF(0, 0, 0)),
                    relaxed=sum((e.relaxed for e in agg), PRF(0, 0, 0)),
                    boundary_shifts=sum(e.boundary_shifts for e in agg),
                    kappa=float(np.mean(kappas)) if kappas else None,
                    alpha=label_alpha(state, label),
                )
            )
    return overall, pair_results


def _model_acceptance(
    layer_spans: dict[str, LayerSpans],
    corpus: JoinedCorpus,
    humans: list[str],
    who: dict[str, int],
    model: str,
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
