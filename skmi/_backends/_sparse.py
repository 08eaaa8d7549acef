"""Counting of sparse columns (SciPy CSC): the compiled backend, with codes and counts read
from the stored values alone (``skmi._kernels._sparse``).

A column's implicit zeros are binned once, as the value 0.0 (its bin: ``zero_codes``), and
counted as the rows it stores nothing in; its stored values are binned by the same search as
a dense column's, so the codes and the tables equal those of the dense matrix. The functions
that take codes are the compiled backend's.
"""

import numpy as np

from skmi._backends._common import NonFiniteError, count_dtype, n_x_of, target_dtype
from skmi._backends._compiled import edge_index
from skmi._kernels._binning import bin_codes
from skmi._kernels._sparse import sparse_codes, sparse_joint_counts
from skmi._threads import even_slices, n_threads, thread_map


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


def count(X, edges, y_codes, n_y, n_jobs):
    """Joint count tables (n_features, n_x, n_y) of the binned columns of CSC X against y
    codes, threads over groups of columns: each column's stored values, and its implicit
    zeros as one count a class."""
    n_samples, n_features = X.shape
    counts = np.zeros((n_features, n_x_of(edges), n_y), dtype=count_dtype(n_samples))
    y_codes = np.ascontiguousarray(y_codes, dtype=target_dtype(n_y))
    class_totals = np.bincount(y_codes, minlength=n_y).astype(np.int64)
    index = edge_index(edges)
    indptr = X.indptr.astype(np.int64)
    workers = n_threads(n_jobs, n_features, X.nnz)
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
    if not all(thread_map(sparse_joint_counts, tasks, len(tasks))):
        raise NonFiniteError
    return counts
