"""The agreement statistics: precision/recall/F1, Cohen's kappa and Krippendorff's alpha.

Each is written out with the arithmetic of the library the figures are usually quoted from
(spaCy's ``PRFScore``, scikit-learn's ``cohen_kappa_score``, the ``krippendorff`` package), so
an agreement run needs neither spaCy nor scikit-learn imported; the tests check the figures
are equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


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


def binary_table(n11: int, n10: int, n01: int, total: int) -> np.ndarray:
    """The 2 x 2 contingency table of a binary coding from its counts (``1`` is "this label")."""
    return np.array([[total - n11 - n10 - n01, n01], [n10, n11]], dtype=np.int64)


def binary_tables(n11: np.ndarray, n10: np.ndarray, n01: np.ndarray, total: np.ndarray) -> np.ndarray:
    """:func:`binary_table` of each article: (n, 2, 2)."""
    return np.stack(
        [np.stack([total - n11 - n10 - n01, n01], axis=-1), np.stack([n10, n11], axis=-1)], axis=-2
    )


def table_kappas(tables: np.ndarray) -> np.ndarray:
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


def merged_alpha(diagonal: np.ndarray, rows: np.ndarray) -> float | None:
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


__all__ = [
    "PRF",
    "binary_table",
    "binary_tables",
    "kappa_from_table",
    "merged_alpha",
    "pair_kappa",
    "table_kappas",
]
