"""Tests of the adaptive resolution: one fine table, merged per feature."""

import numpy as np
import pytest

from skmi import HistogramMI, histogram_mi_classif, histogram_mi_regression
from skmi._scoring._adaptive import (
    _FINE_RESOLUTIONS,
    candidates_for,
    resolution_plan,
    samples_per_cell,
)


def test_adaptive_equals_fixed_bins_at_the_chosen_resolution():
    """Check that merged fine bins are the k-quantile bins: the same scores as n_bins=k.

    Exact where k divides the fine resolutions; elsewhere each merged bin is whole fine
    bins, so its mass is within one fine bin (1 / fine of the data) of k-quantile's.
    """
    rng = np.random.default_rng(0)
    n = 3000
    x = rng.normal(size=n)
    X = np.c_[x, x**2 + 0.3 * rng.normal(size=n), rng.normal(size=n), np.sin(3 * x)]
    y = x + 0.5 * rng.normal(size=n)
    fines = resolution_plan(n)[2]
    est = HistogramMI(n_bins="adaptive", correction=None).fit(X, y)
    np.testing.assert_array_equal(est.n_bins_, est.target_n_bins_)
    exact = 0
    for j, k in enumerate(est.n_bins_):
        codes = np.searchsorted(est.bin_edges_[j][1:-1], X[:, j], side="right")
        assert np.abs(np.bincount(codes) - n / k).max() <= n / min(fines) + 1
        if all(fine % k == 0 for fine in fines):
            exact += 1
            fixed = histogram_mi_regression(X[:, [j]], y, n_bins=int(k), correction=None)
            assert est.scores_[j] == pytest.approx(fixed[0], abs=1e-12)
    assert exact > 0


def test_adaptive_resolution_follows_the_occupancy_rule():
    """Check that the chosen k keeps >= c(N) samples per occupied cell, and the next does not.

    The next finer candidate is checked with fixed bins: its table must fall below c(N), or
    be the largest candidate.
    """
    rng = np.random.default_rng(1)
    n = 4000
    x = rng.normal(size=n)
    X = np.c_[rng.normal(size=n), x + 0.05 * rng.normal(size=n)]
    c, k_max, fines, _, _ = resolution_plan(n)
    est = HistogramMI(n_bins="adaptive").fit(X, x)
    assert est.n_bins_[1] > est.n_bins_[0]  # concentrated data support finer tables
    for j, k in enumerate(est.n_bins_):
        first = candidates_for(fines[0], k_max)
        candidates = first if k < first[-1] else candidates_for(fines[-1], k_max)
        finer = candidates[candidates > k]
        if finer.size:
            joint = np.histogram2d(
                np.argsort(np.argsort(X[:, j])) * finer[0] // n,
                np.argsort(np.argsort(x)) * finer[0] // n,
                bins=finer[0],
                range=[[0, finer[0]], [0, finer[0]]],
            )[0]
            assert n < c * np.count_nonzero(joint)


@pytest.mark.parametrize(("m", "expected"), [(2, 0.34657), (5, 1.05492)])
def test_adaptive_keeps_every_category_of_a_tied_feature(m, expected):
    """Check that an integer feature keeps its m values as m bins (ties are not merged away).

    X ~ U{0..m-1}, Y|X ~ U(X, X+2): I = ln m - ((m-1)/m) ln 2. SE at N = 20,000 is under
    0.002; binning Y loses a little, so 0.03 is allowed.
    """
    rng = np.random.default_rng(m)
    n = 20_000
    x = rng.integers(0, m, n).astype(float)
    y = x + rng.uniform(0, 2, n)
    est = HistogramMI(n_bins="adaptive").fit(x[:, None], y)
    assert est.n_bins_[0] == m
    assert est.scores_[0] == pytest.approx(expected, abs=0.03)
    classes = histogram_mi_classif(y[:, None], x, n_bins="adaptive")
    assert classes[0] == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize(("n", "c"), [(100, 6.0), (1000, 6.0), (10_000, 8.0), (100_000, 10.0)])
def test_samples_per_cell(n, c):
    """Check c(N) = max(6, 2 log10 N) at the sizes the defaults were measured at."""
    assert samples_per_cell(n) == pytest.approx(c)


