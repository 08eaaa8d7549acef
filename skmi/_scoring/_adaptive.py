"""The default resolution of MI: chosen per feature from its own joint table.

A fixed bin count cannot serve both ends: near independence a fine table is all noise, while
a strong dependence needs fine bins to be seen at all. Measured on families of known MI (see
``benchmarks/accuracy.py``), the count that estimates best keeps about c samples in each
*occupied* cell, c(N) = max(6, 2 log10 N): k = sqrt(N / c) at independence, more as the data
concentrate. Testing wants the opposite, few bins (power at rho = 0.1, N = 1e4 fell from 1.00
at 10 bins to 0.46 at 45), so p-values come from a coarser table of k_test = N^(1/4) bins.

Quantile bins nest, so all of these tables are merges of a fine table counted once: a fine
bin goes to the coarse bin of its last sample. The fine count is a highly composite number,
so that many resolutions are whole fine bins. A first fine table has room for features near
independence; only those whose resolution reaches half of it are counted again, finer.

The partition trees (``n_bins="partition"``, the default) read one fine table instead, of
``partition_n_bins`` bins, and grow each feature's tree of cells on it (Darbellay and Vajda
1999), in the same kernel and on the same summed-area table as the merges; their p-values
come from the same merge to the test resolution.
"""

import math
from functools import cache
from typing import NamedTuple

import numpy as np
from scipy.stats import chi2

from skmi._backends import BY_INDEX, BY_RANK, KEEP, adaptive_tables, log_table, stacked
from skmi._scoring import TableSummary, occupied_width
from skmi._threads import even_slices, n_threads, thread_map

# Highly composite fine resolutions: their divisors step by at most 1.5 in the range used.
_FINE_RESOLUTIONS = (12, 24, 36, 60, 120, 180, 240, 360)

# The partition trees' finest table, 2^9 quantile bins an ordered axis (its finest leaves
# hold 1/512 of a margin), and the level of their test of a split.
PARTITION_N_BINS = 512
PARTITION_LEVEL = 0.05


def partition_n_bins(n_samples):
    """The fine bin count of partition trees for N rows known before counting: the smallest
    power of two reaching 2.5 sqrt(N), at most ``PARTITION_N_BINS`` (128 at N = 1,000, 256
    at 1e4, 512 from 10,486 rows on). A tree splits cells of two or three rows, so it needs
    bins of a few rows; measured on the families of ``benchmarks/accuracy.py``, 128 bins at
    N = 1,000 and 256 at 1e4 estimate as 512 do (mean absolute error 0.0298 and 0.0093
    nats either way), with a sixteenth and a quarter of the cells."""
    return min(PARTITION_N_BINS, 1 << max(3, math.ceil(math.log2(2.5 * math.sqrt(n_samples)))))


def samples_per_cell(n_samples):
    """c(N) = max(6, 2 log10 N): 6 at N = 1e3, 8 at 1e4, 10 at 1e5."""
    return max(6.0, 2 * math.log10(n_samples))


