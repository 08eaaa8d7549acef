# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled counting of sparse columns (CSC: ``data``, ``indices``, ``indptr``), in time
proportional to their stored values.

A column's stored values are binned as a dense column's values are (``code_column``, the
same search); its implicit zeros are one count, the rows it does not store, added to the bin
of 0.0. Integer counts add up exactly, so the tables equal those of the dense column.
"""

from libc.stdint cimport int32_t, int64_t, uint16_t, uint32_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy

import numpy as np

from cython cimport floating

from skmi._kernels._inline cimport Index, code_column, make_index

ctypedef fused count_t:
    uint16_t
    int32_t
    int64_t

ctypedef fused row_t:
    int32_t
    int64_t

ctypedef fused target_t:
    uint16_t
    uint32_t


def sparse_codes(
    const floating[::1] data,
    const int64_t[::1] indptr,
    tuple index,
    uint32_t[::1] out,
):
    """Write the bin of each stored value of column j (``data[indptr[j]:indptr[j + 1]]``)
    into ``out`` at the same place; ``index`` is the edge index of the columns
    (``edge_index``). Returns whether every stored value was binned (``code_column``)."""
    cdef Py_ssize_t n_features = indptr.shape[0] - 1, j
    if data.shape[0] == 0:
        return True
    cdef Index ix = make_index(index)
    cdef int finite = 1
    with nogil:
        for j in range(n_features):
            if indptr[j + 1] > indptr[j]:
                finite &= code_column(
                    &data[indptr[j]], indptr[j + 1] - indptr[j], &ix, j, &out[indptr[j]]
                )
    return bool(finite)


def sparse_joint_counts(
    const floating[::1] data,
    const row_t[::1] indices,
    const int64_t[::1] indptr,
    tuple index,
    const target_t[::1] y_codes,
    const int64_t[::1] class_totals,
    count_t[:, :, ::1] counts,
):
    """Add to ``counts`` (n_features, n_x, n_y) each (bin of a stored value of column j,
    y code of its row), and to the bin of 0.0 of column j the rows of each class
    (``class_totals``) it stores no value in. Returns whether every stored value was binned
    (``code_column``)."""
    cdef Py_ssize_t n_features = indptr.shape[0] - 1, n_y = counts.shape[2]
    cdef Index ix = make_index(index)
    cdef Py_ssize_t longest = 1, j, p, c, start, n
    for j in range(n_features):
        longest = max(longest, indptr[j + 1] - indptr[j])
    cdef uint32_t* codes = <uint32_t*> malloc(longest * sizeof(uint32_t))
    cdef int64_t* stored = <int64_t*> calloc(n_y, sizeof(int64_t))
    cdef double zero = 0.0
    cdef uint32_t zero_code
    cdef int finite = 1
    cdef count_t* table
    if codes == NULL or stored == NULL:
        free(codes)
        free(stored)
        raise MemoryError()
    with nogil:
        for j in range(n_features):
            start = indptr[j]
            n = indptr[j + 1] - start
            table = &counts[j, 0, 0]
            if n:
                finite &= code_column(&data[start], n, &ix, j, codes)
            for p in range(n):
                c = y_codes[indices[start + p]]
                table[codes[p] * n_y + c] += 1
                stored[c] += 1
            code_column(&zero, 1, &ix, j, &zero_code)
            for c in range(n_y):
                table[zero_code * n_y + c] += <count_t> (class_totals[c] - stored[c])
                stored[c] = 0
    free(codes)
    free(stored)
    return bool(finite)


cdef inline void _swap(double* a, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    cdef double t = a[i]
    a[i] = a[j]
    a[j] = t


cdef void _sort(double* a, Py_ssize_t n) noexcept nogil:
    """Sort ``a[:n]`` (no NaN) in place: quicksort with three-way partitions, so that runs of
    equal values (the counts 1 of a count matrix) cost one pass, and insertion sort below 16
    values; the smaller part recursed into, the larger looped on."""
    cdef Py_ssize_t lt, i, gt
    cdef double pivot, x, y, z
    while n > 16:
        x, y, z = a[0], a[n // 2], a[n - 1]
        pivot = max(min(x, y), min(max(x, y), z))  # the median of three
        lt, i, gt = 0, 0, n
        while i < gt:
            if a[i] < pivot:
                _swap(a, lt, i)
                lt += 1
                i += 1
            elif a[i] > pivot:
                gt -= 1
                _swap(a, i, gt)
            else:
                i += 1
        if lt < n - gt:
            _sort(a, lt)
            a += gt
            n -= gt
        else:
            _sort(a + gt, n - gt)
            n = lt
    for i in range(1, n):
        x = a[i]
        lt = i
        while lt > 0 and a[lt - 1] > x:
            a[lt] = a[lt - 1]
            lt -= 1
        a[lt] = x


cdef bint _grow(double** values, int64_t** counts, Py_ssize_t* capacity, Py_ssize_t need) noexcept nogil:
    """Room for ``need`` values and counts in the growing output, doubled as it fills."""
    cdef Py_ssize_t size = capacity[0]
    cdef void* more
    if need <= size:
        return True
    while size < need:
        size *= 2
    more = realloc(values[0], size * sizeof(double))
    if more == NULL:
        return False
    values[0] = <double*> more
    more = realloc(counts[0], size * sizeof(int64_t))
    if more == NULL:
        return False
    counts[0] = <int64_t*> more
    capacity[0] = size
    return True


def sparse_value_counts(
    const floating[::1] data,
    const int64_t[::1] indptr,
    int64_t n_rows,
    int64_t[::1] starts,
    int64_t[::1] missing,
):
    """The distinct values of each column of a CSC matrix of ``n_rows`` rows, sorted, and
    how often each occurs, its implicit zeros counted with the value 0.0: returns them as
    two arrays, column j's from ``starts[j]`` to ``starts[j + 1]``, and writes in
    ``missing[j]`` its stored NaN, which are not among them. What ``value_counts`` reads off
    the dense column's sort, from the stored values alone; the output grows as it fills, so
    its memory follows the distinct values, not the stored ones."""
    cdef Py_ssize_t n_features = indptr.shape[0] - 1, j, p, n, n_present, out = 0
    cdef Py_ssize_t longest = 1, capacity = 1024
    for j in range(n_features):
        longest = max(longest, indptr[j + 1] - indptr[j])
    cdef double* buffer = <double*> malloc(longest * sizeof(double))
    cdef double* values = <double*> malloc(capacity * sizeof(double))
    cdef int64_t* counts = <int64_t*> malloc(capacity * sizeof(int64_t))
    cdef double v
    cdef int64_t zeros
    cdef bint zeros_placed, room = True
    if buffer == NULL or values == NULL or counts == NULL:
        free(buffer)
        free(values)
        free(counts)
        raise MemoryError()
    with nogil:
        for j in range(n_features):
            n = indptr[j + 1] - indptr[j]
            n_present = 0
            for p in range(n):
                v = data[indptr[j] + p]
                if v == v:  # NaN is unequal to itself
                    buffer[n_present] = v
                    n_present += 1
            missing[j] = n - n_present
            _sort(buffer, n_present)
            starts[j] = out
            # A column's distinct values, its zero among them: at most its values and one.
            room = _grow(&values, &counts, &capacity, out + n_present + 1)
            if not room:
                break
            zeros = n_rows - n
            zeros_placed = zeros == 0
            for p in range(n_present):
                v = buffer[p]
                if not zeros_placed and v >= 0.0:
                    zeros_placed = True
                    if v != 0.0:
                        values[out] = 0.0
                        counts[out] = zeros
                        out += 1
                    else:  # a stored zero: its run takes the implicit ones
                        values[out] = v
                        counts[out] = zeros + 1
                        out += 1
                        continue
                if out > starts[j] and values[out - 1] == v:
                    counts[out - 1] += 1
                else:
                    values[out] = v
                    counts[out] = 1
                    out += 1
            if not zeros_placed:
                values[out] = 0.0
                counts[out] = zeros
                out += 1
        starts[n_features] = out
    free(buffer)
    if not room:
        free(values)
        free(counts)
        raise MemoryError()
    found = np.empty(out, dtype=np.float64)
    found_counts = np.empty(out, dtype=np.int64)
    cdef double[::1] found_view = found
    cdef int64_t[::1] counts_view = found_counts
    if out:
        memcpy(&found_view[0], values, out * sizeof(double))
        memcpy(&counts_view[0], counts, out * sizeof(int64_t))
    free(values)
    free(counts)
    return found, found_counts
