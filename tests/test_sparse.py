"""Tests of sparse input (``skmi._sources._sparse``): edges, codes and tables from the stored
values equal those of the dense matrix, in every format, with missing values, explicit zeros
and batches, without making the dense matrix."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from skmi import (
    EntropyBinner,
    HistogramMI,
    PairwiseHistogramMI,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)
from skmi._binning import fit_edges
from skmi._sources._sparse import SparseColumns
from skmi._tables import sample_rows


def _columns(seed, n_samples, density, kind):
    """A CSC matrix of 5 columns: counts, values of both signs, or values with NaN; explicit
    zeros stored too."""
    X = sp.random(n_samples, 5, density=density, random_state=seed, format="csc")
    if kind == "counts":
        X.data = np.round(X.data * 5) + 1
    elif kind == "signed":
        X.data -= 0.5
    elif kind == "missing":
        X.data[np.random.default_rng(seed).random(X.data.size) < 0.1] = np.nan
    X.data[:2] = 0.0
    return X


@pytest.mark.parametrize("kind", ["continuous", "counts", "signed", "missing"])
@pytest.mark.parametrize("density", [0.02, 0.3, 0.97])
def test_edges_of_stored_values_equal_the_dense_columns(kind, density):
    """Check the edges learnt from the stored values against the dense matrix's, for bin
    counts and rules, both strategies, discrete columns and a subsample: mostly-zero columns
    take the point-mass path, nearly dense ones the plain quantiles."""
    rng = np.random.default_rng(3)
    for trial, (n_bins, strategy, subsample) in enumerate(
        itertools.product([2, 7, 64, "fd", "fourth-root"], ["quantile", "uniform"], [None, 40])
    ):
        X = _columns(trial, int(rng.integers(30, 400)), density, kind)
        discrete = rng.random(5) < 0.3
        rows = sample_rows(X.shape[0], subsample, trial)
        dense, dense_single = fit_edges(X.toarray(), n_bins, strategy, discrete, rows)
        binning = SparseColumns(X).learn(n_bins, strategy, discrete, rows)
        for j in range(5):
            assert_array_equal(binning.edges[j], dense[j], err_msg=f"{n_bins} {strategy} {j}")
        assert binning.single.keys() == dense_single.keys()
        for j in binning.single:
            assert_array_equal(binning.single[j], dense_single[j])


@pytest.mark.parametrize("kind", ["continuous", "counts", "signed", "missing"])
@pytest.mark.parametrize("density", [0.02, 0.3, 0.97])
def test_values_counted_from_the_rows_give_the_columns_edges_and_tables(kind, density):
    """Check that a CSR matrix whose values are counted against the target in one pass over
    its rows (``ValueTable``) gets the edges and joint tables its CSC copy gets, block by
    block, in float64 and float32, with -0.0 and repeated entries stored, and without
    copying itself to CSC; and that columns of too many values for the pass's memory fall
    back to the copy."""
    rng = np.random.default_rng(5)
    for dtype, n_bins, strategy in itertools.product(
        (np.float64, np.float32), [3, 16, "fd"], ["quantile", "uniform"]
    ):
        X = _columns(int(rng.integers(1000)), 300, density, kind).astype(dtype)
        X.data[2:4] = -0.0
        rows, columns = X.tocoo().coords
        repeated = sp.csr_matrix(  # each stored value split in two entries that sum to it
            (
                np.r_[X.tocoo().data / 2, X.tocoo().data / 2],
                (np.r_[rows, rows], np.r_[columns, columns]),
            ),
            shape=X.shape,
        )
        y = rng.integers(0, 3, 300)
        discrete = rng.random(5) < 0.3
        for held in (X.tocsr(), repeated):
            counted = SparseColumns(held)
            codes, n_y, _ = counted.target(y, True, None, "quantile", None)
            assert (counted.counted is not None) == (kind == "counts" or density < 0.5)
            plain = SparseColumns(X)
            for block in (slice(0, 5), slice(1, 3)):
                part, whole = counted.block(block), plain.block(block)
                binning = part.learn(n_bins, strategy, discrete[block])
                expected = whole.learn(n_bins, strategy, discrete[block])
                for j in range(block.stop - block.start):
                    assert_array_equal(binning.edges[j], expected.edges[j])
                tables, _ = part.count_joint(binning, codes, n_y, 1, n_bins)
                assert_array_equal(
                    tables.counts, whole.count_joint(expected, codes, n_y, 1, n_bins)[0].counts
                )
            if counted.counted is not None:
                assert counted._columns is None  # never copied to CSC
    continuous = sp.random(200, 3, density=0.9, format="csr", random_state=0)
    source = SparseColumns(continuous)
    source.target(np.arange(200) % 100, True, None, "quantile", None)
    assert source.counted is None  # 100 classes by 540 values: more than the matrix holds


def test_an_infinite_value_counted_from_the_rows_is_refused():
    """Check that an infinite stored value of a CSR matrix is refused, as on dense input."""
    X = sp.csr_matrix(np.array([[0.0, 1.0], [np.inf, 0.0], [2.0, 0.0]]))
    with pytest.raises(ValueError, match="infinity"):
        HistogramMI().fit(X, [0, 1, 0])


@pytest.mark.parametrize(
    "form", [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.csc_array]
)
def test_every_format_and_dtype_scores_as_dense(form):
    """Check that each sparse format, of float64, float32 and integer values, gives the
    dense matrix's scores, for a binary target and a continuous one."""
    X = _columns(0, 300, 0.1, "counts")
    y = np.arange(300) % 2
    target = X[:, 0].toarray().ravel() + np.random.default_rng(0).normal(size=300)
    for dtype in (np.float64, np.float32, np.int64):
        given = form(X.astype(dtype))
        dense = X.astype(dtype).toarray()
        assert_allclose(histogram_mi_classif(given, y), histogram_mi_classif(dense, y), atol=1e-12)
        assert_allclose(
            histogram_mi_regression(given, target),
            histogram_mi_regression(dense, target),
            atol=1e-12,
        )


