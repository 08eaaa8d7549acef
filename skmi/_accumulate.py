"""The accumulator: what every estimator keeps between calls, and the stages that make it.

``partial_fit`` is: learn the bins on the first call (or take them as given), then add every
batch's counts; a dask array is one such batch, counted on its workers. The tables of any
split of the rows sum to the tables of all of them, so for the same edges batches give
``fit``'s results on their concatenation. Scoring reads the summed tables and their N alone
(``score_mi``, ``corrected_entropy``, ``parts_of_tables``).

What does not add: the edges (learnt once, from the first batch, or given), the adaptive
resolution (chosen at scoring time from fine tables, ``_plan``), and permutation p-values
(they need the rows: summed tables are tested with the G-test alone).
"""

from dataclasses import dataclass, replace

import numpy as np

from skmi._backends import EdgeRows, stacked
from skmi._binning import Binning
from skmi._plan import is_partition, mi_plan
from skmi._scoring._adaptive import resolution_plan
from skmi._scoring._results import fixed_tables, merged_tables, scored
from skmi._tables import CountTables


@dataclass(frozen=True)
class Accumulator:
    """The bins learnt (or given) on the first call, of the features (``binning``) and of
    the target (``target``, ``learn_target``'s; None for tables without one), and the
    ``tables`` summed over every row since: joint tables with the target, histograms, or
    the table of every pair of features (``pairs``), counted at ``fine_n_bins`` bins per
    feature with "adaptive" or "partition" (None: at the bins asked for), the latter scored
    by trees (``partition``)."""

    binning: Binning
    tables: CountTables
    target: object = None
    fine_n_bins: int | None = None
    pairs: bool = False
    partition: bool = False

    @property
    def n_samples(self):
        return self.tables.n_samples

    @classmethod
    def joined(cls, parts):
        """The ``Accumulator`` of consecutive blocks of features, as one."""
        if len(parts) == 1:
            return parts[0]
        edges = EdgeRows.joined([part.binning.edges for part in parts])
        discrete = np.concatenate([part.binning.discrete for part in parts])
        counts = stacked([part.tables.counts for part in parts])
        return cls(Binning(edges, discrete), CountTables(counts), parts[0].target)

    def add(self, source, y=None, n_jobs=None):
        """This accumulator with the rows of ``source`` (and of y) counted and added: a
        column that holds missing values for the first time gains a bin for them; a value
        of a discrete column that the first batch did not hold is an error
        (``Binning.check_levels``)."""
        binning = self.binning
        if self.tables is not None:  # a first batch holds the levels its bins were learnt on
            binning = source.batch_binning(binning)
        if self.pairs:
            tables, binning = source.count_pairs(self.tables, binning, n_jobs)
            return replace(self, binning=binning, tables=tables)
        # Counted into the kept tables, in place: a batch of 4,096 x 384 at the batches' 512
        # x 512 fine bins allocated 403 MB (its tables and their sum), now 10 MB. The
        # arrays are shared with the accumulator before this one, which then holds the
        # batch too: only the newest is kept.
        n_bins = self.fine_n_bins or binning.n_bins
        if self.target is None:
            tables, binning = source.count_histograms(binning, n_jobs, n_bins, self.tables)
        else:
            tables, binning = source.count_target(
                binning, y, self.target, n_jobs, n_bins, self.tables
            )
        return replace(self, binning=binning, tables=tables)


def start_mi(
    source,
    y,
    *,
    discrete_target,
    n_bins,
    strategy,
    discrete,
    subsample,
    random_state,
    n_jobs,
    binning=None,
    target=None,
):
    """The ``Accumulator`` of a first batch of MI with a target, its rows counted: its bins
    learnt from its sample rows, unless given (``binning``, ``target``), at the plan for
    batches (``mi_plan``); and whether y is discrete (dask decides "auto" on its workers)."""
    plan = mi_plan(n_bins)
    fine = plan.fine_n_bins
    if binning is not None and fine:  # given fine edges: point masses read off the batch
        fine = int(binning.n_bins.max())
        binning = source.observed_single(binning)
    if target is not None and fine and isinstance(target, Binning):
        target = source.observed_single(target, y)
    binning, target, discrete_target = source.learn_bins(
        plan.n_bins,
        strategy,
        discrete,
        subsample,
        random_state,
        n_jobs,
        binning=binning,
        y=y,
        discrete_target=discrete_target,
        target_n_bins=plan.target_n_bins,
        target=target,
    )
    empty = Accumulator(binning, None, target, fine, partition=is_partition(n_bins))
    return empty.add(source, y, n_jobs), discrete_target


