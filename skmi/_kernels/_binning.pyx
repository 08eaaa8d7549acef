# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled binning: the edge index, the search that gives each value its bin, the
transposing gather of the sample that edges are learnt from, and the order statistics that
make them.

Pure functions of arrays (no scikit-learn, no validation, no state). They release the GIL, so
callers run them on row or column chunks in threads. The kernels that bin values also report
whether all of them were finite: they read every value anyway, which spares the callers a
pass over X to check it. A missing value (NaN) is binned where its column has a bin for
missing values, and reported otherwise.
"""

import numpy as np

from libc.math cimport INFINITY
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from cython cimport floating

from skmi._kernels._inline cimport (
    GROUP_BYTES,
    TILE_ROWS,
    Index,
    cell,
    code_group,
    make_index,
)

cdef extern from "_select.h":
    int select "skmi_select" (
        double* v, Py_ssize_t n, int64_t offset, const int64_t* ranks,
        Py_ssize_t n_ranks, int64_t least, double* out, int depth, int keyed,
    ) nogil

_GROUP_BYTES = GROUP_BYTES
_TILE_ROWS = TILE_ROWS

# Cells per grid step of the edge index: about four grid cells per bin keeps a smooth
# density's bins one per cell, so the search after the lookup is a single comparison.
cdef int64_t GRID_PER_BIN = 4

# Where that grid crowds more than 3 edges into a cell (edges spread over decades, as for
# lognormal data), the feature gets a grid this many times finer.
cdef int64_t GRID_REFINE = 64

# Cells of a grid at most (64 KiB of lookup table a feature), so that thousands of bins cost a
# few more search steps rather than megabytes of index.
cdef int64_t MAX_GRID_CELLS = 2**14

# Bytes of each row read at a time by the transposing gather of every row.
cdef Py_ssize_t COPY_BYTES = 256

ctypedef fused code_t:
    uint8_t
    uint16_t
    uint32_t
    int64_t


cdef void _edges_per_cell(
    const double* edges, Py_ssize_t m, double origin, double scale, int64_t top, int64_t* out
) noexcept nogil:
    """out[g] = number of ``edges`` in grid cell g, for g <= top."""
    cdef Py_ssize_t e
    for e in range(top + 1):
        out[e] = 0
    for e in range(m):
        out[cell(edges[e], origin, scale, <uint64_t> top)] += 1


def index_edges(const double[:, ::1] inner, const int64_t[::1] n_inner):
    """The grid index ``(origin, scale, top, lut, steps)`` of each feature's sorted inner
    edges ``inner[j, :n_inner[j]]``, for the bin search.

    Feature j's grid maps the span of its inner edges to cells 0 to top[j]: first four cells
    per bin, 64 times more where that crowds a cell, at most 2^14. lut[j, g] counts the edges
    in cells below g, and 2^steps[j] - 1 is at least the most edges any cell holds (crowded
    cells cost more search steps, never a wrong bin).
    """
    cdef Py_ssize_t n_features = inner.shape[0]
    cdef int64_t n_cells = min(GRID_PER_BIN * (inner.shape[1] + 1) * GRID_REFINE, MAX_GRID_CELLS)
    origin_array = np.zeros(n_features)
    scale_array = np.zeros(n_features)
    top_array = np.zeros(n_features, dtype=np.int64)
    steps_array = np.zeros(n_features, dtype=np.int64)
    per_cell_array = np.zeros(n_cells + 1, dtype=np.int64)
    cdef double[::1] origin = origin_array
    cdef double[::1] scale = scale_array
    cdef int64_t[::1] top = top_array
    cdef int64_t[::1] steps = steps_array
    cdef int64_t[::1] per_cell = per_cell_array
    cdef Py_ssize_t j, g, attempt
    cdef int64_t m, cells, most
    cdef double width
    with nogil:
        for j in range(n_features):
            m = n_inner[j]
            if m == 0:
                continue
            width = inner[j, m - 1] - inner[j, 0]
            for attempt in range(2):
                cells = min(GRID_PER_BIN * (m + 1), n_cells) if attempt == 0 else n_cells
                top[j], steps[j], origin[j], scale[j] = cells, 0, 0.0, 0.0
                # A width that overflows (edges near -1e308 and 1e308), or a scale that does
                # (edges among denormals), leaves scale and origin 0: one cell, still exact.
                if width > 0.0 and 0.0 < cells / width < INFINITY:
                    origin[j], scale[j] = inner[j, 0], cells / width
                _edges_per_cell(&inner[j, 0], m, origin[j], scale[j], cells, &per_cell[0])
                most = 0
                for g in range(cells + 1):
                    most = max(most, per_cell[g])
                while ((<int64_t> 1) << steps[j]) - 1 < most:
                    steps[j] += 1
                if steps[j] <= 2 or scale[j] == 0.0:
                    break
    # Allocated once the grids are chosen: the refined width only if a feature needs it.
    lut_array = np.zeros((n_features, top_array.max() + 1), dtype=np.uint32)
    cdef uint32_t[:, ::1] lut = lut_array
    with nogil:
        for j in range(n_features):
            _edges_per_cell(
                &inner[j, 0], n_inner[j], origin[j], scale[j], top[j], &per_cell[0]
            )
            for g in range(1, top[j] + 1):
                lut[j, g] = lut[j, g - 1] + <uint32_t> per_cell[g - 1]
    return origin_array, scale_array, top_array, lut_array, steps_array


def gather_columns(const floating[:, :] X, rows, Py_ssize_t lo, floating[:, ::1] out):
    """out[j, i] = X[rows[i], lo + j]: sample rows (unsigned) of a column block, transposed,
    in one copy; every row where ``rows`` is None.

    Every row: tiles of TILE_ROWS rows, read a strip of COPY_BYTES of columns at a time, so
    that each row is read 256 contiguous bytes at a time, the strip's outputs are as many
    contiguous streams, and a tile's pages stay in the address cache (TLB) from strip to
    strip (500 x 200,000: 0.47 s a column at a time, whose every value was a page of its
    own). Sample rows: in tiles too, so a tile's rows stay cached while its columns are
    read one after the other (13 ms against 15 for tiles of 64, 2e5 sampled rows of 17
    columns).
    """
    cdef Py_ssize_t n_columns = out.shape[0], n = out.shape[1]
    cdef Py_ssize_t s0 = X.strides[0], s1 = X.strides[1]
    cdef const char* base = <const char*> &X[0, 0] if X.shape[0] and X.shape[1] else NULL
    cdef const uint64_t[::1] picked
    cdef Py_ssize_t strip = max(1, COPY_BYTES // sizeof(floating))
    cdef Py_ssize_t start, stop, j, i, start_step, j0, j1, j0_step
    cdef const char* column
    cdef const char* row
    cdef floating* tile_out
    if n == 0 or n_columns == 0:
        return np.asarray(out)
    if rows is None and s0 == sizeof(floating):
        with nogil:  # columns already contiguous: a copy each
            for j in range(n_columns):
                memcpy(&out[j, 0], base + (lo + j) * s1, n * sizeof(floating))
        return np.asarray(out)
    if rows is None:
        with nogil:
            for start_step in range((n + TILE_ROWS - 1) // TILE_ROWS):
                start = start_step * TILE_ROWS
                stop = min(start + TILE_ROWS, n)
                for j0_step in range((n_columns + strip - 1) // strip):
                    j0 = j0_step * strip
                    j1 = min(j0 + strip, n_columns)
                    for i in range(start, stop):
                        row = base + i * s0 + lo * s1
                        for j in range(j0, j1):
                            out[j, i] = (<const floating*> (row + j * s1))[0]
        return np.asarray(out)
    picked = np.asarray(rows, dtype=np.uint64)
    with nogil:
        for start_step in range((n + TILE_ROWS - 1) // TILE_ROWS):
            start = start_step * TILE_ROWS
            stop = min(start + TILE_ROWS, n)
            for j in range(n_columns):
                column = base + (lo + j) * s1
                tile_out = &out[j, start]
                for i in range(stop - start):
                    tile_out[i] = (<const floating*> (column + picked[start + i] * s0))[0]
    return np.asarray(out)


def order_statistics(floating[:, ::1] part, const int64_t[::1] ranks, int64_t least):
    """The values at ``ranks`` (ascending, each below n) of every row of ``part`` (m, n) once
    sorted, as float64 (m, len(ranks)), found without sorting (``_select.h``); and which rows
    were left out, their values unset: those holding a value that is not finite, or a value
    at least ``least`` times (a point mass), which the caller sorts instead. A row of float64
    is permuted in place, float32 ones copied; each keeps its values."""
    cdef Py_ssize_t m = part.shape[0], n = part.shape[1], n_ranks = ranks.shape[0], i, j
    out_array = np.empty((m, n_ranks), dtype=np.float64)
    left_out_array = np.zeros(m, dtype=bool)
    if m == 0 or n == 0 or n_ranks == 0:
        return out_array, left_out_array
    cdef double[:, ::1] out = out_array
    cdef uint8_t[::1] left_out = left_out_array.view(np.uint8)
    cdef double* v = NULL
    cdef int status = 0
    cdef bint finite
    cdef double x
    if floating is float:
        v = <double*> malloc(n * sizeof(double))
        if v == NULL:
            raise MemoryError()
    with nogil:
        for j in range(m):
            finite = True
            if floating is float:
                for i in range(n):
                    x = part[j, i]
                    v[i] = x
                    finite &= x - x == 0.0
            else:
                v = &part[j, 0]
                for i in range(n):
                    finite &= v[i] - v[i] == 0.0
            if not finite:
                left_out[j] = 1
                continue
            status = select(v, n, 0, &ranks[0], n_ranks, max(least, 1), &out[j, 0], 0, 0)
            if status == -2:
                break
            left_out[j] = status != 0
    if floating is float:
        free(v)
    if status == -2:
        raise MemoryError()
    return out_array, left_out_array


def bin_codes(const floating[:, :] X, tuple index, code_t[:, :] out):
    """Write the bin of each X[i, j] (n_samples, n_features) into ``out`` of the same shape;
    ``index`` is ``(origin, scale, top, lut, inner, steps, missing)`` (``edge_index``). Returns
    whether every value of X was binned: finite, or missing where its column has a bin for
    missing values."""
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1]
    if n_samples == 0 or n_features == 0:
        return True
    cdef Index ix = make_index(index)
    cdef Py_ssize_t group = max(1, GROUP_BYTES // sizeof(floating))
    cdef Py_ssize_t s0 = X.strides[0], s1 = X.strides[1]
    cdef const char* base = <const char*> &X[0, 0]
    cdef floating* block = <floating*> malloc(group * TILE_ROWS * sizeof(floating))
    cdef uint32_t* codes = <uint32_t*> malloc(group * TILE_ROWS * sizeof(uint32_t))
    cdef int finite = 1
    cdef Py_ssize_t start, stop, j0, j1, jj, i, start_step, j0_step
    if block == NULL or codes == NULL:
        free(block)
        free(codes)
        raise MemoryError()
    with nogil:
        for start_step in range((n_samples + TILE_ROWS - 1) // TILE_ROWS):
            start = start_step * TILE_ROWS
            stop = min(start + TILE_ROWS, n_samples)
            for j0_step in range((n_features + group - 1) // group):
                j0 = j0_step * group
                j1 = min(j0 + group, n_features)
                finite &= code_group(base, s0, s1, &ix, start, stop, j0, j1, block, codes)
                for jj in range(j1 - j0):
                    for i in range(stop - start):
                        out[start + i, j0 + jj] = <code_t> codes[jj * TILE_ROWS + i]
    free(block)
    free(codes)
    return bool(finite)
