"""Compiled loops: binning, counting and the exact chance level of MI.

Pure functions of arrays (no scikit-learn, no validation, no state). They release the GIL, so
callers run them on row or column chunks in threads; integer counts add up exactly, so the
result does not depend on how the data were split. The kernels that bin values also report
whether all of them were finite: they read every value anyway, which spares the callers a
pass over X to check it.

numba wraps negative indices of signed integer type around, a compare and select on every
access, so hot loops index only with unsigned integers (codes, tables of edges, rows) or
with loop counters from 0 over views, which the compiler sees are never negative: that cut
the count of 1e6 x 100 with 32 bins by a quarter (320 -> 242 ms on one thread).
"""

import math

import numpy as np
from numba import njit

# A cache line: the width of the column groups that ``joint_counts`` and ``bin_codes``
# transpose (8 float64 or 16 float32 values), so each row is read a line at a time.
_GROUP_BYTES = 64

# Rows transposed and binned at a time: a group's tile of values (16 KiB of float64) and
# its codes stay in the first-level cache.
_TILE_ROWS = 256

# Cells per grid step of the edge index: about four grid cells per bin keeps a smooth
# density's bins one per cell, so the search after the lookup is a single comparison.
_GRID_PER_BIN = 4

# Where that grid crowds more than 3 edges into a cell (edges spread over decades, as
# for lognormal data), the feature gets a grid this many times finer.
_GRID_REFINE = 64

# Cells of a grid at most (64 KiB of lookup table a feature), so that thousands of bins
# cost a few more search steps rather than megabytes of index.
_MAX_GRID_CELLS = 2**14


@njit(cache=True, nogil=True, inline="always")
def _cell(v, origin, scale, n_cells):
    """Grid cell of ``v``: floor((v - origin) * scale) clipped to [0, n_cells].

    Monotone in v (rounded subtraction and multiplication by scale >= 0 are), which is all
    that the exactness of ``_code`` rests on. Where scale is 0, origin is 0 too, so that
    an overflowing v - origin never makes 0 * inf. NaN, which compares false, goes to cell
    0 rather than to int(NaN), so that no value reads outside the index.
    """
    x = (v - origin) * scale
    if not x > 0.0:
        return 0
    return int(x) if x < n_cells else n_cells


@njit(cache=True, nogil=True, inline="always")
def _code(v, origin, scale, top, lut, row, steps):
    """Bin of ``v``: #{inner edges <= v} = lut[cell] + #{edges of v's cell <= v}.

    lut[g] counts the edges whose own cell is below g: by monotony those are < v, and
    edges of cells above g are > v. The at most 2^steps - 1 edges of v's cell (``row`` is
    padded with NaN past them) are counted by binary steps down to a window of 15, then
    by comparing v with all of the window at once: a binary search to the end mispredicts
    its branches, and was twice as slow on heavy tails.

    Unsigned throughout (numba turns unsigned 64-bit arithmetic mixed with signed into
    floats, hence the typed constants): 4.2 against 6.6 ns a value for lognormal data in
    32 bins. A step of at least 1 keeps the window in range where no cell holds an edge.
    """
    one = np.uint64(1)
    pos = np.uint64(lut[_cell(v, origin, scale, top)])
    step = max((one << np.uint64(steps)) >> one, one)
    while step > np.uint64(8):
        if row[pos + step - one] <= v:
            pos += step
        step >>= one
    count = np.uint64(0)
    for q in range(np.uint64(2) * step - one):
        count += np.uint64(row[pos + q] <= v)
    return pos + count


@njit(cache=True, nogil=True, inline="always")
def _code_column(column, n, index, j, out):
    """out[i] = bin of column[i] for i < n, as feature j of ``index`` (``_code``); returns
    whether all of those values were finite (a non-finite one still gets a bin in range).

    The check costs about 4% of a count at 1e6 x 100, where the pass over X it replaces
    cost 15% (numpy's sum, in scikit-learn's validation).
    """
    origins, scales, tops, luts, rows, all_steps = index
    origin, scale, top, lut = origins[j], scales[j], tops[j], luts[j]
    row, steps = rows[j], all_steps[j]
    finite = True
    if steps <= 1:
        # At most one edge per cell, the rule for smooth data: cells in one loop, which
        # vectorises, then one lookup and one comparison each (measured 1.0 ns a value,
        # 1.3 in a single loop; the general search's loop does not vectorise).
        for i in range(n):
            v = column[i]
            finite &= abs(v) < math.inf
            out[i] = _cell(v, origin, scale, top)
        for i in range(n):
            pos = lut[out[i]]
            out[i] = pos + (row[pos] <= column[i])
    else:
        for i in range(n):
            v = column[i]
            finite &= abs(v) < math.inf
            out[i] = _code(v, origin, scale, top, lut, row, steps)
    return finite


