"""Scoring: entropy, mutual information, conditional MI and their statistics from count tables.

Counts are the sufficient statistic: every function here takes integer count arrays (a stack of
histograms ``(n_features, n_bins)``, of joint tables ``(n_features, n_x, n_y)`` or of three-way
tables ``(n_features, n_x, n_z, n_y)``) and returns one value per table, in nats. No sampling,
no validation, no state; permutation p-values, the one statistic that needs the samples
themselves, are in ``_pvalues``.

Corrections, normalisations and tests are entries of dicts of same-signature functions; the
dicts are the only lists of their names.
"""

from typing import NamedTuple

import numpy as np
from scipy.special import chdtrc, erfc, xlogy

from skmi._backends import expected_mi_rows, log_table, table_summaries


def entropy_from_counts(counts):
    """Plug-in entropy of each histogram in ``counts`` (..., n_bins): log N - sum n_k log n_k / N.

    ``xlogy`` gives 0 log 0 = 0 exactly, so empty bins need no epsilon. Clipped at 0: for a
    single occupied bin, log N - N log N / N rounds below 0 for many N (N = 6: -8.9e-16),
    which a geometric normalisation would take the square root of.
    """
    counts = occupied_width(counts)
    n = counts.sum(axis=-1)
    return np.maximum(np.log(n) - xlogy(counts, counts).sum(axis=-1) / n, 0.0)


