"""Bootstrap intervals for accuracy."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.evaluation import accuracy_interval


def test_interval_brackets_the_accuracy_and_matches_the_normal_approximation():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 400)
    predicted = np.where(rng.random(400) < 0.75, truth, 1 - truth)
    result = accuracy_interval(truth, predicted)
    assert result.low < result.value < result.high
    assert result.value == pytest.approx((truth == predicted).mean())
    half_width = 1.96 * np.sqrt(result.value * (1 - result.value) / 400)
    assert (result.high - result.low) / 2 == pytest.approx(half_width, rel=0.1)


def test_interval_shrinks_with_more_test_items_and_is_reproducible():
    small = accuracy_interval([1, 0] * 50, [1, 1] * 50)
    large = accuracy_interval([1, 0] * 500, [1, 1] * 500)
    assert large.high - large.low < small.high - small.low
    assert accuracy_interval([1, 0] * 50, [1, 1] * 50) == small
    assert accuracy_interval(["a", "b"], ["a", "a"]).value == 0.5


def test_perfect_predictions_have_no_spread():
    result = accuracy_interval(["pos"] * 20, ["pos"] * 20)
    assert (result.value, result.low, result.high) == (1.0, 1.0, 1.0)


def test_separation_needs_disjoint_intervals():
    good = accuracy_interval([1] * 200, [1] * 180 + [0] * 20)
    bad = accuracy_interval([1] * 200, [1] * 100 + [0] * 100)
    close = accuracy_interval([1] * 200, [1] * 176 + [0] * 24)
    assert good.separated_from(bad) and bad.separated_from(good)
    assert not good.separated_from(close)


@pytest.mark.parametrize(
    ("truth", "predicted", "options", "message"),
    [
        ([1, 0], [1], {}, "equal length"),
        ([], [], {}, "empty"),
        ([1], [1], {"confidence": 95}, "between 0 and 1"),
        ([1], [1], {"resamples": 10}, "at least 100"),
    ],
)
def test_bad_input_is_refused(truth, predicted, options, message):
    with pytest.raises(ValueError, match=message):
        accuracy_interval(truth, predicted, **options)