@njit(cache=True, nogil=True)
def _edges_per_cell(edges, origin, scale, top, out):
    """out[g] = number of ``edges`` in grid cell g, for g <= top."""
    out[: top + 1] = 0
    for e in range(edges.size):
        out[_cell(edges[e], origin, scale, top)] += 1


@njit(cache=True, nogil=True)
def index_edges(inner, n_inner):
    """The grid index ``(origin, scale, top, lut, steps)`` of each feature's sorted inner
    edges ``inner[j, :n_inner[j]]``, for ``_code``.

    Feature j's grid maps the span of its inner edges to cells 0 to top[j]: first
    ``_GRID_PER_BIN`` cells per bin, ``_GRID_REFINE`` times more where that crowds a cell,
    at most ``_MAX_GRID_CELLS``. lut[j, g] counts the edges in cells below g, and
    2^steps[j] - 1 is at least the most edges any cell holds (crowded cells cost more
    search steps, never a wrong bin).
    """
    n_features = inner.shape[0]
    n_cells = min(_GRID_PER_BIN * (inner.shape[1] + 1) * _GRID_REFINE, _MAX_GRID_CELLS)
    origin = np.zeros(n_features)
    scale = np.zeros(n_features)
    top = np.zeros(n_features, dtype=np.int64)
    steps = np.zeros(n_features, dtype=np.int64)
    per_cell = np.zeros(n_cells + 1, dtype=np.int64)
    for j in range(n_features):
        m = n_inner[j]
        if m == 0:
            continue
        width = inner[j, m - 1] - inner[j, 0]
        for cells in (min(_GRID_PER_BIN * (m + 1), n_cells), n_cells):
            top[j], steps[j], origin[j], scale[j] = cells, 0, 0.0, 0.0
            # A width that overflows (edges near -1e308 and 1e308), or a scale that does
            # (edges among denormals), leaves scale and origin 0: one cell, still exact.
            if width > 0.0 and 0.0 < cells / width < math.inf:
                origin[j], scale[j] = inner[j, 0], cells / width
            _edges_per_cell(inner[j, :m], origin[j], scale[j], cells, per_cell)
            while (1 << steps[j]) - 1 < per_cell[: cells + 1].max():
                steps[j] += 1
            if steps[j] <= 2 or scale[j] == 0.0:
                break
    # Allocated once the grids are chosen: the refined width only if a feature needs it.
    lut = np.zeros((n_features, top.max() + 1), dtype=np.uint32)
    for j in range(n_features):
        _edges_per_cell(inner[j, : n_inner[j]], origin[j], scale[j], top[j], per_cell)
        for g in range(1, top[j] + 1):
            lut[j, g] = lut[j, g - 1] + per_cell[g - 1]
    return origin, scale, top, lut, steps


@njit(cache=True, nogil=True, inline="always")
def _load_group(X, start, stop, j0, j1, block):
    """block[j - j0, i - start] = X[i, j]: one group of columns of a row block, transposed.

    A column at a time: its reads stride down the block (the group's cache lines, read
    once from memory, stay cached across the group) and its writes are contiguous, which
    measured 0.8 ms against 1.4 for row by row at 10k x 100.
    """
    for jj in range(j1 - j0):
        column, out = X[start:stop, j0 + jj], block[jj]
        for i in range(stop - start):
            out[i] = column[i]


@njit(cache=True, nogil=True)
def gather_columns(X, rows, lo, out):
    """out[j, i] = X[rows[i], lo + j]: sample rows (unsigned) of a column block, transposed,
    in one copy; every row where ``rows`` is None.

    Rows go in tiles (``_TILE_ROWS``), so a tile's rows stay cached while its columns are
    read one after the other (measured 13 ms against 15 for tiles of 64, 2e5 sampled rows
    of 17 columns). All rows skip the index: 0.75 ms against 1.1 at 10k x 100.
    """
    n_columns, n = out.shape
    for start in range(0, n, _TILE_ROWS):
        stop = min(start + _TILE_ROWS, n)
        if rows is None:
            _load_group(X, start, stop, lo, lo + n_columns, out[:, start:stop])
        else:
            tile = rows[start:stop]
            for j in range(n_columns):
                column, tile_out = X[:, lo + j], out[j, start:stop]
                for i in range(stop - start):
                    tile_out[i] = column[tile[i]]
    return out


