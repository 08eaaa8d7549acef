"""PairwiseHistogramMI: fit against the function, partial_fit over batches against fit."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skmi import PairwiseHistogramMI, histogram_mi_regression, pairwise_histogram_mi
from skmi._scoring import _MI_CORRECTIONS

# fit reduces each pair's table in compiled code, partial_fit its kept tables with numpy:
# the same sums in another order, so MI agrees to round-off (~1e-16 on values of order 1).
ATOL = 1e-12


def activations(seed=0, n=2000, d=6):
    rng = np.random.default_rng(seed)
    X = rng.standard_t(3, size=(n, d))
    X[:, 1] = X[:, 0] ** 2 + 0.5 * rng.normal(size=n)  # uncorrelated, dependent
    X[:, 2] = X[:, 0] + rng.normal(size=n)
    X[:, 4] = np.round(X[:, 4])  # ties
    return X


def fit_in_batches(est, X, bounds, **first):
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        est.partial_fit(X[lo:hi], **(first if i == 0 else {}))
    return est


@pytest.mark.parametrize("correction", list(_MI_CORRECTIONS))
@pytest.mark.parametrize("normalize", [None, "arithmetic"])
@pytest.mark.parametrize("n_bins", [7, "balanced"])
def test_pairwise_estimator_fit_equals_function(correction, normalize, n_bins):
    """Check that fit's scores_ are pairwise_histogram_mi's matrix, bit for bit."""
    X = activations()
    params = dict(n_bins=n_bins, correction=correction, normalize=normalize, base=2)
    est = PairwiseHistogramMI(**params).fit(X)
    assert_array_equal(est.scores_, pairwise_histogram_mi(X, **params))
    assert est.n_samples_seen_ == X.shape[0]


@pytest.mark.parametrize("correction", list(_MI_CORRECTIONS))
@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("seed", [0, 1])
def test_pairwise_estimator_partial_fit_equals_fit_for_the_same_edges(correction, strategy, seed):
    """Check that partial_fit over a random split, given fit's edges, gives fit's outputs."""
    rng = np.random.default_rng(seed)
    X = activations(seed)
    params = dict(n_bins=9, correction=correction, strategy=strategy)
    full = PairwiseHistogramMI(**params).fit(X)
    bounds = np.r_[0, np.sort(rng.choice(np.arange(1, 2000), 4, replace=False)), 2000]
    batched = fit_in_batches(PairwiseHistogramMI(**params), X, bounds, bin_edges=full.bin_edges_)
    assert_allclose(batched.scores_, full.scores_, rtol=0, atol=ATOL)
    assert_allclose(batched.pvalues_, full.pvalues_, rtol=0, atol=ATOL)
    assert_allclose(batched.entropy_, full.entropy_, rtol=0, atol=ATOL)
    # sqrt(1 - exp(-2 I)) ~ sqrt(2 I) near 0 turns a round-off d in I into up to sqrt(2 d).
    assert_allclose(batched.correlation_, full.correlation_, rtol=0, atol=np.sqrt(2 * ATOL))
    assert batched.n_samples_seen_ == full.n_samples_seen_ == 2000


def test_pairwise_estimator_entries_are_histogram_mi_and_pvalues():
    """Check an entry against histogram_mi_regression, symmetry, and that dependent pairs
    (even uncorrelated ones) get tiny p-values where independent ones do not."""
    X = activations(2, n=4000)
    est = PairwiseHistogramMI(n_bins=8).partial_fit(X[:1500]).partial_fit(X[1500:])
    full = PairwiseHistogramMI(n_bins=8).fit(X)
    expected = histogram_mi_regression(X[:, [0]], X[:, 3], n_bins=8)[0]
    assert_allclose(full.scores_[0, 3], expected, rtol=0, atol=ATOL)
    assert_array_equal(est.scores_, est.scores_.T)
    assert est.pvalues_[0, 1] < 1e-10 and est.pvalues_[0, 2] < 1e-10
    assert abs(np.corrcoef(X[:, 0], X[:, 1])[0, 1]) < 0.2  # correlation misses it
    assert est.pvalues_[3, 5] > 1e-3
    assert_allclose(est.correlation_, np.sqrt(-np.expm1(-2 * np.maximum(est.scores_, 0))))


def test_pairwise_estimator_takes_y_as_a_second_set_of_columns():
    """Check that fit(X, y) gives the X-by-y block of ``pairwise_histogram_mi(X, y)`` (a 1-D
    y as one column), with its p-values and X's entropies and bins, that partial_fit in one
    batch gives the same from every pair's table, and that y must come on every call."""
    X = activations(4, n=600)
    Y = X[:, :2] + np.random.default_rng(2).normal(size=(600, 2))
    expected = pairwise_histogram_mi(X, Y, n_bins=5)
    est = PairwiseHistogramMI(n_bins=5).fit(X, Y)
    assert_array_equal(est.scores_, expected)
    assert est.pvalues_.shape == expected.shape and est.n_bins_.shape == (X.shape[1],)
    assert_array_equal(est.entropy_, PairwiseHistogramMI(n_bins=5).fit(X).entropy_)
    assert_array_equal(PairwiseHistogramMI(n_bins=5).fit(X, Y[:, 0]).scores_[:, 0], expected[:, 0])
    batch = PairwiseHistogramMI(n_bins=5).partial_fit(X, Y)
    assert_allclose(batch.scores_, expected, rtol=1e-12, atol=1e-15)
    assert_allclose(batch.pvalues_, est.pvalues_, rtol=1e-9)
    with pytest.raises(ValueError, match="y has 0 columns, but the first call"):
        batch.partial_fit(X)
    with pytest.raises(ValueError, match="same number of samples"):
        PairwiseHistogramMI().fit(X, Y[:10])


