"""Counting of sparse columns (SciPy CSC): the compiled backend, with codes and counts read
from the stored values alone (``skmi._kernels._sparse``).

A column's implicit zeros are binned once, as the value 0.0 (its bin: ``zero_codes``), and
counted as the rows it stores nothing in; its stored values are binned by the same search as
a dense column's, so the codes and the tables equal those of the dense matrix. The functions
that take codes are the compiled backend's.
"""

import numpy as np
import scipy.sparse as sp

from skmi._backends._common import (
    NonFiniteError,
    counted_into,
    log_or_zero,
    n_x_of,
    target_dtype,
)
from skmi._backends._compiled import edge_index
from skmi._kernels._binning import bin_codes
from skmi._kernels._sparse import sparse_codes, sparse_joint_counts
from skmi._threads import even_slices, n_threads, thread_map


def missing_columns(X):
    """Whether each column of CSC X stores a missing value (NaN)."""
    nan = np.add.reduceat(np.isnan(np.r_[X.data, 0.0]), X.indptr[:-1]) > 0
    return nan & (np.diff(X.indptr) > 0)  # reduceat reads one value for an empty column


def nonfinite(X):
    """Whether CSC X stores an infinite value, and which of its columns store a missing
    one."""
    return bool(np.isinf(X.data).any()), missing_columns(X)


def zero_codes(index, n_features):
    """The bin of the value 0.0 in each column, under an edge index (``edge_index``)."""
    out = np.empty((1, n_features), dtype=np.uint32)
    bin_codes(np.zeros((1, n_features)), index, out)
    return out[0]


def stored_codes(X, edges):
    """The bin of each stored value of CSC ``X`` (uint32, as ``X.data``) and the bin of 0.0
    in each column; ``NonFiniteError`` where a stored value is infinite, or missing without a
    bin."""
    index = edge_index(edges)
    out = np.empty(X.data.shape, dtype=np.uint32)
    if not sparse_codes(X.data, X.indptr.astype(np.int64), index, out):
        raise NonFiniteError
    return out, zero_codes(index, X.shape[1])


def sample_columns(X, rows, lo, hi):
    """Columns lo..hi-1 of the sample ``rows`` (None: all) of CSC X, dense and transposed."""
    part = X[:, lo:hi] if rows is None else X[rows.astype(np.intp)][:, lo:hi]
    return np.ascontiguousarray(part.toarray().T)


def codes(X, edges, dtype):
    """Bin codes (n_samples, n_features) of CSC X, dense: each column's zero code where it
    stores nothing."""
    stored, zero = stored_codes(X, edges)
    out = np.empty(X.shape, dtype=dtype)
    out[...] = zero.astype(dtype)
    columns = np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))
    out[X.indices, columns] = stored.astype(dtype)
    return out


def count(X, edges, y_codes, n_y, n_jobs, out=None):
    """Joint count tables (n_features, n_x, n_y) of the binned columns of CSC X against y
    codes, or added into ``out`` (``counted_into``), threads over groups of columns: each
    column's stored values, and its implicit zeros as one count a class."""
    n_samples, n_features = X.shape
    y_codes = np.ascontiguousarray(y_codes, dtype=target_dtype(n_y))
    class_totals = np.bincount(y_codes, minlength=n_y).astype(np.int64)
    index = edge_index(edges)
    indptr = X.indptr.astype(np.int64)
    workers = n_threads(n_jobs, n_features, X.nnz)

    def add(counts):
        tasks = [
            (
                X.data,
                X.indices,
                indptr[columns.start : columns.stop + 1],
                tuple(a[columns] for a in index),
                y_codes,
                class_totals,
                counts[columns],
            )
            for columns in even_slices(n_features, workers)
        ]
        return all(thread_map(sparse_joint_counts, tasks, len(tasks)))

    return counted_into(add, n_samples, (n_features, n_x_of(edges), n_y), out)


def _xlogx(a):
    """a ln a, 0 for a = 0."""
    a = np.asarray(a, dtype=np.float64)
    return a * log_or_zero(a)


