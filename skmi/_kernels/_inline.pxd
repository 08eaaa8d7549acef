# Inline pieces shared by the kernel modules: the bin search and the MI term of a cell.
#
# Pure C on raw pointers, without the GIL: the callers release it and run the kernels on row
# or column chunks in threads.

from libc.math cimport log
from libc.stdint cimport int64_t, uint32_t, uint64_t

from cython cimport floating

cdef enum:
    # A cache line: the width of the column groups that are transposed (8 float64 or 16
    # float32 values), so each row of X is read a line at a time.
    GROUP_BYTES = 64
    # Rows transposed and binned at a time: a group's tile of values (16 KiB of float64) and
    # its codes stay in the first-level cache.
    TILE_ROWS = 256


# The edge index of a group of features (``index_edges``): feature j's grid maps a value to a
# cell, ``lut[j * lut_stride + cell]`` counts its inner edges below that cell, and
# ``inner[j * inner_stride:]`` holds its inner edges padded with NaN as far as the search
# reaches; 2^steps[j] - 1 bounds the edges in any one cell; ``missing[j]`` is the code of its
# missing values, UINT32_MAX where it has no bin for them.
cdef struct Index:
    const double* origin
    const double* scale
    const int64_t* top
    const uint32_t* lut
    Py_ssize_t lut_stride
    const double* inner
    Py_ssize_t inner_stride
    const int64_t* steps
    const uint32_t* missing


cdef extern from "_search.h":
    uint32_t cell "skmi_cell" (double v, double origin, double scale, uint64_t n_cells) nogil
    int code_column_f64 "skmi_code_column_f64" (
        const double* column, Py_ssize_t n, double origin, double scale, uint64_t top,
        const uint32_t* lut, const double* row, int64_t steps, uint32_t missing, uint32_t* out,
    ) nogil
    int code_column_f32 "skmi_code_column_f32" (
        const float* column, Py_ssize_t n, double origin, double scale, uint64_t top,
        const uint32_t* lut, const double* row, int64_t steps, uint32_t missing, uint32_t* out,
    ) nogil


cdef inline bint code_column(
    const floating* column, Py_ssize_t n, const Index* ix, Py_ssize_t j, uint32_t* out
) noexcept nogil:
    """out[i] = bin of column[i] for i < n, as feature j of the index (``_search.h``); returns
    whether all of those values were binned: finite, or missing where feature j has a bin for
    them (any other value still gets a bin in range).

    The check costs about 4% of a count at 1e6 x 100, where the pass over X it replaces cost
    15% (numpy's sum, in scikit-learn's validation).
    """
    cdef const uint32_t* lut = ix.lut + j * ix.lut_stride
    cdef const double* row = ix.inner + j * ix.inner_stride
    if floating is double:
        return code_column_f64(
            column, n, ix.origin[j], ix.scale[j], <uint64_t> ix.top[j], lut, row, ix.steps[j],
            ix.missing[j], out,
        )
    else:
        return code_column_f32(
            column, n, ix.origin[j], ix.scale[j], <uint64_t> ix.top[j], lut, row, ix.steps[j],
            ix.missing[j], out,
        )


cdef inline void load_group(
    const char* X, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t start, Py_ssize_t stop,
    Py_ssize_t j0, Py_ssize_t j1, floating* block, Py_ssize_t block_stride,
) noexcept nogil:
    """block[(j - j0) * block_stride + i - start] = X[i, j]: a group of columns of a row block
    of X (byte strides s0, s1), transposed. A column at a time: its reads stride down the
    block (the group's cache lines, read once from memory, stay cached across the group) and
    its writes are contiguous (0.8 ms against 1.4 for row by row at 10k x 100)."""
    cdef Py_ssize_t jj, i
    cdef const char* column
    cdef floating* out
    for jj in range(j1 - j0):
        column = X + (j0 + jj) * s1 + start * s0
        out = block + jj * block_stride
        for i in range(stop - start):
            out[i] = (<const floating*> (column + i * s0))[0]


cdef inline bint code_group(
    const char* X, Py_ssize_t s0, Py_ssize_t s1, const Index* ix, Py_ssize_t start,
    Py_ssize_t stop, Py_ssize_t j0, Py_ssize_t j1, floating* block, uint32_t* codes,
) noexcept nogil:
    """codes[(j - j0) * TILE_ROWS + i - start] = bin of X[i, j] for a row block of at most
    TILE_ROWS rows and a group of columns: the group transposed into ``block`` (unless its
    columns are contiguous), then binned a column at a time; returns whether all of those
    values were binned (``code_column``)."""
    cdef int finite = 1
    cdef Py_ssize_t j
    cdef const floating* column
    if s0 != sizeof(floating):
        load_group(X, s0, s1, start, stop, j0, j1, block, TILE_ROWS)
    for j in range(j0, j1):
        if s0 == sizeof(floating):  # columns contiguous already (F-ordered): read in place
            column = <const floating*> (X + j * s1 + start * s0)
        else:
            column = block + (j - j0) * TILE_ROWS
        finite &= code_column(column, stop - start, ix, j, codes + (j - j0) * TILE_ROWS)
    return finite


cdef inline double log_count(int64_t count, const double* log_int, Py_ssize_t n_logs) noexcept nogil:
    """ln of a count >= 1: looked up in ``log_int`` (ln 0..n_logs - 1) where it reaches, so
    that the table stays small whatever N (``_backends.log_table``), computed beyond."""
    return log_int[count] if count < n_logs else log(<double> count)


cdef inline double cell_log_ratio(
    double log_count, double log_column, double log_n, double log_row
) noexcept nogil:
    """ln(n_xy N / (n_x n_y)) from the logs of a cell's count, its margins and N. Grouped so
    that a cell holding its whole row and column margins gives exactly (0) + (0): constant
    features have MI 0."""
    return (log_count - log_column) + (log_n - log_row)


cdef inline Index make_index(tuple index) except *:
    """The ``Index`` of ``(origin, scale, top, lut, inner, steps, missing)`` (``edge_index``): C
    contiguous arrays, which the caller keeps alive while the index is used."""
    cdef const double[::1] origin = index[0]
    cdef const double[::1] scale = index[1]
    cdef const int64_t[::1] top = index[2]
    cdef const uint32_t[:, ::1] lut = index[3]
    cdef const double[:, ::1] inner = index[4]
    cdef const int64_t[::1] steps = index[5]
    cdef const uint32_t[::1] missing = index[6]
    cdef Index ix
    ix.origin = &origin[0]
    ix.scale = &scale[0]
    ix.top = &top[0]
    ix.lut = &lut[0, 0]
    ix.lut_stride = lut.shape[1]
    ix.inner = &inner[0, 0]
    ix.inner_stride = inner.shape[1]
    ix.steps = &steps[0]
    ix.missing = &missing[0]
    return ix
