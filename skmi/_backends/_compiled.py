"""The compiled backend: the Cython kernels run in threads (``skmi._threads``).

The kernels release the GIL; a count is split over threads by rows or by groups of columns
(``_chunks``), and integer counts add up exactly, so results do not depend on the split.
"""

import math

import numpy as np

from skmi._backends import _numpy
from skmi._backends._common import (
    EdgeRows,
    NonFiniteError,
    count_dtype,
    counted_into,
    log_table,
    missing_bins,
    n_x_of,
    target_dtype,
)
from skmi._kernels._binning import _TILE_ROWS, bin_codes, gather_columns, index_edges
from skmi._kernels._counting import code_counts, code_counts_3, joint_counts
from skmi._kernels._counting import pair_counts as _pair_counts_kernel
from skmi._kernels._counting import pair_mi as _pair_mi_kernel
from skmi._threads import even_slices, n_threads, thread_map

# Rows per table cell from which threads split a count by rows (``_chunks``).
_ROWS_PER_CELL = 16


def sample_columns(X, rows, lo, hi):
    """Columns lo..hi-1 of the sample ``rows`` (unsigned, or None: all) of X, transposed in
    one copy (numpy's take would first copy the strided column block)."""
    n_rows = X.shape[0] if rows is None else rows.size
    return gather_columns(X, rows, lo, np.empty((hi - lo, n_rows), dtype=X.dtype))


def edge_index(edges):
    """The search structure of ``_kernels._binning._code`` for a list of edge arrays:
    ``(origin, scale, top, lut, inner, steps, missing)``, inner edges padded as far as the
    binary steps after the grid lookup can reach with NaN, which no value is at or above: not
    even an infinite one, whose bin must stay in range (+inf padding would count as edges
    below it, and its count would write past its table). ``missing`` is the code of each
    feature's missing values: its last bin where its edges end in NaN (``missing_bins``),
    otherwise UINT32_MAX, no bin.

    Edges stay float64 whatever the input dtype: a float32 value promoted to float64 compares
    exactly, so float32 and float64 copies of the same data get the same codes.
    """
    has_missing = missing_bins(edges)
    if isinstance(edges, EdgeRows):
        n_inner = edges.sizes - 2 - has_missing
        inner = np.array(edges.full[:, 1:-1], order="C")
        if inner.shape[1] == 0:
            inner = np.full((len(edges), 1), np.nan)
        # Past a row's inner edges (its maximum, NaN, the padding of shorter rows): none.
        inner[np.arange(inner.shape[1]) >= n_inner[:, None]] = np.nan
    else:
        n_inner = np.array([e.size - 2 for e in edges]) - has_missing
        inner = np.full((len(edges), max(int(n_inner.max()), 1)), np.nan)
        for j, e in enumerate(edges):
            inner[j, : n_inner[j]] = e[1 : 1 + n_inner[j]]
    origin, scale, top, lut, steps = index_edges(inner, n_inner)
    reach = int((n_inner + (1 << steps) - 1).max())
    inner = np.pad(inner, ((0, 0), (0, max(reach - inner.shape[1], 0))), constant_values=np.nan)
    missing = np.where(has_missing, n_inner + 1, np.iinfo(np.uint32).max).astype(np.uint32)
    return origin, scale, top, lut, inner, steps, missing


def codes(X, edges, dtype):
    """Bin codes (n_samples, n_features) of X under ``edges``, of ``dtype``."""
    out = np.empty(X.shape, dtype=dtype)
    if not bin_codes(X, edge_index(edges), out):
        raise NonFiniteError
    return out