class _Indicators:
    """The bins of the stored values of CSC X other than each column's zero bin, as an
    indicator matrix (n_samples, total bins: column j's bins from ``offsets[j]``), and the
    histogram of each column (n_features, widest)."""

    def __init__(self, X, edges):
        stored, self.zero = stored_codes(X, edges)
        n_features = X.shape[1]
        n_bins = np.array([e.size - 1 for e in edges])
        self.offsets = np.concatenate(([0], np.cumsum(n_bins)))
        column = np.repeat(np.arange(n_features), np.diff(X.indptr))
        width = int(n_bins.max())
        counts = np.bincount(column * width + stored, minlength=n_features * width)
        self.counts = counts.reshape(n_features, width)
        self.counts[np.arange(n_features), self.zero] += X.shape[0] - np.diff(X.indptr)
        keep = stored != self.zero[column]
        rows, bins = X.indices[keep], self.offsets[column[keep]] + stored[keep]
        self.matrix = sp.csr_matrix(
            (np.ones(rows.size), (rows, bins)), shape=(X.shape[0], self.offsets[-1])
        )
        self.feature = np.repeat(np.arange(n_features), n_bins)  # of each indicator column
        self.bin = np.arange(self.offsets[-1]) - self.offsets[self.feature]
        # Each column's cells off its zero bin: ln sum and occupied count of its histogram,
        # and its rows off the zero bin.
        off = self.counts.copy()
        off[np.arange(n_features), self.zero] = 0
        self.off_xlogx = _xlogx(off).sum(axis=1)
        self.off_cells = np.count_nonzero(off, axis=1)
        self.off_rows = off.sum(axis=1)


def _margin_terms(bins, others, t, side, n_others, to_pair, n_pairs):
    """The change, per pair, of sum n ln n and of the occupied cells, where a margin cell,
    one variable's non-zero bin (indicator column ``bins``, of ``side``) in the other's zero
    bin, loses the rows that the other's non-zero bins hold with it (``t``, summed over each
    (bin, other feature ``others``)); ``to_pair(feature, other)`` is the pair's index."""
    unique, inverse = np.unique(bins * n_others + others, return_inverse=True)
    taken = np.bincount(inverse, weights=t)
    indicator, other = unique // n_others, unique % n_others
    feature = side.feature[indicator]
    own = side.counts[feature, side.bin[indicator]].astype(np.float64)
    left = own - taken
    pair = to_pair(feature, other)
    delta = np.bincount(pair, weights=_xlogx(left) - _xlogx(own), minlength=n_pairs)
    lost = np.bincount(pair, weights=(left == 0), minlength=n_pairs)
    return delta, lost


def pair_plugin(X, edges_x, Y, edges_y):
    """Plug-in MI and occupied cells (n_features_x, n_features_y) of the joint table of
    every column of CSC X with every column of CSC Y, and their histograms, from the
    product of their indicator matrices (``_Indicators``): the cells off both zero bins are
    its entries; the cells in one zero bin are that margin less them; the cell of both zero
    bins is what is left of N. Time and memory follow the product's entries, at most the sum
    over rows of stored values squared; no pair's table and no dense X is made."""
    n_samples = X.shape[0]
    x, y = _Indicators(X, edges_x), _Indicators(Y, edges_y)
    n_x, n_y = X.shape[1], Y.shape[1]
    n_pairs = n_x * n_y
    product = (x.matrix.T @ y.matrix).tocoo()
    t = product.data
    fx, fy = x.feature[product.row], y.feature[product.col]
    pair = fx * n_y + fy
    # Cells off both zero bins.
    sum_xlogx = np.bincount(pair, weights=_xlogx(t), minlength=n_pairs)
    cells = np.bincount(pair, minlength=n_pairs).astype(np.float64)
    both_off = np.bincount(pair, weights=t, minlength=n_pairs)
    # Cells of X's non-zero bins in Y's zero bin, and of Y's in X's.
    base = (x.off_xlogx[:, None] + y.off_xlogx[None, :]).ravel()
    base_cells = (x.off_cells[:, None] + y.off_cells[None, :]).ravel()
    delta_x, lost_x = _margin_terms(product.row, fy, t, x, n_y, lambda i, j: i * n_y + j, n_pairs)
    delta_y, lost_y = _margin_terms(product.col, fx, t, y, n_x, lambda j, i: i * n_y + j, n_pairs)
    # The cell of both zero bins.
    corner = n_samples - (x.off_rows[:, None] + y.off_rows[None, :]).ravel() + both_off
    sum_xlogx += base + delta_x + delta_y + _xlogx(corner)
    cells += base_cells - lost_x - lost_y + (corner > 0)
    h_x = _xlogx(x.counts).sum(axis=1)
    h_y = _xlogx(y.counts).sum(axis=1)
    log_n = np.log(n_samples)
    plugin = log_n + (sum_xlogx.reshape(n_x, n_y) - h_x[:, None] - h_y[None, :]) / n_samples
    return (
        np.maximum(plugin, 0.0),
        cells.reshape(n_x, n_y).astype(np.int64),
        x.counts,
        y.counts,
    )
