"""The figures of one layer over the joined corpus: per pair of annotators, per article, and alpha.

Token codings (see :mod:`annotator.review.agreement` for the definitions):

*entity*
    One nominal code per token and annotator: 0 is :data:`OUTSIDE`, ``i + 1`` the label ``i``
    of the covering span (the last one in span order where spans overlap).
*issue*
    The (token, label) units each annotator marked; a unit nobody marked is coded 0 by every
    annotator of the article, for each label anyone used there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from annotator.model import ENTITY
from annotator.review.agreement_report import PairAgreement
from annotator.review.joined_corpus import JoinedCorpus, LayerSpans, expand_ranges, relaxed_matches
from annotator.review.statistics import (
    PRF,
    binary_table,
    binary_tables,
    merged_alpha,
    pair_kappa,
    table_kappas,
)

OUTSIDE = "O"  # the entity code of a token no span covers


@dataclass
class PairFigures:
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
class LayerFigures:
    """Figures of one layer over all articles (alpha: units where every coder agreed merged)."""

    layer: str
    labels: list[str]
    index: dict[str, int]
    pairs: dict[tuple[str, str], PairFigures]
    spans: np.ndarray  # (annotators, labels) span counts
    article_spans: np.ndarray  # (articles, annotators) span counts
    alpha_rows: np.ndarray | None = None  # entity: (units, codes); issue: (units, 3) = (label, zeros, ones)
    alpha_diag: np.ndarray | None = None  # entity: (codes,)
    alpha_diag0: np.ndarray | None = None  # issue: (labels,)
    alpha_diag1: np.ndarray | None = None


@dataclass
class _TokenCoding:
    """How every annotator coded the tokens of one layer (see the module docstring).

    ``codes`` (entity): (annotators, tokens). ``units`` (issue): per annotator, the units it
    marked as ``token * labels + label``, sorted; ``article_labels``: the number of labels
    anyone used in each article.
    """

    codes: np.ndarray | None = None
    units: dict[int, np.ndarray] | None = None
    article_labels: np.ndarray | None = None


def _code_tokens(layer: str, sp: LayerSpans, corpus: JoinedCorpus, n_names: int) -> _TokenCoding:
    nl, n_tokens_all = len(sp.labels), len(corpus.starts)
    cover, owner = expand_ranges(sp.first, sp.stop)
    if layer == ENTITY:
        last = np.full(n_names * n_tokens_all, -1, dtype=np.int64)
        np.maximum.at(last, sp.who[owner] * n_tokens_all + cover, owner)
        codes = np.zeros(n_names * n_tokens_all, dtype=np.int64)
        hit = last >= 0
        codes[hit] = sp.label[last[hit]] + 1
        return _TokenCoding(codes=codes.reshape(n_names, n_tokens_all))
    marks = np.unique((sp.who[owner] * n_tokens_all + cover) * nl + sp.label[owner])
    per_who = np.searchsorted(marks, np.arange(n_names + 1) * n_tokens_all * nl)
    units = {w: marks[per_who[w] : per_who[w + 1]] - w * n_tokens_all * nl for w in range(n_names)}
    used = np.unique(sp.article * nl + sp.label)
    return _TokenCoding(units=units, article_labels=np.bincount(used // nl, minlength=corpus.n_articles))


def _pair_figures(
    layer: str, sp: LayerSpans, corpus: JoinedCorpus, coding: _TokenCoding, ia: int, ib: int
) -> PairFigures:
    """Span and token figures of annotators ``ia`` and ``ib`` on the articles both annotated."""
    nl, na_ = len(sp.labels), corpus.n_articles
    tok_art = corpus.token_article
    both = corpus.present[:, ia] & corpus.present[:, ib]
    on_a = np.flatnonzero((sp.who == ia) & both[sp.article])
    on_b = np.flatnonzero((sp.who == ib) & both[sp.article])
    exact_a = sp.marked[sp.key[on_a], ib]
    exact_b = sp.marked[sp.key[on_b], ia]
    shifted = relaxed_matches(sp, on_a[~exact_a], on_b[~exact_b], corpus)
    f = PairFigures(
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
    if layer == ENTITY:
        k, codes = nl + 1, coding.codes
        shared = both[tok_art]
        cells = (tok_art[shared] * k + codes[ia, shared]) * k + codes[ib, shared]
        tables = np.bincount(cells, minlength=na_ * k * k).reshape(na_, k, k)
        f.table = tables.sum(axis=0)
    else:
        units = coding.units
        ua = units[ia][both[tok_art[units[ia] // nl]]]
        ub = units[ib][both[tok_art[units[ib] // nl]]]
        u11 = np.intersect1d(ua, ub, assume_unique=True)
        f.n11 = np.bincount(u11 % nl, minlength=nl)
        f.na = np.bincount(ua % nl, minlength=nl)
        f.nb = np.bincount(ub % nl, minlength=nl)
        n11, n1_, n_1 = (np.bincount(tok_art[u // nl], minlength=na_) for u in (u11, ua, ub))
        tables = binary_tables(n11, n1_ - n11, n_1 - n11, coding.article_labels * corpus.n_tokens)
    f.article_kappa = table_kappas(tables)
    return f


def _entity_alpha(figures: LayerFigures, corpus: JoinedCorpus, codes: np.ndarray, coders: list[int]) -> None:
    """Fill in the merged coincidences of the entity codes on articles two or more ``coders`` rated."""
    tok_art = corpus.token_article
    m = corpus.present[:, coders].sum(axis=1)
    tokens = np.flatnonzero((m >= 2)[tok_art])
    counts = np.zeros((len(tokens), len(figures.labels) + 1), dtype=np.int64)
    positions = np.arange(len(tokens))
    for c in coders:
        counts[positions, codes[c, tokens]] += corpus.present[tok_art[tokens], c]
    agree = counts.max(axis=1) == m[tok_art[tokens]]
    figures.alpha_diag = counts[agree].sum(axis=0)
    figures.alpha_rows = counts[~agree]


def _issue_alpha(
    figures: LayerFigures, corpus: JoinedCorpus, units: dict[int, np.ndarray], coders: list[int]
) -> None:
    """Fill in the merged coincidences of the (token, label) units, per label.

    Every rated article codes each token 0 for every label, except the units someone marked.
    """
    nl, tok_art = len(figures.labels), corpus.token_article
    m = corpus.present[:, coders].sum(axis=1)
    rated = m >= 2
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
    figures.alpha_diag0, figures.alpha_diag1 = diag0, diag1
    figures.alpha_rows = np.column_stack([label[split], coders_of[split] - ones[split], ones[split]])


def measure_layer(
    layer: str,
    sp: LayerSpans,
    corpus: JoinedCorpus,
    names: list[str],
    pairs: list[tuple[str, str]],
    compared: list[str],
) -> LayerFigures:
    """Every pair's figures on ``layer`` and the alpha coincidences of the ``compared`` annotators.

    Parameters
    ----------
    layer
        ``"entity"`` or ``"issue"``.
    sp
        The layer's spans over the joined ``corpus``.
    names
        Every annotator, in the order of the corpus' columns.
    pairs
        The pairs to compare, as names.
    compared
        The annotators alpha is computed over (on articles where at least two of them worked).
    """
    who = {n: i for i, n in enumerate(names)}
    nl, na_, nn = len(sp.labels), corpus.n_articles, len(names)
    coding = _code_tokens(layer, sp, corpus, nn)
    figures = LayerFigures(
        layer,
        sp.labels,
        {label: i for i, label in enumerate(sp.labels)},
        {(a, b): _pair_figures(layer, sp, corpus, coding, who[a], who[b]) for a, b in pairs},
        spans=np.bincount(sp.who * nl + sp.label, minlength=nn * nl).reshape(nn, nl),
        article_spans=np.bincount(sp.article * nn + sp.who, minlength=na_ * nn).reshape(na_, nn),
    )
    coders = [who[n] for n in compared]
    if layer == ENTITY:
        _entity_alpha(figures, corpus, coding.codes, coders)
    else:
        _issue_alpha(figures, corpus, coding.units, coders)
    return figures


def label_alpha(state: LayerFigures, label: str | None) -> float | None:
    """Krippendorff's alpha of the layer (``label`` None) or of one label, coded binary."""
    rows = state.alpha_rows
    if state.layer == ENTITY:
        if label is None:
            return merged_alpha(state.alpha_diag, rows)
        c = state.index[label] + 1
        coders = rows.sum(axis=1)
        marked = rows[:, c]
        split = marked > 0
        diag = np.array(
            [state.alpha_diag.sum() - state.alpha_diag[c] + coders[~split].sum(), state.alpha_diag[c]]
        )
        return merged_alpha(diag, np.column_stack([coders[split] - marked[split], marked[split]]))
    diag0, diag1 = state.alpha_diag0, state.alpha_diag1
    if label is None:
        return merged_alpha(np.array([diag0.sum(), diag1.sum()]), rows[:, 1:])
    i = state.index[label]
    return merged_alpha(np.array([diag0[i], diag1[i]]), rows[rows[:, 0] == i, 1:])


def pair_agreement(
    state: LayerFigures, pair: tuple[str, str], label: str | None, model: str | None
) -> PairAgreement:
    """The figures of ``pair`` on the layer (``label`` None) or one label; ``model`` flags its pairs."""
    f = state.pairs[pair]
    total = f.tokens
    i = None if label is None else state.index[label]
    if state.layer == ENTITY:
        table = f.table
        units = total
        if i is not None:
            c = i + 1
            n11 = int(table[c, c])
            table = binary_table(n11, int(table[c].sum()) - n11, int(table[:, c].sum()) - n11, total)
    elif i is None:
        # Micro-average over the labels anyone used: one unit per (token, label).
        units = total * len(state.labels)
        n11, na, nb = f.n11, f.na, f.nb
        table = binary_table(int(n11.sum()), int((na - n11).sum()), int((nb - n11).sum()), units)
    else:
        units = total
        table = binary_table(int(f.n11[i]), int(f.na[i] - f.n11[i]), int(f.nb[i] - f.n11[i]), units)
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


__all__ = ["OUTSIDE", "LayerFigures", "PairFigures", "label_alpha", "measure_layer", "pair_agreement"]
