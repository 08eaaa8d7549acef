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
def _code(v, row):
    """Bin of ``v``: the number of inner edges in ``row`` (sorted, +inf padded) that are <= v.

    ``row`` has 2^p - 1 entries. Up to 31 of them are compared all at once, with a fixed trip
    count so the comparisons run as SIMD; a binary search is a chain of dependent loads
    (measured 4x slower at 31 edges). Longer rows take binary steps down to a 31-entry window.
    """
    n = row.shape[0]
    if n <= 31:
        count = 0
        for k in range(n):
            count += row[k] <= v
        return count
    pos = 0
    step = (n + 1) >> 1
    while step > 16:
        if row[pos + step - 1] <= v:
            pos += step
        step >>= 1
    count = pos
    for k in range(31):
        count += row[pos + k] <= v
    return count


@njit(cache=True, nogil=True)
def bin_codes(X, inner, out):
    """Write the bin of each X[i, j] (n_samples, n_features) into ``out`` of the same shape."""
    n_samples, n_features = X.shape
    for start in range(0, n_samples, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n_samples)
        for j in range(n_features):
            row = inner[j]
            for i in range(start, stop):
                out[i, j] = _code(X[i, j], row)
    return out


@njit(cache=True, nogil=True)
def joint_counts(X, inner, y_codes, n_x, n_y):
    """Counts (n_features, n_x, n_y) of (bin of X[i, j], y_codes[i]): bins fused with counting."""
    n_samples, n_features = X.shape
    counts = np.zeros((n_features, n_x, n_y), dtype=np.int64)
    column = np.empty(_BLOCK_ROWS, dtype=X.dtype)
    for start in range(0, n_samples, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n_samples)
        for j in range(n_features):
            # A contiguous copy of the block's column lets the comparisons vectorise.
            for i in range(start, stop):
                column[i - start] = X[i, j]
            table, row = counts[j], inner[j]
            for i in range(start, stop):
                table[_code(column[i - start], row), y_codes[i]] += 1
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
