"""p-values of MI with a target: the mean-matched G-test on each feature's test table, and
permutations of the target where that table is too sparse for it, resolved below their
floor by more permutations and a moment-matched chi-square tail.
"""

import numpy as np
from scipy.stats import chi2
from sklearn.utils import check_random_state

from skmi._all_pairs import coded
from skmi._backends import log_or_zero
from skmi._backends._array_api import like, namespace, to_numpy
from skmi._binning import Binning
from skmi._scoring import g_test_pvalues, margins, mutual_info_from_counts
from skmi._tables import n_codes

# The mean-matched G-test holds its level down to about 2.5 samples per cell of the test
# table (measured: 0.032 at 1.7, 0.058 at 28); permutations are used below twice that.
_G_TEST_MIN_PER_CELL = 5


# Permutations more, as a multiple of ``n_permutations``, for the features that none of the
# first reached: on null columns of 95% zeros in 150 rows, the chi-square matched to 199
# permutations put 14 times the level below 1e-4 (0.0014 of 20,000 columns); matched to
# 2,189, the level (0.0001), for 20% more time.
_MORE_PERMUTATIONS = 10


def permutation_pvalues(source, bins, y_codes, n_permutations, random_state, n_jobs=None):
    """p = (1 + #{I_perm >= I}) / (1 + n_permutations): y's codes shuffled, X never re-binned,
    each feature's bins those of its test table, ``bins[j] = (edges, map)`` (``Bins``: the
    counted edges and the test bin of each of their bins, None: the same).
    A feature that no permutation reached is permuted ``_MORE_PERMUTATIONS`` times as often
    again, and its p-value taken from all of them; below that floor, where still none
    reached I, it is the tail of a chi-square matched to the permutations' mean and variance
    (``moment_matched_tail``).

    The plug-in MI is the statistic: the mean-matching and the corrections depend on margins
    only, which permuting leaves unchanged, so they would rank the permutations the same way.
    The one statistic that needs the samples rather than their tables: tables summed over
    batches or chunks are tested with the G-test alone.

    Each feature's table with the (permuted) target is counted and reduced to its MI at once
    (``Backend.pair_mi``, the target as the one column paired with every feature), the
    observed one as the permuted ones, so that ties between them stay exact: no table is
    kept (500 x 200,000 at 16 bins, 199 permutations: 644 s with every table counted and
    scored at once by numpy).
    """
    binning = Binning(tuple(e for e, _ in bins), np.zeros(len(bins), dtype=bool))
    n_y = n_codes(y_codes)
    maps = [bin_map for _, bin_map in bins]
    codes, counts = coded(source, binning, n_y, maps)
    log_x = log_or_zero(counts)
    log_y = log_or_zero(np.bincount(to_numpy(y_codes), minlength=n_y))[None, :]
    backend = source.backend
    xp, dev = namespace(codes)
    # The target's codes in the features' type and namespace, once: each round permutes them.
    y_codes = xp.astype(like(y_codes, codes), codes.dtype, copy=False)

    every = np.arange(len(bins))

    def mi_of(features):
        """The MI of the features (indices) with a target's codes, as a function of them:
        the features' rows taken once (a contiguous copy), for every round."""
        rows, log_rows = codes, log_x
        if features is not every:
            rows = xp.take(codes, xp.asarray(features, device=dev), axis=0)
            log_rows = log_x[features]

        def mi(target):
            row = xp.reshape(target, (1, -1))
            return backend.pair_mi(rows, row, log_rows, log_y, False, n_jobs)[0][:, 0]

        return mi

    observed = mi_of(every)(y_codes)
    rng = check_random_state(random_state)
    # Ties between a permuted and the observed table are the rule for discrete data; the
    # tolerance keeps round-off from deciding them.
    threshold = observed - 1e-12 * np.maximum(observed, 1.0)
    exceed = np.zeros(observed.shape, dtype=np.int64)
    moments = np.zeros((2, *observed.shape))
    drawn = np.zeros(observed.shape, dtype=np.int64)

    def permute(features, rounds):
        mi = mi_of(features) if features.size else None
        for _ in range(rounds if features.size else 0):
            permuted = mi(backend.permuted(rng, y_codes))
            exceed[features] += permuted >= threshold[features]
            moments[:, features] += (permuted, permuted * permuted)
        drawn[features] += rounds

    permute(every, n_permutations)
    permute(np.flatnonzero(exceed == 0), _MORE_PERMUTATIONS * n_permutations)
    p = (1 + exceed) / (1 + drawn)
    below = exceed == 0
    if below.any():
        mean = moments[0, below] / drawn[below]
        variance = moments[1, below] / drawn[below] - mean * mean
        p[below] = np.minimum(p[below], moment_matched_tail(observed[below], mean, variance))
    return p


def moment_matched_tail(mi, mean, variance):
    """P(I >= mi) where I is a scaled chi-square, a chi2_df, with the ``mean`` and
    ``variance`` of the permuted MI: a = variance / (2 mean), df = 2 mean^2 / variance
    (Satterthwaite's match of two moments). The G statistic 2N I is chi-square under
    independence once cells are full; the scaled one follows a sparse table's permutation
    law in its first two moments. It resolves the p-values of features no permutation
    reached, below the floor 1 / (n_permutations + 1) that would bar false-discovery
    control over many features; 1 where the permutations did not vary."""
    out = np.ones(mi.shape)
    varied = (variance > 0) & (mean > 0)
    scale = variance[varied] / (2 * mean[varied])
    df = 2 * mean[varied] ** 2 / variance[varied]
    out[varied] = chi2.sf(mi[varied] / scale, df)
    return out


def pvalues(tables, n_samples, source=None, n_permutations=0, random_state=None, n_jobs=None):
    """Mean-matched G-test p-values on the test tables; permutations where they are sparse,
    when the rows are at hand (a ``source``; not for tables summed over batches)."""
    test = tables.test.astype(np.int64, copy=False)  # numpy arithmetic: no uint16 wrap
    test_mi = tables.known_test_mi()
    unknown = np.isnan(test_mi)
    if unknown.any():
        test_mi[unknown] = mutual_info_from_counts(test[unknown])
    a, b = margins(test)
    out = g_test_pvalues(test_mi, a, b)
    cells = np.count_nonzero(a, axis=1) * np.count_nonzero(b, axis=1)
    sparse = n_samples < _G_TEST_MIN_PER_CELL * cells
    if source is not None and n_permutations and sparse.any():
        out[sparse] = permutation_pvalues(
            source.columns(sparse),
            [tables.test_bins[j] for j in np.flatnonzero(sparse)],
            tables.test_y_codes,
            n_permutations,
            random_state,
            n_jobs,
        )
    return out
