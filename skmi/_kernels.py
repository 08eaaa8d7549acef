"""Compiled loops: binning, counting and the exact chance level of MI.

Pure functions of arrays (no scikit-learn, no validation, no state). They release the GIL, so
callers run them on row chunks in threads; integer counts add up exactly, so the result does
not depend on how the rows were split.
"""

import math

import numpy as np
from numba import njit

# Rows per block: a block of X stays in the L2 cache while each feature's table (in L1) is
# filled from it, instead of every row touching every feature's table.
_BLOCK_ROWS = 256


@njit(cache=True, nogil=True, inline="always")
def _code_short(v, row):
    """Bin of ``v`` among at most 31 sorted edges: all compared at once (SIMD)."""
    count = 0
    for k in range(row.shape[0]):
        count += row[k] <= v
    return count


@njit(cache=True, nogil=True, inline="always")
def _code_long(v, row, coarse):
    """Bin of ``v`` among 2^p - 1 > 31 sorted edges, with ``coarse`` = row[15::16].

    Binary steps narrow rows past 511 entries to 511; then the 16-entry blocks wholly below v
    are counted on ``coarse`` and the 15 entries of v's block on ``row``, each at once.
    """
    pos = 0
    step = (row.shape[0] + 1) >> 1
    while step > 256:
        if row[pos + step - 1] <= v:
            pos += step
        step >>= 1
    blocks = 0
    first = pos >> 4
    for k in range((step >> 3) - 1):
        blocks += coarse[first + k] <= v
    pos += 16 * blocks
    count = pos
    for k in range(15):
        count += row[pos + k] <= v
    return count


@njit(cache=True, nogil=True)
def gather_columns(X, rows, lo, out):
    """out[j, i] = X[rows[i], lo + j]: sample rows of a column block, transposed, in one copy."""
    n_columns = out.shape[0]
    for i in range(rows.size):
        source = rows[i]
        for j in range(n_columns):
            out[j, i] = X[source, lo + j]
    return out


@njit(cache=True, nogil=True)
def bin_codes(X, inner, coarse, out):
    """Write the bin of each X[i, j] (n_samples, n_features) into ``out`` of the same shape."""
    n_samples, n_features = X.shape
    for start in range(0, n_samples, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n_samples)
        for j in range(n_features):
            row, row_coarse = inner[j], coarse[j]
            if row.shape[0] <= 31:
                for i in range(start, stop):
                    out[i, j] = _code_short(X[i, j], row)
            else:
                for i in range(start, stop):
                    out[i, j] = _code_long(X[i, j], row, row_coarse)
    return out


