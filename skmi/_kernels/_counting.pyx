# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled counting: count tables of binned columns against target codes, from values
(binning fused with counting) or from codes, and the plug-in MI of every pair of coded
columns, each pair's table counted and reduced at once.

Integer counts add up exactly, so the result does not depend on how threads split the rows.
"""

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from cython cimport floating

from skmi._kernels._inline cimport (
    GROUP_BYTES,
    TILE_ROWS,
    Index,
    cell_log_ratio,
    code_group,
    log_count,
    make_index,
)

cdef extern from "_search.h":
    void pair_table_u8 "skmi_pair_table_u8" (
        const uint8_t* cx, const uint8_t* cy, Py_ssize_t n, Py_ssize_t n_y, int64_t* table
    ) nogil
    void pair_table_u16 "skmi_pair_table_u16" (
        const uint16_t* cx, const uint16_t* cy, Py_ssize_t n, Py_ssize_t n_y, int64_t* table
    ) nogil
    void pair_table_i64 "skmi_pair_table_i64" (
        const int64_t* cx, const int64_t* cy, Py_ssize_t n, Py_ssize_t n_y, int64_t* table
    ) nogil

ctypedef fused count_t:
    uint16_t
    int32_t
    int64_t

ctypedef fused code_t:
    uint8_t
    uint16_t
    int64_t

ctypedef fused target_t:
    uint16_t
    uint32_t


def joint_counts(
    const floating[:, :] X,
    tuple index,
    const target_t[::1] y_codes,
    count_t[:, :, ::1] counts,
    Py_ssize_t block_rows,
):
    """Add to ``counts`` (n_features, n_x, n_y) each (bin of X[i, j], y_codes[i]), binning fused
    with counting; the caller picks the integer type that holds N and ``block_rows`` (a
    multiple of TILE_ROWS). Returns whether every value of X was binned (``code_column``).

    A row block is read a group of columns (a cache line of each row) at a time, in tiles that
    are transposed, so each feature's values are contiguous, and binned. Each table then takes
    the block's increments, all of a feature's at once: a table larger than the first-level
    cache is first read in order, so that the increments find it in cache rather than each
    missing on its own, and a long block spreads that read over many increments, while the
    tiles keep the values being binned in cache (360 x 360 tables, 50 columns of 1e6 rows on
    one thread: 292 ms in untiled blocks of 16384 rows, 229 in tiled blocks of 32768).
    """
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1]
    if n_samples == 0 or n_features == 0:
        return True
    cdef Index ix = make_index(index)
    cdef Py_ssize_t n_x = counts.shape[1], n_y = counts.shape[2]
    cdef Py_ssize_t group = max(1, GROUP_BYTES // sizeof(floating))
    cdef Py_ssize_t s0 = X.strides[0], s1 = X.strides[1]
    cdef const char* base = <const char*> &X[0, 0]
    cdef Py_ssize_t tiles = block_rows // TILE_ROWS
    cdef floating* block = <floating*> malloc(group * TILE_ROWS * sizeof(floating))
    cdef uint32_t* codes = <uint32_t*> malloc(tiles * group * TILE_ROWS * sizeof(uint32_t))
    cdef bint warm = n_x * n_y * sizeof(count_t) > 2**15
    cdef Py_ssize_t per_line = max(1, GROUP_BYTES // sizeof(count_t))
    cdef int64_t touched = 0
    cdef int finite = 1
    cdef Py_ssize_t start, stop, n_tiles, j0, j1, t, t0, t1, j, u, v, i, m
    cdef Py_ssize_t start_step, j0_step, v_step
    cdef count_t* table
    cdef const uint32_t* feature_codes
    cdef const target_t* block_y
    if block == NULL or codes == NULL:
        free(block)
        free(codes)
        raise MemoryError()
    with nogil:
        for start_step in range((n_samples + block_rows - 1) // block_rows):
            start = start_step * block_rows
            stop = min(start + block_rows, n_samples)
            n_tiles = (stop - start + TILE_ROWS - 1) // TILE_ROWS
            for j0_step in range((n_features + group - 1) // group):
                j0 = j0_step * group
                j1 = min(j0 + group, n_features)
                for t in range(n_tiles):
                    t0 = start + t * TILE_ROWS
                    t1 = min(t0 + TILE_ROWS, stop)
                    finite &= code_group(
                        base, s0, s1, &ix, t0, t1, j0, j1, block,
                        codes + t * group * TILE_ROWS,
                    )
                block_y = &y_codes[start]
                for j in range(j0, j1):
                    table = &counts[j, 0, 0]
                    if warm:
                        for u in range(n_x):
                            for v_step in range((n_y + per_line - 1) // per_line):
                                v = v_step * per_line
                                touched += table[u * n_y + v]
                    for t in range(n_tiles):
                        feature_codes = codes + (t * group + j - j0) * TILE_ROWS
                        m = min(TILE_ROWS, stop - start - t * TILE_ROWS)
                        for i in range(m):
                            table[feature_codes[i] * n_y + block_y[t * TILE_ROWS + i]] += 1
    free(block)
    free(codes)
    # Consumes the warming reads, so the compiler cannot drop them (counts are never < 0).
    if touched < 0:
        counts[0, 0, 0] = 0
    return bool(finite)


def code_counts(const code_t[:, :] codes, const int64_t[::1] y_codes, Py_ssize_t n_x,
                Py_ssize_t n_y):
    """Counts (n_features, n_x, n_y) of (codes[i, j], y_codes[i]) for precomputed codes."""
    cdef Py_ssize_t n_samples = codes.shape[0], n_features = codes.shape[1], i, j
    counts_array = np.zeros((n_features, n_x, n_y), dtype=np.int64)
    cdef int64_t[:, :, ::1] counts = counts_array
    cdef int64_t yi
    with nogil:
        for i in range(n_samples):
            yi = y_codes[i]
            for j in range(n_features):
                counts[j, codes[i, j], yi] += 1
    return counts_array


def code_counts_3(const code_t[:, :] codes, const int64_t[::1] z_codes,
                  const int64_t[::1] y_codes, Py_ssize_t n_x, Py_ssize_t n_z, Py_ssize_t n_y):
    """Counts (n_features, n_x, n_z, n_y) of (codes[i, j], z_codes[i], y_codes[i])."""
    cdef Py_ssize_t n_samples = codes.shape[0], n_features = codes.shape[1], i, j
    counts_array = np.zeros((n_features, n_x, n_z, n_y), dtype=np.int64)
    cdef int64_t[:, :, :, ::1] counts = counts_array
    cdef int64_t zi, yi
    with nogil:
        for i in range(n_samples):
            zi, yi = z_codes[i], y_codes[i]
            for j in range(n_features):
                counts[j, codes[i, j], zi, yi] += 1
    return counts_array


def pair_mi(
    const code_t[:, ::1] codes_x,
    const code_t[:, ::1] codes_y,
    const double[:, ::1] log_x,
    const double[:, ::1] log_y,
    const double[::1] log_int,
    const int64_t[::1] features,
    bint symmetric,
    double[:, ::1] out_mi,
    int64_t[:, ::1] out_cells,
):
    """Plug-in MI and occupied cells of every pair (i in ``features``, j) of coded features.

    ``codes_x`` (n_x_features, N) and ``codes_y`` (n_y_features, N) hold codes per feature
    contiguously; ``log_x``/``log_y`` (features, bins) the logs of each feature's margins;
    ``log_int[c] = ln c`` for the counts it reaches (``log_count``). Each pair's table is counted directly (N increments; the one-hot
    product costs B^2 times more on a CPU) and its MI summed as
    sum c ((ln c - ln b_v) + (ln N - ln a_u)) / N: the direct form, with no log call per cell,
    and exactly 0 for a constant feature. With ``symmetric`` only j >= i is computed.
    """
    cdef Py_ssize_t n = codes_x.shape[1]
    cdef Py_ssize_t n_bx = log_x.shape[1], n_by = log_y.shape[1]
    cdef Py_ssize_t n_features_y = codes_y.shape[0]
    cdef Py_ssize_t n_logs = log_int.shape[0]
    cdef double log_n = log_count(n, &log_int[0], n_logs)
    cdef int64_t* table = <int64_t*> malloc(n_bx * n_by * sizeof(int64_t))
    cdef Py_ssize_t f, i, j, s, u, v
    cdef const code_t* cx
    cdef const code_t* cy
    cdef int64_t c, cells
    cdef double total
    if table == NULL:
        raise MemoryError()
    with nogil:
        for f in range(features.shape[0]):
            i = features[f]
            cx = &codes_x[i, 0]
            for j in range(i if symmetric else 0, n_features_y):
                cy = &codes_y[j, 0]
                memset(table, 0, n_bx * n_by * sizeof(int64_t))
                if code_t is uint8_t:
                    pair_table_u8(cx, cy, n, n_by, table)
                elif code_t is uint16_t:
                    pair_table_u16(cx, cy, n, n_by, table)
                else:
                    pair_table_i64(cx, cy, n, n_by, table)
                total = 0.0
                cells = 0
                for u in range(n_bx):
                    for v in range(n_by):
                        c = table[u * n_by + v]
                        if c > 0:
                            total += c * cell_log_ratio(
                                log_count(c, &log_int[0], n_logs), log_y[j, v], log_n, log_x[i, u]
                            )
                            cells += 1
                out_mi[i, j] = max(total / n, 0.0)
                out_cells[i, j] = cells
    free(table)


def pair_counts(
    const code_t[:, ::1] codes,
    const int64_t[::1] features,
    int64_t[:, :, ::1] out,
):
    """Add the joint table of every pair (i in ``features``, j >= i) of coded features into
    ``out`` (n_features (n_features + 1) / 2, B, B), the pairs in row-major order of the
    upper triangle: pair (i, j) at i n_features - i (i - 1) / 2 + j - i.

    ``codes`` (n_features, N) holds codes per feature contiguously, each below B. The tables
    are added to, so batches of rows accumulate in place; each pair costs N increments.
    """
    cdef Py_ssize_t n = codes.shape[1], n_features = codes.shape[0], n_b = out.shape[2]
    cdef Py_ssize_t f, i, j, p
    with nogil:
        for f in range(features.shape[0]):
            i = features[f]
            p = i * n_features - i * (i - 1) // 2
            for j in range(i, n_features):
                if code_t is uint8_t:
                    pair_table_u8(&codes[i, 0], &codes[j, 0], n, n_b, &out[p + j - i, 0, 0])
                elif code_t is uint16_t:
                    pair_table_u16(&codes[i, 0], &codes[j, 0], n, n_b, &out[p + j - i, 0, 0])
                else:
                    pair_table_i64(&codes[i, 0], &codes[j, 0], n, n_b, &out[p + j - i, 0, 0])
