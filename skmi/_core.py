"""The stages behind every public function and estimator: learn the binning, count, score.
Validated arrays and parameters in (``_validation``), named results out.

MI with a target is scored from each feature's joint table at one resolution: the one asked
for, or per feature the one the adaptive rule chooses by merging a fine table (``_adaptive``).
Either way the result is a ``TableSummary`` of the estimating tables, which is all that the
corrections, standard errors and entropies need, plus the tables p-values are computed from.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import NamedTuple

import numpy as np

from skmi._adaptive import merge, resolution_plan
from skmi._backends import EdgeRows, is_device_array
from skmi._binning import Binning, merged_edges
from skmi._blocks import block_of, block_threads, feature_blocks, stacked, table_cells
from skmi._params import DEFAULT_ENTROPY_N_BINS
from skmi._pvalues import pvalues
from skmi._scoring import (
    _MI_CORRECTIONS,
    _NORMALIZATIONS,
    TableSummary,
    corrected_entropy,
    delta_method_se,
    entropy_from_counts,
    summarize,
)
from skmi._tables import (
    CountTables,
    coded_target,
    columns,
    count_histograms,
    count_joint,
    learn_target,
    n_codes,
    sample_rows,
    table_guard,
    take_codes,
    target_codes,
    target_n_bins,
    target_single,
)
from skmi._threads import thread_map


@dataclass(frozen=True)
class Batches:
    """What ``partial_fit`` keeps between calls: the bins learnt (or given) on the first
    call, of the features (``binning``) and of the target (``learn_target``), and the joint
    ``tables`` summed over every batch since, counted at ``fine_k`` bins per feature with
    "adaptive" (None: at the bins asked for)."""

    binning: Binning
    target: object
    tables: CountTables
    fine_k: int | None

    @classmethod
    def joined(cls, parts):
        """The ``Batches`` of consecutive blocks of features, as one."""
        if len(parts) == 1:
            return parts[0]
        edges = EdgeRows.joined([part.binning.edges for part in parts])
        discrete = np.concatenate([part.binning.discrete for part in parts])
        counts = stacked([part.tables.counts for part in parts])
        return cls(Binning(edges, discrete), parts[0].target, CountTables(counts), None)


class Bins(Sequence):
    """Each feature's counted edges and the map of its counted bins to the bins it is scored
    at (None: the same), ``(edges[j], maps[j])``, made when read: the score functions,
    which never read them, make no Python object per feature. An item can be replaced
    (features counted again, finer)."""

    def __init__(self, edges, maps=None):
        self.edges = edges
        self.maps = maps
        self.replaced = {}

    def __len__(self):
        return len(self.edges)

    def __getitem__(self, j):
        if j in self.replaced:
            return self.replaced[j]
        return self.edges[j], None if self.maps is None else self.maps[j]

    def __setitem__(self, j, bins):
        self.replaced[j] = bins

    @classmethod
    def joined(cls, parts):
        """The ``Bins`` of consecutive blocks of features as one, still made when read."""
        if len(parts) == 1:
            return parts[0]
        edges = EdgeRows.joined([part.edges for part in parts])
        maps = None
        if parts[0].maps is not None:
            maps = stacked([part.maps for part in parts])
        joined = cls(edges, maps)
        start = 0
        for part in parts:
            joined.replaced.update({start + j: bins for j, bins in part.replaced.items()})
            start += len(part)
        return joined


class Stages(NamedTuple):
    """What every stage of a call shares: how y is read and X binned, and by whom."""

    discrete_target: bool
    strategy: str
    rows: np.ndarray | None  # the sample rows edges are learnt from (None: all)
    n_jobs: int | None
    n_samples: int  # X's rows, which the rules and the resolutions read


@dataclass
class MITables:
    """Each feature's estimating table, summarised, and its table to test with.

    ``bins[j]`` and ``test_bins[j]`` are feature j's counted edges and the map of those bins
    to its estimating (test) bins, or None where they are the same: the merged edges are
    built only when asked for (``merged_edges``).
    """

    summary: TableSummary
    test: np.ndarray  # (n_features, t_x, t_y) of integer counts
    bins: Sequence
    test_bins: Sequence
    y_codes: np.ndarray | None  # the target's codes counted (None: tables summed)
    test_y_map: np.ndarray | None = None  # the test bin of each of those (None: the same)

    @property
    def test_y_codes(self):
        """The target's codes at the testing resolution, made when permutations ask: the
        score functions, which never do, hold no copy of N codes."""
        if self.test_y_map is None:
            return self.y_codes
        return take_codes(self.test_y_map, self.y_codes)

    @classmethod
    def joined(cls, parts):
        """The test tables of consecutive blocks of features, as one (the summaries,
        already scored, are left out)."""
        if len(parts) == 1:
            return parts[0]
        test = stacked([part.test for part in parts])
        test_bins = Bins.joined([part.test_bins for part in parts])
        first = parts[0]
        return cls(None, test, None, test_bins, first.y_codes, first.test_y_map)


def fixed_tables(joint, binning, y_codes=None):
    """``MITables`` of joint ``CountTables`` counted at the asked bin counts: each feature's
    table is both its estimating and its test table (in the count type: only the p-values
    need int64, and score functions ask for none)."""
    bins = Bins(binning.edges)
    return MITables(summarize(joint.counts), joint.counts, bins, bins, y_codes)


def _target(y, discrete_target, n_bins, strategy, rows):
    """The target's codes, their number of values and its bins (``learn_target``); on a
    device, codes learnt where y lives, with the bins of a binned y (``target_codes``):
    such tables are not continued by ``partial_fit``."""
    if is_device_array(y):
        y_codes, binning = target_codes(y, discrete_target, n_bins, strategy, rows)
        return y_codes, n_codes(y_codes), binning
    target = learn_target(y, discrete_target, n_bins, strategy, rows)
    return coded_target(y, target), target_n_bins(target), target


def _fixed_tables(X, target, discrete, n_bins, stages):
    """One table per feature at the asked bin count; it is also the table tested. The
    tables, and what ``partial_fit`` needs to add more rows to them (``Batches``; None on a
    device). ``target`` is ``_target``'s output."""
    y_codes, n_y, learnt = target
    binning = Binning.learn(
        X, n_bins, stages.strategy, discrete, stages.rows, stages.n_jobs, stages.n_samples
    )
    joint, binning = count_joint(X, binning, y_codes, n_y, stages.n_jobs, n_bins)
    continued = learnt is not None and not is_device_array(y_codes)
    batches = Batches(binning, learnt, joint, None) if continued else None
    return fixed_tables(joint, binning, y_codes), batches