def candidates_for(fine, k_max):
    """Resolutions a fine table of ``fine`` bins can merge to, ascending, up to k_max.

    Every k leaving at least two fine bins per coarse one, and the divisors of ``fine`` above
    that: a merged bin is then whole fine bins, within one fine bin of an exact quantile.
    """
    divisors = np.array([k for k in range(2, fine + 1) if fine % k == 0], dtype=np.int64)
    candidates = np.union1d(np.arange(2, fine // 2 + 1), divisors)
    candidates = candidates[candidates <= k_max]
    return candidates if candidates.size else divisors[:1]


class Resolutions(NamedTuple):
    """The resolutions of the adaptive rule for N samples (``resolution_plan``)."""

    c: float  # samples per occupied cell
    k_max: int  # the largest resolution
    fines: tuple  # the fine resolutions to count: the first, and the finest if it differs
    test_k: int  # the resolution of the test tables
    partition: bool = False  # trees on the fine table instead of merges


def resolution_plan(n_samples, partition=False):
    """c(N), the largest resolution k_max, the fine resolutions to count, and the test one.

    k_max = min(2 sqrt(N), N / c). Two fine resolutions from ``_FINE_RESOLUTIONS``: the
    first is the smallest reaching 2.2 sqrt(N / c), room enough for near-independent
    features (about sqrt(N / c)); the second the smallest reaching k_max (the largest caps
    it), counted only for features whose resolution reached half the first. The test resolution is
    the divisor of the first nearest N^(1/4), at least 4.

    With ``partition`` the one fine resolution is ``partition_n_bins``, and the test one
    stays the merges': p-values do not depend on which estimates.
    """
    c = samples_per_cell(n_samples)
    k_max = max(2, int(min(2 * math.sqrt(n_samples), n_samples / c)))
    top = next((k for k in _FINE_RESOLUTIONS if k >= k_max), _FINE_RESOLUTIONS[-1])
    first = next(k for k in _FINE_RESOLUTIONS if k >= min(2.2 * math.sqrt(n_samples / c), top))
    divisors = np.array([k for k in range(2, first + 1) if first % k == 0])
    target = max(4.0, n_samples**0.25)
    test_k = int(divisors[np.argmin(np.abs(np.log(divisors / target)))])
    if partition:
        fines = (partition_n_bins(n_samples),)
    else:
        fines = (first,) if first == top else (first, top)
    return Resolutions(c, k_max, fines, test_k, partition)


def split_critical(n_x, n_y):
    """Pearson chi-square's critical values at ``PARTITION_LEVEL`` for every degree of freedom
    a split of an n_x by n_y table can have (infinite at 0: nothing to test): 15 for the
    look-ahead's 16 quarters, one less than the categories of an axis of categories."""
    return _critical_values(max(16, n_x, n_y))


@cache
def _critical_values(size):
    values = np.concatenate([[np.inf], chi2.isf(PARTITION_LEVEL, np.arange(1, size))])
    values.flags.writeable = False
    return values


class Merged(NamedTuple):
    """Each feature's fine table merged to its resolution (``merge``)."""

    n_bins: np.ndarray  # the bin count chosen (n_features,)
    summary: TableSummary  # of the table at that resolution
    bin_maps: np.ndarray  # merged bin of each fine bin of each feature (n_features, n_x)
    test: np.ndarray  # the tables merged to the test resolution (n_features, t_x, t_y)
    test_bin_maps: np.ndarray  # the same for those (n_features, n_x)
    test_y_map: np.ndarray  # test bin of each fine target bin (n_y,)


def _merge_group(fine, n_x, x_modes, x_single, y_mode, *shared):
    """``adaptive_tables`` on one group of features, its outputs named; the margins, as wide
    as the widest resolution any feature could reach, cut to those reached
    (``occupied_width``)."""
    out = adaptive_tables(fine, n_x, x_modes, y_mode, x_single, *shared)
    k, plugin, second, cells, x_margins, y_margins, maps, test, test_maps, test_y_map, cuts = out
    x_margins, y_margins = (
        np.ascontiguousarray(occupied_width(m)) for m in (x_margins, y_margins)
    )
    critical = shared[-1]  # the trees' critical values, None for merges (``merge``)
    tree = (critical is not None) & ((x_modes != KEEP) | (y_mode != KEEP))
    summary = TableSummary(plugin, second, cells, x_margins, y_margins, tree, cuts)
    return Merged(k, summary, maps, test, test_maps, test_y_map)


def _joined(parts):
    """Outputs of groups of features as one: per-feature arrays concatenated, the test
    tables padded to the tallest (groups of categorical features differ) and the margins to
    the widest, and the target's test map, the same for every group, taken once."""
    fields = zip(*(p.summary for p in parts), strict=True)
    summary = TableSummary(*(stacked(a) if a[0].ndim == 2 else np.concatenate(a) for a in fields))
    return Merged(
        np.concatenate([p.n_bins for p in parts]),
        summary,
        np.concatenate([p.bin_maps for p in parts]),
        stacked([p.test for p in parts]),
        np.concatenate([p.test_bin_maps for p in parts]),
        parts[0].test_y_map,
    )


def merge(fine, binning, y_single, y_discrete, strategy, plan, fine_n_bins, n_jobs):
    """Per feature, the finest merge of its fine table (``CountTables`` at ``fine_n_bins`` bins,
    features binned by ``binning``) that keeps >= c samples per occupied cell, or with
    ``plan.partition`` its partition tree wherever an axis is ordered, and the merge to the
    test resolution; as ``Merged``. Features go to threads in groups (1e6 x 100 at
    360 x 360: 30 ms on one thread).

    Quantile bins merge by rank (so that tied fine bins still land where their values
    belong), with the point masses among them kept apart (``Binning.single`` and
    ``y_single``, which target bins are single values), equal-width ones by index,
    categories never.
    """
    counts = fine.counts
    n = fine.n_samples
    by = BY_RANK if strategy == "quantile" else BY_INDEX
    x_modes = np.where(binning.discrete, KEEP, by)
    x_single = binning.single_bins(counts.shape[1])
    shared = (
        KEEP if y_discrete else by,
        np.ascontiguousarray(y_single, dtype=np.uint8),
        fine_n_bins,
        candidates_for(fine_n_bins, plan.k_max),
        plan.c,
        plan.test_k,
        log_table(n),
        split_critical(*counts.shape[1:]) if plan.partition else None,
    )
    n_x = binning.n_bins
    workers = n_threads(n_jobs, counts.shape[0], counts.size)
    groups = even_slices(counts.shape[0], workers)
    tasks = [(counts[s], n_x[s], x_modes[s], x_single[s], *shared) for s in groups]
    parts = thread_map(_merge_group, tasks, workers)
    return parts[0] if len(parts) == 1 else _joined(parts)