# By hand from the rules in ``_adaptive``'s docstrings: c = max(6, 2 log10 N);
# k_max = min(2 sqrt N, N / c) (at least 2); fine: the smallest of 12, 24, 36, 60, 120, 180,
# 240, 360 reaching 2.2 sqrt(N / c), and the smallest reaching k_max (360 at most), one
# entry when they coincide; test_k: the divisor of the first nearest max(4, N^(1/4)) in log.
RESOLUTION_PLANS = [
    # N = 100: c = 6; min(20, 16.7) -> 16; 2.2 sqrt(16.7) = 8.98 -> 12, 16 -> 24;
    # N^(1/4) = 3.16 < 4: 4 divides 12.
    (100, 6.0, 16, (12, 24), 4),
    # N = 1000: c = 6; min(63.2, 166.7) -> 63; 2.2 sqrt(166.7) = 28.4 -> 36, 63 -> 120;
    # N^(1/4) = 5.62 among 36's divisors 4, 6: |ln(6 / 5.62)| = 0.065 < |ln(4 / 5.62)| = 0.34.
    (1000, 6.0, 63, (36, 120), 6),
    # N = 1e4: c = 8; min(200, 1250) -> 200; 2.2 sqrt(1250) = 77.8 -> 120, 200 -> 240;
    # N^(1/4) = 10 divides 120.
    (10_000, 8.0, 200, (120, 240), 10),
    # N = 1e5: c = 10; min(632.5, 1e4) -> 632; 2.2 sqrt(1e4) = 220 -> 240, 632 -> 360 (cap);
    # N^(1/4) = 17.8 among 240's divisors 16, 20: ln(17.8 / 16) = 0.105 < ln(20 / 17.8) = 0.118.
    (100_000, 10.0, 632, (240, 360), 16),
    # N = 1e6: c = 12; min(2000, 83333) -> 2000; 2.2 sqrt(83333) = 635 -> 360 (cap) = the
    # second: one fine table; N^(1/4) = 31.6 among 360's divisors 30, 36:
    # ln(31.6 / 30) = 0.053 < ln(36 / 31.6) = 0.13.
    (1_000_000, 12.0, 2000, (360,), 30),
]


@pytest.mark.parametrize(("n", "c", "k_max", "fines", "test_k"), RESOLUTION_PLANS)
def test_resolution_plan_matches_hand_computed_values(n, c, k_max, fines, test_k):
    """Check c(N), k_max, the fine resolutions and the test resolution against values
    worked out by hand from the documented rules."""
    plan = resolution_plan(n)
    assert plan[0] == pytest.approx(c, rel=1e-12)
    assert (plan[1], tuple(plan[2]), plan[3]) == (k_max, fines, test_k)


@pytest.mark.parametrize("n", [2, 10, 100, 1000, 10_000, 100_000, 1_000_000])
def test_resolution_plan_fine_tables_and_candidates(n):
    """Check the ladder of fine resolutions and that candidates are whole fine bins."""
    _, k_max, fines, test_k, _ = resolution_plan(n)
    assert 2 <= k_max <= max(2, n)
    assert list(fines) == sorted(set(fines))
    assert fines[-1] >= k_max or fines[-1] == _FINE_RESOLUTIONS[-1]
    assert fines[0] % test_k == 0 and (test_k >= 4 or fines[0] < 4)
    for fine in fines:
        candidates = candidates_for(fine, k_max)
        assert ((fine % candidates == 0) | (2 * candidates <= fine)).all()
        assert 2 <= candidates.min() and candidates.max() <= max(2, k_max)


def test_threads_merging_groups_of_features_change_nothing():
    """Check that the adaptive merge run over groups of features in threads gives what one
    thread gives, where the groups' test tables differ in height (a feature of 50
    categories in one group, of 3 in the other), p-values and edges included."""
    rng = np.random.default_rng(5)
    n, d = 10_000, 20
    X = rng.standard_normal((n, d))
    X[:, 2] = rng.integers(0, 3, n)
    X[:, 15] = rng.integers(0, 50, n)
    y = X[:, 0] + 0.1 * X[:, 15] + rng.standard_normal(n)
    fits = [
        HistogramMI(
            n_bins="adaptive", discrete_features=[2, 15], n_jobs=n_jobs, random_state=0
        ).fit(X, y)
        for n_jobs in (1, 2)
    ]
    for name in ("scores_", "pvalues_", "standard_errors_", "entropy_", "n_bins_"):
        np.testing.assert_array_equal(getattr(fits[0], name), getattr(fits[1], name))
    for one, two in zip(fits[0].bin_edges_, fits[1].bin_edges_, strict=True):
        np.testing.assert_array_equal(one, two)