@njit(cache=True, nogil=True)
def _code_group(X, index, start, stop, j0, j1, block, codes):
    """codes[j - j0, i - start] = bin of X[i, j] for a row block and a group of columns:
    the group transposed into ``block`` (``_load_group``), then binned a column at a time;
    returns whether all of those values were finite. Compiled on its own rather than
    inlined: inlined in the loop over a block's tiles, it ran 7% slower (1e6 x 100, 32
    bins), and it compiles once for both callers."""
    _load_group(X, start, stop, j0, j1, block)
    finite = True
    for j in range(j0, j1):
        finite &= _code_column(block[j - j0], stop - start, index, j, codes[j - j0])
    return finite


@njit(cache=True, nogil=True)
def bin_codes(X, index, out):
    """Write the bin of each X[i, j] (n_samples, n_features) into ``out`` of the same shape;
    ``index`` is ``(origin, scale, top, lut, inner, steps)`` (``_binning.edge_index``).
    Returns whether every value of X was finite."""
    n_samples, n_features = X.shape
    group = max(1, _GROUP_BYTES // X.itemsize)
    block_rows = _TILE_ROWS
    block = np.empty((group, block_rows), dtype=X.dtype)
    codes = np.empty((group, block_rows), dtype=np.uint32)
    finite = True
    for start in range(0, n_samples, block_rows):
        stop = min(start + block_rows, n_samples)
        for j0 in range(0, n_features, group):
            j1 = min(j0 + group, n_features)
            finite &= _code_group(X, index, start, stop, j0, j1, block, codes)
            for jj in range(j1 - j0):
                feature_codes, feature_out = codes[jj], out[start:stop, j0 + jj]
                for i in range(stop - start):
                    feature_out[i] = feature_codes[i]
    return finite


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
def _occupied(table_sums, row_runs, n_row_runs, col_runs, n_col_runs):
    """Occupied cells of the table whose rows and columns merge the given runs of fine bins."""
    occupied = 0
    for r in range(n_row_runs):
        u0, u1 = row_runs[r], row_runs[r + 1]
        for q in range(n_col_runs):
            occupied += _block_sum(table_sums, u0, u1, col_runs[q], col_runs[q + 1]) > 0
    return occupied


@njit(cache=True, nogil=True)
def _admissible(k, row_mode, col_mode, maps, cumulative, shape, fine_k, c, table_sums):
    """Whether the table merged to resolution k keeps >= c samples per occupied cell."""
    row_map, col_map, row_runs, col_runs = maps
    row_cum, col_cum = cumulative
    n_rows, n_cols, n = shape
    # A merged axis has at most k bins, a kept one its own: a table of at most N / c cells
    # passes whatever its occupancy, as independent features' starting resolution does.
    most_rows = n_rows if row_mode == KEEP else k
    most_cols = n_cols if col_mode == KEEP else k
    if c * most_rows * most_cols <= n:
        return True
    _merge_map(row_mode, row_cum, n, k, fine_k, row_map)
    _merge_map(col_mode, col_cum, n, k, fine_k, col_map)
    n_row_runs = _runs(row_map, n_rows, row_runs)
    n_col_runs = _runs(col_map, n_cols, col_runs)
    return n >= c * _occupied(table_sums, row_runs, n_row_runs, col_runs, n_col_runs)


@njit(cache=True, nogil=True)
def adaptive_tables(fine, n_rows, row_modes, col_mode, fine_k, candidates, c, test_k, log_int):
    """Per feature, the finest merge of its fine table that keeps >= c samples per occupied cell.

    ``fine`` (n_features, Kx, Ky) holds joint counts at ``fine_k`` bins on each merged axis
    (categories on kept ones; ``n_rows`` rows used), ``row_modes`` says how each feature's
    rows merge and ``col_mode`` how the target's columns do (``_merge_map``). Merged quantile
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
    rows_out = np.zeros((n_features, mx), dtype=np.int64)
    cols_out = np.zeros((n_features, my), dtype=np.int64)
    row_maps = np.zeros((n_features, kx), dtype=np.int64)
    test_row_maps = np.zeros((n_features, kx), dtype=np.int64)
    test_rows = 1
    for j in range(n_features):
        test_rows = max(test_rows, n_rows[j] if row_modes[j] == KEEP else test_k)
    test = np.zeros((n_features, test_rows, ky if col_mode == KEEP else test_k), dtype=np.int64)
    table_sums = np.zeros((kx + 1, ky + 1), dtype=np.int64)
    row_cum = np.empty(kx, dtype=np.int64)
    col_cum = np.empty(ky, dtype=np.int64)
    col_map = np.empty(ky, dtype=np.int64)
    test_col_map = np.zeros(ky, dtype=np.int64)
    row_runs = np.empty(kx + 1, dtype=np.uint32)  # unsigned: they index the sums
    col_runs = np.empty(ky + 1, dtype=np.uint32)
    for j in range(n_features):
        nr = n_rows[j]
        for u in range(nr):
            running = 0
            counts, above, here = fine[j, u], table_sums[u], table_sums[u + 1]
            for v in range(ky):
                running += counts[v]
                here[v + 1] = above[v + 1] + running
        n = table_sums[nr, ky]
        for u in range(kx):
            row_cum[u] = table_sums[min(u + 1, nr), ky]
        for v in range(ky):
            col_cum[v] = table_sums[nr, v + 1]
        row_map, test_row_map = row_maps[j], test_row_maps[j]
        maps = (row_map, col_map, row_runs, col_runs)
        args = (maps, (row_cum, col_cum), (nr, ky, n), fine_k, c, table_sums)
        best = 0
        if row_modes[j] != KEEP or col_mode != KEEP:
            # Gallop from where independent data land, k = sqrt(N / c), then bisect the
            # bracket: two tables settle a near-independent feature, where a bisection of
            # the whole range would count eight.
            start = 0
            while start + 1 < candidates.size and candidates[start + 1] ** 2 * c <= n:
                start += 1
            if _admissible(candidates[start], row_modes[j], col_mode, *args):
                lo, step = start, 1  # lo admissible; find a failing hi above it
                while lo + step < candidates.size and _admissible(
                    candidates[lo + step], row_modes[j], col_mode, *args
                ):
                    lo, step = lo + step, 2 * step
                hi = min(lo + step, candidates.size)
            else:
                hi, step = start, 1  # hi fails; find an admissible lo below it (or none)
                while hi - step >= 0 and not _admissible(
                    candidates[hi - step], row_modes[j], col_mode, *args
                ):
                    hi, step = hi - step, 2 * step
                lo = max(hi - step, 0)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _admissible(candidates[mid], row_modes[j], col_mode, *args):
                    lo = mid
                else:
                    hi = mid
            best = lo
        k_est[j] = candidates[best]
        _merge_map(row_modes[j], row_cum, n, k_est[j], fine_k, row_map)
        _merge_map(col_mode, col_cum, n, k_est[j], fine_k, col_map)
        n_row_runs = _runs(row_map, nr, row_runs)
        n_col_runs = _runs(col_map, ky, col_runs)
        for r in range(n_row_runs):
            rows_out[j, row_map[row_runs[r]]] = (
                table_sums[row_runs[r + 1], ky] - table_sums[row_runs[r], ky]
            )
        for q in range(n_col_runs):
            cols_out[j, col_map[col_runs[q]]] = (
                table_sums[nr, col_runs[q + 1]] - table_sums[nr, col_runs[q]]
            )
        for r in range(n_row_runs):
            u0, u1 = row_runs[r], row_runs[r + 1]
            log_row = log_int[n] - log_int[rows_out[j, row_map[u0]]]
            for q in range(n_col_runs):
                v0, v1 = col_runs[q], col_runs[q + 1]
                count = _block_sum(table_sums, u0, u1, v0, v1)
                if count > 0:
                    # Logs of counts from a table; grouped so that a cell holding its whole
                    # row and column margins gives exactly (0) + (0): constant features
                    # have MI 0.
                    log_ratio = (log_int[count] - log_int[cols_out[j, col_map[v0]]]) + log_row
                    mi[j] += count * log_ratio
                    second[j] += count * log_ratio * log_ratio
                    cells[j] += 1
        mi[j] = max(mi[j] / n, 0.0)
        second[j] /= n
        _merge_map(row_modes[j], row_cum, n, test_k, fine_k, test_row_map)
        _merge_map(col_mode, col_cum, n, test_k, fine_k, test_col_map)
        n_row_runs = _runs(test_row_map, nr, row_runs)
        n_col_runs = _runs(test_col_map, ky, col_runs)
        for r in range(n_row_runs):
            u0, u1 = row_runs[r], row_runs[r + 1]
            for q in range(n_col_runs):
                v0, v1 = col_runs[q], col_runs[q + 1]
                test[j, test_row_map[u0], test_col_map[v0]] = _block_sum(
                    table_sums, u0, u1, v0, v1
                )
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
