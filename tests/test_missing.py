"""Missing values in X: a bin of their own, the last of each column that holds them, on every
path; refused with handle_missing="error" (test_input_policy.py)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import mutual_info_score

from skmi import (
    EntropyBinner,
    HistogramMI,
    MISelector,
    PairwiseHistogramMI,
    histogram_entropy,
    histogram_mi_classif,
    pairwise_histogram_mi,
)


def _levels(n=1500, seed=0, share=0.1):
    """A discrete column of 4 levels with a share of missing values, a target that depends
    on both, and the same column with its missing values as a fifth level (9.0)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, n).astype(float)
    missing = rng.random(n) < share
    y = (x + 2 * missing + rng.integers(0, 2, n)) % 3
    x[missing] = np.nan
    return x, np.where(missing, 9.0, x), y.astype(int)


@pytest.mark.parametrize("n_bins", [8, "adaptive"])
def test_missing_values_of_a_discrete_column_are_one_more_level(n_bins):
    """Check that a discrete column's missing values count as one level more, exactly: the
    plug-in MI and entropy equal those of the column with NaN recoded as a new value, and
    scikit-learn's discrete MI of the labels."""
    x, coded, y = _levels()
    expected = mutual_info_score(np.unique(coded, return_inverse=True)[1], y)
    params = dict(n_bins=n_bins, correction=None)
    X, C = x.reshape(-1, 1), coded.reshape(-1, 1)
    assert_allclose(histogram_mi_classif(X, y, **params), [expected], rtol=1e-12)
    assert_allclose(histogram_mi_classif(X, y, **params), histogram_mi_classif(C, y, **params))
    est = HistogramMI(**params).fit(X, y)
    ref = HistogramMI(**params).fit(C, y)
    for name in ("scores_", "entropy_", "pvalues_", "n_bins_"):
        assert_allclose(getattr(est, name), getattr(ref, name), rtol=1e-12, atol=1e-15)
    assert np.isnan(est.bin_edges_[0][-1]) and est.n_bins_[0] == 5
    assert_allclose(histogram_entropy(X, n_bins=8), histogram_entropy(C, n_bins=8))


def test_one_missing_row_keeps_its_bin_at_every_resolution():
    """Check that a bin of missing values is never merged into a neighbour, however few rows
    it holds: with "adaptive" (merged from a fine table) and a rule, and in the p-value's
    coarser table."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 2))
    y = X[:, 0] + rng.normal(size=2000)
    X[7, 0] = np.nan
    for n_bins in ("adaptive", "sturges", 10):
        est = HistogramMI(n_bins=n_bins, n_permutations=0).fit(X, y)
        edges = est.bin_edges_[0]
        assert np.isnan(edges[-1]) and not np.isnan(edges[:-1]).any()
        assert est.n_bins_[0] == edges.size - 1
        assert not np.isnan(est.bin_edges_[1]).any()


def test_value_bins_are_learnt_from_the_present_values():
    """Check that a column's other bins are those of its present values alone: the edges of
    X with missing values equal those of its rows without them, then NaN."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=3000)
    x[rng.random(3000) < 0.3] = np.nan
    with_missing = EntropyBinner(n_bins=12).fit(x.reshape(-1, 1))
    present = EntropyBinner(n_bins=12).fit(x[~np.isnan(x)].reshape(-1, 1))
    assert_array_equal(with_missing.bin_edges_[0][:-1], present.bin_edges_[0])
    assert np.isnan(with_missing.bin_edges_[0][-1])
    assert with_missing.n_bins_[0] == present.n_bins_[0] + 1


def test_missingness_is_information():
    """Check that a target decided by whether a value is missing reads as dependent: MI
    near its closed form H(y) = ln 2 and a p-value far below any threshold."""
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.normal(size=n)
    y = rng.random(n) < 0.5
    x[y] = np.nan  # missing exactly where y is true
    est = HistogramMI(n_bins=10).fit(x.reshape(-1, 1), y)
    assert abs(est.scores_[0] - np.log(2)) < 0.01
    assert est.pvalues_[0] < 1e-10


