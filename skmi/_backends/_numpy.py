"""The reference backend: plain numpy, ``searchsorted`` to bin and ``bincount`` to count.

Written for clarity, not speed: every other backend must give exactly its codes and counts
(and its pair MI to round-off), which the test suite checks. One thread; ``n_jobs`` is
accepted and ignored.
"""

import numpy as np

from skmi._backends._common import (
    NonFiniteError,
    add_into,
    count_dtype,
    n_x_of,
    value_edges_of,
)


def sample_columns(X, rows, lo, hi):
    """Columns lo..hi-1 of the sample ``rows`` of X (all rows if None), transposed."""
    block = X[:, lo:hi] if rows is None else X[rows, lo:hi]
    return np.ascontiguousarray(block.T)


def codes(X, edges, dtype):
    """Bin codes: #{inner edges <= value} (the inner edges are left-closed); a missing
    value's is its column's last bin, where its edges end in NaN (``value_edges_of``)."""
    if np.isinf(X).any():
        raise NonFiniteError
    out = np.empty(X.shape, dtype=dtype)
    for j, e in enumerate(edges):
        e, missing = value_edges_of(e)
        nan = np.isnan(X[:, j])
        if nan.any() and missing is None:
            raise NonFiniteError
        # Edges are float64; comparing the promoted value is exact for float32 input.
        out[:, j] = np.searchsorted(e[1:-1], X[:, j].astype(np.float64), side="right")
        if nan.any():
            out[nan, j] = missing
    return out


def count_codes(codes, y_codes, n_x, n_y):
    """Counts (n_features, n_x, n_y) of (codes[i, j], y_codes[i])."""
    flat = codes.astype(np.int64) * n_y + np.asarray(y_codes, dtype=np.int64)[:, None]
    return np.stack(
        [np.bincount(f, minlength=n_x * n_y).reshape(n_x, n_y) for f in flat.T]
    ).reshape(codes.shape[1], n_x, n_y)


def count(X, edges, y_codes, n_y, n_jobs, out=None):
    """Joint count tables (n_features, n_x, n_y) in ``count_dtype``, or added into ``out``."""
    n_x = n_x_of(edges)
    tables = count_codes(codes(X, edges, np.int64), y_codes, n_x, n_y)
    return add_into(out, tables.astype(count_dtype(X.shape[0])))


def count_codes_3(codes, z_codes, y_codes, n_x, n_z, n_y):
    """Counts (n_features, n_x, n_z, n_y) of (codes[i, j], z_codes[i], y_codes[i])."""
    zy = np.asarray(z_codes, dtype=np.int64) * n_y + np.asarray(y_codes, dtype=np.int64)
    return count_codes(codes, zy, n_x, n_z * n_y).reshape(codes.shape[1], n_x, n_z, n_y)


def pair_mi(codes_x, codes_y, log_x, log_y, symmetric, n_jobs):
    """Plug-in MI and occupied cells of every pair from its table, counted by bincount:
    sum c ln(c N / (a b)) / N over the occupied cells."""
    n = codes_x.shape[1]
    n_bx, n_by = log_x.shape[1], log_y.shape[1]
    mi = np.zeros((codes_x.shape[0], codes_y.shape[0]))
    cells = np.zeros(mi.shape, dtype=np.int64)
    for i, cx in enumerate(codes_x):
        for j, cy in enumerate(codes_y):
            table = np.bincount(cx.astype(np.int64) * n_by + cy, minlength=n_bx * n_by)
            u, v = np.divmod(np.flatnonzero(table), n_by)
            c = table[table > 0]
            terms = (np.log(c) - log_y[j, v]) + (np.log(n) - log_x[i, u])
            mi[i, j] = max((c * terms).sum() / n, 0.0)
            cells[i, j] = c.size
    return mi, cells


def pair_counts(codes, out, n_jobs):
    """Add the joint table of every pair (i, j >= i) of rows of ``codes`` into ``out``
    (pairs in row-major order of the upper triangle), counted by bincount."""
    n_b = out.shape[2]
    p = 0
    for i, ci in enumerate(codes):
        for cj in codes[i:]:
            flat = ci.astype(np.int64) * n_b + cj
            out[p] += np.bincount(flat, minlength=n_b * n_b).reshape(n_b, n_b)
            p += 1


def code_histograms(codes, n_x):
    """Histogram (n_features, n_x) of each row of ``codes`` (n_features, n_samples)."""
    return np.stack([np.bincount(c, minlength=n_x) for c in codes])


def permuted(rng, codes):
    """``rng.permutation(codes)``."""
    return rng.permutation(codes)


def nonfinite(X):
    """Whether X holds an infinite value, and which of its columns hold a missing one."""
    return bool(np.isinf(X).any()), np.isnan(X).any(axis=0)
