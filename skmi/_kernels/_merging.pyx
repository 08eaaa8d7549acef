# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Compiled merging of fine count tables to coarser resolutions: the adaptive search for each
feature's resolution, and the summary of the table it settles on; and the same summary of
tables at a fixed resolution. The rank rule with point masses (``rank_groups``) is here too:
it makes quantile edges from a sorted column's distinct values as it merges fine bins, so
that both follow one rule.
"""

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t

from skmi._kernels._inline cimport cell_log_ratio, log_count

cdef extern from "_search.h":
    void summed_area_u16 "skmi_summed_area_u16" (
        const uint16_t* table, Py_ssize_t n_rows, Py_ssize_t n_columns, int64_t* sums
    ) nogil
    void summed_area_i32 "skmi_summed_area_i32" (
        const int32_t* table, Py_ssize_t n_rows, Py_ssize_t n_columns, int64_t* sums
    ) nogil
    void summed_area_i64 "skmi_summed_area_i64" (
        const int64_t* table, Py_ssize_t n_rows, Py_ssize_t n_columns, int64_t* sums
    ) nogil

# How a table's axis is merged to a coarser resolution (``_merge_map``).
cdef enum:
    MODE_KEEP = 0
    MODE_BY_INDEX = 1
    MODE_BY_RANK = 2

KEEP, BY_INDEX, BY_RANK = MODE_KEEP, MODE_BY_INDEX, MODE_BY_RANK

ctypedef fused count_t:
    uint16_t
    int32_t
    int64_t


cdef void _rank_groups(
    const int64_t* cumulative, const uint8_t* single, int64_t n, int64_t k, int64_t* out,
    Py_ssize_t size, int64_t* scratch,
) noexcept nogil:
    """Bin at resolution k of each unit of one axis (a fine bin, or a distinct value), from the
    units' cumulative counts ``cumulative[:size]`` (of n samples), where ``single[u]`` says
    that unit u is one value: the rank rule with point masses. ``scratch`` holds 3 size + 2.

    - Every occupied unit is one value and there are at most k of them: one bin each.
    - Otherwise a one-value unit holding at least n / (2k) samples is a bin of its own (a
      point mass), and the k - M other bins go to the runs of units between the M masses in
      proportion to their samples (largest remainder), each occupied run at least one; while
      the runs would need more bins than that, the smallest mass gives way. Within a run of
      n_s samples and k_s bins a unit goes to the bin of its last sample, floor(rank k_s /
      n_s): without masses that is floor((cumulative - 1) k / n), the plain quantile rule.

    Why n / (2k): a value holding half a bin's share is the larger part of any quantile bin
    it falls in, so merged with its neighbours it would decide what that bin means, and a
    minority beside it (a 0/1 flag's ones) would vanish into it.
    """
    cdef int64_t* mass = scratch  # the unit's count where it is a mass, else 0
    cdef int64_t* run_rows = scratch + size
    cdef int64_t* run_bins = scratch + 2 * size + 1
    cdef Py_ssize_t u, r, n_runs, best
    cdef int64_t count, previous = 0, occupied = 0, n_masses = 0, spare, rest, total
    cdef int64_t offset, start, gap, best_gap
    cdef bint every_single = True
    for u in range(size):
        count = cumulative[u] - previous
        previous = cumulative[u]
        mass[u] = 0
        if count > 0:
            occupied += 1
            every_single = every_single and single[u]
            if single[u] and 2 * k * count >= n:
                mass[u] = count
                n_masses += 1
    if every_single and occupied <= k:
        offset, previous = -1, 0
        for u in range(size):
            offset += cumulative[u] > previous
            previous = cumulative[u]
            out[u] = max(offset, 0)
        return
    while True:
        n_runs, previous = 0, 0
        run_rows[0] = 0
        for u in range(size):
            if mass[u]:
                n_runs += 1
                run_rows[n_runs] = 0
            else:
                run_rows[n_runs] += cumulative[u] - previous
            previous = cumulative[u]
        n_runs += 1
        occupied = 0
        for r in range(n_runs):
            occupied += run_rows[r] > 0
        if n_masses + occupied <= k:
            break
        best = -1
        for u in range(size):
            if mass[u] and (best < 0 or mass[u] < mass[best]):
                best = u
        mass[best] = 0
        n_masses -= 1
    spare, rest, total = k - n_masses, 0, 0
    for r in range(n_runs):
        rest += run_rows[r]
    for r in range(n_runs):
        run_bins[r] = 0 if run_rows[r] == 0 else max(1, spare * run_rows[r] // rest)
        total += run_bins[r]
    # Share and bins compared as run_bins * rest against spare * run_rows: exact integers.
    while total != spare:
        best, best_gap = -1, 0
        for r in range(n_runs):
            if run_rows[r] == 0 or (total > spare and run_bins[r] == 1):
                continue
            gap = run_bins[r] * rest - spare * run_rows[r]
            gap = gap if total > spare else -gap
            if best < 0 or gap > best_gap:
                best, best_gap = r, gap
        run_bins[best] += -1 if total > spare else 1
        total += -1 if total > spare else 1
    offset, r, start, previous = 0, 0, 0, 0
    for u in range(size):
        if mass[u]:
            offset += run_bins[r]
            r += 1
            out[u] = offset
            offset += 1
            start = cumulative[u]
        elif run_bins[r] == 0:
            out[u] = max(offset - 1, 0)
        else:
            out[u] = offset + min(
                run_bins[r] - 1, max(cumulative[u] - start - 1, 0) * run_bins[r] // run_rows[r]
            )


def rank_groups(const int64_t[::1] cumulative, const uint8_t[::1] single, int64_t k):
    """The bin at resolution ``k`` of each unit (n_units,), from the units' cumulative
    counts (n_units,) and whether each is one value (``_rank_groups``)."""
    cdef Py_ssize_t size = cumulative.shape[0]
    out_array = np.zeros(size, dtype=np.int64)
    scratch_array = np.zeros(3 * size + 2, dtype=np.int64)
    cdef int64_t[::1] out = out_array
    cdef int64_t[::1] scratch = scratch_array
    if size:
        with nogil:
            _rank_groups(
                &cumulative[0], &single[0], cumulative[size - 1], k, &out[0], size, &scratch[0]
            )
    return out_array


cdef void _frequency_groups(
    const int64_t* cumulative, const uint8_t* single, int64_t k, int64_t* out,
    Py_ssize_t size, int64_t* scratch,
) noexcept nogil:
    """Test bin at resolution k of each unit of a column binned one bin per value (every
    occupied unit a single value), whatever the order of its values: a value holding at
    least max(2, n / 2k) of the n rows keeps a bin of its own, the others share one, the
    last of the values' bins (as ``OneHotEncoder`` pools infrequent categories). Where more
    values hold that many than k bins allow, only those above the k-th largest count keep
    theirs (at most k - 1, leaving the shared bin), and those tied with it share it too, so
    that relabelling the values never changes the table. A bin of missing values (``single``
    2) follows.
    ``scratch`` holds size values.

    Merged by rank, neighbours in value would share bins, and which values met would depend
    on how they are labelled: a test of a discrete column would change with its labels.
    """
    cdef Py_ssize_t u, i, m = size, n_masses = 0
    cdef int64_t n, least, count, previous = 0, cut = 0, kept = 0, rest = 0
    for u in range(size):
        if single[u] == 2:
            m = u
            break
    n = cumulative[m - 1] if m > 0 else 0
    least = max(2, (n + 2 * k - 1) // (2 * k))
    for u in range(m):
        count = cumulative[u] - previous
        previous = cumulative[u]
        if count >= least:
            scratch[n_masses] = count
            n_masses += 1
        elif count > 0:
            rest = 1
    if n_masses > k - rest:
        # Kept: the counts above the k-th largest, at most k - 1; its ties share a bin.
        for i in range(1, n_masses):  # insertion sort, descending: a few hundred at most
            count = scratch[i]
            u = i
            while u > 0 and scratch[u - 1] < count:
                scratch[u] = scratch[u - 1]
                u -= 1
            scratch[u] = count
        cut, rest = scratch[k - 1], 1
    previous = 0
    for u in range(m):  # the values kept, in their order; empty units add nothing anywhere
        count = cumulative[u] - previous
        previous = cumulative[u]
        out[u] = -1 if count > 0 else 0
        if count >= least and count > cut:
            out[u] = kept
            kept += 1
    for u in range(m):  # the others share the bin after them
        if out[u] < 0:
            out[u] = kept
    for u in range(m, size):
        out[u] = kept + rest


cdef void _merge_values(
    int64_t mode, const int64_t* cumulative, const uint8_t* single, int64_t n, int64_t k,
    int64_t fine_n_bins, int64_t* out, Py_ssize_t size, int64_t* scratch,
) noexcept nogil:
    """``_merge_map`` of units that are all values (no bin of missing values among them)."""
    cdef Py_ssize_t u
    if mode == MODE_BY_RANK and single != NULL:
        _rank_groups(cumulative, single, n, k, out, size, scratch)
        return
    for u in range(size):
        if mode == MODE_KEEP:
            out[u] = u
        elif mode == MODE_BY_INDEX:
            out[u] = u * k // fine_n_bins
        elif n == 0:
            out[u] = 0
        else:
            out[u] = max(cumulative[u] - 1, 0) * k // n


cdef void _merge_map(
    int64_t mode, const int64_t* cumulative, const uint8_t* single, int64_t n, int64_t k,
    int64_t fine_n_bins, int64_t* out, Py_ssize_t size, int64_t* scratch,
) noexcept nogil:
    """Merged index at resolution k of each fine bin of one axis, into ``out[:size]``.

    KEEP (categories): unchanged. BY_INDEX (equal-width bins): floor(u k / fine_n_bins), which is
    exact when k divides fine_n_bins (equal widths nest) and otherwise whole fine bins of nearly
    equal total width. BY_RANK (quantile bins): the k-quantile bin of the bin's last sample,
    floor((cumulative count - 1) k / N); without ties and with k dividing fine_n_bins that is the
    same as merging by index, and with ties (deduplicated fine bins no longer sit at their
    index) ranks still put each in the coarse bin its values belong to. Where fine bins are
    single values (``single`` not NULL), the rank rule keeps the point masses among them
    bins of their own (``_rank_groups``). Divisions happen once per bin, not once per cell.

    The bin of missing values (``single`` 2, after the values' bins) is never merged: the
    values' bins merge among themselves, by their own rows, and it follows them as one bin
    more (the units past it are empty padding).
    """
    cdef Py_ssize_t u, m = size
    if single != NULL:
        for u in range(size):
            if single[u] == 2:
                m = u
                break
    _merge_values(mode, cumulative, single, cumulative[m - 1] if m < size else n, k, fine_n_bins,
                  out, m, scratch)
    for u in range(m, size):
        out[u] = out[m - 1] + 1


cdef Py_ssize_t _runs(const int64_t* merged, Py_ssize_t n, uint32_t* out) noexcept nogil:
    """Boundaries of the runs of equal values in monotone ``merged[:n]``: run r is fine bins
    out[r] to out[r + 1] - 1. Returns the number of runs."""
    cdef Py_ssize_t runs = 0, u
    out[0] = 0
    for u in range(1, n):
        if merged[u] != merged[u - 1]:
            runs += 1
            out[runs] = u
    out[runs + 1] = n
    return runs + 1


cdef inline int64_t _block_sum(
    const int64_t* sums, Py_ssize_t width, uint32_t u0, uint32_t u1, uint32_t v0, uint32_t v1
) noexcept nogil:
    """Sum of the fine cells [u0, u1) x [v0, v1), from the summed-area table (rows of
    ``width``)."""
    return sums[u1 * width + v1] - sums[u0 * width + v1] - sums[u1 * width + v0] + sums[
        u0 * width + v0
    ]


cdef int64_t _occupied(
    const int64_t* sums, Py_ssize_t width, const uint32_t* x_runs, Py_ssize_t n_x_runs,
    const uint32_t* y_runs, Py_ssize_t n_y_runs,
) noexcept nogil:
    """Occupied cells of the table whose rows and columns merge the given runs of fine bins."""
    cdef int64_t occupied = 0
    cdef Py_ssize_t r, q
    for r in range(n_x_runs):
        for q in range(n_y_runs):
            occupied += _block_sum(sums, width, x_runs[r], x_runs[r + 1], y_runs[q], y_runs[q + 1]) > 0
    return occupied


cdef struct Search:
    # The buffers and fixed inputs of one feature's search (``_admissible``).
    int64_t* x_map
    int64_t* y_map
    uint32_t* x_runs
    uint32_t* y_runs
    const int64_t* x_cum
    const int64_t* y_cum
    const uint8_t* x_single  # NULL: no fine bin of the feature is a single value
    const uint8_t* y_single
    int64_t* scratch
    Py_ssize_t n_x          # fine rows used
    Py_ssize_t n_y          # fine columns
    Py_ssize_t kx           # rows of the fine table (maps have this many entries)
    int64_t n
    int64_t fine_n_bins
    double c
    const int64_t* sums
    Py_ssize_t width


cdef bint _admissible(int64_t k, int64_t x_mode, int64_t y_mode, const Search* s) noexcept nogil:
    """Whether the table merged to resolution k keeps >= c samples per occupied cell."""
    # A merged axis has at most k bins, a kept one its own: a table of at most N / c cells
    # passes whatever its occupancy, as independent features' starting resolution does.
    cdef int64_t most_x = s.n_x if x_mode == MODE_KEEP else k
    cdef int64_t most_y = s.n_y if y_mode == MODE_KEEP else k
    cdef Py_ssize_t n_x_runs, n_y_runs
    if s.c * most_x * most_y <= s.n:
        return True
    _merge_map(x_mode, s.x_cum, s.x_single, s.n, k, s.fine_n_bins, s.x_map, s.kx, s.scratch)
    _merge_map(y_mode, s.y_cum, s.y_single, s.n, k, s.fine_n_bins, s.y_map, s.n_y, s.scratch)
    n_x_runs = _runs(s.x_map, s.n_x, s.x_runs)
    n_y_runs = _runs(s.y_map, s.n_y, s.y_runs)
    return s.n >= s.c * _occupied(s.sums, s.width, s.x_runs, n_x_runs, s.y_runs, n_y_runs)


# ------------------------------------------------------------------ the partition tree
# Darbellay and Vajda's adaptive partition of the plane (IEEE Trans. Inf. Theory 45, 1999),
# run on a fine quantile table instead of the samples: a cell is a rectangle of fine bins,
# split at the middle of its rows on each ordered axis, and kept split while the rows of its
# parts differ from what the margins expect.

cdef struct Tree:
    # The fixed inputs of one feature's tree (``_partition``) and what it adds up.
    const int64_t* sums     # the summed-area table (rows of ``width``)
    Py_ssize_t width
    const int64_t* x_cum    # rows in the fine bins below i: x_cum[i], i = 0..n_x
    const int64_t* y_cum
    bint x_ordered          # split by rank (else categories, never split)
    bint y_ordered
    const double* critical  # the chi-square test's critical value at each df, as many as
    Py_ssize_t n_critical   # the table's splits can have (``split_critical``)
    const double* log_int
    Py_ssize_t n_logs
    double log_n
    uint8_t* x_cut          # x_cut[u]: a split falls between fine bins u - 1 and u
    uint8_t* y_cut
    double mi               # sum over the leaves' cells of n l, l = ln(N n / (n_x n_y))
    double second           # sum of n l^2
    int64_t cells           # occupied cells of the leaves
    int64_t df              # degrees of freedom of the splits kept


cdef inline bint _halve(const int64_t* cum, uint32_t a, uint32_t b, uint32_t* middle) noexcept nogil:
    """The fine boundary of bins [a, b) nearest the middle of their rows, into ``middle``; True
    when both sides hold rows (the range can be split)."""
    cdef uint32_t lo = a + 1, hi = b - 1, mid
    cdef int64_t total = cum[a] + cum[b]
    if b - a < 2:
        return False
    while lo < hi:  # the first boundary at or past the middle
        mid = (lo + hi) // 2
        if 2 * cum[mid] >= total:
            hi = mid
        else:
            lo = mid + 1
    if lo > a + 1 and total - 2 * cum[lo - 1] < 2 * cum[lo] - total:
        lo -= 1
    middle[0] = lo
    return cum[a] < cum[lo] < cum[b]


cdef inline double _deviation(double observed, double expected) noexcept nogil:
    """A cell's term of Pearson's chi-square (0 where nothing is expected, nor observed)."""
    return (observed - expected) * (observed - expected) / expected if expected > 0 else 0.0


cdef void _leaf(Tree* t, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1) noexcept nogil:
    """Adds a leaf's cells: the whole rectangle on ordered axes, each category on kept ones."""
    cdef uint32_t u, v, u_end, v_end
    cdef int64_t count
    cdef double l
    u = x0
    while u < x1:
        u_end = x1 if t.x_ordered else u + 1
        v = y0
        while v < y1:
            v_end = y1 if t.y_ordered else v + 1
            count = _block_sum(t.sums, t.width, u, u_end, v, v_end)
            if count > 0:
                l = cell_log_ratio(
                    log_count(count, t.log_int, t.n_logs),
                    log_count(t.y_cum[v_end] - t.y_cum[v], t.log_int, t.n_logs),
                    t.log_n,
                    log_count(t.x_cum[u_end] - t.x_cum[u], t.log_int, t.n_logs),
                )
                t.mi += count * l
                t.second += count * l * l
                t.cells += 1
            v = v_end
        u = u_end


cdef bint _split_kept(
    Tree* t, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1, bint halve_x, uint32_t mx,
    bint halve_y, uint32_t my, int64_t* df,
) noexcept nogil:
    """Whether the split of a cell at (mx, my) is kept: its parts' rows differ from the
    margins' expectation by Pearson's chi-square at the test's level; on two ordered axes,
    or its 4 x 4 quarters do (``_quarters_differ``).

    Both axes ordered: each part expects the cell's rows times its shares of the cell's x and
    y margins (the plain n / 4 where the margins are even), 3 degrees of freedom (1 where one
    axis cannot be halved). One axis of categories: in each category of the cell, the halves
    expect its rows times their shares of the ordered margin; the cell spans every category,
    so its halves' rows are those margins: the 2 x C test of independence, C - 1 degrees of
    freedom.
    """
    cdef uint32_t xs[3]
    cdef uint32_t ys[3]
    cdef uint32_t one[2]  # a category's own boundaries
    cdef Py_ssize_t nx = 1 + halve_x, ny = 1 + halve_y
    cdef int64_t n = 0, n_c, occupied = 0
    cdef double chi = 0.0
    cdef uint32_t c
    xs[0], xs[1], xs[2] = x0, (mx if halve_x else x1), x1
    ys[0], ys[1], ys[2] = y0, (my if halve_y else y1), y1
    if t.x_ordered and t.y_ordered:
        n = _block_sum(t.sums, t.width, x0, x1, y0, y1)
        chi = _grid_chi(t, xs, nx, ys, ny, n)
        df[0] = nx * ny - 1
    else:  # each occupied category of the cell is a cell of its own, cut on the other axis
        for c in range(y0 if t.x_ordered else x0, y1 if t.x_ordered else x1):
            one[0], one[1] = c, c + 1
            if t.x_ordered:
                n_c = _block_sum(t.sums, t.width, x0, x1, c, c + 1)
                chi += _grid_chi(t, xs, nx, one, 1, n_c) if n_c else 0.0
            else:
                n_c = _block_sum(t.sums, t.width, c, c + 1, y0, y1)
                chi += _grid_chi(t, one, 1, ys, ny, n_c) if n_c else 0.0
            occupied += n_c > 0
        df[0] = max(occupied - 1, 0)
    if _rejects(t, chi, df[0]):
        return True
    return t.x_ordered and t.y_ordered and _quarters_differ(t, x0, x1, y0, y1, n)


cdef inline bint _rejects(const Tree* t, double chi, int64_t df) noexcept nogil:
    """Whether Pearson's chi-square ``chi`` on ``df`` degrees of freedom rejects evenness."""
    return df > 0 and chi > t.critical[min(df, t.n_critical - 1)]


cdef double _grid_chi(
    const Tree* t, const uint32_t* xs, Py_ssize_t nx, const uint32_t* ys, Py_ssize_t ny,
    int64_t n,
) noexcept nogil:
    """Pearson's chi-square of a cell of n rows cut into the nx x ny parts between the
    boundaries ``xs[:nx + 1]`` and ``ys[:ny + 1]`` (its own first and last included), each
    part expecting n times its shares of the cell's x and y margins."""
    cdef Py_ssize_t i, k
    cdef double chi = 0.0, share_x, share_y
    cdef int64_t x_rows = t.x_cum[xs[nx]] - t.x_cum[xs[0]]
    cdef int64_t y_rows = t.y_cum[ys[ny]] - t.y_cum[ys[0]]
    for i in range(nx):
        share_x = <double> (t.x_cum[xs[i + 1]] - t.x_cum[xs[i]]) / x_rows
        for k in range(ny):
            share_y = <double> (t.y_cum[ys[k + 1]] - t.y_cum[ys[k]]) / y_rows
            chi += _deviation(
                _block_sum(t.sums, t.width, xs[i], xs[i + 1], ys[k], ys[k + 1]),
                n * share_x * share_y,
            )
    return chi


cdef bint _quarters_differ(
    Tree* t, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1, int64_t n
) noexcept nogil:
    """The look-ahead: the same test on the cell's 4 x 4 grid of quarters (each half halved
    again where it can be), which sees structure finer than the halves, such as a sharp edge
    crossing the cell, and keeps the split where the halves alone look even.

    Measured on the twelve continuous families of ``benchmarks/accuracy.py``, it cuts the
    mean absolute error from 0.0433 to 0.0331 nats at N = 1e3, 0.0139 to 0.0111 at 1e4 and
    0.0042 to 0.0035 at 1e5 (the uniform-noise families' sharp edges most)."""
    cdef uint32_t xs[5]
    cdef uint32_t ys[5]
    cdef Py_ssize_t nx = _quarters(t.x_cum, x0, x1, xs), ny = _quarters(t.y_cum, y0, y1, ys)
    return _rejects(t, _grid_chi(t, xs, nx, ys, ny, n), nx * ny - 1)


cdef Py_ssize_t _quarters(const int64_t* cum, uint32_t a, uint32_t b, uint32_t* out) noexcept nogil:
    """Boundaries of [a, b) halved, and each half halved again, where they can be, into
    ``out``; the number of parts."""
    cdef uint32_t middle, quarter
    cdef Py_ssize_t parts = 0
    out[0] = a
    if not _halve(cum, a, b, &middle):
        out[1] = b
        return 1
    if _halve(cum, a, middle, &quarter):
        parts += 1
        out[parts] = quarter
    parts += 1
    out[parts] = middle
    if _halve(cum, middle, b, &quarter):
        parts += 1
        out[parts] = quarter
    parts += 1
    out[parts] = b
    return parts


cdef void _cut_map(bint ordered, const uint8_t* cut, int64_t* out, Py_ssize_t size) noexcept nogil:
    """The grid of a tree's splits on one axis: each fine bin's row of it (each category its
    own where the axis is not ordered)."""
    cdef Py_ssize_t u
    out[0] = 0
    for u in range(1, size):
        out[u] = u if not ordered else out[u - 1] + cut[u]


cdef void _partition(
    Tree* t, uint32_t n_values, uint32_t n_x, uint32_t n_y, uint32_t* stack
) noexcept nogil:
    """Grows one feature's tree over its fine table (``n_values`` bins of values, then a bin of
    missing values where ``n_x`` is one more) and adds up its leaves into ``t``.

    The root is tested as every cell is. (Darbellay and Vajda split it always, which reads
    ln 2 on any two rows, and +0.0014 nats at independence for N = 1,000 against +0.0001;
    the look-ahead sees the dependences whose halves are even, so the dependent families'
    error stays the same.) A bin of missing values is a stripe of its own beside the values'
    root, split along y only. ``stack`` holds 4 (3 (n_x + n_y) + 2) entries: each split
    narrows an axis, so a path is at most n_x + n_y cells deep, and each leaves at most 3
    siblings waiting.
    """
    cdef Py_ssize_t top = 1
    cdef uint32_t x0, x1, y0, y1, mx = 0, my = 0, i, k
    cdef uint32_t xs[3]
    cdef uint32_t ys[3]
    cdef bint halve_x, halve_y
    cdef int64_t df
    stack[0], stack[1], stack[2], stack[3] = 0, n_values, 0, n_y
    if n_x > n_values:  # the stripe of missing values
        t.x_cut[n_values] = 1
        stack[4], stack[5], stack[6], stack[7] = n_values, n_x, 0, n_y
        top = 2
    while top > 0:
        top -= 1
        x0, x1, y0, y1 = stack[4 * top], stack[4 * top + 1], stack[4 * top + 2], stack[4 * top + 3]
        halve_x = t.x_ordered and _halve(t.x_cum, x0, x1, &mx)
        halve_y = t.y_ordered and _halve(t.y_cum, y0, y1, &my)
        if not (halve_x or halve_y) or not _split_kept(
            t, x0, x1, y0, y1, halve_x, mx, halve_y, my, &df
        ):
            _leaf(t, x0, x1, y0, y1)
            continue
        t.df += df
        if halve_x:
            t.x_cut[mx] = 1
        if halve_y:
            t.y_cut[my] = 1
        xs[0], xs[1], xs[2] = x0, (mx if halve_x else x1), x1
        ys[0], ys[1], ys[2] = y0, (my if halve_y else y1), y1
        for i in range(1 + halve_x):
            for k in range(1 + halve_y):
                stack[4 * top], stack[4 * top + 1] = xs[i], xs[i + 1]
                stack[4 * top + 2], stack[4 * top + 3] = ys[k], ys[k + 1]
                top += 1

cdef Py_ssize_t _summed_width(Py_ssize_t needed, Py_ssize_t width) noexcept:
    """``needed`` rounded up to a multiple of 8 where that is at most 128 (and narrower than
    ``width``), else ``width``: numpy sums a row of more than 128 values in halves, and up to
    128 in 8 running sums, so zeros past the last value change no sum in the first case."""
    cdef Py_ssize_t rounded = (needed + 7) // 8 * 8
    return rounded if rounded <= 128 and rounded < width else width


def adaptive_tables(
    const count_t[:, :, ::1] fine,
    const int64_t[::1] n_x,
    const int64_t[::1] x_modes,
    int64_t y_mode,
    const uint8_t[:, ::1] x_single,
    const uint8_t[::1] y_single,
    int64_t fine_n_bins,
    const int64_t[::1] candidates,
    double c,
    int64_t test_k,
    const double[::1] log_int,
    const double[::1] critical=None,
):
    """Per feature, the finest merge of its fine table that keeps >= c samples per occupied cell,
    or, given the chi-square test's ``critical`` values by degrees of freedom, its partition
    tree (``_partition``) wherever an axis is ordered.

    ``fine`` (n_features, Kx, Ky) holds joint counts at ``fine_n_bins`` bins on each merged axis
    (categories on kept ones; ``n_x[j]`` bins used), ``x_modes`` says how each feature's rows
    merge and ``y_mode`` how the target's columns do (``_merge_map``); ``x_single[j, u]`` and
    ``y_single[v]`` say which fine bins are single values, whose point masses no merge
    joins to a neighbour (a feature or target without any: the plain rank rule). Merged quantile bins are
    the coarse quantile bins, so one pass over the data serves every k in ``candidates``
    (ascending). Occupancy grows with k, so a search finds the largest admissible k;
    ``log_int[m] = ln m`` for the counts it reaches (``log_count``). Returns k, the plug-in MI, sum p l^2 and occupied
    cells of that table, its margins and the merged row of each fine row; then the table
    merged to ``test_k`` bins, with the maps of its rows and of the target's columns (the same
    for every feature).

    Merges keep runs of adjacent fine bins, so every merged cell is a rectangle of fine cells,
    summed in four lookups of the feature's summed-area table: trying a resolution costs its
    own cells, not the fine table's. So is a tree's cell.

    A tree's feature reports the MI, sum p l^2 and occupied cells of its leaves, the grid of
    its splits as its merged rows and margins (the resolution, k, its row count), and the
    degrees of freedom of the splits it kept (the last output; 0 elsewhere).
    """
    cdef Py_ssize_t n_features = fine.shape[0], kx = fine.shape[1], ky = fine.shape[2]
    cdef Py_ssize_t n_candidates = candidates.shape[0]
    # Merged indices run up to the resolution, which can exceed the fine table's own size when
    # ties left few fine bins (a binary feature merged by rank goes to bins 0 and k-1).
    # A bin of missing values (``x_single`` 2) comes after the k merged ones. A feature whose
    # every bin is a single value, scored one bin per value, is tested on its values by
    # frequency (``_frequency_groups``), whatever their order.
    cdef Py_ssize_t j, u, v, r, q, start, lo, hi, step, mid, best
    cdef bint missing, any_missing = False
    cdef Py_ssize_t test_height = 1, values
    per_value_array = np.zeros(n_features, dtype=np.uint8)
    cdef uint8_t[::1] per_value = per_value_array
    for j in range(n_features):
        missing, values = False, 0
        for u in range(kx):
            missing = missing or x_single[j, u] == 2
            values += x_single[j, u] == 1
        any_missing = any_missing or missing
        per_value[j] = x_modes[j] == MODE_BY_RANK and values > 0 and values + missing == n_x[j]
        test_height = max(test_height, n_x[j] if x_modes[j] == MODE_KEEP else test_k + missing)
    cdef Py_ssize_t mx = max(kx, candidates[n_candidates - 1], test_k) + any_missing
    cdef Py_ssize_t my = max(ky, candidates[n_candidates - 1], test_k)
    if critical is not None and critical.shape[0] > 0:
        # Trees and kept categories index their margins by fine bin: as wide as the fine table,
        # in whole groups of 8 up to 128, where numpy's sums of a row (``entropy_from_counts``)
        # add the same values in the same order as at the merges' width.
        mx, my = _summed_width(kx + any_missing, mx), _summed_width(ky, my)
    k_est_array = np.empty(n_features, dtype=np.int64)
    mi_array = np.zeros(n_features)
    second_array = np.zeros(n_features)
    cells_array = np.zeros(n_features, dtype=np.int64)
    x_margins_array = np.zeros((n_features, mx), dtype=np.int64)
    y_margins_array = np.zeros((n_features, my), dtype=np.int64)
    x_maps_array = np.zeros((n_features, kx), dtype=np.int64)
    test_x_maps_array = np.zeros((n_features, kx), dtype=np.int64)
    test_array = np.zeros(
        (n_features, test_height, ky if y_mode == MODE_KEEP else test_k), dtype=np.int64
    )
    sums_array = np.zeros((kx + 1, ky + 1), dtype=np.int64)
    x_cum_array = np.empty(kx, dtype=np.int64)
    y_cum_array = np.empty(ky, dtype=np.int64)
    y_map_array = np.empty(ky, dtype=np.int64)
    test_y_map_array = np.zeros(ky, dtype=np.int64)
    x_runs_array = np.empty(kx + 1, dtype=np.uint32)  # unsigned: they index the sums
    y_runs_array = np.empty(ky + 1, dtype=np.uint32)
    scratch_array = np.empty(3 * max(kx, ky) + 2, dtype=np.int64)
    cdef int64_t[::1] scratch = scratch_array
    cdef bint y_has_single = False
    for v in range(ky):
        y_has_single = y_has_single or y_single[v]
    cdef int64_t[::1] k_est = k_est_array
    cdef double[::1] mi = mi_array
    cdef double[::1] second = second_array
    cdef int64_t[::1] cells = cells_array
    cdef int64_t[:, ::1] x_margins = x_margins_array
    cdef int64_t[:, ::1] y_margins = y_margins_array
    cdef int64_t[:, ::1] x_maps = x_maps_array
    cdef int64_t[:, ::1] test_x_maps = test_x_maps_array
    cdef int64_t[:, :, ::1] test = test_array
    cdef int64_t[:, ::1] sums = sums_array
    cdef int64_t[::1] x_cum = x_cum_array
    cdef int64_t[::1] y_cum = y_cum_array
    cdef int64_t[::1] y_map = y_map_array
    cdef int64_t[::1] test_y_map = test_y_map_array
    cdef uint32_t[::1] x_runs = x_runs_array
    cdef uint32_t[::1] y_runs = y_runs_array
    cdef Search s
    cdef int64_t n, count, x_mode
    cdef Py_ssize_t n_used, n_x_runs, n_y_runs, width = ky + 1
    cdef uint32_t u0, u1, v0, v1
    cdef int64_t* x_map
    cdef int64_t* test_x_map
    cdef double log_n, log_x, log_y, log_ratio
    cdef Py_ssize_t n_logs = log_int.shape[0]
    cdef bint partitioned = critical is not None and critical.shape[0] > 0, tree
    cdef Py_ssize_t n_values
    dfs_array = np.zeros(n_features, dtype=np.int64)
    x_edge_array = np.zeros(kx + 1, dtype=np.int64)
    y_edge_array = np.zeros(ky + 1, dtype=np.int64)
    x_cut_array = np.zeros(kx + 1, dtype=np.uint8)
    y_cut_array = np.zeros(ky + 1, dtype=np.uint8)
    stack_array = np.zeros(4 * (3 * (kx + ky) + 2), dtype=np.uint32)
    cdef int64_t[::1] dfs = dfs_array
    cdef int64_t[::1] x_edge = x_edge_array
    cdef int64_t[::1] y_edge = y_edge_array
    cdef uint8_t[::1] x_cut = x_cut_array
    cdef uint8_t[::1] y_cut = y_cut_array
    cdef uint32_t[::1] stack = stack_array
    cdef Tree t
    t.sums, t.width, t.x_cum, t.y_cum = &sums[0, 0], ky + 1, &x_edge[0], &y_edge[0]
    t.x_cut, t.y_cut, t.y_ordered = &x_cut[0], &y_cut[0], y_mode != MODE_KEEP
    t.log_int, t.n_logs = &log_int[0], n_logs
    if partitioned:
        t.critical, t.n_critical = &critical[0], critical.shape[0]
    s.y_map, s.x_runs, s.y_runs = &y_map[0], &x_runs[0], &y_runs[0]
    s.x_cum, s.y_cum = &x_cum[0], &y_cum[0]
    s.n_y, s.kx, s.fine_n_bins, s.c = ky, kx, fine_n_bins, c
    s.y_single = &y_single[0] if y_has_single else NULL
    s.scratch = &scratch[0]
    s.sums, s.width = &sums[0, 0], width
    with nogil:
        for j in range(n_features):
            n_used = n_x[j]
            x_mode = x_modes[j]
            if count_t is uint16_t:
                summed_area_u16(&fine[j, 0, 0], n_used, ky, &sums[0, 0])
            elif count_t is int32_t:
                summed_area_i32(&fine[j, 0, 0], n_used, ky, &sums[0, 0])
            else:
                summed_area_i64(&fine[j, 0, 0], n_used, ky, &sums[0, 0])
            n = sums[n_used, ky]
            for u in range(kx):
                x_cum[u] = sums[min(u + 1, n_used), ky]
            for v in range(ky):
                y_cum[v] = sums[n_used, v + 1]
            x_map, test_x_map = &x_maps[j, 0], &test_x_maps[j, 0]
            s.x_map, s.n_x, s.n = x_map, n_used, n
            s.x_single = NULL
            for u in range(kx):
                if x_single[j, u]:
                    s.x_single = &x_single[j, 0]
                    break
            tree = partitioned and (x_mode != MODE_KEEP or y_mode != MODE_KEEP)
            if tree:
                for u in range(kx + 1):
                    x_edge[u] = sums[min(u, n_used), ky]
                    x_cut[u] = 0
                for v in range(ky + 1):
                    y_edge[v] = sums[n_used, v]
                    y_cut[v] = 0
                t.x_ordered = x_mode != MODE_KEEP
                t.mi, t.second, t.cells, t.df = 0.0, 0.0, 0, 0
                t.log_n = log_count(n, &log_int[0], n_logs)
                n_values = n_used - (t.x_ordered and x_single[j, n_used - 1] == 2)
                _partition(&t, n_values, n_used, ky, &stack[0])
                _cut_map(t.x_ordered, &x_cut[0], x_map, kx)
                _cut_map(t.y_ordered, &y_cut[0], &y_map[0], ky)
                k_est[j] = x_map[n_used - 1] + 1
            else:
                best = 0
                if x_mode != MODE_KEEP or y_mode != MODE_KEEP:
                    # Gallop from where independent data land, k = sqrt(N / c), then bisect the
                    # bracket: two tables settle a near-independent feature, where a bisection of
                    # the whole range would count eight.
                    start = 0
                    while (
                        start + 1 < n_candidates
                        and <double> (candidates[start + 1] * candidates[start + 1]) * c <= n
                    ):
                        start += 1
                    if _admissible(candidates[start], x_mode, y_mode, &s):
                        lo, step = start, 1  # lo admissible; find a failing hi above it
                        while lo + step < n_candidates and _admissible(
                            candidates[lo + step], x_mode, y_mode, &s
                        ):
                            lo, step = lo + step, 2 * step
                        hi = min(lo + step, n_candidates)
                    else:
                        hi, step = start, 1  # hi fails; find an admissible lo below it (or none)
                        while hi - step >= 0 and not _admissible(
                            candidates[hi - step], x_mode, y_mode, &s
                        ):
                            hi, step = hi - step, 2 * step
                        lo = max(hi - step, 0)
                    while hi - lo > 1:
                        mid = (lo + hi) // 2
                        if _admissible(candidates[mid], x_mode, y_mode, &s):
                            lo = mid
                        else:
                            hi = mid
                    best = lo
                k_est[j] = candidates[best]
                _merge_map(x_mode, &x_cum[0], s.x_single, n, k_est[j], fine_n_bins, x_map, kx, s.scratch)
                _merge_map(
                    y_mode, &y_cum[0], s.y_single, n, k_est[j], fine_n_bins, &y_map[0], ky, s.scratch
                )
            n_x_runs = _runs(x_map, n_used, &x_runs[0])
            n_y_runs = _runs(&y_map[0], ky, &y_runs[0])
            for r in range(n_x_runs):
                x_margins[j, x_map[x_runs[r]]] = sums[x_runs[r + 1], ky] - sums[x_runs[r], ky]
            for q in range(n_y_runs):
                y_margins[j, y_map[y_runs[q]]] = (
                    sums[n_used, y_runs[q + 1]] - sums[n_used, y_runs[q]]
                )
            if tree:
                mi[j], second[j], cells[j], dfs[j] = t.mi, t.second, t.cells, t.df
            else:
                log_n = log_count(n, &log_int[0], n_logs)
                for r in range(n_x_runs):
                    u0, u1 = x_runs[r], x_runs[r + 1]
                    log_x = log_count(x_margins[j, x_map[u0]], &log_int[0], n_logs)
                    for q in range(n_y_runs):
                        v0, v1 = y_runs[q], y_runs[q + 1]
                        # Empty cells add 0 times a finite ratio: no branch to mispredict
                        # (as ``table_summaries``), and no change to the sums.
                        count = _block_sum(&sums[0, 0], width, u0, u1, v0, v1)
                        log_y = log_count(y_margins[j, y_map[v0]], &log_int[0], n_logs)
                        log_ratio = cell_log_ratio(
                            log_count(count, &log_int[0], n_logs), log_y, log_n, log_x
                        )
                        mi[j] += count * log_ratio
                        second[j] += count * log_ratio * log_ratio
                        cells[j] += count > 0
            mi[j] = max(mi[j] / n, 0.0)
            second[j] /= n
            values = 0  # occupied single-value bins
            if per_value[j]:
                for u in range(n_used):
                    values += x_cum[u] > (x_cum[u - 1] if u else 0)
                values -= x_single[j, n_used - 1] == 2 and x_cum[n_used - 1] > (
                    x_cum[n_used - 2] if n_used > 1 else 0
                )
            # A tree's leaves are no one resolution: its values fit the test's, or merge by rank.
            if per_value[j] and values <= (test_k if tree else k_est[j]):
                _frequency_groups(&x_cum[0], s.x_single, test_k, test_x_map, kx, s.scratch)
            else:
                _merge_map(
                    x_mode, &x_cum[0], s.x_single, n, test_k, fine_n_bins, test_x_map, kx, s.scratch
                )
            _merge_map(
                y_mode, &y_cum[0], s.y_single, n, test_k, fine_n_bins, &test_y_map[0], ky, s.scratch
            )
            n_x_runs = _runs(test_x_map, n_used, &x_runs[0])
            n_y_runs = _runs(&test_y_map[0], ky, &y_runs[0])
            for r in range(n_x_runs):
                u0, u1 = x_runs[r], x_runs[r + 1]
                for q in range(n_y_runs):
                    v0, v1 = y_runs[q], y_runs[q + 1]
                    # +=: values pooled by frequency need not be neighbours
                    test[j, test_x_map[u0], test_y_map[v0]] += _block_sum(
                        &sums[0, 0], width, u0, u1, v0, v1
                    )
    return (
        k_est_array,
        mi_array,
        second_array,
        cells_array,
        x_margins_array,
        y_margins_array,
        x_maps_array,
        test_array,
        test_x_maps_array,
        test_y_map_array,
        dfs_array,
    )


def table_summaries(const count_t[:, :, ::1] tables, const double[::1] log_int):
    """Plug-in MI, sum p l^2 and occupied cells of each joint table (n_tables, n_x, n_y),
    and its margins, in one pass over the counts and without a float copy of them; the MI
    term of each cell is the adaptive merge's (``cell_log_ratio``), ``log_int[m] = ln m``
    for the counts it reaches (``log_count``; ln 0 is given as 0). An empty table has MI 0.

    Without a branch on empty cells: an empty cell's term is 0 times a finite log ratio, and
    adding that zero changes no sum, so the results are those of skipping it, while sparse
    tables no longer mispredict a branch a cell (200,000 tables of 16 x 16 with 500 samples
    each: 190 ms with the branch).
    """
    cdef Py_ssize_t n_tables = tables.shape[0], kx = tables.shape[1], ky = tables.shape[2]
    mi_array = np.zeros(n_tables)
    second_array = np.zeros(n_tables)
    cells_array = np.zeros(n_tables, dtype=np.int64)
    x_margins_array = np.zeros((n_tables, kx), dtype=np.int64)
    y_margins_array = np.zeros((n_tables, ky), dtype=np.int64)
    log_y_array = np.zeros(ky)
    cdef double[::1] mi = mi_array
    cdef double[::1] second = second_array
    cdef int64_t[::1] cells = cells_array
    cdef int64_t[:, ::1] x_margins = x_margins_array
    cdef int64_t[:, ::1] y_margins = y_margins_array
    cdef double[::1] log_y = log_y_array
    cdef Py_ssize_t j, u, v, n_logs = log_int.shape[0]
    cdef int64_t n, count, occupied
    cdef double log_n, log_x, log_ratio, total, total_second
    cdef const count_t* row
    with nogil:
        for j in range(n_tables):
            n = 0
            for u in range(kx):
                for v in range(ky):
                    count = tables[j, u, v]
                    x_margins[j, u] += count
                    y_margins[j, v] += count
                n += x_margins[j, u]
            if n == 0:
                continue
            log_n = log_count(n, &log_int[0], n_logs)
            for v in range(ky):
                log_y[v] = log_count(y_margins[j, v], &log_int[0], n_logs)
            total, total_second, occupied = 0.0, 0.0, 0
            for u in range(kx):
                if x_margins[j, u] == 0:
                    continue
                log_x = log_count(x_margins[j, u], &log_int[0], n_logs)
                row = &tables[j, u, 0]
                for v in range(ky):
                    count = row[v]
                    log_ratio = cell_log_ratio(
                        log_count(count, &log_int[0], n_logs), log_y[v], log_n, log_x
                    )
                    total += count * log_ratio
                    total_second += count * log_ratio * log_ratio
                    occupied += count > 0
            mi[j] = max(total / n, 0.0)
            second[j] = total_second / n
            cells[j] = occupied
    return mi_array, second_array, cells_array, x_margins_array, y_margins_array
