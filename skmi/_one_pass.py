"""``fit`` on rows at hand (in memory or on a device): learn, count and score, a block of
features at a time, with the p-values that need the rows.

MI with a target is scored from each feature's joint table at one resolution: the one asked
for, or per feature the one the adaptive rule chooses by merging a fine table, or its
partition tree on a fine table (``_adaptive``).
Each block of features goes through the stages of every accumulator (learn the binning from
the sample rows, count every row, score: ``_results``) before the next is counted: a
feature's results depend on its own table only, so blocks change none, and they bound the
memory of a call. Where N is known before counting, "adaptive" counts at the fine resolution
``mi_plan`` chooses for it, and counts again, finer, the features whose resolution needs it.
"""

from dataclasses import replace
from functools import cache
from typing import NamedTuple

import numpy as np

from skmi._accumulate import Accumulator, score_mi, start_mi
from skmi._blocks import block_threads, table_cells
from skmi._plan import is_adaptive, is_partition, mi_plan
from skmi._scoring import TableSummary
from skmi._scoring._adaptive import resolution_plan
from skmi._scoring._pvalues import pvalues
from skmi._scoring._results import MIResult, MITables, fixed_tables, merged_tables, scored
from skmi._tables import sample_rows, table_guard
from skmi._threads import thread_map


class Stages(NamedTuple):
    """What every stage of a call shares: how y is read and X binned, and by whom."""

    discrete_target: bool
    strategy: str
    rows: np.ndarray | None  # the sample rows edges are learnt from (None: all)
    n_jobs: int | None
    n_samples: int  # X's rows, which the rules and the resolutions read


def _asked_bins_pass(source, target, discrete, n_bins, stages):
    """One table per feature at the asked bin count; it is also the table tested. The
    tables, and the ``Accumulator`` that ``partial_fit`` adds rows to. ``target`` is
    ``source.target``'s output."""
    y_codes, n_y, learnt = target
    binning = source.learn(
        n_bins, stages.strategy, discrete, stages.rows, stages.n_jobs, stages.n_samples
    )
    joint, binning = source.count_joint(binning, y_codes, n_y, stages.n_jobs, n_bins)
    accumulator = Accumulator(binning, joint, learnt)
    return fixed_tables(joint, binning, y_codes), accumulator


def _adaptive_pass(source, target, discrete, stages, fine_n_bins, plan):
    """Count X against the target codes at ``fine_n_bins`` bins and merge each feature to its
    resolution and to the test resolution; the resolutions, the tables as ``MITables``, and
    which features' bins are their values (``Binning.by_value``: no finer count changes them).
    ``target`` is ``source.target``'s output."""
    strategy, n_jobs = stages.strategy, stages.n_jobs
    y_codes, n_y, learnt = target
    binning = source.learn(fine_n_bins, strategy, discrete, stages.rows, n_jobs, stages.n_samples)
    fine, binning = source.count_joint(binning, y_codes, n_y, n_jobs, fine_n_bins)
    merge_args = (stages.discrete_target, strategy, plan, fine_n_bins, n_jobs)
    k, tables = merged_tables(fine, binning, learnt, *merge_args)
    tables.y_codes = y_codes
    return k, tables, binning.by_value


def _pad(a, width):
    return np.pad(a, ((0, 0), (0, width - a.shape[1])))


