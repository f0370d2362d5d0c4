"""Bootstrap intervals for accuracy and the paired test of a difference."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from helpers.evaluation import accuracy_interval, exact_interval, paired_difference


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


def test_exact_interval_is_clopper_pearson_and_honest_at_zero_hits():
    # 0 of 48: the bootstrap collapses to [0, 0]; the exact upper end solves
    # P(0 hits | p) = 0.025, i.e. (1 - p) ** 48 = 0.025.
    none = exact_interval([False] * 48)
    assert (none.value, none.low, none.n) == (0.0, 0.0, 48)
    assert none.high == pytest.approx(1 - 0.025 ** (1 / 48))
    assert accuracy_interval([1] * 48, [0] * 48)[1:3] == (0.0, 0.0)
    every = exact_interval(np.ones(48, dtype=bool))
    assert every.high == 1.0 and every.low == pytest.approx(0.025 ** (1 / 48))
    # 16 of 48: the ends are where the binomial tails hold 2.5% each
    from scipy.stats import binom

    third = exact_interval([True] * 16 + [False] * 32)
    assert third.low < 1 / 3 < third.high
    assert binom.sf(15, 48, third.low) == pytest.approx(0.025)
    assert binom.cdf(16, 48, third.high) == pytest.approx(0.025)
    # with many items it agrees with the bootstrap to about a point
    rng = np.random.default_rng(2)
    hits = rng.random(2000) < 0.7
    boot = accuracy_interval(np.ones(2000), hits.astype(float))
    assert exact_interval(hits)[1:3] == pytest.approx(boot[1:3], abs=0.005)
    with pytest.raises(ValueError, match="empty"):
        exact_interval([])


def test_paired_test_detects_a_real_difference():
    # A is right on 80% of 400 items, B on the same items but wrong on 40 more: 70%.
    truth = np.array([1, 0] * 200)
    a = truth.copy()
    a[:80] = 1 - a[:80]
    b = a.copy()
    b[100:140] = 1 - b[100:140]
    result = paired_difference(truth, a, b)
    assert result.value == pytest.approx(0.10)
    assert (result.a_only, result.b_only) == (40, 0)
    assert result.a_better and not result.b_better and result.p_value < 1e-6
    assert result.low < 0.10 < result.high
    swapped = paired_difference(truth, b, a)
    assert swapped.b_better and swapped.value == pytest.approx(-0.10)


def test_paired_test_finds_no_difference_where_there_is_none():
    # A and B are each right on 75% of 2,000 items, each wrong on a different 25%.
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 2, 2000)
    a = np.where(rng.random(2000) < 0.75, truth, 1 - truth)
    b = np.where(rng.random(2000) < 0.75, truth, 1 - truth)
    result = paired_difference(truth, a, b)
    assert not result.a_better and not result.b_better
    assert result.low < 0 < result.high and result.p_value > 0.05
    assert result.within(0.04)  # 2,000 items pin the difference down to a few points
    assert not paired_difference(truth[:100], a[:100], b[:100]).within(0.04)  # 100 do not


def test_pairing_is_sharper_than_comparing_two_intervals():
    # B = A with 30 of 1,000 right answers flipped to wrong: the two accuracy intervals
    # overlap, yet every item that differs favours A, and the paired test sees it.
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 1000)
    a = np.where(rng.random(1000) < 0.8, truth, 1 - truth)
    b = a.copy()
    flip = np.flatnonzero(a == truth)[:30]
    b[flip] = 1 - b[flip]
    one, other = accuracy_interval(truth, a), accuracy_interval(truth, b)
    assert one.low < other.high  # the intervals overlap
    result = paired_difference(truth, a, b)
    assert result.a_better and result.value == pytest.approx(0.03)
    assert result.p_value == pytest.approx(binomtest(30, 30, 0.5).pvalue)
    assert str(result).startswith("+0.030 [") and "only B 0" in str(result)


def test_the_fast_bootstrap_equals_resampling_items_one_by_one():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 2, 300)
    a = np.where(rng.random(300) < 0.8, truth, 1 - truth)
    b = np.where(rng.random(300) < 0.7, truth, 1 - truth)
    difference = (a == truth).astype(float) - (b == truth)
    by_items = [difference[rng.integers(0, 300, 300)].mean() for _ in range(10_000)]
    result = paired_difference(truth, a, b)
    np.testing.assert_allclose([result.low, result.high], np.quantile(by_items, [0.025, 0.975]), atol=0.006)


def test_identical_predictions_differ_by_exactly_zero():
    result = paired_difference(["a", "b", "a"], ["a", "a", "a"], ["a", "a", "a"])
    assert (result.value, result.low, result.high, result.p_value) == (0.0, 0.0, 0.0, 1.0)
    assert result.within(0.01) and not result.a_better


@pytest.mark.parametrize(
    ("truth", "a", "b", "message"),
    [([1, 0], [1, 0], [1], "equal length"), ([], [], [], "empty")],
)
def test_paired_test_refuses_bad_input(truth, a, b, message):
    with pytest.raises(ValueError, match=message):
        paired_difference(truth, a, b)


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
