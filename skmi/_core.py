"""The private core behind every public function and estimator: validated arrays in, count
tables, scores and their statistics out. Nothing here validates parameters.

Both resolutions end in the same summary of each feature's table (``Tables``): its plug-in
MI, second moment, occupied cells and margins, which is all that the corrections, standard
errors and entropies need, plus the table that p-values are computed from.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn.utils import check_random_state

from skmi._adaptive import candidates_for, resolution_plan
from skmi._binning import fit_edges
from skmi._counting import codes_of, count_joint, subsample_rows, target_codes
from skmi._information import (
    _MI_CORRECTIONS,
    _NORMALIZATIONS,
    delta_method_se,
    entropy_from_counts,
    g_test_pvalues,
    log_or_zero,
    margins,
    mutual_info_from_counts,
)
from skmi._kernels import BY_INDEX, BY_RANK, KEEP, adaptive_tables, code_counts
from skmi._params import DEFAULT_ENTROPY_N_BINS, check_n_bins, discrete_mask
from skmi._threads import even_slices, n_threads, thread_map

# The mean-matched G-test holds its level down to about 2.5 samples per cell of the test
# table (measured: 0.032 at 1.7, 0.058 at 28); permutations are used below twice that.
_G_TEST_MIN_PER_CELL = 5


@dataclass
class Tables:
    """Per-feature summaries of the estimating tables, and the tables to test with."""

    plugin: np.ndarray  # plug-in MI (n_features,)
    second: np.ndarray  # sum p l^2 (n_features,), for the standard error
    cells: np.ndarray  # occupied cells (n_features,)
    rows: np.ndarray  # feature margins (n_features, n_x)
    cols: np.ndarray  # target margins (n_features, n_y)
    test: np.ndarray  # tables to test independence with (n_features, t_x, t_y)
    # Each feature's counted edges and the map of those bins to its estimating (test)
    # bins, or None where they are the same: merged only when asked for (``merged_edges``).
    edge_maps: list
    test_edge_maps: list
    test_y_codes: np.ndarray  # the target's codes at the testing resolution


def _fixed_tables(X, y, discrete, discrete_target, n_bins, strategy, rows, n_jobs):
    """One table per feature at the asked bin count; it is also the table tested."""
    target_bins = n_bins if np.ndim(n_bins) == 0 else DEFAULT_ENTROPY_N_BINS
    y_codes = target_codes(y, discrete_target, target_bins, strategy, rows)
    edges = fit_edges(X, n_bins, strategy, discrete, rows, n_jobs)
    joint = count_joint(X, edges, y_codes, int(y_codes.max()) + 1, n_jobs, n_bins)
    joint = joint.astype(np.int64)
    a, b = margins(joint)
    plugin, second = mutual_info_from_counts(joint, second=True)
    return Tables(
        plugin=plugin,
        second=second,
        cells=np.count_nonzero(joint, axis=(1, 2)),
        rows=a,
        cols=b,
        test=joint,
        edge_maps=[(e, None) for e in edges],
        test_edge_maps=[(e, None) for e in edges],
        test_y_codes=y_codes,
    )


def merged_edges(edges, row_map):
    """Edges of the bins that ``row_map`` (merged index of each bin, or None: none merged)
    makes of ``edges``: the outer edges and those where the merged index changes."""
    if row_map is None:
        return edges
    keep = np.ones(edges.size, dtype=bool)
    np.not_equal(row_map[1 : edges.size - 1], row_map[: edges.size - 2], out=keep[1:-1])
    return edges[keep]


def _merged_tables(fine, n_rows, row_modes, shared, n_jobs):
    """``adaptive_tables`` over groups of features in threads (1e6 x 100 at 360 x 360:
    30 ms on one thread), its outputs joined; the test tables are padded to the tallest."""
    workers = n_threads(n_jobs, fine.shape[0], fine.size)
    parts = thread_map(
        adaptive_tables,
        [(fine[s], n_rows[s], row_modes[s], *shared) for s in even_slices(fine.shape[0], workers)],
        workers,
    )
    if len(parts) == 1:
        return parts[0]
    # Outputs 0-8 are per feature; the test tables (7) are as tall as their group needs,
    # and the target's test map (9) is the same for every group.
    rows = max(part[7].shape[1] for part in parts)
    parts = [
        (*part[:7], np.pad(part[7], ((0, 0), (0, rows - part[7].shape[1]), (0, 0))), *part[8:])
        for part in parts
    ]
    joined = [np.concatenate(arrays) for arrays in zip(*(part[:9] for part in parts), strict=True)]
    return (*joined, parts[0][9])


def _adaptive_pass(X, y, discrete, discrete_target, strategy, rows, n_jobs, fine_k, plan):
    """Count X against y at ``fine_k`` bins, merge each feature to its resolution, and to
    the test resolution (merging by rank serves any resolution); as ``Tables``."""
    c, k_max, _, test_k = plan
    y_codes = target_codes(y, discrete_target, fine_k, strategy, rows)
    edges = fit_edges(X, fine_k, strategy, discrete, rows, n_jobs)
    fine = count_joint(X, edges, y_codes, int(y_codes.max()) + 1, n_jobs, fine_k)
    binned = BY_RANK if strategy == "quantile" else BY_INDEX
    n_rows = np.array([e.size - 1 for e in edges])
    k, plugin, second, cells, a, b, maps, test, test_maps, test_col_map = _merged_tables(
        fine,
        n_rows,
        np.where(discrete, KEEP, binned),
        (
            KEEP if discrete_target else binned,
            fine_k,
            candidates_for(fine_k, k_max),
            c,
            test_k,
            log_or_zero(np.arange(X.shape[0] + 1)),
        ),
        n_jobs,
    )
    return k, Tables(
        plugin=plugin,
        second=second,
        cells=cells,
        rows=a,
        cols=b,
        test=test,
        edge_maps=list(zip(edges, maps, strict=True)),
        test_edge_maps=list(zip(edges, test_maps, strict=True)),
        test_y_codes=test_col_map[y_codes],
    )


def _pad(a, width):
    return np.pad(a, ((0, 0), (0, width - a.shape[1])))


def _adaptive_tables(X, y, discrete, discrete_target, strategy, rows, n_jobs):
    """Each feature at the resolution its own table supports (``_adaptive``).

    One pass at a fine resolution with room for near-independent features; the features
    whose resolution reached half of it are counted again at the finest one, whose
    estimating tables replace theirs (the tests stay on the first pass's tables).
    """
    plan = resolution_plan(X.shape[0])
    fines = plan[2]
    args = (discrete_target, strategy, rows, n_jobs)
    k, tables = _adaptive_pass(X, y, discrete, *args, fines[0], plan)
    # Above half the first fine count, its candidates thin out to its divisors: count finer.
    grow = np.flatnonzero(k >= fines[0] // 2) if len(fines) > 1 else []
    if len(grow):
        _, finer = _adaptive_pass(X[:, grow], y, discrete[grow], *args, fines[1], plan)
        for name in ("plugin", "second", "cells"):
            getattr(tables, name)[grow] = getattr(finer, name)
        for name in ("rows", "cols"):
            width = max(getattr(tables, name).shape[1], getattr(finer, name).shape[1])
            padded = _pad(getattr(tables, name), width)
            padded[grow] = _pad(getattr(finer, name), width)
            setattr(tables, name, padded)
        for j, edge_map in zip(grow, finer.edge_maps, strict=True):
            tables.edge_maps[j] = edge_map
    return tables


def permutation_pvalues(X, edges, y_codes, mi, n_permutations, random_state):
    """p = (1 + #{I_perm >= I}) / (1 + n_permutations): y's codes shuffled, X never re-binned.

    The plug-in MI is the statistic: the mean-matching and the corrections depend on margins
    only, which permuting leaves unchanged, so they would rank the permutations the same way.
    """
    n_x = max(e.size for e in edges) - 1
    codes = codes_of(X, edges, dtype=np.uint16 if n_x < 2**16 else np.int64)
    n_y = int(y_codes.max()) + 1
    rng = check_random_state(random_state)
    # Ties between a permuted and the observed table are the rule for discrete data; the
    # tolerance keeps round-off from deciding them.
    threshold = mi - 1e-12 * np.maximum(mi, 1.0)
    exceed = np.zeros(mi.shape, dtype=np.int64)
    for _ in range(n_permutations):
        permuted = code_counts(codes, rng.permutation(y_codes), n_x, n_y)
        exceed += mutual_info_from_counts(permuted) >= threshold
    return (1 + exceed) / (1 + n_permutations)


def pvalues(X, tables, n_permutations, random_state):
    """Mean-matched G-test p-values on the test tables; permutations where they are sparse."""
    test_mi = mutual_info_from_counts(tables.test)
    a, b = margins(tables.test)
    out = g_test_pvalues(test_mi, a, b)
    cells = np.count_nonzero(a, axis=1) * np.count_nonzero(b, axis=1)
    sparse = X.shape[0] < _G_TEST_MIN_PER_CELL * cells
    if n_permutations and sparse.any():
        out[sparse] = permutation_pvalues(
            X[:, sparse],
            [merged_edges(*tables.test_edge_maps[j]) for j in np.flatnonzero(sparse)],
            tables.test_y_codes,
            test_mi[sparse],
            n_permutations,
            random_state,
        )
    return out


@dataclass
class MIResult:
    """Everything the estimators expose, in nats; p-values are None when not asked for."""

    scores: np.ndarray
    pvalues: np.ndarray | None
    standard_errors: np.ndarray
    entropy: np.ndarray
    target_entropy: np.ndarray
    edge_maps: list  # as in ``Tables``
    target_n_bins: np.ndarray

    @cached_property
    def bin_edges(self):
        return [merged_edges(*edge_map) for edge_map in self.edge_maps]

    @property
    def n_bins(self):
        return np.array([e.size - 1 for e in self.bin_edges])


def estimate_mi(
    X,
    y,
    *,
    discrete_target,
    n_bins,
    strategy,
    correction,
    discrete_features,
    subsample,
    random_state,
    n_permutations,
    n_jobs,
):
    """MI of each column of validated X (n_samples, n_features) with y, and its statistics.

    ``n_permutations=None`` skips the p-values (the score functions do not return them).
    """
    n_samples, n_features = X.shape
    discrete = discrete_mask(discrete_features, n_features)
    rows = subsample_rows(n_samples, subsample, random_state)
    if isinstance(n_bins, str) and n_bins == "adaptive":
        tables = _adaptive_tables(X, y, discrete, discrete_target, strategy, rows, n_jobs)
    else:
        n_bins = check_n_bins(n_bins, n_features)
        tables = _fixed_tables(X, y, discrete, discrete_target, n_bins, strategy, rows, n_jobs)
    plugin = tables.plugin
    return MIResult(
        scores=_MI_CORRECTIONS[correction](plugin, tables.rows, tables.cols, tables.cells),
        pvalues=None
        if n_permutations is None
        else pvalues(X, tables, n_permutations, random_state),
        standard_errors=delta_method_se(tables.second, plugin, n_samples),
        entropy=entropy_from_counts(tables.rows),
        target_entropy=entropy_from_counts(tables.cols),
        edge_maps=tables.edge_maps,
        target_n_bins=np.count_nonzero(tables.cols, axis=1),
    )


def normalized(result, normalize, log_base):
    """Scores on the scale asked for: MI in the log base, or a base-free normalisation."""
    if normalize is None:
        return result.scores / log_base
    return _NORMALIZATIONS[normalize](result.scores, result.entropy, result.target_entropy)
