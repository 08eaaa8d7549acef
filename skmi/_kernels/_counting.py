"""Compiled counting: count tables of binned columns against target codes, from values
(binning fused with counting) or from codes, and the plug-in MI of every pair of coded
columns, each pair's table counted and reduced at once.

Integer counts add up exactly, so the result does not depend on how threads split the rows.
"""

import numpy as np
from numba import njit

from skmi._kernels._binning import _GROUP_BYTES, _TILE_ROWS, _code_group


@njit(cache=True, nogil=True)
def joint_counts(X, index, y_codes, counts, block_rows):
    """Add to ``counts`` (n_features, n_x, n_y) each (bin of X[i, j], y_codes[i]), binning fused
    with counting; the caller picks the integer type that holds N and ``block_rows`` (a
    multiple of ``_TILE_ROWS``), and gives ``y_codes`` unsigned.

    A row block is read a group of columns (a cache line of each row) at a time, in tiles
    that are transposed, so each feature's values are contiguous, and binned. Each table
    then takes the block's increments, all of a feature's at once: a table larger than the
    first-level cache is first read in order, so that the increments find it in cache
    rather than each missing on its own, and a long block spreads that read over many
    increments, while the tiles keep the values being binned in cache (360 x 360 tables,
    50 columns of 1e6 rows on one thread: 292 ms in untiled blocks of 16384 rows, 229 in
    tiled blocks of 32768). Returns whether every value of X was finite.
    """
    n_samples, n_features = X.shape
    group = max(1, _GROUP_BYTES // X.itemsize)
    block = np.empty((group, _TILE_ROWS), dtype=X.dtype)
    codes = np.empty((block_rows // _TILE_ROWS, group, _TILE_ROWS), dtype=np.uint32)
    warm = counts[0].size * counts.itemsize > 2**15
    per_line = max(1, _GROUP_BYTES // counts.itemsize)  # one read a cache line warms it
    touched = 0
    finite = True
    for start in range(0, n_samples, block_rows):
        stop = min(start + block_rows, n_samples)
        n_tiles = (stop - start + _TILE_ROWS - 1) // _TILE_ROWS
        for j0 in range(0, n_features, group):
            j1 = min(j0 + group, n_features)
            for t in range(n_tiles):
                t0 = start + t * _TILE_ROWS
                t1 = min(t0 + _TILE_ROWS, stop)
                finite &= _code_group(X, index, t0, t1, j0, j1, block, codes[t])
            block_y = y_codes[start:stop]
            for j in range(j0, j1):
                table = counts[j]
                if warm:
                    for u in range(table.shape[0]):
                        for v in range(0, table.shape[1], per_line):
                            touched += table[u, v]
                for t in range(n_tiles):
                    feature_codes = codes[t, j - j0]
                    for i in range(min(_TILE_ROWS, stop - start - t * _TILE_ROWS)):
                        table[feature_codes[i], block_y[t * _TILE_ROWS + i]] += 1
    # Consumes the warming reads, so the compiler cannot drop them (counts are never < 0).
    if touched < 0:
        counts[0, 0, 0] = 0
    return finite


@njit(cache=True, nogil=True)
def code_counts(codes, y_codes, n_x, n_y):
    """Counts (n_features, n_x, n_y) of (codes[i, j], y_codes[i]) for precomputed codes."""
    n_samples, n_features = codes.shape
    counts = np.zeros((n_features, n_x, n_y), dtype=np.int64)
    for i in range(n_samples):
        yi = y_codes[i]
        for j in range(n_features):
            counts[j, codes[i, j], yi] += 1
    return counts


@njit(cache=True, nogil=True)
def code_counts_3(codes, z_codes, y_codes, n_x, n_z, n_y):
    """Counts (n_features, n_x, n_z, n_y) of (codes[i, j], z_codes[i], y_codes[i])."""
    n_samples, n_features = codes.shape
    counts = np.zeros((n_features, n_x, n_z, n_y), dtype=np.int64)
    for i in range(n_samples):
        zi, yi = z_codes[i], y_codes[i]
        for j in range(n_features):
            counts[j, codes[i, j], zi, yi] += 1
    return counts


@njit(cache=True, nogil=True, inline="always")
def cell_log_ratio(log_count, log_column, log_n, log_row):
    """ln(n_xy N / (n_x n_y)) from the logs of a cell's count, its margins and N.

    Grouped so that a cell holding its whole row and column margins gives exactly
    (0) + (0): constant features have MI 0.
    """
    return (log_count - log_column) + (log_n - log_row)


@njit(cache=True, nogil=True)
def pair_mi(codes_x, codes_y, log_x, log_y, log_int, features, symmetric, out_mi, out_cells):
    """Plug-in MI and occupied cells of every pair (i in ``features``, j) of coded features.

    ``codes_x`` (n_x_features, N) and ``codes_y`` (n_y_features, N) hold codes per feature
    contiguously; ``log_x``/``log_y`` (features, bins) the logs of each feature's margins;
    ``log_int[c] = ln c``. Each pair's table is counted directly (N increments; the one-hot
    product costs B^2 times more on a CPU) and its MI summed as
    sum c ((ln c - ln b_v) + (ln N - ln a_u)) / N: the direct form, with no log call per cell,
    and exactly 0 for a constant feature. With ``symmetric`` only j >= i is computed.
    """
    n = codes_x.shape[1]
    n_bx, n_by = log_x.shape[1], log_y.shape[1]
    log_n = log_int[n]
    table = np.zeros((n_bx, n_by), dtype=np.int64)
    for i in features:
        cx = codes_x[i]
        for j in range(i if symmetric else 0, codes_y.shape[0]):
            cy = codes_y[j]
            table[:] = 0
            for s in range(n):
                table[cx[s], cy[s]] += 1
            total, cells = 0.0, 0
            for u in range(n_bx):
                for v in range(n_by):
                    c = table[u, v]
                    if c > 0:
                        total += c * cell_log_ratio(log_int[c], log_y[j, v], log_n, log_x[i, u])
                        cells += 1
            out_mi[i, j] = max(total / n, 0.0)
            out_cells[i, j] = cells