@pytest.mark.parametrize("n_bins", [6, "adaptive"])
def test_a_later_batch_grows_a_bin_for_its_missing_values(n_bins):
    """Check that partial_fit on batches whose first holds no missing value gives the
    column a bin for them when a later one does (the tables grow), and that the result
    equals one call on every row with those edges."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3000, 3))
    y = (X[:, 0] + X[:, 2] + rng.normal(size=3000) > 0).astype(int)
    X[2000:2100, 2] = np.nan
    batches = HistogramMI(n_bins=n_bins)
    for rows in np.array_split(np.arange(3000), 3):
        batches.partial_fit(X[rows], y[rows])
    assert [np.isnan(e[-1]) for e in batches.bin_edges_] == [False, False, True]
    assert batches.n_samples_seen_ == 3000
    if n_bins == 6:
        edges = [e for e in batches.bin_edges_]
        once = HistogramMI(n_bins=n_bins).partial_fit(X, y, bin_edges=edges)
        assert_allclose(batches.scores_, once.scores_, rtol=1e-12)
    binner = EntropyBinner(n_bins=5)
    for rows in np.array_split(np.arange(3000), 3):
        binner.partial_fit(X[rows])
    assert np.isnan(binner.bin_edges_[2][-1]) and binner.n_bins_[2] == 6
    assert_allclose(binner.entropy_, EntropyBinner(n_bins=5).fit(X).entropy_, rtol=0, atol=0.02)


def test_transform_codes_missing_values_apart():
    """Check EntropyBinner.transform's policy: a missing value gets its column's bin for
    them (the last) where fit saw any, and ``n_bins_[j]``, one past the bins, where it saw
    none; the one-hot encodings give the latter no column (all zeros)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(500, 2))
    X[:20, 0] = np.nan
    binner = EntropyBinner(n_bins=4).fit(X)
    assert_array_equal(binner.n_bins_, [5, 4])
    new = np.array([[np.nan, np.nan], [0.0, 0.0]])
    codes = binner.transform(new)
    assert_array_equal(codes[0], [4, 4])
    onehot = EntropyBinner(n_bins=4, encode="onehot-dense").fit(X).transform(new)
    assert_array_equal(onehot[0], [0, 0, 0, 0, 1, 0, 0, 0, 0])
    assert onehot[1].sum() == 2


def test_pairwise_and_selector_count_missing_values():
    """Check the pairwise matrix and the greedy selector: a column's missing values are a
    level of their own there too (the pairwise MI of the discrete column with its recoded
    copy is its entropy; the greedy order equals that of the recoded column)."""
    x, coded, y = _levels(seed=6)
    X = np.c_[x, coded]
    mi = pairwise_histogram_mi(X, n_bins=8, correction=None)
    entropy = histogram_entropy(coded.reshape(-1, 1), n_bins=8)[0]
    assert_allclose(mi, np.full((2, 2), entropy), rtol=1e-12)
    fitted = PairwiseHistogramMI(n_bins=8, correction=None).fit(X)
    assert_allclose(fitted.scores_, mi, rtol=1e-12)
    rng = np.random.default_rng(7)
    noise = rng.normal(size=(x.size, 3))
    selector = MISelector(HistogramMI(n_bins=8), k=2, method="jmi")
    got = selector.fit(np.c_[noise, x], y).ranking_
    assert_array_equal(got, selector.fit(np.c_[noise, coded], y).ranking_)
    assert got[0] == 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_missing_values_in_float32_and_an_all_missing_column(dtype):
    """Check float32 X, and a column holding nothing but missing values (one empty bin and
    the bin of its missing values: MI and entropy 0)."""
    rng = np.random.default_rng(8)
    X = rng.normal(size=(400, 3)).astype(dtype)
    X[::5, 0] = np.nan
    X[:, 1] = np.nan
    y = rng.integers(0, 2, 400)
    got = histogram_mi_classif(X, y, n_bins=5, correction=None)
    assert got[1] == 0 and np.isfinite(got).all()
    assert_allclose(got, histogram_mi_classif(X.astype(np.float64), y, n_bins=5, correction=None))
    assert histogram_entropy(X, n_bins=5)[1] == 0


def test_pandas_missing_values():
    """Check pandas' missing values in a numeric column, NaN and ``pd.NA`` in a nullable
    Float64 one, as NaN in numpy."""
    pd = pytest.importorskip("pandas")
    x, _, y = _levels(seed=9)
    frame = pd.DataFrame({"a": x, "b": pd.array(x, dtype="Float64")})
    got = histogram_mi_classif(frame, y, n_bins=8)
    assert_allclose(got, histogram_mi_classif(np.c_[x, x], y, n_bins=8))


def test_pairwise_batches_grow_a_bin_for_missing_values():
    """Check that PairwiseHistogramMI.partial_fit gives a column its bin for missing values
    when a later batch first holds them (every pair's table grows), with the result of one
    batch of all rows on the same edges."""
    rng = np.random.default_rng(10)
    X = rng.normal(size=(900, 3))
    X[:, 2] = X[:, 0] + rng.normal(size=900)
    X[600:650, 1] = np.nan
    batches = PairwiseHistogramMI(n_bins=4)
    for rows in np.array_split(np.arange(900), 3):
        batches.partial_fit(X[rows])
    assert [np.isnan(e[-1]) for e in batches.bin_edges_] == [False, True, False]
    once = PairwiseHistogramMI(n_bins=4).partial_fit(X, bin_edges=list(batches.bin_edges_))
    assert_allclose(batches.scores_, once.scores_, rtol=1e-12)
    assert batches.n_samples_seen_ == 900
