"""Accuracy with an honest error bar: a bootstrap 95% interval over the test set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


class Accuracy(NamedTuple):
    """An accuracy and the ends of its confidence interval, all between 0 and 1."""

    value: float
    low: float
    high: float
    n: int

    def separated_from(self, other: Accuracy) -> bool:
        """True when the two intervals do not overlap (a conservative test of a difference)."""
        return self.low > other.high or other.low > self.high

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"


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
    if len(truth) == 0:
        raise ValueError("The test set is empty: give at least one prediction.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}.")
    if resamples < 100:
        raise ValueError(f"Use at least 100 resamples (10,000 is a good default), got {resamples}.")
    correct = (truth == predicted).astype(float)
    rng = np.random.default_rng(seed)
    # Counting how often each item is drawn is the same as drawing indices, with less memory.
    counts = rng.multinomial(len(correct), np.full(len(correct), 1 / len(correct)), size=resamples)
    resampled = counts @ correct / len(correct)
    tail = (1 - confidence) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail])
    return Accuracy(float(correct.mean()), float(low), float(high), len(correct))