def score_mi(accumulator, *, discrete_target, strategy, correction, n_jobs):
    """``MIResult`` of the summed tables, fit's scoring on all rows seen, without the
    p-values, and the ``MITables`` to compute them from (``pvalues(tables, n_samples)``: the
    G-test, whose exact chance level costs a few ms a feature once N is large, so callers
    compute it only when asked)."""
    n_samples = accumulator.n_samples
    if accumulator.fine_n_bins is None:
        tables = fixed_tables(accumulator.tables, accumulator.binning)
    else:
        plan = resolution_plan(n_samples, accumulator.partition)
        args = (discrete_target, strategy, plan, accumulator.fine_n_bins, n_jobs)
        _, tables = merged_tables(
            accumulator.tables, accumulator.binning, accumulator.target, *args
        )
    return scored(tables, n_samples, correction, None), tables


def start_histograms(
    source, *, n_bins, strategy, discrete, subsample, random_state, n_jobs=None, binning=None
):
    """The ``Accumulator`` of a first batch's histograms: bins learnt from its sample rows
    (or given), every row counted."""
    binning, _, _ = source.learn_bins(
        n_bins, strategy, discrete, subsample, random_state, n_jobs, binning=binning
    )
    return Accumulator(binning, None).add(source, n_jobs=n_jobs)


def start_pairs(source, *, n_bins, strategy, subsample, random_state, n_jobs=None, binning=None):
    """The ``Accumulator`` of a first batch's table of every pair of features."""
    continuous = np.zeros(source.shape[1], dtype=bool)
    binning, _, _ = source.learn_bins(
        n_bins, strategy, continuous, subsample, random_state, n_jobs, binning=binning
    )
    return Accumulator(binning, None, pairs=True).add(source, n_jobs=n_jobs)


def given_binning(bin_edges, discrete, n_features, name="bin_edges", encoding=None):
    """A ``Binning`` of given edges: one non-decreasing array of >= 2 finite numbers per
    feature, then a NaN where the feature has a bin for missing values, as ``bin_edges_``
    attributes hold them. X's ``encoding`` must be empty: edges in the units of integers
    past 2^53 or of categories' codes cannot be taken as given."""
    if encoding:
        raise ValueError(
            f"{name} cannot be given for integer features past 2**53 or columns of "
            "categories; let the first batch learn them"
        )
    if len(bin_edges) != n_features:
        raise ValueError(
            f"{name} must hold one array of edges per feature ({n_features}), got {len(bin_edges)}"
        )
    edges = []
    for j, e in enumerate(bin_edges):
        e = np.asarray(e, dtype=np.float64)
        values = e[:-1] if e.ndim == 1 and e.size and np.isnan(e[-1]) else e
        if (
            values.ndim != 1
            or values.size < 2
            or not np.isfinite(values).all()
            or (np.diff(values) < 0).any()
        ):
            raise ValueError(
                f"{name}[{j}] must be a non-decreasing array of at least 2 finite numbers, "
                f"then NaN for a bin of missing values, got {bin_edges[j]!r}"
            )
        edges.append(e)
    return Binning(tuple(edges), np.asarray(discrete, dtype=bool))


def given_target(discrete_target, classes, target_bin_edges):
    """The target's bins as given (``classes`` or ``target_bin_edges``), or None."""
    if discrete_target and classes is not None:
        return np.unique(np.asarray(classes))
    if not discrete_target and target_bin_edges is not None:
        return given_binning([target_bin_edges], [False], 1, "target_bin_edges")
    return None


def continues(estimator, params, **given):
    """Whether ``partial_fit`` adds to tables the estimator holds, scikit-learn's rule: ``fit``
    resets, ``partial_fit`` continues from whatever is fitted (a fit or earlier batches); a
    fit that kept no tables leaves nothing to continue from. When it does, the parameters
    that shaped the tables (``params``, by name) must be those of the first call, and what
    only a first call takes (``given``, by name: edges, classes) must not be given."""
    if getattr(estimator, "_accumulator", None) is None:
        return False
    check_unchanged(estimator._batch_params, params)
    for name, value in given.items():
        if value is not None:
            raise ValueError(f"{name} is used on the first call to partial_fit only")
    return True


def check_unchanged(first, now):
    """A clear error when a parameter that shaped the tables changed since the first call to
    ``partial_fit`` (``first`` and ``now`` map names to values)."""
    for name, value in now.items():
        if not np.array_equal(
            np.asarray(first[name], dtype=object), np.asarray(value, dtype=object)
        ):
            raise ValueError(
                f"{name}={value!r} differs from {name}={first[name]!r} of the first call to "
                "partial_fit: the tables were counted with it; fit anew to change it"
            )