def _chunks(n_samples, n_features, n_cells, n_jobs):
    """(rows, columns) slices for the threads of a count of tables of ``n_cells`` cells.

    Rows, when each thread has many rows per table cell: a thread then streams through
    whole rows of X, and its copies of small tables cost little to add up (measured at
    1e6 x 100 with 32 x 32 tables: 180 ms split by rows, 255 ms by columns). Columns
    otherwise: each thread fills tables of its own, with no copies (at 1e4 x 100 with
    120 x 120 tables: 3 ms by columns, 27 ms by rows).
    """
    by_rows = n_threads(n_jobs, n_samples, n_samples * n_features)
    by_columns = n_threads(n_jobs, n_features, n_samples * n_features)
    if by_rows > 1 and (by_columns < by_rows or n_samples // by_rows >= _ROWS_PER_CELL * n_cells):
        return [(rows, slice(None)) for rows in even_slices(n_samples, by_rows)]
    return [(slice(None), columns) for columns in even_slices(n_features, by_columns)]


def _block_rows(n_cells):
    """Rows per block of the fused count: about a quarter of a table's cells, so that
    reading a large table into cache before a block's increments costs little beside
    them; from 256 (one tile, ``_TILE_ROWS``) to 65536 (2 MiB of codes a thread).
    Measured at 1e4 to 1e6 rows for tables of 16^2 to 360^2 cells: 1e6 x 40 at 360^2 took
    208 ms in blocks of 16384 rows, 185 in 32768 and 174 in 65536; up to 64^2, blocks of
    256 to 2048 rows are within 5% of each other and one tile is best, and 16384 is
    10-15% slower. A quarter rather than a half keeps 32^2 tables at one tile, for 6% on
    360^2 ones.
    """
    return int(np.clip(2 ** round(math.log2(max(n_cells, 1) / 4)), _TILE_ROWS, 65_536))


def count(X, edges, y_codes, n_y, n_jobs, out=None):
    """Joint count tables (n_features, n_x, n_y) of binned X against y codes, in threads,
    or added into ``out`` (``counted_into``)."""
    n_samples, n_features = X.shape

    def add(counts):
        return _add_counts(X, edges, y_codes, n_y, n_jobs, counts)

    return counted_into(add, n_samples, (n_features, n_x_of(edges), n_y), out)


def _add_counts(X, edges, y_codes, n_y, n_jobs, counts):
    """Adds the joint tables of binned X against y codes into ``counts``; whether every
    value was binned (``joint_counts``)."""
    n_samples, n_features = X.shape
    n_x = counts.shape[1]
    index = edge_index(edges)
    chunks = _chunks(n_samples, n_features, n_x * n_y, n_jobs)
    by_rows = chunks[0][0] != slice(None)
    # Threads over columns fill their slices of the tables; over rows, copies to add up.
    if by_rows:
        parts = [np.zeros(counts.shape, count_dtype(n_samples)) for _ in chunks[1:]]
        outs = [counts, *parts]
    else:
        outs = [counts[columns] for _, columns in chunks]
    block_rows = _block_rows(n_x * n_y)
    y_codes = np.ascontiguousarray(y_codes, dtype=target_dtype(n_y))  # as the kernel takes
    tasks = [
        (X[rows, columns], tuple(a[columns] for a in index), y_codes[rows], out, block_rows)
        for (rows, columns), out in zip(chunks, outs, strict=True)
    ]
    finite = all(thread_map(joint_counts, tasks, len(tasks)))
    if by_rows:
        for part in parts:
            # in place: np.sum would stack every part into one more copy
            np.add(counts, part, out=counts, casting="unsafe")
    return finite


def _target(codes):
    """Codes of a target as the kernels index them: contiguous int64."""
    return np.ascontiguousarray(codes, dtype=np.int64)


def count_codes(codes, y_codes, n_x, n_y):
    """Counts (n_features, n_x, n_y) of (codes[i, j], y_codes[i])."""
    return code_counts(codes, _target(y_codes), n_x, n_y)


def count_codes_3(codes, z_codes, y_codes, n_x, n_z, n_y):
    """Counts (n_features, n_x, n_z, n_y) of (codes[i, j], z_codes[i], y_codes[i])."""
    return code_counts_3(codes, _target(z_codes), _target(y_codes), n_x, n_z, n_y)


def pair_mi(codes_x, codes_y, log_x, log_y, symmetric, n_jobs):
    """Plug-in MI and occupied cells of every pair, threads over interleaved rows of the
    result (which balances the triangle of a symmetric one); each thread counts one pair's
    table at a time, N values each."""
    n_x, n_y = codes_x.shape[0], codes_y.shape[0]
    workers = n_threads(n_jobs, n_x, n_x * n_y * codes_x.shape[1])
    plugin = np.zeros((n_x, n_y))
    cells = np.zeros((n_x, n_y), dtype=np.int64)
    args = (codes_x, codes_y, log_x, log_y, log_table(codes_x.shape[1]))
    parts = [np.arange(t, n_x, workers) for t in range(workers)]
    thread_map(
        _pair_mi_kernel, [(*args, part, symmetric, plugin, cells) for part in parts], workers
    )
    if symmetric:
        upper = np.triu_indices(n_x, 1)
        plugin.T[upper], cells.T[upper] = plugin[upper], cells[upper]
    return plugin, cells


def pair_counts(codes, out, n_jobs):
    """Add every pair's joint table into ``out`` in place, threads over interleaved rows of
    the triangle (each thread adds to its own pairs' tables)."""
    n_features = codes.shape[0]
    workers = n_threads(n_jobs, n_features, n_features**2 * codes.shape[1] // 2)
    parts = [np.arange(t, n_features, workers) for t in range(workers)]
    thread_map(_pair_counts_kernel, [(codes, part, out) for part in parts], workers)


# The host's: numpy's own routines are as fast as a kernel would be.
code_histograms = _numpy.code_histograms
permuted = _numpy.permuted
nonfinite = _numpy.nonfinite
