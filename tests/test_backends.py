"""Tests of the counting seam: every backend gives the numpy reference's codes and counts."""

import numpy as np
import pytest
import scipy.sparse as sp

from skmi._backends import (
    BACKENDS,
    SPARSE_BACKEND,
    EdgeRows,
    NonFiniteError,
    count_dtype,
    log_or_zero,
)
from skmi._binning import Binning, category_edges

REFERENCE = BACKENDS["numpy"]
OTHERS = [name for name in BACKENDS if name != "numpy"]


def _data(n_samples, dtype, seed=0):
    """Columns with ties, heavy tails, a lognormal spread over decades, and categories."""
    rng = np.random.default_rng(seed)
    X = np.c_[
        rng.normal(size=n_samples),
        np.round(rng.normal(size=n_samples) * 2),
        rng.standard_cauchy(n_samples),
        np.exp(3 * rng.normal(size=n_samples)),
        rng.integers(0, 5, n_samples),
    ].astype(dtype)
    return X, rng.integers(0, 3, n_samples)


def _binning(X, n_bins, strategy):
    discrete = np.array([False, False, False, False, True])
    return Binning.learn(X, n_bins, strategy, discrete)


@pytest.mark.parametrize("backend", OTHERS)
@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("n_samples", [500, 70_000])
@pytest.mark.parametrize("n_bins", [3, 32, 600])
@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_backend_codes_and_counts_equal_reference(
    backend, n_jobs, n_samples, n_bins, strategy, dtype, order
):
    """Check codes and joint counts (values, dtype) against the numpy reference, on one and
    two threads, below and above 2^16 rows (uint16 and int32 tables), for rows and for
    columns contiguous (which the compiled kernels read in place)."""
    X, y_codes = _data(n_samples, dtype)
    X = np.asarray(X, order=order)
    binning = _binning(X, n_bins, strategy)
    other = BACKENDS[backend]
    np.testing.assert_array_equal(
        other.codes(X, binning.edges, np.int64), REFERENCE.codes(X, binning.edges, np.int64)
    )
    counts = other.count(X, binning.edges, y_codes, 3, n_jobs)
    expected = REFERENCE.count(X, binning.edges, y_codes, 3, n_jobs)
    assert counts.dtype == expected.dtype == count_dtype(n_samples)
    np.testing.assert_array_equal(counts, expected)
    # A count is the histogram of the codes: the reference agrees with itself.
    codes = REFERENCE.codes(X, binning.edges, np.int64)
    n_x = int(binning.n_bins.max())
    np.testing.assert_array_equal(REFERENCE.count_codes(codes, y_codes, n_x, 3), expected)


@pytest.mark.parametrize("backend", OTHERS)
def test_backend_code_counts_equal_reference(backend):
    """Check two- and three-way counts from codes against the reference, and that summing
    the three-way tables over z gives the two-way ones."""
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 7, size=(2000, 4))
    z, y = rng.integers(0, 3, 2000), rng.integers(0, 2, 2000)
    other = BACKENDS[backend]
    two = other.count_codes(codes, y, 7, 2)
    np.testing.assert_array_equal(two, REFERENCE.count_codes(codes, y, 7, 2))
    three = other.count_codes_3(codes, z, y, 7, 3, 2)
    np.testing.assert_array_equal(three, REFERENCE.count_codes_3(codes, z, y, 7, 3, 2))
    np.testing.assert_array_equal(three.sum(axis=2), two)
    assert three.sum() == 4 * 2000


