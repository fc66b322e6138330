"""Every article laid end to end, as numpy columns: the arrays the agreement figures are computed on.

One table of tokens and, per layer, one table of spans, with offsets shifted by the length of
the texts before, so spans of different articles never overlap. Each measure is then a few
array operations over the whole corpus instead of a Python loop per article, pair and label;
the per-article figures come from the same arrays, grouped by article.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from annotator.review.spans import SpanColumns


@dataclass
class JoinedCorpus:
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
class LayerSpans:
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


def join_articles(
    columns: SpanColumns, names: list[str], bounds: list[tuple[np.ndarray, np.ndarray]]
) -> JoinedCorpus:
    """The articles of ``columns`` end to end, with their token ``bounds`` (in article order)."""
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
    return JoinedCorpus(
        n, present, text_offset, n_tokens, token_offset, np.repeat(np.arange(n), n_tokens), starts, ends
    )


def spans_by_layer(
    columns: SpanColumns, names: list[str], layers: tuple[str, ...], corpus: JoinedCorpus
) -> dict[str, LayerSpans]:
    """The spans of ``columns`` on each of ``layers``, in joined-text offsets (``names``: annotators)."""
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
        out[lay] = LayerSpans(labels, a, w, s, e, lab, first, stop, key, marked)
    return out


def expand_ranges(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index of the ranges ``[first, stop)`` and the number of the range it came from."""
    lengths = np.maximum(stop - first, 0)
    owner = np.repeat(np.arange(len(first)), lengths)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(len(owner)) - offsets[owner] + first[owner], owner


def relaxed_matches(sp: LayerSpans, left: np.ndarray, right: np.ndarray, corpus: JoinedCorpus) -> np.ndarray:
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
    position, owner = expand_ranges(lo, hi)
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


__all__ = [
    "JoinedCorpus",
    "LayerSpans",
    "expand_ranges",
    "join_articles",
    "relaxed_matches",
    "spans_by_layer",
]