def test_missing_values_gain_their_bin_in_a_later_sparse_batch():
    """Check a stored NaN first seen in a later batch: its column gains a bin for missing
    values, as the dense batch's does, and the tables and p-values agree."""
    X = _columns(1, 400, 0.2, "continuous").tolil()
    X[350, 1] = np.nan
    X = X.tocsr()
    y = np.arange(400) % 3
    sparse_fit, dense_fit = HistogramMI(6), HistogramMI(6)
    for rows in (slice(0, 200), slice(200, 400)):
        sparse_fit.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        dense_fit.partial_fit(X[rows].toarray(), y[rows], classes=[0, 1, 2])
    assert_allclose(sparse_fit.scores_, dense_fit.scores_, atol=1e-12)
    assert_allclose(sparse_fit.pvalues_, dense_fit.pvalues_, atol=1e-12)
    assert np.isnan(sparse_fit.bin_edges_[1][-1])


def test_sparse_and_dense_batches_add_up():
    """Check that a sparse batch and a dense one add to the same tables as two dense."""
    X = _columns(2, 300, 0.3, "counts").tocsr()
    y = np.arange(300) % 2
    mixed = HistogramMI(5).partial_fit(X[:150], y[:150]).partial_fit(X[150:].toarray(), y[150:])
    dense = HistogramMI(5).partial_fit(X[:150].toarray(), y[:150])
    dense.partial_fit(X[150:].toarray(), y[150:])
    assert_allclose(mixed.scores_, dense.scores_, atol=1e-12)