def test_pairwise_estimator_partial_fit_errors():
    """Check the errors: other features, edges on a later call, a changed n_bins, and
    tables past the budget, which name the largest number of features that fits."""
    X = activations(4, n=300)
    est = PairwiseHistogramMI(n_bins=5).partial_fit(X)
    with pytest.raises(ValueError, match="6 features"):
        est.partial_fit(X[:, :4])
    with pytest.raises(ValueError, match="bin_edges is used on the first call"):
        est.partial_fit(X, bin_edges=est.bin_edges_)
    with pytest.raises(ValueError, match="n_bins=6 differs from n_bins=5"):
        est.set_params(n_bins=6).partial_fit(X)
    # 4000 features at 16 bins: 8 * 4000 * 4001 / 2 * 256 bytes = 15.3 GiB; 1 GiB holds
    # n (n + 1) / 2 <= 2^30 / 2048 tables: n = 1023.
    wide = np.random.default_rng(5).normal(size=(20, 4000))
    with pytest.raises(ValueError, match=r"15\.3 GiB.*at most 1023 features fit at 16 bins"):
        PairwiseHistogramMI(n_bins=16, strategy="uniform").partial_fit(wide)


def test_pairwise_estimator_statistics_follow_every_batch():
    """Check that statistics read between batches are recomputed after the next one (and
    with the scoring parameters of the moment), not kept from an earlier read."""
    X = activations(6)
    est = PairwiseHistogramMI(n_bins=6).partial_fit(X[:1000])
    early = est.scores_.copy(), est.pvalues_.copy()
    est.partial_fit(X[1000:])
    ref = PairwiseHistogramMI(n_bins=6).partial_fit(X[:1000]).partial_fit(X[1000:])
    assert_array_equal(est.scores_, ref.scores_)
    assert_array_equal(est.pvalues_, ref.pvalues_)
    assert not np.array_equal(est.scores_, early[0])
    ref.partial_fit(X[:5])
    est.set_params(base=2).partial_fit(X[:5])
    assert_allclose(est.entropy_ * np.log(2), ref.entropy_, rtol=1e-15)