def merged_tables(fine, binning, target, discrete_target, strategy, plan, fine_k, n_jobs):
    """Each feature's fine ``CountTables`` (counted at ``fine_k`` bins under ``binning``,
    the target's columns under ``target``, ``learn_target``'s) merged to the resolution
    ``plan`` allows it and to the test one (``_adaptive.merge``): the resolutions, and the
    tables as ``MITables`` (without the target's codes, but with their map to the test
    bins)."""
    y_single = target_single(target, fine.counts.shape[2])
    merged = merge(fine, binning, y_single, discrete_target, strategy, plan, fine_k, n_jobs)
    return merged.k, MITables(
        merged.summary,
        merged.test,
        Bins(binning.edges, merged.bin_maps),
        Bins(binning.edges, merged.test_bin_maps),
        None,
        merged.test_y_map,
    )


def _adaptive_pass(X, target, discrete, stages, fine_k, plan):
    """Count X against the target codes at ``fine_k`` bins and merge each feature to its
    resolution and to the test resolution; the resolutions, and the tables as ``MITables``.
    ``target`` is ``_target``'s output."""
    strategy, n_jobs = stages.strategy, stages.n_jobs
    y_codes, n_y, learnt = target
    binning = Binning.learn(X, fine_k, strategy, discrete, stages.rows, n_jobs, stages.n_samples)
    fine, binning = count_joint(X, binning, y_codes, n_y, n_jobs, fine_k)
    merge_args = (stages.discrete_target, strategy, plan, fine_k, n_jobs)
    k, tables = merged_tables(fine, binning, learnt, *merge_args)
    tables.y_codes = y_codes
    return k, tables


def _pad(a, width):
    return np.pad(a, ((0, 0), (0, width - a.shape[1])))


