"""Tests of point masses and discrete values: the rank rule that gives a value holding a
bin's share of the rows a bin of its own (``skmi._binning``, ``rank_groups``), on every path.

Each test of the first group is one row of the table of cases that found the defect: a
mostly-one-value column, a 0/1 flag, integer codes, rare levels. The reference is the exact
discrete plug-in estimate, computed here from the values' own counts
(``sklearn.metrics.mutual_info_score``, ``np.unique``), never from skmi.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import entropy as scipy_entropy
from sklearn.datasets import load_digits
from sklearn.feature_selection import chi2
from sklearn.metrics import mutual_info_score

from skmi import (
    EntropyBinner,
    HistogramMI,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)
from skmi._binning import value_counts, value_edges
from skmi._kernels._merging import rank_groups
from skmi._tables import sample_rows


def _plugin_entropy(x):
    return scipy_entropy(np.unique(x, return_counts=True)[1])


def _groups(counts, k, single=None):
    cumulative = np.cumsum(counts).astype(np.int64)
    single = np.ones(len(counts), dtype=np.uint8) if single is None else np.asarray(single)
    return rank_groups(cumulative, single.astype(np.uint8), k)


def test_rank_groups_one_bin_per_value():
    """Check that at most k occupied values get one bin each, empty units joining the bin
    before them."""
    np.testing.assert_array_equal(_groups([5, 0, 1, 7], 3), [0, 0, 1, 2])
    np.testing.assert_array_equal(_groups([1, 1, 1, 1], 4), [0, 1, 2, 3])


def test_rank_groups_without_masses_is_the_quantile_rule():
    """Check that with no point mass a unit goes to the bin of its last sample,
    floor((cumulative - 1) k / n), the plain quantile rule."""
    counts = np.ones(20, dtype=np.int64)
    cumulative = np.cumsum(counts)
    expected = (cumulative - 1) * 4 // 20
    np.testing.assert_array_equal(_groups(counts, 4), expected)
    # Units of several values (fine bins) are never masses, however large.
    np.testing.assert_array_equal(_groups([10, 1, 9], 2, single=[0, 0, 0]), [0, 1, 1])


def test_rank_groups_mass_and_continuous_rest():
    """Check a mass of 50 of 100 samples at k = 5: its own bin, the 50 distinct values
    after it in the 4 bins left, 12 or 13 each by rank."""
    counts = np.r_[50, np.ones(50, dtype=np.int64)]
    groups = _groups(counts, 5)
    assert groups[0] == 0
    rest = groups[1:]
    np.testing.assert_array_equal(rest, 1 + np.arange(50) * 4 // 50)


def test_rank_groups_mass_in_the_middle_splits_the_rest_by_share():
    """Check that the runs either side of a mass share the bins left in proportion to
    their samples: 30 values, a mass of 40, 30 values at k = 7 give 3, 1 and 3 bins."""
    counts = np.r_[np.ones(30, dtype=np.int64), 40, np.ones(30, dtype=np.int64)]
    groups = _groups(counts, 7)
    assert np.unique(groups[:30]).size == 3
    assert groups[30] == 3 and groups[29] == 2 and groups[31] == 4
    assert np.unique(groups[31:]).size == 3
    assert np.all(np.diff(groups) >= 0)


def test_rank_groups_never_more_bins_than_asked():
    """Check that masses give way (smallest first) when the runs between them would need
    more bins than are left: never more than k bins, for any counts."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        counts = rng.integers(0, 30, size=rng.integers(2, 40))
        counts[rng.random(counts.size) < 0.2] = 0
        if counts.sum() == 0:
            continue
        k = int(rng.integers(1, 12))
        groups = _groups(counts, k)
        assert np.all(np.diff(groups) >= 0)
        assert np.unique(groups[counts > 0]).size <= k


def test_value_edges_mass_bin_holds_the_value_alone():
    """Check that the bin after a mass starts just above it: new values close to the mass
    fall in the next bin, not the mass's."""
    x = np.sort(np.r_[np.zeros(60), np.linspace(1, 2, 40)])
    edges, single = value_edges(*value_counts(x), 4, "quantile")
    assert edges[0] == 0 and edges[1] == np.nextafter(0, 1)
    assert single.tolist() == [True, False, False, False]


@pytest.mark.parametrize("flip", [False, True])
def test_entropy_of_a_three_to_one_column(flip):
    """Check that [0, 0, 0, 1] at 2 bins reads H = 0.811 bits, and so does 1 - x: the
    value holding most rows no longer swallows the other."""
    x = np.array([[0.0], [0.0], [0.0], [1.0]])
    x = 1 - x if flip else x
    expected = -(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25))
    np.testing.assert_allclose(
        histogram_entropy(x, n_bins=2, base=2, correction=None), [expected], rtol=1e-12
    )