def occupied_width(counts):
    """``counts`` without the empty columns past its last occupied one, where its sums stay
    the same to the bit: padded margins (fine-width, of features of a few bins) cost as much
    as their width, in every pass that reads them.

    numpy sums a row pairwise: rows of more than 128 values in halves (each a multiple of
    8), and up to 128 in 8 running sums. The trimmed row keeps the width of a multiple of 8
    inside the leftmost block of that split, so every occupied value meets the same running
    sum in the same order, and the blocks dropped add exact zeros."""
    width = counts.shape[-1]
    if counts.ndim < 2 or width <= 8 or not counts.size:
        return counts
    leaf = width
    while leaf > 128:
        leaf = leaf // 2 - (leaf // 2) % 8
    occupied = np.flatnonzero(counts.reshape(-1, width).any(axis=0))
    used = -(-(int(occupied[-1]) + 1 if occupied.size else 1) // 8) * 8
    return counts[..., :used] if used < width and used <= leaf else counts


def margins(joint):
    """Margins (n_tables, n_x) and (n_tables, n_y) of joint tables (n_tables, n_x, n_y)."""
    return joint.sum(axis=2), joint.sum(axis=1)


def log_ratio(joint):
    """ln(n_xy N / (n_x n_y)) on the cells (zero where n_xy = 0), and N per table.

    The ratio is formed in floating point from integer products, so a cell that is its row's
    whole margin gives exactly ln 1 = 0: a constant feature has MI exactly 0, not 1e-17.
    """
    a, b = margins(joint)
    n = a.sum(axis=1).astype(np.float64)
    denom = a[:, :, None] * b[:, None, :].astype(np.float64)
    ratio = np.divide(joint * n[:, None, None], denom, out=np.ones(joint.shape), where=joint > 0)
    return np.log(ratio, out=ratio), n


def mutual_info_from_counts(joint, second=False):
    """Plug-in MI of each joint table (n_features, n_x, n_y): sum p_xy ln(p_xy / (p_x p_y)).

    Computed from the cells directly rather than as H(X) + H(Y) - H(X, Y), which cancels.
    Mathematically >= 0; the clip only removes round-off of order 1e-17. With ``second``,
    also sum p_xy l_xy^2 (for the standard error), from the same logs.
    """
    logs, n = log_ratio(joint)
    mi = np.maximum((joint * logs).sum(axis=(1, 2)) / n, 0.0)
    return (mi, (joint * logs**2).sum(axis=(1, 2)) / n) if second else mi


class TableSummary(NamedTuple):
    """What the corrections, standard errors and entropies need of each joint table: all
    that a table must be reduced to when it is too large, or too many, to keep."""

    plugin: np.ndarray  # plug-in MI (n_tables,)
    second: np.ndarray  # sum p_xy l_xy^2 (n_tables,), for the standard error
    cells: np.ndarray  # occupied cells (n_tables,)
    x_margins: np.ndarray  # (n_tables, n_x)
    y_margins: np.ndarray  # (n_tables, n_y)
    # Which tables are partition trees' leaves, whose MI takes no correction (None: none),
    # and the degrees of freedom of the cuts each tree kept (0: none, one leaf).
    tree: np.ndarray | None = None
    cuts: np.ndarray | None = None


def summarize(joint):
    """``TableSummary`` of joint tables (n_tables, n_x, n_y) of integer counts, in one
    compiled pass (``table_summaries``): each cell's MI term as the
    adaptive merge computes it, and no float copy of the tables (numpy's would take five
    times the tables' memory, 2 GB for 200,000 tables of 16 x 16)."""
    n = int(joint[0].sum(dtype=np.int64)) if len(joint) else 0  # larger counts: computed
    summary = table_summaries(np.ascontiguousarray(joint), log_table(n))
    return TableSummary(*summary)


def conditional_mi_from_counts(joint, correction=None):
    """I(X; Y | Z) of each three-way table (n_tables, n_x, n_z, n_y), in nats:
    sum p_xzy ln(n_xzy n_z / (n_xz n_zy)), from the cells directly.

    Equal to H(X, Z) + H(Z, Y) - H(X, Z, Y) - H(Z), and to I(X, Z; Y) - I(Z; Y) (the chain
    rule); "miller-madow" corrects each of the four entropies by (m - 1) / 2N, m its
    occupied cells. Not clipped: a sum of non-negative MIs per slice of z, it is >= 0 up to
    round-off.
    """
    n_tables = joint.shape[0]
    n_xz = joint.sum(axis=3, keepdims=True)
    n_zy = joint.sum(axis=1, keepdims=True)
    n_z = joint.sum(axis=(1, 3), keepdims=True)
    n = joint.reshape(n_tables, -1).sum(axis=1)
    occupied = joint > 0
    ratio = np.ones(joint.shape)
    np.divide(
        joint * n_z.astype(np.float64), n_xz * n_zy.astype(np.float64), out=ratio, where=occupied
    )
    cmi = (joint * np.log(ratio)).reshape(n_tables, -1).sum(axis=1) / n
    if correction == "miller-madow":
        m = [np.count_nonzero(t.reshape(n_tables, -1), axis=1) for t in (n_xz, n_zy, joint, n_z)]
        cmi = cmi + ((m[0] - 1) + (m[1] - 1) - (m[2] - 1) - (m[3] - 1)) / (2 * n)
    return cmi


def _no_correction(mi, a, b, cells):
    return mi


# Rows below which Miller-Madow's first-order term is replaced by the exact chance level: not
# even a 2 x 2 table then keeps the 6 samples per occupied cell that the term assumes (and
# that the adaptive rule keeps, c(N) >= 6). There the term misleads: every table of 2 rows is
# diagonal, and it adds 0.25 nats to the plug-in ln 2 whatever the data, 0.94 nats of
# "information" in noise (3 rows: 0.38 on average, 5 rows: 0.11), where the chance level
# gives 0 on average at any N.
MILLER_MADOW_MIN_ROWS = 24


def small_sample(a):
    """Whether tables with row margins ``a`` (along the last axis; all of one N) hold too
    few rows for Miller-Madow's term (``MILLER_MADOW_MIN_ROWS``)."""
    return a.size > 0 and int(a.reshape(-1, a.shape[-1])[0].sum()) < MILLER_MADOW_MIN_ROWS


def _miller_madow(mi, a, b, cells):
    """I - (m_xy - m_x - m_y + 1) / 2N with occupied-cell counts m (Miller 1955); below
    ``MILLER_MADOW_MIN_ROWS`` rows, I minus its exact chance level (``_chance``).

    Margins along the last axis, so that they may also broadcast against ``mi`` and
    ``cells`` (all pairs: rows' margins (n_x, 1, B), columns' (1, n_y, B)), except below
    that many rows, where they are one table a row.
    """
    if small_sample(a):
        return _chance(mi, a, b, cells)
    m_x, m_y = np.count_nonzero(a, axis=-1), np.count_nonzero(b, axis=-1)
    return mi - (cells - m_x - m_y + 1) / (2 * a.sum(axis=-1))


def _group_rows(a):
    """Distinct rows of the integer array ``a`` and the index of each row among them.

    Rows are keyed by a fixed random 64-bit linear hash, sorted as scalars, which is far
    faster than ``np.unique(axis=0)`` on hundreds of thousands of rows; a collision is
    detected by comparing every row with its representative, and then the exact (slow)
    grouping is used.
    """
    weights = np.random.default_rng(0).integers(1, 2**62, size=a.shape[1], dtype=np.int64)
    with np.errstate(over="ignore"):
        keys = (a.astype(np.int64) * weights).sum(axis=1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    unique = a[first]
    if not np.array_equal(unique[inverse], a):
        unique, inverse = np.unique(a, axis=0, return_inverse=True)
    return unique, inverse.reshape(-1)


def chance_level(a, b):
    """Exact E[I] of tables with row margins ``a`` and column margins ``b`` (one table a row)
    under random pairing (Vinh et al. 2010).

    Tables with the same margins share one value, which is computed once: quantile-binned
    continuous features without ties all have the same margins.
    """
    unique_a, index_a = _group_rows(a)
    unique_b, index_b = _group_rows(b)
    pairs, inverse = np.unique(index_a * unique_b.shape[0] + index_b, return_inverse=True)
    emi = np.empty(pairs.size)
    expected_mi_rows(
        np.ascontiguousarray(unique_a, dtype=np.int64),
        np.ascontiguousarray(unique_b, dtype=np.int64),
        pairs // unique_b.shape[0],
        pairs % unique_b.shape[0],
        emi,
    )
    return emi[inverse.reshape(-1)]


# The G-test's null mean is taken in closed form where every cell of the table expects at
# least this many rows under independence (a_min b_min / N); measured against the exact
# chance level on 4,000 random margins (``benchmarks/null_mean.py``): relative error at most
# 3.8e-4 from 20 rows a cell on, 4.5e-5 from 50, against 1.1e-3 between 10 and 20.
ASYMPTOTIC_MIN_EXPECTED = 20


def _inverse_sum(a):
    """Sum of 1 / a over the nonzero entries of each row of the integer array ``a``."""
    return (1.0 / np.where(a > 0, a, np.inf)).sum(axis=1)


def null_mean(a, b):
    """E[I] under independence of tables with row margins ``a`` and column margins ``b``
    (one table a row), as the G-test reads it: exact (``chance_level``), or where every
    cell expects ``ASYMPTOTIC_MIN_EXPECTED`` rows or more, the second-order expansion of
    the plug-in bias, (r - 1)(c - 1) / 2N + (S_a - 1)(S_b - 1) / 12N^2 with S_a the sum of
    N / a_i over the r occupied rows (Harris 1975's term of each entropy, with the margins'
    frequencies for probabilities). The exact level costs about a millisecond a distinct
    pair of margins, which is every pair of columns binned by another sample's edges; the
    expansion, a few operations a bin.
    """
    n = a.sum(axis=1)
    r, c = np.count_nonzero(a, axis=1), np.count_nonzero(b, axis=1)
    least = (
        np.where(a > 0, a, n[:, None]).min(axis=1),
        np.where(b > 0, b, n[:, None]).min(axis=1),
    )
    filled = least[0] * least[1] >= ASYMPTOTIC_MIN_EXPECTED * n
    out = np.empty(n.shape)
    if not filled.all():
        out[~filled] = chance_level(a[~filled], b[~filled])
    n, s_a, s_b = n[filled], _inverse_sum(a[filled]), _inverse_sum(b[filled])
    first = (r[filled] - 1) * (c[filled] - 1) / (2 * n)
    out[filled] = first + (n * s_a - 1) * (n * s_b - 1) / (12 * n * n)
    return out


def _chance(mi, a, b, cells):
    """I - E[I | independence, margins]: unbiased at independence for any bin count."""
    return mi - chance_level(a, b)


# Every correction sees the plug-in MI of each table, its margins (n_tables, n_x) and
# (n_tables, n_y), and its number of occupied cells: all any of them needs, and what the
# pairwise path can give without keeping the tables.
_MI_CORRECTIONS = {
    None: _no_correction,
    "miller-madow": _miller_madow,
    "chance": _chance,
}


def _entropy_plugin(counts, h):
    return h


def _entropy_miller_madow(counts, h):
    """H + (m - 1) / 2N with m occupied bins (Miller 1955)."""
    return h + (np.count_nonzero(counts, axis=-1) - 1) / (2 * counts.sum(axis=-1))


_ENTROPY_CORRECTIONS = {
    None: _entropy_plugin,
    "miller-madow": _entropy_miller_madow,
}


def corrected_entropy(counts, correction):
    """Entropy of each histogram with a correction of ``_ENTROPY_CORRECTIONS`` applied."""
    return _ENTROPY_CORRECTIONS[correction](counts, entropy_from_counts(counts))


def delta_method_se(second, mi, n):
    """Standard error sqrt((sum p l^2 - I^2) / N) of the plug-in MI (delta method)."""
    return np.sqrt(np.maximum(second - mi**2, 0.0) / n)


def chi2_tail(df, x):
    """P(chi2_df > x) for integer degrees of freedom ``df`` (arrays of one shape): in closed
    form for 1 and 2, erfc(sqrt(x / 2)) and exp(-x / 2), the tests of binary tables, and
    ``chdtrc`` (chi2.sf without its checks of the arguments) for more. chdtrc's incomplete
    gamma series took 2.2 us a value, 65 ms for the 30,000 columns of a term matrix; the
    closed forms take 0.02 us and agree with it to 5e-15."""
    out = np.empty(np.shape(x))
    one, two = df == 1, df == 2
    more = ~(one | two)
    out[one] = erfc(np.sqrt(x[one] / 2))
    out[two] = np.exp(-x[two] / 2)
    out[more] = chdtrc(df[more], x[more])
    return out


def g_test_pvalues(mi, a, b):
    """Mean-matched G-test: P(chi2_df > df I / E[I]) with df = (m_x - 1)(m_y - 1).

    ``a`` and ``b`` are the tables' margins, one row per table. Wilks' theorem makes
    2 N I ~ chi2_df, but only once every cell expects many samples (measured: level 0.164 at
    N / B^2 = 4.4). Scaling the statistic so that its null mean is E[I] of the margins
    (``null_mean``: exact where cells expect few rows) keeps the level within [0.03, 0.07]
    down to about 2.5 samples a cell (measured). A table with df = 0 carries no evidence:
    p = 1.
    """
    df = (np.count_nonzero(a, axis=1) - 1) * (np.count_nonzero(b, axis=1) - 1)
    out = np.ones(mi.shape)
    testable = df > 0
    if testable.any():
        emi = null_mean(a[testable], b[testable])
        out[testable] = chi2_tail(df[testable], df[testable] * mi[testable] / emi)
    return out


def conditional_g_test_pvalues(joint):
    """Mean-matched G-test of X independent of Y given Z on each three-way table
    (n_tables, n_x, n_z, n_y): each slice of z a two-way table, as ``g_test_pvalues`` tests
    one. I(X; Y | Z) = sum_z (N_z / N) I_z, so its null mean is the same weighted sum of the
    slices' chance levels and its degrees of freedom the sum of theirs, (m_x - 1)(m_y - 1)
    over the occupied rows and columns of each slice; a slice with one row or one column
    carries no evidence (its I_z is 0) and is left out. p = 1 where none is left."""
    n_tables, n_x, n_z, n_y = joint.shape
    slices = joint.transpose(0, 2, 1, 3).reshape(-1, n_x, n_y).astype(np.int64, copy=False)
    a, b = margins(slices)
    df = np.maximum(np.count_nonzero(a, axis=1) - 1, 0) * np.maximum(
        np.count_nonzero(b, axis=1) - 1, 0
    )
    testable = df > 0
    weight = a.sum(axis=1) / np.repeat(a.sum(axis=1).reshape(n_tables, n_z).sum(axis=1), n_z)
    mi = np.zeros(df.shape)
    emi = np.zeros(df.shape)
    if testable.any():
        mi[testable] = mutual_info_from_counts(slices[testable])
        emi[testable] = null_mean(a[testable], b[testable])
    statistic, expected = ((weight * v).reshape(n_tables, n_z).sum(axis=1) for v in (mi, emi))
    df = df.reshape(n_tables, n_z).sum(axis=1)
    out = np.ones(n_tables)
    testable = (df > 0) & (expected > 0)
    out[testable] = chi2_tail(
        df[testable], df[testable] * statistic[testable] / expected[testable]
    )
    return out


def _safe_ratio(mi, scale):
    """mi / scale, with 0 where scale is 0 (a constant variable shares no information)."""
    out = np.zeros(np.broadcast(mi, scale).shape)
    np.divide(mi, scale, out=out, where=scale > 0)
    return out


_NORMALIZATIONS = {
    None: lambda mi, hx, hy: mi,
    "arithmetic": lambda mi, hx, hy: _safe_ratio(mi, (hx + hy) / 2),
    "geometric": lambda mi, hx, hy: _safe_ratio(mi, np.sqrt(hx * hy)),
    "min": lambda mi, hx, hy: _safe_ratio(mi, np.minimum(hx, hy)),
    "max": lambda mi, hx, hy: _safe_ratio(mi, np.maximum(hx, hy)),
    "correlation": lambda mi, hx, hy: np.sqrt(-np.expm1(-2 * np.maximum(mi, 0.0))),
}