@njit(cache=True, nogil=True)
def joint_counts(X, inner, coarse, y_codes, counts, block_rows):
    """Add to ``counts`` (n_features, n_x, n_y) each (bin of X[i, j], y_codes[i]), binning fused
    with counting; the caller picks the integer type that holds N.

    Rows go in blocks of ``block_rows``, each feature's column at a time: the block of X stays
    in cache while one feature's table takes all of the block's increments, so large tables
    (fine resolutions, many features) are not evicted between two increments.
    """
    n_samples, n_features = X.shape
    column = np.empty(block_rows, dtype=X.dtype)
    for start in range(0, n_samples, block_rows):
        stop = min(start + block_rows, n_samples)
        for j in range(n_features):
            # A contiguous copy of the block's column lets the comparisons vectorise.
            for i in range(start, stop):
                column[i - start] = X[i, j]
            table, row, row_coarse = counts[j], inner[j], coarse[j]
            # One loop per search keeps each loop simple enough to vectorise.
            if row.shape[0] <= 31:
                for i in range(start, stop):
                    table[_code_short(column[i - start], row), y_codes[i]] += 1
            else:
                for i in range(start, stop):
                    table[_code_long(column[i - start], row, row_coarse), y_codes[i]] += 1
    return counts


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
def expected_mi(a, b):
    """E[I] in nats under random pairing with margins ``a`` and ``b`` fixed (Vinh et al. 2010).

    Each cell's count is hypergeometric. Its pmf is evaluated once at the mode with lgamma and
    then by the ratio recurrence outwards, stopping once it falls below 1e-17 of its peak (the pmf
    is unimodal and its tails fall faster than geometrically, so what is left is below double
    precision); the cost is the spread of the pmf rather than min(a, b).
    """
    n = 0
    for v in a:
        n += v
    emi = 0.0
    log_n = math.log(n)
    for ai in a:
        if ai == 0:
            continue
        for bj in b:
            if bj == 0:
                continue
            lo = max(0, ai + bj - n)
            hi = min(ai, bj)
            mode = min(max((ai + 1) * (bj + 1) // (n + 2), lo), hi)
            log_p = (
                math.lgamma(ai + 1)
                + math.lgamma(bj + 1)
                + math.lgamma(n - ai + 1)
                + math.lgamma(n - bj + 1)
                - math.lgamma(n + 1)
                - math.lgamma(mode + 1)
                - math.lgamma(ai - mode + 1)
                - math.lgamma(bj - mode + 1)
                - math.lgamma(n - ai - bj + mode + 1)
            )
            p_mode = math.exp(log_p)
            log_ab = math.log(ai) + math.log(bj)
            total = 0.0
            if mode > 0:
                total += p_mode * mode * (log_n + math.log(mode) - log_ab)
            p, k = p_mode, mode
            while k < hi and p > 1e-17 * p_mode:
                p *= (ai - k) * (bj - k) / ((k + 1.0) * (n - ai - bj + k + 1.0))
                k += 1
                total += p * k * (log_n + math.log(k) - log_ab)
            p, k = p_mode, mode
            while k > max(lo, 1) and p > 1e-17 * p_mode:
                p *= k * (n - ai - bj + k) / ((ai - k + 1.0) * (bj - k + 1.0))
                k -= 1
                total += p * k * (log_n + math.log(k) - log_ab)
            emi += total / n
    return emi


@njit(cache=True, nogil=True)
def pair_mi(codes_x, codes_y, log_x, log_y, log_int, rows, symmetric, out_mi, out_cells):
    """Plug-in MI and occupied cells of every pair (i in ``rows``, j) of coded features.

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
    for i in rows:
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
                        total += c * ((log_int[c] - log_y[j, v]) + (log_n - log_x[i, u]))
                        cells += 1
            out_mi[i, j] = max(total / n, 0.0)
            out_cells[i, j] = cells


# How a table's axis is merged to a coarser resolution (``_merge_map``).
KEEP, BY_INDEX, BY_RANK = 0, 1, 2


@njit(cache=True, nogil=True)
def _merge_map(mode, cumulative, n, k, fine_k, out):
    """Merged index at resolution k of each fine bin of one axis, into ``out``.

    KEEP (categories): unchanged. BY_INDEX (equal-width bins): floor(u k / fine_k), which is
    exact when k divides fine_k (equal widths nest) and otherwise whole fine bins of nearly
    equal total width. BY_RANK (quantile bins): the k-quantile bin of the bin's last sample,
    floor((cumulative count - 1) k / N); without ties and with k dividing fine_k that is the
    same as merging by index, and with ties (deduplicated fine bins no longer sit at their
    index) ranks still put each in the coarse bin its values belong to. Divisions happen
    once per bin, not once per cell.
    """
    for u in range(out.size):
        if mode == KEEP:
            out[u] = u
        elif mode == BY_INDEX:
            out[u] = u * k // fine_k
        else:
            out[u] = max(cumulative[u] - 1, 0) * k // n
    return out


@njit(cache=True, nogil=True)
def _occupied_after_merge(nz_u, nz_v, n_nz, row_map, col_map, n_cols, marks):
    """Occupied cells once the nonzero cells (nz_u, nz_v) are merged by the bin maps.

    ``marks`` is a flat buffer whose first entry counts the calls: a cell is marked with the
    call's number, so no pass is needed to clear it. The merged grid is packed into the
    first cells so that it stays in cache.
    """
    marks[0] += 1
    stamp = marks[0]
    occupied = 0
    for t in range(n_nz):
        cell = 1 + row_map[nz_u[t]] * n_cols + col_map[nz_v[t]]
        occupied += marks[cell] != stamp
        marks[cell] = stamp
    return occupied


@njit(cache=True, nogil=True)
def _admissible(
    k,
    row_mode,
    col_mode,
    row_map,
    col_map,
    nz_u,
    nz_v,
    n_nz,
    row_cum,
    col_cum,
    n,
    fine_k,
    c,
    marks,
):
    """Whether the table merged to resolution k keeps >= c samples per occupied cell."""
    _merge_map(row_mode, row_cum, n, k, fine_k, row_map)
    _merge_map(col_mode, col_cum, n, k, fine_k, col_map)
    n_cols = col_map[col_map.size - 1] + 1
    return n >= c * _occupied_after_merge(nz_u, nz_v, n_nz, row_map, col_map, n_cols, marks)


@njit(cache=True, nogil=True)
def adaptive_tables(fine, n_rows, row_modes, col_mode, fine_k, candidates, c, test_k, log_int):
    """Per feature, the finest merge of its fine table that keeps >= c samples per occupied cell.

    ``fine`` (n_features, Kx, Ky) holds joint counts at ``fine_k`` bins on each merged axis
    (categories on kept ones; ``n_rows`` rows used), ``row_modes`` says how each feature's
    rows merge and ``col_mode`` how the target's columns do (``_merge_map``). Merged quantile
    bins are the coarse quantile bins, so one pass over the data serves every k in
    ``candidates`` (ascending). Occupancy grows with k, so a search finds the largest
    admissible k; ``log_int[m] = ln m`` for counts up to N. Returns k, the plug-in MI, sum
    p l^2 and occupied cells of that table, its
    margins and the merged row of each fine row; then the table merged to ``test_k`` bins,
    with the maps of its rows and of the target's columns (the same for every feature).
    """
    n_features, kx, ky = fine.shape
    # Merged indices run up to the resolution, which can exceed the fine table's own size
    # when ties left few fine bins (a binary feature merged by rank goes to bins 0 and k-1).
    mx = max(kx, candidates[-1], test_k)
    my = max(ky, candidates[-1], test_k)
    k_est = np.empty(n_features, dtype=np.int64)
    mi = np.zeros(n_features)
    second = np.zeros(n_features)
    cells = np.zeros(n_features, dtype=np.int64)
    rows_out = np.zeros((n_features, mx), dtype=np.int64)
    cols_out = np.zeros((n_features, my), dtype=np.int64)
    row_maps = np.zeros((n_features, kx), dtype=np.int64)
    test_row_maps = np.zeros((n_features, kx), dtype=np.int64)
    test_rows = 1
    for j in range(n_features):
        test_rows = max(test_rows, n_rows[j] if row_modes[j] == KEEP else test_k)
    test = np.zeros((n_features, test_rows, ky if col_mode == KEEP else test_k), dtype=np.int64)
    marks = np.zeros(1 + mx * my, dtype=np.int64)
    merged = np.zeros(mx * my, dtype=np.int64)
    nz_u = np.empty(kx * ky, dtype=np.int64)
    nz_v = np.empty(kx * ky, dtype=np.int64)
    row_cum = np.empty(kx, dtype=np.int64)
    col_cum = np.empty(ky, dtype=np.int64)
    col_map = np.empty(ky, dtype=np.int64)
    test_col_map = np.zeros(ky, dtype=np.int64)
    for j in range(n_features):
        n_nz = 0
        row_cum[:] = 0
        col_cum[:] = 0
        # Branch-free: about half the cells are empty near independence, so a branch on
        # each would be mispredicted half the time (it took most of this kernel's time).
        for u in range(n_rows[j]):
            for v in range(ky):
                count = fine[j, u, v]
                nz_u[n_nz], nz_v[n_nz] = u, v
                n_nz += count > 0
                row_cum[u] += count
                col_cum[v] += count
        n = row_cum[: n_rows[j]].sum()
        for u in range(1, kx):
            row_cum[u] += row_cum[u - 1]
        for v in range(1, ky):
            col_cum[v] += col_cum[v - 1]
        row_map, test_row_map = row_maps[j], test_row_maps[j]
        best = 0
        if row_modes[j] != KEEP or col_mode != KEEP:
            # Gallop from where independent data land, k = sqrt(N / c), then bisect the
            # bracket: two tables settle a near-independent feature, where a bisection of
            # the whole range would count eight.
            start = 0
            while start + 1 < candidates.size and candidates[start + 1] ** 2 * c <= n:
                start += 1
            args = (nz_u, nz_v, n_nz, row_cum, col_cum, n, fine_k, c, marks)
            if _admissible(candidates[start], row_modes[j], col_mode, row_map, col_map, *args):
                lo, step = start, 1  # lo admissible; find a failing hi above it
                while lo + step < candidates.size and _admissible(
                    candidates[lo + step], row_modes[j], col_mode, row_map, col_map, *args
                ):
                    lo, step = lo + step, 2 * step
                hi = min(lo + step, candidates.size)
            else:
                hi, step = start, 1  # hi fails; find an admissible lo below it (or none)
                while hi - step >= 0 and not _admissible(
                    candidates[hi - step], row_modes[j], col_mode, row_map, col_map, *args
                ):
                    hi, step = hi - step, 2 * step
                lo = max(hi - step, 0)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _admissible(candidates[mid], row_modes[j], col_mode, row_map, col_map, *args):
                    lo = mid
                else:
                    hi = mid
            best = lo
        k_est[j] = candidates[best]
        _merge_map(row_modes[j], row_cum, n, k_est[j], fine_k, row_map)
        _merge_map(col_mode, col_cum, n, k_est[j], fine_k, col_map)
        _merge_map(row_modes[j], row_cum, n, test_k, fine_k, test_row_map)
        _merge_map(col_mode, col_cum, n, test_k, fine_k, test_col_map)
        n_cols = col_map[ky - 1] + 1
        for t in range(n_nz):
            u, v = nz_u[t], nz_v[t]
            count = fine[j, u, v]
            merged[row_map[u] * n_cols + col_map[v]] += count
            rows_out[j, row_map[u]] += count
            cols_out[j, col_map[v]] += count
            test[j, test_row_map[u], test_col_map[v]] += count
        for t in range(n_nz):
            u, v = row_map[nz_u[t]], col_map[nz_v[t]]
            count = merged[u * n_cols + v]
            if count > 0:
                # Logs of counts from a table; grouped so that a cell holding its whole row
                # and column margins gives exactly (0) + (0): constant features have MI 0.
                log_ratio = (log_int[count] - log_int[cols_out[j, v]]) + (
                    log_int[n] - log_int[rows_out[j, u]]
                )
                mi[j] += count * log_ratio
                second[j] += count * log_ratio * log_ratio
                cells[j] += 1
                merged[u * n_cols + v] = 0
        mi[j] = max(mi[j] / n, 0.0)
        second[j] /= n
    return (
        k_est,
        mi,
        second,
        cells,
        rows_out,
        cols_out,
        row_maps,
        test,
        test_row_maps,
        test_col_map,
    )