def test_entropy_of_sixteen_symbols_counts_every_symbol():
    """Check that 16 equally likely symbols at 16 bins use 16 bins and read the plug-in
    entropy of the symbols (about 4 bits at 1e4 draws)."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 16, size=10_000).reshape(-1, 1).astype(float)
    binner = EntropyBinner(16, correction=None).fit(x)
    assert binner.n_bins_[0] == 16
    np.testing.assert_allclose(binner.entropy_, [_plugin_entropy(x)], rtol=1e-12)
    assert abs(histogram_entropy(x, n_bins=16, base=2, correction=None)[0] - 4) < 0.01


@pytest.mark.parametrize("n_bins", [4, 8, "adaptive"])
def test_mi_of_a_discrete_column_with_itself_is_its_entropy(n_bins):
    """Check that I(x; x) = H(x), plug-in, for a 4-valued x of unequal frequencies, by the
    score function (at 4 and 8 bins and adaptively) and by pairwise MI."""
    rng = np.random.default_rng(2)
    x = rng.choice([0.0, 1.0, 5.0, 9.0], size=1000, p=[0.6, 0.25, 0.1, 0.05])
    X = x.reshape(-1, 1)
    expected = _plugin_entropy(x)
    got = histogram_mi_regression(X, x, n_bins=n_bins, correction=None)
    np.testing.assert_allclose(got, [expected], rtol=1e-12)
    if n_bins != "adaptive":
        pair = pairwise_histogram_mi(X, X, n_bins=n_bins, correction=None)
        np.testing.assert_allclose(pair, [[expected]], rtol=1e-12)


def _flag(share, n, rng):
    """A 0/1 flag set on ``share`` of n rows, all of them of class 1, and the classes."""
    y = np.r_[np.zeros(n // 2), np.ones(n - n // 2)].astype(int)
    flag = np.zeros(n)
    flag[rng.choice(np.flatnonzero(y == 1), int(share * n), replace=False)] = 1
    return flag, y


@pytest.mark.parametrize("share", [0.15, 0.01])
def test_rare_flag_is_scored_and_significant(share):
    """Check that a 0/1 flag in 15% or 1% of 2,000 rows, all of them class 1, keeps its two
    bins, reads the discrete plug-in MI, and is significant (it was p = 1, and at 1% the
    score was 0 with one bin)."""
    flag, y = _flag(share, 2000, np.random.default_rng(3))
    X = np.c_[flag, np.random.default_rng(4).normal(size=flag.size)]
    expected = mutual_info_score(flag, y)
    plugin = histogram_mi_classif(X, y, correction=None)
    np.testing.assert_allclose(plugin[0], expected, rtol=1e-12)
    est = HistogramMI().fit(X, y)
    assert est.n_bins_[0] == 2
    assert est.pvalues_[0] < 1e-3
    np.testing.assert_allclose(
        HistogramMI(n_bins=16, correction=None).fit(X, y).scores_[0], expected, rtol=1e-12
    )


def test_mostly_zero_digit_pixels_are_significant():
    """Check that the mostly-zero pixels of the digits data (1, 57, 63, 55) are significant,
    as chi2 finds them (both below 1e-3), not p = 1."""
    X, y = load_digits(return_X_y=True)
    pixels = [1, 57, 63, 55]
    assert (chi2(X[:, pixels], y)[1] < 1e-3).all()
    est = HistogramMI().fit(X[:, pixels], y)
    assert (est.pvalues_ < 1e-3).all()
    assert (est.scores_ > 0).all()


def test_sparse_like_columns_are_not_zero_for_being_mostly_zero():
    """Check that columns zero on 97% of rows, whose nonzero values (continuous, distinct)
    come mostly from class 1, score above 0 with small p-values, as a TF-IDF term would."""
    rng = np.random.default_rng(5)
    n, d = 3000, 20
    y = rng.integers(0, 2, size=n)
    X = np.zeros((n, d))
    for j in range(d):
        rows = rng.choice(np.flatnonzero(y == 1), 70, replace=False)
        rows = np.r_[rows, rng.choice(np.flatnonzero(y == 0), 20, replace=False)]
        X[rows, j] = rng.exponential(size=rows.size)
    est = HistogramMI().fit(X, y)
    assert (est.scores_ > 0).all()
    assert (est.pvalues_ < 1e-3).all()


def test_random_discrete_tables_are_exact_on_every_path():
    """Check that 10 random 4 x 4 discrete distributions read the plug-in MI of their
    samples, exactly, through the regression and classification score functions and
    pairwise MI (8 and 9 of 10 were inexact)."""
    rng = np.random.default_rng(6)
    for _ in range(10):
        p = rng.dirichlet(np.ones(16)).reshape(4, 4)
        cells = rng.choice(16, size=500, p=p.ravel())
        x, y = (cells // 4).astype(float) * 3, (cells % 4).astype(float) - 7
        expected = mutual_info_score(x, y)
        X = x.reshape(-1, 1)
        for n_bins in (4, 6, "adaptive"):
            got = histogram_mi_regression(X, y, n_bins=n_bins, correction=None)
            np.testing.assert_allclose(got, [expected], rtol=1e-12, atol=1e-15)
        got = histogram_mi_classif(X, y.astype(int), n_bins=4, correction=None)
        np.testing.assert_allclose(got, [expected], rtol=1e-12, atol=1e-15)
        pair = pairwise_histogram_mi(X, y.reshape(-1, 1), n_bins=4, correction=None)
        np.testing.assert_allclose(pair, [[expected]], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("declared", [True, False])
def test_levels_outside_the_subsample_are_counted(declared):
    """Check that a level seen only outside the rows that edges are learnt from gets its
    own bin, for a declared category and for a column of few values: exact plug-in MI."""
    n, subsample = 20_000, 1000
    rng = np.random.default_rng(7)
    y = rng.integers(0, 3, size=n)
    x = rng.integers(0, 4, size=n).astype(float)
    learnt = sample_rows(n, subsample, 0)
    outside = np.setdiff1d(np.arange(n), learnt)[:40]
    x[outside] = 2.5  # a level between two others, never in the sample
    y[outside] = 1
    expected = mutual_info_score(np.unique(x, return_inverse=True)[1], y)
    est = HistogramMI(
        n_bins=8, correction=None, subsample=subsample, random_state=0,
        discrete_features=[declared],
    ).fit(x.reshape(-1, 1), y)  # fmt: skip
    np.testing.assert_allclose(est.scores_, [expected], rtol=1e-12)
    assert est.n_bins_[0] == 5


@settings(max_examples=30, deadline=None)
@given(
    st.integers(min_value=2, max_value=6),
    st.integers(min_value=0, max_value=2**16),
)
def test_relabelling_values_never_changes_a_result(n_levels, seed):
    """Check that a bijection of a discrete column's values (any order of relabelling, not
    only increasing) changes no score, p-value or entropy, at a fixed bin count that gives
    one bin per value and adaptively."""
    rng = np.random.default_rng(seed)
    n = 400
    p = rng.dirichlet(np.ones(n_levels))
    levels = rng.choice(n_levels, size=n, p=p)
    y = (levels + rng.integers(0, 2, size=n)) % 3
    values = rng.normal(size=n_levels) * 10
    other = rng.permutation(values)
    a, b = values[levels].reshape(-1, 1), other[levels].reshape(-1, 1)
    for n_bins in (8, "adaptive"):
        first = HistogramMI(n_bins=n_bins).fit(a, y)
        second = HistogramMI(n_bins=n_bins).fit(b, y)
        np.testing.assert_allclose(second.scores_, first.scores_, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(second.pvalues_, first.pvalues_, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(second.entropy_, first.entropy_, rtol=1e-12)
    np.testing.assert_allclose(
        histogram_entropy(b, n_bins=8), histogram_entropy(a, n_bins=8), rtol=1e-12
    )


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**16), st.floats(min_value=0.3, max_value=0.95))
def test_increasing_transforms_of_a_zero_inflated_column_change_nothing(seed, zeros):
    """Check that an increasing map of a column with a point mass (exp of a zero-inflated
    column) leaves every score and p-value unchanged: its mass and quantiles move with it."""
    rng = np.random.default_rng(seed)
    n = 600
    x = np.where(rng.random(n) < zeros, 0.0, rng.normal(size=n) ** 2)
    y = x + rng.normal(size=n)
    for n_bins in (6, "adaptive"):
        a = HistogramMI(n_bins=n_bins).fit(x.reshape(-1, 1), y)
        b = HistogramMI(n_bins=n_bins).fit(np.exp(x).reshape(-1, 1), y)
        np.testing.assert_allclose(b.scores_, a.scores_, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(b.pvalues_, a.pvalues_, rtol=1e-12, atol=1e-15)


def test_a_level_first_seen_in_a_later_batch():
    """Check the policy for values the first batch did not hold: in a discrete column, an
    error naming the value (its bin would be a neighbour's); in a binned column, the bin its
    value falls in, as for any new value, so that a point mass learnt in the first batch
    keeps its single-value bin and a new mass joins the bin of its range."""
    rng = np.random.default_rng(11)
    x = rng.integers(0, 3, 600).astype(float)
    y = (x + rng.integers(0, 2, 600)) % 2
    est = HistogramMI(n_bins=8, discrete_features=[0]).partial_fit(x[:300, None], y[:300])
    with pytest.raises(ValueError, match=r"discrete column 0 holds the value 7\.0"):
        est.partial_fit(np.r_[x[300:], 7.0][:, None], np.r_[y[300:], 0])
    est.partial_fit(x[300:, None], y[300:])  # the same levels: counted
    assert est.n_samples_seen_ == 600
    binned = HistogramMI(n_bins=8).partial_fit(x[:300, None], y[:300])
    binned.partial_fit(np.r_[x[300:], 7.0][:, None], np.r_[y[300:], 0])
    assert binned.n_bins_[0] == 3 and binned.n_samples_seen_ == 601
