"""Compiled merging of fine count tables to coarser resolutions: the adaptive search for
each feature's resolution, and the summary of the table it settles on.
"""

import numpy as np
from numba import njit

from skmi._kernels._counting import cell_log_ratio

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
def _runs(merged, n, out):
    """Boundaries of the runs of equal values in monotone ``merged[:n]``: run r is fine bins
    out[r] to out[r + 1] - 1. Returns the number of runs."""
    runs = 0
    out[0] = 0
    for u in range(1, n):
        if merged[u] != merged[u - 1]:
            runs += 1
            out[runs] = u
    out[runs + 1] = n
    return runs + 1


@njit(cache=True, nogil=True, inline="always")
def _block_sum(table_sums, u0, u1, v0, v1):
    """Sum of the fine cells [u0, u1) x [v0, v1), from the summed-area table."""
    return table_sums[u1, v1] - table_sums[u0, v1] - table_sums[u1, v0] + table_sums[u0, v0]


@njit(cache=True, nogil=True)
def _occupied(table_sums, x_runs, n_x_runs, y_runs, n_y_runs):
    """Occupied cells of the table whose rows and columns merge the given runs of fine bins."""
    occupied = 0
    for r in range(n_x_runs):
        u0, u1 = x_runs[r], x_runs[r + 1]
        for q in range(n_y_runs):
            occupied += _block_sum(table_sums, u0, u1, y_runs[q], y_runs[q + 1]) > 0
    return occupied


@njit(cache=True, nogil=True)
def _admissible(k, x_mode, y_mode, maps, cumulative, shape, fine_k, c, table_sums):
    """Whether the table merged to resolution k keeps >= c samples per occupied cell."""
    x_map, y_map, x_runs, y_runs = maps
    x_cum, y_cum = cumulative
    n_x, n_y, n = shape
    # A merged axis has at most k bins, a kept one its own: a table of at most N / c cells
    # passes whatever its occupancy, as independent features' starting resolution does.
    most_x = n_x if x_mode == KEEP else k
    most_y = n_y if y_mode == KEEP else k
    if c * most_x * most_y <= n:
        return True
    _merge_map(x_mode, x_cum, n, k, fine_k, x_map)
    _merge_map(y_mode, y_cum, n, k, fine_k, y_map)
    n_x_runs = _runs(x_map, n_x, x_runs)
    n_y_runs = _runs(y_map, n_y, y_runs)
    return n >= c * _occupied(table_sums, x_runs, n_x_runs, y_runs, n_y_runs)


