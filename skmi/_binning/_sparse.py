"""Edges of sparse columns, learnt from their stored values: the same edges as the dense
columns get (``fit_edges``), in time proportional to the stored values.

A sparse column's implicit zeros are one value held by many rows, so its sorted values are
its stored ones with a run of zeros among them: its distinct values and their counts
(``value_counts`` of the dense column) are those of the stored values, with the zeros
counted once (``ColumnValues``, compiled). Every rule that decides a column's edges reads
them from that: categories, point masses (a mostly-zero column's zeros are one, its bin of
its own), the plain quantile or equal-width edges of a column with no mass (whose zeros are
then few: its sorted values are built, at the cost of a dense column, as for the rules that
read the spread of a column).

The columns whose bins are their values (categories, and point-mass columns of at most B
distinct values: most columns of a sparse matrix) get their edges all at once; the others
one at a time, as dense columns do.
"""

import math
from typing import NamedTuple

import numpy as np

from skmi._backends import EdgeRows, NonFiniteError
from skmi._binning import bin_count, feature_edges, value_edges
from skmi._kernels._sparse import sparse_value_counts


class ColumnValues(NamedTuple):
    """The distinct values of each column of a sparse matrix, sorted, zeros among them:
    column j's are ``values[starts[j]:starts[j + 1]]``, occurring ``counts[...]`` times;
    ``missing[j]``: its missing values (NaN), not among them."""

    values: np.ndarray
    counts: np.ndarray
    starts: np.ndarray
    missing: np.ndarray

    @classmethod
    def of(cls, X):
        """The values of the columns of CSC ``X`` (``sparse_value_counts``)."""
        n_features = X.shape[1]
        starts = np.empty(n_features + 1, dtype=np.int64)
        missing = np.empty(n_features, dtype=np.int64)
        data = X.data if X.data.dtype in (np.float32, np.float64) else X.data.astype(float)
        indptr = X.indptr.astype(np.int64)
        values, counts = sparse_value_counts(data, indptr, X.shape[0], starts, missing)
        return cls(values, counts, starts, missing)

    def column(self, j):
        """Column j's values, their counts, and whether it holds missing values."""
        part = slice(self.starts[j], self.starts[j + 1])
        return self.values[part], self.counts[part], bool(self.missing[j])


def _column_edges(sample, full, j, n_bins, strategy, discrete, n_samples):
    """Edges of column j from its sample's values (``ColumnValues.column``) and, where the
    rules read every row, its full column's (None: the sample is all rows), and which of its
    bins are single values (None: no point mass), as the dense ``_column_edges`` learns
    them."""
    values, counts, missing = sample
    if discrete[j]:
        if full is not None:  # categories are learnt from every row
            values, _, missing = full
        edges = np.concatenate((values, values[-1:])) if values.size else np.zeros(2)
        return (np.append(edges, np.nan) if missing else edges), None
    if not values.size:
        return (np.array([0.0, 0.0, np.nan]) if missing else np.zeros(2)), None
    n = int(counts.sum())
    # A rule's bin count reads the sorted column; an int none.
    x = np.repeat(values, counts) if isinstance(n_bins, str) else None
    k = bin_count(x, n_samples, n_bins, j)
    least = max(2, math.ceil(n / (2 * k)))
    single = None
    if least <= n and counts.max() >= least:
        if full is not None and (strategy == "quantile" or values.size <= k):
            values, counts, missing = full
        if values.size <= k:  # one bin per value (``value_edges``), without its search
            edges, single = np.concatenate((values, values[-1:])), np.ones(values.size, bool)
        else:
            edges, single = value_edges(values, counts, k, strategy)
    else:
        edges = feature_edges(np.repeat(values, counts) if x is None else x, k, strategy)
    return (np.append(edges, np.nan) if missing else edges), single


def _valued(found, n_bins, discrete):
    """The columns whose bins are their distinct values, decided for all at once from their
    ``ColumnValues`` (learnt from all rows, ``n_bins`` ints): categories, columns with no
    value, and columns of at most k values one of which is a point mass at k bins
    (``_column_edges``'s first branches)."""
    n_features = len(found.starts) - 1
    sizes = np.diff(found.starts)
    column = np.repeat(np.arange(n_features), sizes)
    n = np.bincount(column, weights=found.counts, minlength=n_features)
    largest = np.zeros(n_features, dtype=np.int64)
    np.maximum.at(largest, column, found.counts)
    k = np.broadcast_to(np.asarray(n_bins, dtype=np.int64), (n_features,))
    least = np.maximum(2, np.ceil(n / (2 * k)))
    mass = (least <= n) & (largest >= least)
    return discrete | (sizes == 0) | (mass & (sizes <= k))


def _valued_edges(found, columns, discrete, full):
    """Fill the rows ``columns`` (sorted indices) of ``full`` (``EdgeRows.full``) with the
    edges of those columns, whose bins are their values: each column's values, the last
    repeated (``[0, 0]`` for none), then NaN where it holds missing values. Returns their
    sizes and the single-value masks of those not discrete (views of one array)."""
    sizes = np.diff(found.starts)[columns]
    missing = found.missing[columns] > 0
    chosen = np.zeros(len(found.starts) - 1, dtype=bool)
    chosen[columns] = True
    values = found.values[np.repeat(chosen, np.diff(found.starts))]
    width = np.maximum(sizes, 1)  # a column of no value holds its edge 0.0
    rows = full[columns]
    rank = np.arange(values.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows[np.repeat(np.arange(columns.size), sizes), rank] = values
    every = np.arange(columns.size)
    rows[every, width] = np.where(sizes > 0, rows[every, width - 1], 0.0)
    rows[every[missing], width[missing] + 1] = np.nan
    full[columns] = rows
    ones = np.ones(int(sizes.max(initial=0)), dtype=bool)
    single = {
        j: ones[:size]
        for j, size in zip(columns.tolist(), sizes.tolist(), strict=True)
        if size and not discrete[j]
    }
    return width + 1 + missing, single


def sparse_edges(found, full_values, n_bins, strategy, discrete, n_samples):
    """Edges of every column of a sparse matrix (``EdgeRows``) and which bins of the columns
    with point masses are single values, ``{j: mask}``, as ``fit_edges`` learns them from the
    dense matrix: from the ``ColumnValues`` of its sample rows (``found``) and of all of them
    (``full_values``; None: the sample is all rows), the rules seeing ``n_samples`` rows."""
    if np.isinf(found.values).any():
        raise NonFiniteError
    n_features = len(found.starts) - 1
    discrete = np.asarray(discrete, dtype=bool)
    valued = np.zeros(n_features, dtype=bool)
    if full_values is None and not isinstance(n_bins, str):
        valued = _valued(found, n_bins, discrete)
    edges, single = {}, {}
    for j in np.flatnonzero(~valued).tolist():
        column_full = None if full_values is None else full_values.column(j)
        edges[j], s = _column_edges(
            found.column(j), column_full, j, n_bins, strategy, discrete, n_samples
        )
        if s is not None:
            single[j] = s
    # The widest row: a valued column's values, its last again and NaN for missing ones.
    counts = np.maximum(np.diff(found.starts), 1) + 1 + (found.missing > 0)
    width = max([int(counts[valued].max(initial=2))] + [e.size for e in edges.values()])
    full = np.zeros((n_features, width))
    sizes = np.zeros(n_features, dtype=np.int64)
    columns = np.flatnonzero(valued)
    sizes[columns], valued_single = _valued_edges(found, columns, discrete, full)
    for j, e in edges.items():
        full[j, : e.size] = e
        sizes[j] = e.size
    return EdgeRows(full, sizes), single | valued_single