def _adaptive_tables(source, target, discrete, stages, plan):
    """Each feature at the resolution its own table supports (``_adaptive``, as ``plan``
    says); ``target`` maps a fine resolution to ``source.target``'s output.

    One pass at a fine resolution with room for near-independent features; the features
    whose resolution reached half of it are counted again at the finest one, whose
    estimating tables replace theirs (the tests stay on the first pass's tables). Trees
    have one fine resolution: one pass.
    """
    first = plan.fines[0]
    k, tables, by_value = _adaptive_pass(source, target(first), discrete, stages, first, plan)
    # Above half the first fine count, its candidates thin out to its divisors: count finer,
    # except where a finer count changes nothing: the features' bins are their values, which
    # quantile merges keep apart, and the target's its classes (a binned target is binned
    # finer too; equal-width merges go by the fine count).
    same = by_value & (stages.discrete_target and stages.strategy == "quantile")
    grow = np.flatnonzero((k >= first // 2) & ~same) if len(plan.fines) > 1 else []
    if len(grow):
        finest = plan.fines[1]
        _, finer, _ = _adaptive_pass(
            source.columns(grow), target(finest), discrete[grow], stages, finest, plan
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


def estimate_mi(
    source,
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
    """MI of each column of the source's rows (n_samples, n_features) with y, and its
    statistics.

    ``n_bins`` is "adaptive", a rule name, an int or one int per feature (``check_n_bins``),
    ``discrete`` the mask of categorical features. ``n_permutations=None`` skips the p-values
    (the score functions do not return them). Returns the ``MIResult`` and, for bins as
    asked (not "adaptive", whose fine tables are chosen for this N and reduced block by
    block), the ``Accumulator`` that ``partial_fit`` can add rows to; None otherwise.

    Without ``keep_tables`` (the score functions) only the scores are kept, no bins,
    p-values or ``Accumulator``: no table outlives its block.
    """
    n_samples = source.shape[0]
    rows = sample_rows(n_samples, subsample, random_state)
    adaptive = is_adaptive(n_bins)
    plan = resolution_plan(n_samples, is_partition(n_bins)) if adaptive else None

    @cache
    def target(k):  # the target's codes at k bins: learnt once, whatever the blocks
        return source.target(y, discrete_target, k, strategy, rows)

    # The target's bins: the first fine resolution's, or those asked for (one count for all).
    y_n_bins = mi_plan(n_bins, n_samples).target_n_bins
    n_y = target(y_n_bins)[1]
    cells = table_cells(n_bins, y_n_bins, n_y, n_samples)
    if keep_tables and not adaptive:  # every block's tables are kept: all of them must fit
        table_guard(source.shape[1], cells // n_y, n_y, n_bins)
    blocks, transpose = source.blocks(rows, cells)
    workers = block_threads(n_jobs, blocks, source.shape)
    stages = Stages(discrete_target, strategy, rows, 1 if workers > 1 else n_jobs, n_samples)

    def block_result(block):
        part = source.block(block, transpose)
        if adaptive:
            tables = _adaptive_tables(part, target, discrete[block], stages, plan)
            accumulator = None
        else:
            block_bins = n_bins[block] if np.ndim(n_bins) else n_bins
            tables, accumulator = _asked_bins_pass(
                part, target(y_n_bins), discrete[block], block_bins, stages
            )
        result = scored(tables, n_samples, correction, None)
        if not keep_tables:
            return replace(result, bins=None), None, None
        # Scored: the p-values read the test tables only, not the summaries (two margins of
        # the fine width a feature, 32 MB a block of 8,738 features at 240 bins).
        tables.summary = None
        return result, tables, accumulator

    parts = thread_map(block_result, [(block,) for block in blocks], workers)
    result = MIResult.joined([part[0] for part in parts])
    if not keep_tables:
        return result, None
    if n_permutations is not None:
        tables = MITables.joined([part[1] for part in parts])
        result.pvalues = pvalues(tables, n_samples, source, n_permutations, random_state, n_jobs)
    accumulator = None if adaptive else Accumulator.joined([part[2] for part in parts])
    return result, accumulator


class Fitted(NamedTuple):
    """What ``fit_mi`` gives an estimator."""

    result: MIResult
    accumulator: Accumulator | None  # what partial_fit continues from (None: nothing kept)
    discrete_target: bool
    pending: MITables | None  # the tables of the G-test p-values, computed when first read


def fit_mi(source, y, *, discrete_target, correction, n_permutations, **params):
    """``fit``'s MI of a source's rows with y: in one pass where the rows are at hand
    (``estimate_mi``: blocks of features, permutation p-values), otherwise as one batch
    counted where they live (``start_mi``: a dask array, its G-test p-values pending).
    ``params`` are ``estimate_mi``'s."""
    if source.one_pass:
        result, accumulator = estimate_mi(
            source,
            y,
            discrete_target=discrete_target,
            correction=correction,
            n_permutations=n_permutations,
            **params,
        )
        return Fitted(result, accumulator, discrete_target, None)
    keep = params.pop("keep_tables", True)
    accumulator, discrete_target = start_mi(source, y, discrete_target=discrete_target, **params)
    result, tables = score_mi(
        accumulator,
        discrete_target=discrete_target,
        strategy=params["strategy"],
        correction=correction,
        n_jobs=params["n_jobs"],
    )
    return Fitted(result, accumulator if keep else None, discrete_target, tables)
