"""Rows that arrive in batches: the stages of ``_core`` split across calls to ``partial_fit``.

The first call learns the bins (or takes given edges) and counts; every later call only
counts its rows with the same bins and adds the tables; the scores are computed from the
sums and the total N each time, by the same functions as ``fit``'s. Counts add up, so the
tables of any split of the rows sum to the tables of all of them: for the same edges,
``partial_fit`` over batches gives ``fit``'s results on their concatenation.

What does not add: the edges (learnt once, from the first batch, or given), the adaptive
resolution (chosen at scoring time from fine tables kept at the finest fine resolution, so
that it follows the total N), and permutation p-values (they need the rows: tables summed over
batches are tested with the G-test alone).
"""

import numpy as np

from skmi._adaptive import _FINE_RESOLUTIONS, resolution_plan
from skmi._binning import Binning
from skmi._core import Batches, fixed_tables, merged_tables, scored
from skmi._params import DEFAULT_ENTROPY_N_BINS
from skmi._tables import (
    coded_target,
    count_joint,
    grown,
    learn_target,
    sample_rows,
    target_n_bins,
)
from skmi._validation import check_X

# With "adaptive", batches are counted at the finest fine resolution: the one fit counts from
# about 1.2e5 rows on, so the resolution can grow with N as far as fit's would.
BATCH_FINE_RESOLUTION = _FINE_RESOLUTIONS[-1]


def given_binning(bin_edges, discrete, n_features, name="bin_edges", encoding=None):
    """A ``Binning`` of given edges: one non-decreasing array of >= 2 finite numbers per
    feature, then a NaN where the feature has a bin for missing values, as ``bin_edges_``
    attributes hold them. X's ``encoding`` (``check_X``) must be empty: edges in the units
    of integers past 2^53 or of categories' codes cannot be taken as given."""
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


def start_mi(
    X,
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
    """``Batches`` of the first batch: its bins learnt, unless given (``binning``,
    ``target``), and its rows counted."""
    adaptive = isinstance(n_bins, str) and n_bins == "adaptive"
    k = BATCH_FINE_RESOLUTION if adaptive else n_bins
    rows = sample_rows(X.shape[0], subsample, random_state)
    fine_k = k if adaptive else None
    if binning is None:
        binning = Binning.learn(X, k, strategy, discrete, rows, n_jobs)
    elif adaptive:  # given fine edges: their point masses are read off the first batch
        fine_k = int(binning.n_bins.max())
        binning = binning.observed_single(X)
    if target is None:
        target_k = k if np.ndim(k) == 0 else DEFAULT_ENTROPY_N_BINS
        target = learn_target(y, discrete_target, target_k, strategy, rows)
    elif adaptive and isinstance(target, Binning):
        target = target.observed_single(y.reshape(-1, 1))
    y_codes = coded_target(y, target)
    tables, binning = count_joint(X, binning, y_codes, target_n_bins(target), n_jobs, k)
    return Batches(binning, target, tables, fine_k)


def add_mi(batches, X, y, n_jobs):
    """``batches`` with the rows of (X, y) counted and added: a column that holds missing
    values for the first time gains a bin for them (``count_joint``); a value of a discrete
    column that the first batch did not hold is an error (``Binning.check_levels``)."""
    batches.binning.check_levels(X)
    y_codes = coded_target(y, batches.target)
    n_bins = batches.fine_k or batches.binning.n_bins
    n_y = target_n_bins(batches.target)
    more, binning = count_joint(X, batches.binning, y_codes, n_y, n_jobs, n_bins)
    tables = grown(batches.tables, more.counts.shape[1]) + more
    return Batches(binning, batches.target, tables, batches.fine_k)


def score_mi(batches, *, discrete_target, strategy, correction, n_jobs):
    """``MIResult`` of the summed tables, fit's scoring on all rows seen, without the
    p-values, and the ``MITables`` to compute them from (``pvalues(tables, n_samples)``: the
    G-test, whose exact chance level costs a few ms a feature once N is large, so callers
    compute it only when asked)."""
    n_samples = batches.tables.n_samples
    if batches.fine_k is None:
        tables = fixed_tables(batches.tables, batches.binning)
    else:
        plan = resolution_plan(n_samples)
        args = (discrete_target, strategy, plan, batches.fine_k, n_jobs)
        _, tables = merged_tables(batches.tables, batches.binning, batches.target, *args)
    return scored(tables, n_samples, correction, None), tables


def check_batch_X(estimator, X, first, bin_edges):
    """X of a ``partial_fit`` batch of an estimator without a target. On the first call, as
    ``fit`` checks it (its integer encoding learnt); later, against the fitted features, one
    sample being enough, with the parameters that shaped the tables unchanged
    (``estimator._binning_params()``) and no ``bin_edges``."""
    if first:
        X, estimator._integer_encoding = check_X(
            X, estimator=estimator, handle_missing=estimator.handle_missing
        )
        return X
    check_unchanged(estimator._batch_params, estimator._binning_params())
    if bin_edges is not None:
        raise ValueError("bin_edges is used on the first call to partial_fit only")
    X, _ = check_X(
        X, estimator=estimator, reset=False, ensure_min_samples=1,
        encoding=estimator._integer_encoding, handle_missing=estimator.handle_missing,
    )  # fmt: skip
    return X


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