@njit(cache=True, nogil=True)
def adaptive_tables(fine, n_x, x_modes, y_mode, fine_k, candidates, c, test_k, log_int):
    """Per feature, the finest merge of its fine table that keeps >= c samples per occupied cell.

    ``fine`` (n_features, Kx, Ky) holds joint counts at ``fine_k`` bins on each merged axis
    (categories on kept ones; ``n_x[j]`` bins used), ``x_modes`` says how each feature's
    rows merge and ``y_mode`` how the target's columns do (``_merge_map``). Merged quantile
    bins are the coarse quantile bins, so one pass over the data serves every k in
    ``candidates`` (ascending). Occupancy grows with k, so a search finds the largest
    admissible k; ``log_int[m] = ln m`` for counts up to N. Returns k, the plug-in MI, sum
    p l^2 and occupied cells of that table, its margins and the merged row of each fine
    row; then the table merged to ``test_k`` bins, with the maps of its rows and of the
    target's columns (the same for every feature).

    Merges keep runs of adjacent fine bins, so every merged cell is a rectangle of fine
    cells, summed in four lookups of the feature's summed-area table: trying a resolution
    costs its own cells, not the fine table's.
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
    x_margins = np.zeros((n_features, mx), dtype=np.int64)
    y_margins = np.zeros((n_features, my), dtype=np.int64)
    x_maps = np.zeros((n_features, kx), dtype=np.int64)
    test_x_maps = np.zeros((n_features, kx), dtype=np.int64)
    test_height = 1
    for j in range(n_features):
        test_height = max(test_height, n_x[j] if x_modes[j] == KEEP else test_k)
    test = np.zeros((n_features, test_height, ky if y_mode == KEEP else test_k), dtype=np.int64)
    table_sums = np.zeros((kx + 1, ky + 1), dtype=np.int64)
    x_cum = np.empty(kx, dtype=np.int64)
    y_cum = np.empty(ky, dtype=np.int64)
    y_map = np.empty(ky, dtype=np.int64)
    test_y_map = np.zeros(ky, dtype=np.int64)
    x_runs = np.empty(kx + 1, dtype=np.uint32)  # unsigned: they index the sums
    y_runs = np.empty(ky + 1, dtype=np.uint32)
    for j in range(n_features):
        n_used = n_x[j]
        for u in range(n_used):
            running = 0
            counts, above, here = fine[j, u], table_sums[u], table_sums[u + 1]
            for v in range(ky):
                running += counts[v]
                here[v + 1] = above[v + 1] + running
        n = table_sums[n_used, ky]
        for u in range(kx):
            x_cum[u] = table_sums[min(u + 1, n_used), ky]
        for v in range(ky):
            y_cum[v] = table_sums[n_used, v + 1]
        x_map, test_x_map = x_maps[j], test_x_maps[j]
        maps = (x_map, y_map, x_runs, y_runs)
        args = (maps, (x_cum, y_cum), (n_used, ky, n), fine_k, c, table_sums)
        best = 0
        if x_modes[j] != KEEP or y_mode != KEEP:
            # Gallop from where independent data land, k = sqrt(N / c), then bisect the
            # bracket: two tables settle a near-independent feature, where a bisection of
            # the whole range would count eight.
            start = 0
            while start + 1 < candidates.size and candidates[start + 1] ** 2 * c <= n:
                start += 1
            if _admissible(candidates[start], x_modes[j], y_mode, *args):
                lo, step = start, 1  # lo admissible; find a failing hi above it
                while lo + step < candidates.size and _admissible(
                    candidates[lo + step], x_modes[j], y_mode, *args
                ):
                    lo, step = lo + step, 2 * step
                hi = min(lo + step, candidates.size)
            else:
                hi, step = start, 1  # hi fails; find an admissible lo below it (or none)
                while hi - step >= 0 and not _admissible(
                    candidates[hi - step], x_modes[j], y_mode, *args
                ):
                    hi, step = hi - step, 2 * step
                lo = max(hi - step, 0)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _admissible(candidates[mid], x_modes[j], y_mode, *args):
                    lo = mid
                else:
                    hi = mid
            best = lo
        k_est[j] = candidates[best]
        _merge_map(x_modes[j], x_cum, n, k_est[j], fine_k, x_map)
        _merge_map(y_mode, y_cum, n, k_est[j], fine_k, y_map)
        n_x_runs = _runs(x_map, n_used, x_runs)
        n_y_runs = _runs(y_map, ky, y_runs)
        for r in range(n_x_runs):
            x_margins[j, x_map[x_runs[r]]] = (
                table_sums[x_runs[r + 1], ky] - table_sums[x_runs[r], ky]
            )
        for q in range(n_y_runs):
            y_margins[j, y_map[y_runs[q]]] = (
                table_sums[n_used, y_runs[q + 1]] - table_sums[n_used, y_runs[q]]
            )
        for r in range(n_x_runs):
            u0, u1 = x_runs[r], x_runs[r + 1]
            log_x = log_int[x_margins[j, x_map[u0]]]
            for q in range(n_y_runs):
                v0, v1 = y_runs[q], y_runs[q + 1]
                count = _block_sum(table_sums, u0, u1, v0, v1)
                if count > 0:
                    log_y = log_int[y_margins[j, y_map[v0]]]
                    log_ratio = cell_log_ratio(log_int[count], log_y, log_int[n], log_x)
                    mi[j] += count * log_ratio
                    second[j] += count * log_ratio * log_ratio
                    cells[j] += 1
        mi[j] = max(mi[j] / n, 0.0)
        second[j] /= n
        _merge_map(x_modes[j], x_cum, n, test_k, fine_k, test_x_map)
        _merge_map(y_mode, y_cum, n, test_k, fine_k, test_y_map)
        n_x_runs = _runs(test_x_map, n_used, x_runs)
        n_y_runs = _runs(test_y_map, ky, y_runs)
        for r in range(n_x_runs):
            u0, u1 = x_runs[r], x_runs[r + 1]
            for q in range(n_y_runs):
                v0, v1 = y_runs[q], y_runs[q + 1]
                test[j, test_x_map[u0], test_y_map[v0]] = _block_sum(table_sums, u0, u1, v0, v1)
    return (
        k_est,
        mi,
        second,
        cells,
        x_margins,
        y_margins,
        x_maps,
        test,
        test_x_maps,
        test_y_map,
    )
