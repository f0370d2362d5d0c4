"""Accuracy with an honest error bar, and a paired test of whether one method beats another.

`accuracy_interval` gives one method's accuracy with a bootstrap 95% interval;
`exact_interval` gives a share of hits with the exact binomial (Clopper-Pearson)
interval, which stays honest for a small sample with no or only hits.
`paired_difference` compares two methods scored on the same test items: a paired
bootstrap interval of the accuracy difference, and McNemar's exact test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy.stats import binomtest


class Accuracy(NamedTuple):
    """An accuracy and the ends of its confidence interval, all between 0 and 1."""

    value: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"


def _check_bootstrap(n: int, confidence: float, resamples: int) -> None:
    """Raise a clear ValueError for an empty test set or unusable bootstrap settings."""
    if n == 0:
        raise ValueError("The test set is empty: give at least one prediction.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}.")
    if resamples < 100:
        raise ValueError(f"Use at least 100 resamples (10,000 is a good default), got {resamples}.")


def accuracy_interval(
    y_true: Sequence, y_pred: Sequence, *, confidence: float = 0.95, resamples: int = 10_000, seed: int = 0
) -> Accuracy:
    """Accuracy of `y_pred` and its percentile-bootstrap interval.

    The test set is resampled with replacement `resamples` times; the interval holds
    the middle `confidence` share of the resampled accuracies. A fixed `seed` makes
    it reproducible.
    """
    truth, predicted = np.asarray(y_true), np.asarray(y_pred)
    if truth.ndim != 1 or truth.shape != predicted.shape:
        raise ValueError(f"Give two 1-D sequences of equal length, got shapes {truth.shape} and {predicted.shape}.")
    _check_bootstrap(len(truth), confidence, resamples)
    correct = (truth == predicted).astype(float)
    rng = np.random.default_rng(seed)
    # Counting how often each item is drawn is the same as drawing indices, with less memory.
    counts = rng.multinomial(len(correct), np.full(len(correct), 1 / len(correct)), size=resamples)
    resampled = counts @ correct / len(correct)
    tail = (1 - confidence) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail])
    return Accuracy(float(correct.mean()), float(low), float(high), len(correct))


def exact_interval(hits: Sequence, *, confidence: float = 0.95) -> Accuracy:
    """Share of true values in `hits` and its exact (Clopper-Pearson) interval.

    The interval holds every share p for which the observed number of hits is not
    in either `(1 - confidence) / 2` tail of Binomial(n, p). Unlike a bootstrap
    interval, it does not collapse to a point for 0 or n hits: 0 of 48 gives
    [0, 0.074]. It needs no resampling, so it is deterministic.
    """
    values = np.asarray(hits)
    if values.ndim != 1:
        raise ValueError(f"Give a 1-D sequence of hits, got shape {values.shape}.")
    _check_bootstrap(len(values), confidence, 100)
    n, k = len(values), int(np.count_nonzero(values))
    interval = binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
    return Accuracy(k / n, float(interval.low), float(interval.high), n)


class Difference(NamedTuple):
    """Accuracy of method A minus that of method B on the same items, with a paired test.

    `low` and `high` are the ends of the paired-bootstrap interval of the difference;
    `a_only` and `b_only` count the items that only A, or only B, got right; `p_value`
    is McNemar's exact two-sided test of "A and B are equally accurate".
    """

    value: float
    low: float
    high: float
    n: int
    a_only: int
    b_only: int
    p_value: float

    @property
    def a_better(self) -> bool:
        """A beats B: the whole interval of the difference lies above 0."""
        return self.low > 0

    @property
    def b_better(self) -> bool:
        """B beats A: the whole interval of the difference lies below 0."""
        return self.high < 0

    def within(self, margin: float) -> bool:
        """A and B are equivalent up to `margin`: the whole interval lies inside ±margin."""
        return -margin < self.low and self.high < margin

    def __str__(self) -> str:
        return (
            f"{self.value:+.3f} [{self.low:+.3f}, {self.high:+.3f}] "
            f"(only A right {self.a_only}, only B {self.b_only}, p={self.p_value:.2g})"
        )


def paired_difference(
    y_true: Sequence,
    pred_a: Sequence,
    pred_b: Sequence,
    *,
    confidence: float = 0.95,
    resamples: int = 10_000,
    seed: int = 0,
) -> Difference:
    """Accuracy of `pred_a` minus that of `pred_b`, both on the items of `y_true`.

    The test is paired: each resample of the bootstrap draws items (with replacement)
    and scores both methods on the same drawn items, so the interval reflects only how
    much the two methods disagree, not how hard the items happen to be. McNemar's exact
    test uses only the items on which exactly one of the two methods is right: if both
    methods were equally accurate, each such item would be A's with probability 1/2.
    """
    truth, a, b = np.asarray(y_true), np.asarray(pred_a), np.asarray(pred_b)
    if truth.ndim != 1 or truth.shape != a.shape or truth.shape != b.shape:
        raise ValueError(
            f"Give three 1-D sequences of equal length, got shapes {truth.shape}, {a.shape} and {b.shape}."
        )
    _check_bootstrap(len(truth), confidence, resamples)
    right_a, right_b = truth == a, truth == b
    difference = right_a.astype(float) - right_b.astype(float)  # +1, 0 or -1 per item
    a_only, b_only = int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    # A resample's mean difference depends only on how many +1 and -1 items it draws, so
    # drawing those two counts (a multinomial over +1, -1 and 0) is the same bootstrap as
    # drawing len(truth) items one by one, and much faster.
    n = len(truth)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, [a_only / n, b_only / n, 1 - (a_only + b_only) / n], size=resamples)
    resampled = (counts[:, 0] - counts[:, 1]) / n
    tail = (1 - confidence) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail])
    p_value = binomtest(a_only, a_only + b_only, 0.5).pvalue if a_only + b_only else 1.0
    return Difference(float(difference.mean()), float(low), float(high), len(truth), a_only, b_only, float(p_value))