def test_a_discrete_column_refuses_a_value_it_was_not_learnt_on():
    """Check a later sparse batch whose discrete column holds a new stored value."""
    X = sp.csr_matrix(np.array([[0.0], [1.0], [1.0], [0.0]]))
    est = HistogramMI(discrete_features=True).partial_fit(X, [0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"holds the value 2\.0"):
        est.partial_fit(sp.csr_matrix(np.array([[2.0], [0.0]])), [1, 0])


def test_zeros_are_counted_without_the_dense_matrix():
    """Check a matrix whose dense copy would take 32 GB (2e6 x 2,000 float64) and which
    stores 2,999 values: its columns are counted from them, and a column stored exactly on
    the rows of one class reads the plug-in MI of the target, H(y)."""
    n_samples, n_features = 2_000_000, 2_000
    rows = np.r_[np.arange(1000), np.arange(1, n_features)]
    columns = np.r_[np.zeros(1000, dtype=int), np.arange(1, n_features)]
    X = sp.csc_matrix((np.ones(rows.size), (rows, columns)), shape=(n_samples, n_features))
    y = np.zeros(n_samples, dtype=int)
    y[:1000] = 1
    mi = histogram_mi_classif(X, y, correction=None, n_bins=4)
    p = 1000 / n_samples
    assert mi[0] == pytest.approx(-p * np.log(p) - (1 - p) * np.log(1 - p), rel=1e-12)
    assert mi[1] == pytest.approx(0.0, abs=1e-5)


def test_transform_gives_sparse_codes_where_zero_is_the_first_bin():
    """Check EntropyBinner.transform on sparse X: sparse codes equal to the dense codes where
    every column's 0.0 is in its first bin; a clear error where a column's is not."""
    X = _columns(4, 200, 0.2, "counts").tocsr()
    binner = EntropyBinner(5).fit(X)
    codes = binner.transform(X)
    assert sp.issparse(codes)
    assert_array_equal(codes.toarray(), EntropyBinner(5).fit(X.toarray()).transform(X.toarray()))
    signed = _columns(4, 200, 0.5, "signed").tocsr()
    with pytest.raises(ValueError, match=r"codes the value 0\.0 to bin"):
        EntropyBinner(5).fit(signed).transform(signed)


def test_the_sparse_backend_codes_and_counts_as_the_compiled_one():
    """Check the functions of ``SPARSE_BACKEND`` that read values against the compiled
    backend's on the dense matrix: codes, joint counts and sampled columns."""
    from skmi._backends import BACKEND, SPARSE_BACKEND

    X = _columns(5, 250, 0.3, "signed")
    dense = X.toarray()
    edges = fit_edges(dense, 6, "quantile", np.zeros(5, dtype=bool), None)[0]
    y_codes = (np.arange(250) % 3).astype(np.uint16)
    assert_array_equal(
        SPARSE_BACKEND.codes(X, edges, np.uint16), BACKEND.codes(dense, edges, np.uint16)
    )
    assert_array_equal(
        SPARSE_BACKEND.count(X, edges, y_codes, 3, 2), BACKEND.count(dense, edges, y_codes, 3, 2)
    )
    rows = np.arange(0, 250, 7, dtype=np.uintp)
    assert_array_equal(
        SPARSE_BACKEND.sample_columns(X, rows, 1, 4), BACKEND.sample_columns(dense, rows, 1, 4)
    )


@pytest.mark.parametrize("kind", ["counts", "continuous", "signed", "missing"])
@pytest.mark.parametrize("density", [0.05, 0.5, 0.95])
def test_pairs_from_the_indicator_product_equal_the_dense_codes(kind, density):
    """Check every pair's MI, counted from the product of the columns' indicator matrices,
    against the dense matrix's codes: all pairs, X against Y, a subsample, the estimator's
    p-values, correlations and entropies; a column twice (a pair of equal columns)."""
    X = _columns(6, 400, density, kind).tolil()
    X[:, 1] = X[:, 0]
    X = X.tocsr()
    dense = X.toarray()
    for params in [{}, {"n_bins": 3, "correction": None}, {"normalize": "correlation"}]:
        assert_allclose(
            pairwise_histogram_mi(X, **params), pairwise_histogram_mi(dense, **params), atol=1e-12
        )
    assert_allclose(
        pairwise_histogram_mi(X[:, :2], X[:, 2:], subsample=150),
        pairwise_histogram_mi(dense[:, :2], dense[:, 2:], subsample=150),
        atol=1e-12,
    )
    fitted, expected = PairwiseHistogramMI().fit(X), PairwiseHistogramMI().fit(dense)
    for name in ("scores_", "pvalues_", "correlation_", "entropy_"):
        assert_allclose(getattr(fitted, name), getattr(expected, name), atol=1e-12)
