"""PRF, kappa and alpha arithmetic checked against spaCy, scikit-learn and the krippendorff package."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.review.statistics import PRF, kappa_from_table, pair_kappa


def test_kappa_table_formula_equals_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, 200)
    b = np.where(rng.random(200) < 0.7, a, rng.integers(0, 4, 200))
    table = np.bincount(a * 4 + b, minlength=16).reshape(4, 4)
    assert kappa_from_table(table) == pytest.approx(cohen_kappa_score(a, b))
    assert kappa_from_table(np.array([[7, 0], [0, 0]])) is None  # one code only: undefined


def _sklearn_kappa(table: np.ndarray) -> float | None:
    """scikit-learn's kappa of a contingency table, its cells passed as weighted samples."""
    from sklearn.metrics import cohen_kappa_score

    rows, cols = np.nonzero(table)
    value = cohen_kappa_score(rows, cols, labels=np.arange(len(table)), sample_weight=table[rows, cols])
    return None if np.isnan(value) else float(value)


def test_pair_kappa_is_scikit_learns_to_the_last_digit():
    rng = np.random.default_rng(11)
    tables = [
        np.array([[5, 0, 0], [0, 1, 0], [1, 0, 3]]),
        np.array([[0, 3], [4, 0]]),
        np.array([[9, 1], [0, 0]]),
    ]
    for _ in range(300):
        k = int(rng.integers(2, 8))
        table = rng.integers(0, 1000, (k, k)) * (rng.random((k, k)) < 0.6)
        table[np.diag_indices(k)] += rng.integers(0, 50_000, k)
        tables.append(table)
    for table in tables:
        assert pair_kappa(table) == _sklearn_kappa(table), table
    assert pair_kappa(np.array([[7, 0], [0, 0]])) is None  # one code only: undefined
    assert pair_kappa(np.zeros((3, 3), dtype=np.int64)) is None


def test_prf_is_spacys_prfscore():
    from spacy.scorer import PRFScore

    for tp, fp, fn in [(3, 1, 2), (0, 4, 0), (0, 0, 5), (7, 0, 0), (1234, 567, 89)]:
        ours, theirs = PRF(tp, fp, fn), PRFScore(tp=tp, fp=fp, fn=fn)
        assert (ours.precision, ours.recall, ours.f1) == (theirs.precision, theirs.recall, theirs.fscore)
    assert (PRF(0, 0, 0).precision, PRF(0, 0, 0).recall, PRF(0, 0, 0).f1) == (1.0, 1.0, 1.0)