def _adaptive_tables(X, target, discrete, stages):
    """Each feature at the resolution its own table supports (``_adaptive``); ``target``
    maps a fine resolution to ``_target``'s output.

    One pass at a fine resolution with room for near-independent features; the features
    whose resolution reached half of it are counted again at the finest one, whose
    estimating tables replace theirs (the tests stay on the first pass's tables).
    """
    plan = resolution_plan(stages.n_samples)
    first = plan.fines[0]
    k, tables = _adaptive_pass(X, target(first), discrete, stages, first, plan)
    # Above half the first fine count, its candidates thin out to its divisors: count finer.
    grow = np.flatnonzero(k >= first // 2) if len(plan.fines) > 1 else []
    if len(grow):
        finest = plan.fines[1]
        _, finer = _adaptive_pass(
            columns(X, grow), target(finest), discrete[grow], stages, finest, plan
        )
        summary = list(tables.summary)
        for part, (now, new) in enumerate(zip(summary, finer.summary, strict=True)):
            if now.ndim == 2:  # margins: as wide as the wider of the two passes needs
                width = max(now.shape[1], new.shape[1])
                now = summary[part] = _pad(now, width)
                new = _pad(new, width)
            now[grow] = new
        tables.summary = TableSummary(*summary)
        for j, bins in zip(grow, finer.bins, strict=True):
            tables.bins[j] = bins
    return tables


@dataclass
class MIResult:
    """Everything the estimators expose, in nats; p-values are None when not asked for."""

    scores: np.ndarray
    pvalues: np.ndarray | None
    standard_errors: np.ndarray
    entropy: np.ndarray
    target_entropy: np.ndarray
    bins: Sequence  # as in ``MITables``; None when not kept
    target_n_bins: np.ndarray

    @cached_property
    def bin_edges(self):
        return [merged_edges(*bins) for bins in self.bins]

    @property
    def n_bins(self):
        return np.array([e.size - 1 for e in self.bin_edges])

    @classmethod
    def joined(cls, parts):
        """The results of consecutive blocks of features, as one (p-values not joined)."""
        if len(parts) == 1:
            return parts[0]
        names = ("scores", "standard_errors", "entropy", "target_entropy", "target_n_bins")
        joined = {name: np.concatenate([getattr(part, name) for part in parts]) for name in names}
        bins = None if parts[0].bins is None else Bins.joined([part.bins for part in parts])
        return cls(pvalues=None, bins=bins, **joined)


def estimate_mi(
    X,
    y,
    *,
    discrete_target,
    n_bins,
    strategy,
    correction,
    discrete,
    subsample,
    random_state,
    n_permutations,
    n_jobs,
    keep_tables=True,
):
    """MI of each column of validated X (n_samples, n_features) with y, and its statistics.

    ``n_bins`` is "adaptive", a rule name, an int or one int per feature (``check_n_bins``),
    ``discrete`` the mask of categorical features. ``n_permutations=None`` skips the p-values
    (the score functions do not return them). Returns the ``MIResult`` and, for bins as
    asked (not "adaptive", whose fine tables are chosen for this N), the ``Batches`` that
    ``partial_fit`` can add rows to; None otherwise.

    Features go through the stages in blocks (``feature_blocks``), each block scored before
    the next is counted; a feature's results depend on its own table only, so blocks change
    none. Without ``keep_tables`` (the score functions) only the scores are kept, no bins,
    p-values or ``Batches``: no table outlives its block.
    """
    n_samples = X.shape[0]
    rows = sample_rows(n_samples, subsample, random_state)
    adaptive = isinstance(n_bins, str) and n_bins == "adaptive"

    @cache
    def target(k):  # the target's codes at k bins: learnt once, whatever the blocks
        return _target(y, discrete_target, k, strategy, rows)

    # The target's bins: the first fine resolution's, or those asked for (one count for all).
    k_y = resolution_plan(n_samples).fines[0] if adaptive else n_bins
    k_y = k_y if np.ndim(k_y) == 0 else DEFAULT_ENTROPY_N_BINS
    n_y = target(k_y)[1]
    cells = table_cells(n_bins, k_y, n_y, n_samples)
    if keep_tables and not adaptive:  # every block's tables are kept: all of them must fit
        table_guard(X.shape[1], cells // n_y, n_y, n_bins)
    blocks, transpose = feature_blocks(X, rows, cells)
    workers = block_threads(n_jobs, blocks, X)
    stages = Stages(discrete_target, strategy, rows, 1 if workers > 1 else n_jobs, n_samples)

    def block_result(block):
        Xb = block_of(X, block, transpose)
        if adaptive:
            tables, batches = _adaptive_tables(Xb, target, discrete[block], stages), None
        else:
            block_bins = n_bins[block] if np.ndim(n_bins) else n_bins
            tables, batches = _fixed_tables(Xb, target(k_y), discrete[block], block_bins, stages)
        result = scored(tables, n_samples, correction, None)
        if not keep_tables:
            return replace(result, bins=None), None, None
        return result, tables, batches

    parts = thread_map(block_result, [(block,) for block in blocks], workers)
    result = MIResult.joined([part[0] for part in parts])
    if not keep_tables:
        return result, None
    if n_permutations is not None:
        tables = MITables.joined([part[1] for part in parts])
        result.pvalues = pvalues(tables, n_samples, X, n_permutations, random_state, n_jobs)
    batches = None if parts[0][2] is None else Batches.joined([part[2] for part in parts])
    return result, batches


def scored(tables, n_samples, correction, p):
    """``MIResult`` of ``MITables`` of ``n_samples`` rows, with the p-values ``p``."""
    summary = tables.summary
    return MIResult(
        scores=_MI_CORRECTIONS[correction](
            summary.plugin, summary.x_margins, summary.y_margins, summary.cells
        ),
        pvalues=p,
        standard_errors=delta_method_se(summary.second, summary.plugin, n_samples),
        entropy=entropy_from_counts(summary.x_margins),
        target_entropy=entropy_from_counts(summary.y_margins),
        bins=tables.bins,
        target_n_bins=np.count_nonzero(summary.y_margins, axis=1),
    )


def normalized(result, normalize, log_base):
    """Scores on the scale asked for: MI in the log base, or a base-free normalisation."""
    if normalize is None:
        return result.scores / log_base
    return _NORMALIZATIONS[normalize](result.scores, result.entropy, result.target_entropy)


def estimate_entropy(
    X, *, n_bins, strategy, correction, subsample, random_state, discrete, n_jobs=None
):
    """Entropy of each binned column of validated X, in nats, the binning, and the
    histograms (``CountTables``) that ``partial_fit`` adds rows to; ``discrete`` is the
    mask of columns of categories, one bin per value."""
    rows = sample_rows(X.shape[0], subsample, random_state)
    binning = Binning.learn(X, n_bins, strategy, discrete, rows)
    counts, binning = count_histograms(X, binning, n_jobs, n_bins)
    return corrected_entropy(counts.widened(), correction), binning, counts
