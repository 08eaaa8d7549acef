# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled counting of sparse columns (CSC: ``data``, ``indices``, ``indptr``), in time
proportional to their stored values.

A column's stored values are binned as a dense column's values are (``code_column``, the
same search); its implicit zeros are one count, the rows it does not store, added to the bin
of 0.0. Integer counts add up exactly, so the tables equal those of the dense column.
"""

from libc.math cimport NAN
from libc.stdint cimport int32_t, int64_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcpy, memset

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


cdef bint _grow(
    double** values, int64_t** counts, Py_ssize_t* capacity, Py_ssize_t need, Py_ssize_t width
) noexcept nogil:
    """Room for ``need`` values, and ``width`` counts each, in the growing output, doubled as
    it fills."""
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
    more = realloc(counts[0], size * width * sizeof(int64_t))
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
            room = _grow(&values, &counts, &capacity, out + n_present + 1, 1)
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


cdef inline uint64_t _key_hash(int64_t column, uint64_t bits) noexcept nogil:
    """A 64-bit mix of a column and a value's bits (splitmix64's finaliser)."""
    cdef uint64_t h = bits ^ (<uint64_t> column * 0x9E3779B97F4A7C15ULL)
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL
    return h ^ (h >> 31)


def csr_value_counts(
    const floating[::1] data,
    const row_t[::1] indices,
    const int64_t[::1] indptr,
    const target_t[::1] y_codes,
    Py_ssize_t n_columns,
    Py_ssize_t n_y,
    Py_ssize_t max_values,
    int64_t[:, :, ::1] small,
    int64_t[:, ::1] missing,
):
    """The distinct stored values of each column of a CSR matrix (``data``, ``indices``,
    ``indptr``) with how often each occurs in each class of the rows' target codes, in one
    pass over the rows: few where the columns hold few values (counts, flags, one-hot codes),
    however many values they store.

    Writes into ``small[j, v, c]`` the stored values v = 0, 1, .. of column j (up to
    ``small.shape[1]``: a count matrix's 1s, 2s and 3s) in rows of class c, one random access
    a value, as a column sum takes; into ``missing[j, c]`` its NaN; and returns the other
    entries, unsorted: their columns, values and counts (n_values, n_y), from a hash table
    keyed by (column, value), or None once they pass ``max_values``. -0.0 is counted as 0.0.
    On Zipfian counts, 100,000 x 30,000: 0.06 s, against 0.18 for SciPy's copy to CSC.
    """
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, i, p, c, j, k, n_small = small.shape[1]
    cdef Py_ssize_t capacity = 1024, n_slots = 2048, n_values = 0, slot, e, width = n_y + 1
    cdef uint64_t mask = n_slots - 1, bits
    cdef double v
    cdef bint full = False
    # Each entry's value, and its column followed by its counts by class.
    cdef double* values = <double*> malloc(capacity * sizeof(double))
    cdef int64_t* entries = <int64_t*> malloc(capacity * width * sizeof(int64_t))
    cdef int64_t* slots = <int64_t*> calloc(n_slots, sizeof(int64_t))  # entry + 1; 0: free
    if values == NULL or entries == NULL or slots == NULL:
        free(values)
        free(entries)
        free(slots)
        raise MemoryError()
    with nogil:
        for i in range(n_rows):
            c = y_codes[i]
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                v = data[p]
                if v >= 0.0 and v < n_small:
                    k = <Py_ssize_t> v
                    if k == v:
                        small[j, k, c] += 1
                        continue
                elif v != v:  # NaN is unequal to itself
                    missing[j, c] += 1
                    continue
                memcpy(&bits, &v, sizeof(double))
                slot = _key_hash(j, bits) & mask
                while slots[slot]:
                    e = slots[slot] - 1
                    if entries[e * width] == j and values[e] == v:
                        break
                    slot = (slot + 1) & mask
                else:
                    if n_values == max_values or not _grow(
                        &values, &entries, &capacity, n_values + 1, width
                    ):
                        full = True
                        break
                    e = n_values
                    n_values += 1
                    values[e] = v
                    entries[e * width] = j
                    memset(&entries[e * width + 1], 0, n_y * sizeof(int64_t))
                    slots[slot] = e + 1
                    if 2 * n_values > n_slots:  # rehash at half full
                        free(slots)
                        n_slots *= 2
                        mask = n_slots - 1
                        slots = <int64_t*> calloc(n_slots, sizeof(int64_t))
                        if slots == NULL:
                            full = True
                            break
                        for e in range(n_values):
                            memcpy(&bits, &values[e], sizeof(double))
                            slot = _key_hash(entries[e * width], bits) & mask
                            while slots[slot]:
                                slot = (slot + 1) & mask
                            slots[slot] = e + 1
                        e = n_values - 1
                entries[e * width + 1 + c] += 1
            if full:
                break
    free(slots)
    if full:
        free(values)
        free(entries)
        return None
    found_values = np.empty(n_values, dtype=np.float64)
    found_entries = np.empty((n_values, width), dtype=np.int64)
    cdef double[::1] values_view = found_values
    cdef int64_t[:, ::1] entries_view = found_entries
    if n_values:
        memcpy(&values_view[0], values, n_values * sizeof(double))
        memcpy(&entries_view[0, 0], entries, n_values * width * sizeof(int64_t))
    free(values)
    free(entries)
    return found_entries[:, 0], found_values, found_entries[:, 1:]


def value_table_counts(
    const floating[::1] values,
    const int64_t[::1] starts,
    const int64_t[:, ::1] class_counts,
    const int64_t[:, ::1] missing,
    tuple index,
    count_t[:, :, ::1] counts,
):
    """Add to ``counts`` (n_features, n_x, n_y) each column's distinct values' counts by
    class (``class_counts``, column j's values ``values[starts[j]:starts[j + 1]]``, its zeros
    among them) in the bin of the value, and its missing values (``missing[j]``) in its bin
    for them: the tables the rows would give, in time proportional to the distinct values.
    Returns whether every value was binned (``code_column``)."""
    cdef Py_ssize_t n_features = starts.shape[0] - 1, n_y = counts.shape[2], j, e, c, n
    cdef Index ix = make_index(index)
    cdef Py_ssize_t longest = 1
    for j in range(n_features):
        longest = max(longest, starts[j + 1] - starts[j])
    cdef uint32_t* codes = <uint32_t*> malloc(longest * sizeof(uint32_t))
    cdef floating nan = NAN
    cdef uint32_t nan_code
    cdef bint has_missing
    cdef int finite = 1
    if codes == NULL:
        raise MemoryError()
    with nogil:
        for j in range(n_features):
            n = starts[j + 1] - starts[j]
            if n:
                finite &= code_column(&values[starts[j]], n, &ix, j, codes)
            for e in range(n):
                for c in range(n_y):
                    counts[j, codes[e], c] += <count_t> class_counts[starts[j] + e, c]
            has_missing = False
            for c in range(n_y):
                has_missing = has_missing or missing[j, c] > 0
            if has_missing:
                finite &= code_column(&nan, 1, &ix, j, &nan_code)
                for c in range(n_y):
                    counts[j, nan_code, c] += <count_t> missing[j, c]
    free(codes)
    return bool(finite)