@pytest.mark.parametrize("backend", OTHERS)
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_backend_pair_mi_equals_reference(backend, symmetric, n_jobs):
    """Check every pair's plug-in MI (to round-off: sums in another order) and occupied
    cells against the reference, which counts each table with bincount."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3000, 6))
    X[:, 1] += X[:, 0]
    X[:, 5] = 1.0  # constant: MI exactly 0
    binning = Binning.learn(X, 8, "quantile", np.zeros(6, dtype=bool))
    codes = np.ascontiguousarray(binning.codes(X, np.uint8).T)
    counts = np.stack([np.bincount(c, minlength=8) for c in codes])
    codes_y, counts_y = (codes, counts) if symmetric else (codes[2:], counts[2:])
    args = (codes, codes_y, log_or_zero(counts), log_or_zero(counts_y), symmetric)
    mi, cells = BACKENDS[backend].pair_mi(*args, n_jobs)
    expected_mi, expected_cells = REFERENCE.pair_mi(*args, n_jobs)
    np.testing.assert_allclose(mi, expected_mi, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(cells, expected_cells)
    assert (mi[5] == 0).all()


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int64])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_backend_pair_counts_add_every_pair_table(backend, dtype, n_jobs):
    """Check that pair_counts adds, in the upper triangle's row-major order, each pair's
    table as np.histogram2d counts it, and that two batches add to the table of both."""
    rng = np.random.default_rng(3)
    codes = np.ascontiguousarray(rng.integers(0, 5, size=(4, 3000)).astype(dtype))
    out = np.zeros((10, 5, 5), dtype=np.int64)
    BACKENDS[backend].pair_counts(np.ascontiguousarray(codes[:, :1000]), out, n_jobs)
    BACKENDS[backend].pair_counts(np.ascontiguousarray(codes[:, 1000:]), out, n_jobs)
    pairs = [(i, j) for i in range(4) for j in range(i, 4)]
    for p, (i, j) in enumerate(pairs):
        expected, _, _ = np.histogram2d(codes[i], codes[j], bins=[np.arange(6)] * 2)
        np.testing.assert_array_equal(out[p], expected)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_backend_sample_columns_transposes_the_sample(backend, layout, dtype):
    """Check that a column block of sample rows comes back transposed, all rows for None:
    for C-ordered, F-ordered and strided X, across the compiled gather's tiles of rows and
    strips of columns (600 rows, 70 columns)."""
    X = np.arange(600.0 * 140).reshape(600, 140).astype(dtype)
    X = {"C": X[:, :70], "F": np.asfortranarray(X[:, :70]), "strided": X[::1, ::2]}[layout]
    rows = np.array([1, 4, 299, 599], dtype=np.uintp)
    sample = BACKENDS[backend].sample_columns
    np.testing.assert_array_equal(sample(X, rows, 1, 3), X[rows, 1:3].T)
    np.testing.assert_array_equal(sample(X, None, 0, 70), X.T)
    np.testing.assert_array_equal(sample(X, None, 33, 69), X[:, 33:69].T)


@pytest.mark.parametrize("backend", OTHERS)
def test_backend_packed_edges_give_the_codes_of_their_arrays(backend):
    """Check that edges packed in one array (``EdgeRows``, as learning many columns at one
    bin count makes them) bin and count exactly as the same edges given one array each."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(700, 40))
    binning = Binning.learn(X, 12, "quantile", np.zeros(40, dtype=bool))
    assert isinstance(binning.edges, EdgeRows)
    arrays = tuple(np.array(e) for e in binning.edges)
    y_codes = rng.integers(0, 4, 700)
    other = BACKENDS[backend]
    np.testing.assert_array_equal(
        other.codes(X, binning.edges, np.int64), REFERENCE.codes(X, arrays, np.int64)
    )
    np.testing.assert_array_equal(
        other.count(X, binning.edges, y_codes, 4, 1), REFERENCE.count(X, arrays, y_codes, 4, 1)
    )


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_backend_reports_non_finite_values(backend, bad):
    """Check that codes and counts raise NonFiniteError on NaN or infinity anywhere."""
    X, y_codes = _data(300, np.float64)
    binning = _binning(X, 8, "quantile")
    X[157, 3] = bad
    with pytest.raises(NonFiniteError):
        BACKENDS[backend].codes(X, binning.edges, np.int64)
    with pytest.raises(NonFiniteError):
        BACKENDS[backend].count(X, binning.edges, y_codes, 3, 1)


@pytest.mark.parametrize("backend", [*sorted(BACKENDS), "sparse"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_backend_count_adds_into_tables_and_a_non_finite_batch_leaves_them(backend, n_jobs):
    """Check ``count(..., out)``: the batch's tables added into ``out`` in place, in out's
    wider type (int32 past 2^16 rows in all), and ``out`` returned; where the batch holds a
    missing value its column has no bin for, or an infinite one, NonFiniteError, with
    ``out`` as it was (every backend, the sparse one too, on one and two threads: threads
    over rows add copies of their own)."""
    X, y_codes = _data(70_000, np.float64, seed=3)
    binning = _binning(X, 16, "quantile")
    count = SPARSE_BACKEND.count if backend == "sparse" else BACKENDS[backend].count
    source = sp.csc_matrix(X) if backend == "sparse" else X
    kept = REFERENCE.count(X[:5_000], binning.edges, y_codes[:5_000], 3, 1).astype(np.int32)
    expected = kept + REFERENCE.count(X, binning.edges, y_codes, 3, 1)
    out = count(source, binning.edges, y_codes, 3, n_jobs, kept)
    assert out is kept
    np.testing.assert_array_equal(kept, expected)
    for bad in (np.nan, np.inf):
        X[40_000, 1] = bad
        source = sp.csc_matrix(X) if backend == "sparse" else X
        with pytest.raises(NonFiniteError):
            count(source, binning.edges, y_codes, 3, n_jobs, kept)
        np.testing.assert_array_equal(kept, expected)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_codes_of_categories_are_their_ranks(backend):
    """Check that a discrete column's values fall in the bin of their rank among its values."""
    x = np.array([5.0, -1.0, 5.0, 2.0, 9.0])
    codes = BACKENDS[backend].codes(x[:, None], (category_edges(np.sort(x)),), np.int64)
    np.testing.assert_array_equal(codes[:, 0], [2, 0, 2, 1, 3])
