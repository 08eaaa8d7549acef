"""Bin edges and the Binning that holds them: the one place where values become bins.

Every strategy is an entry of a dict of same-signature functions, the only list of their
names (parameter constraints, docs and tests read its keys); so is every bin-count rule
(``_rules``).

Edges are stored as scikit-learn's ``KBinsDiscretizer`` stores them: ``[min, inner..., max]``.
A value ``v`` falls in bin ``#{inner edges <= v}``, so the outer bins are open and the inner
edges are left-closed; every backend's ``codes`` applies that rule.

Point masses. Quantile edges are order statistics, so a value holding more than a bin's share
of the rows would take several edges, and once they are deduplicated its neighbours would share
its bin: a 0/1 column with 1% ones would be one bin and read no information. At B bins, a
value holding at least N/(2B) rows (and more than one) is a bin of its own, the other rows
are split by their quantiles into the bins left, and a column with at most B distinct values
gets one bin per value (``rank_groups``, the rule the adaptive merge of fine tables follows
too). So the histogram estimate of a discrete column is its exact discrete estimate, and
relabelling its values changes nothing. Columns without such a value keep the plain quantile
edges. Equal-width bins are defined by the range, not the ranks: they get one bin per value
where the column has at most B, and are otherwise unchanged.

Missing values. A column that holds NaN gets one bin more, its last, for them, as
``HistGradientBoostingClassifier`` bins them: missingness is often information. Its edges end
in NaN, the mark the backends read (``missing_bins``); its other bins are learnt from its
values as if the missing rows were not there. A column whose missing values the edges were
learnt without (outside a subsample, or in a later batch) gets that bin when they are counted
(``Binning.with_missing_of``).

Values are validated here too, where they are read anyway: by the sort that learns the edges
and by the kernels that bin every value (``NonFiniteError``: an infinite value, or a missing
one without its bin).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from skmi._backends import BACKEND, EdgeRows, NonFiniteError, missing_bins
from skmi._backends._array_api import to_numpy
from skmi._backends._common import value_edges_of
from skmi._binning._rules import n_bins_for
from skmi._kernels._binning import order_statistics
from skmi._kernels._merging import rank_groups
from skmi._threads import n_threads, thread_map


def _uniform_inner_edges(x, k):
    """k - 1 equally spaced inner edges over [min, max] of sorted ``x`` (each row of a 2-D x).

    Interpolated as min (1 - t) + max t, which cannot overflow, where max - min can (a range
    from -1e308 to 1e308).
    """
    t = np.arange(1, k) / k
    return x[..., :1] * (1 - t) + x[..., -1:] * t


def quantile_ranks(n, k):
    """Ranks ceil(cn/k), c = 1..k-1, of n sorted values, so that the value of rank r falls in
    bin floor(rk/n); past the last with more bins than values, they repeat it (ties, merged
    by ``tied_edges``)."""
    return np.minimum((np.arange(1, k) * n + k - 1) // k, n - 1)


def _quantile_inner_edges(x, k):
    """Order statistics of sorted ``x`` (each row of a 2-D x) at ``quantile_ranks``.

    Bins of that form nest: merging m adjacent bins of km bins gives the k bins exactly,
    which lets one fine count table serve every coarser resolution (``_adaptive``).
    """
    return x[..., quantile_ranks(x.shape[-1], k)]


_STRATEGIES = {
    "uniform": _uniform_inner_edges,
    "quantile": _quantile_inner_edges,
}


def feature_edges(x, k, strategy):
    """Full edges ``[min, inner..., max]`` of sorted finite ``x`` for ``k`` requested bins.

    Inner edges that coincide (ties) or sit at the minimum would make empty bins, so they are
    dropped; ``len(edges) - 1`` is the number of bins really used.
    """
    inner = _STRATEGIES[strategy](x, k) if k > 1 and x[-1] > x[0] else x[:0]
    return tied_edges(x[0], inner, x[-1])


def point_mass_size(n, k):
    """The least a point mass holds of n values at k bins: max(2, n / (2k)) of them."""
    return max(2, math.ceil(n / (2 * k)))


def has_point_mass(x, k):
    """Whether some value of each sorted row of ``x`` holds at least max(2, n / (2k)) of
    its n values, the least a point mass holds at k bins (``rank_groups``); a column with
    at most k distinct values always has one."""
    n = x.shape[-1]
    least = point_mass_size(n, k)
    if least > n:
        return np.zeros(x.shape[:-1], dtype=bool)
    return (x[..., least - 1 :] == x[..., : n - least + 1]).any(axis=-1)


def value_counts(x):
    """The distinct values of sorted ``x`` and how often each occurs."""
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    return x[starts], np.diff(np.append(starts, x.size))


def value_edges(values, counts, k, strategy):
    """Edges at ``k`` bins of a column of sorted distinct finite ``values`` occurring
    ``counts`` times, with its point masses bins of their own, and which bins are single
    values (``rank_groups``), as ``feature_edges`` gives them.

    A bin that follows a single value starts just above it, so that the single value's bin
    holds that value alone, for new data too (the zeros of a mostly-zero column, not the
    zeros and the smallest values beside them). Equal-width bins follow the rule only where
    there are at most k distinct values (None for the flags where they do not).
    """
    values = np.asarray(values, dtype=np.float64)
    if strategy != "quantile" and values.size > k:
        return feature_edges(values, k, strategy), None
    cumulative = np.cumsum(counts, dtype=np.int64)
    groups = rank_groups(cumulative, np.ones(values.size, dtype=np.uint8), k)
    heads = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    single = np.diff(np.append(heads, values.size)) == 1
    inner = values[heads[1:]]
    after_single = single[:-1] & ~single[1:]
    inner[after_single] = np.nextafter(values[heads[1:][after_single] - 1], np.inf)
    return np.concatenate((values[:1], inner, values[-1:])), single


def tied_edges(low, inner, high):
    """Edges ``[low, inner..., high]`` with the inner edges that coincide or sit at the
    minimum dropped (``feature_edges``)."""
    inner = np.unique(inner)
    inner = inner[(inner > low) & (inner <= high)]
    return np.concatenate(([low], inner, [high]))


def bin_count(x, n_samples, n_bins, j):
    """The bin count of feature j, whose sorted sample is ``x``, of ``n_samples`` rows:
    ``n_bins`` an int, a rule name or one int per feature (``n_bins_for``)."""
    return n_bins_for(x, n_samples, n_bins[j] if np.ndim(n_bins) == 1 else n_bins)


def category_edges(x):
    """Edges for a discrete feature: one bin per distinct value of ``x`` (in any order),
    ``[v0, v1, ..., v_last]``.

    The inner edges are the distinct values v1.., so value v_c falls exactly in bin c; the last
    value is repeated as the closing edge, so ``len(edges) - 1`` is the number of categories.
    """
    values = np.unique(x)
    return np.concatenate((values, values[-1:]))


# Bytes of sorted sample held at once while learning edges: columns are sorted in blocks,
# wide ones, since a block reads whole cache lines of each row of a C-ordered X (blocks of 2
# of 200,000 x 50's columns read each line four times: 0.16 s at 16 bins, 0.14 in 20).
_SORT_BLOCK_BYTES = 2**24


def _common_edges(part, k, strategy):
    """Edges of every sorted row of ``part`` at one bin count k, computed at once, and the
    mask of rows whose edges need no deduplication (``feature_edges`` does the others).
    ``strategy`` None: each row of ``part`` is already ``[min, inner..., max]``."""
    low = part[:, :1].astype(np.float64)
    high = part[:, -1:].astype(np.float64)
    inner = (part[:, 1:-1] if strategy is None else _STRATEGIES[strategy](part, k)).astype(
        np.float64, copy=False
    )
    clean = (
        (high[:, 0] > low[:, 0])
        & (inner[:, 0] > low[:, 0])
        & (inner[:, -1] <= high[:, 0])
        & (np.diff(inner, axis=1) > 0).all(axis=1)
    )
    return np.concatenate((low, inner, high), axis=1), clean


def present_values(x):
    """The values of sorted ``x`` before its missing ones (NaN sorts last), and whether it
    has any."""
    if not np.isnan(x[-1]):
        return x, False
    return x[: np.searchsorted(np.isnan(x), True)], True


def _column_edges(X, x, j, n_bins, strategy, discrete, rows, n_samples):
    """Edges of one column, whose sorted sample is ``x``, and which of its bins are single
    values (None: no point mass), as ``_block_edges`` learns them. Edges end in NaN where
    the column holds missing values: in all rows for categories and columns with point
    masses (which read them all), in the sample otherwise (``with_missing_retry`` adds the
    bin to the others when they are counted)."""
    x, missing = present_values(x.astype(np.float64, copy=False))
    single = None
    if discrete[j]:
        if rows is not None:  # categories are learnt from every row
            x, missing = present_values(np.sort(X[:, j]).astype(np.float64))
        edges = category_edges(x) if x.size else np.zeros(2)
    elif not x.size:
        edges = np.zeros(2)  # no value at all: one empty bin beside the missing one
    else:
        k = bin_count(x, n_samples, n_bins, j)
        if has_point_mass(x, k):
            values, counts = value_counts(x)
            if rows is not None and (strategy == "quantile" or values.size <= k):
                values, counts = np.unique(X[:, j], return_counts=True)
                missing = bool(np.isnan(values[-1]))
                values, counts = values[: values.size - missing], counts[: values.size - missing]
            edges, single = value_edges(values, counts, k, strategy)
        else:
            edges = feature_edges(x, k, strategy)
    return (np.append(edges, np.nan) if missing else edges), single


# Sample values a column, in all and a bin, from which its order statistics are selected
# (``order_statistics``) rather than sorted (``benchmarks/results/order_statistics.md``):
# numpy's sort was as fast or faster on 5,000 values, and from 20,000 to 50,000 at 360 or
# 512 bins (as few as 39 to 139 values a bin) on lognormal or float32 columns; the
# selection 1.1 to 2.5 times as fast from 20,000 values at 16 or 32 bins and on 200,000
# at 16 to 512 (390 values a bin and more).
_SELECT_FROM = 2**14
_SELECT_PER_BIN = 256


def _selects(n, k):
    """Whether the order statistics of columns of n values at k bins are selected."""
    return n >= max(_SELECT_FROM, _SELECT_PER_BIN * k)


def _selected_edges(part, k, strategy):
    """Edges of every row of ``part`` at k bins, from order statistics selected without
    sorting it, and the mask of rows whose edges they are: the others hold a value that is
    not finite, a point mass, or ties that need deduplication (``_common_edges``)."""
    n = part.shape[1]
    inner_ranks = quantile_ranks(n, k) if strategy == "quantile" else []
    ranks = np.r_[0, inner_ranks, n - 1].astype(np.int64)
    stats, left_out = order_statistics(part, ranks, point_mass_size(n, k))
    if strategy != "quantile":
        stats = np.c_[stats[:, :1], _STRATEGIES[strategy](stats, k), stats[:, 1:]]
    edges, clean = _common_edges(stats, k, None)
    return edges, clean & ~left_out


def _block_edges(X, lo, hi, n_bins, strategy, discrete, rows, n_samples):
    """Edges of columns lo..hi-1, and which of their bins are single values ``{j: mask}``
    (columns with point masses only): the block's sample rows gathered transposed into one
    buffer (``sample_columns``), then all columns at once where one bin count serves them
    and no ties or missing values interfere, from order statistics selected in long columns
    (``_selected_edges``) or read off the block sorted in place; each other column sorted
    and on its own (``_column_edges``).

    Categories, and the columns whose point masses were found in a sample of the rows, are
    learnt from all rows: a category or value seen only outside the sample must not be
    merged with a neighbour."""
    part = BACKEND.sample_columns(X, rows, lo, hi)
    common = np.ndim(n_bins) == 0 and not isinstance(n_bins, str) and n_bins > 1
    selected = common and _selects(part.shape[1], n_bins)
    if selected:
        common_edges, clean = _selected_edges(part, n_bins, strategy)
        rest = np.flatnonzero(~clean | discrete[lo:hi])
        part[rest] = np.sort(part[rest], axis=1)
    else:
        part.sort(axis=1)
        rest = np.arange(hi - lo)
    # Sorted, -inf comes first, then +inf, then NaN: before any rule computes with them.
    missing = np.isnan(part[rest, -1])
    last = part[rest, -1].copy()
    for i in np.flatnonzero(missing):
        values, _ = present_values(part[rest[i]])
        last[i] = values[-1] if values.size else 0.0
    if np.isinf(part[rest, 0]).any() or np.isinf(last).any():
        raise NonFiniteError
    if common and not selected:
        common_edges, clean = _common_edges(part, n_bins, strategy)
        clean &= ~has_point_mass(part, n_bins) & ~missing & ~discrete[lo:hi]
        rest = np.flatnonzero(~clean)
    if common and not rest.size:
        return EdgeRows(common_edges, np.full(hi - lo, common_edges.shape[1])), {}
    edges, single = list(common_edges) if common else [None] * (hi - lo), {}
    for i in rest:
        args = (n_bins, strategy, discrete, rows, n_samples)
        edges[i], s = _column_edges(X, part[i], lo + i, *args)
        if s is not None:
            single[lo + i] = s
    return edges, single


def fit_edges(X, n_bins, strategy, discrete, rows, n_jobs=None, n_samples=None):
    """Edges of every column of ``X`` (n_samples, n_features): a sequence of float64 arrays,
    packed (``EdgeRows``) where every column takes the same number of edges; and which bins
    of the columns with point masses are single values, ``{j: mask}``.

    ``n_bins`` is an int, a rule name or one int per feature; ``discrete`` a boolean mask of
    columns whose distinct values are their bins; ``rows`` the sample rows to learn from
    (None: all). Rules see the full sample size even when the edges come from a subsample:
    X's rows, or ``n_samples`` when X is itself the sample of a larger array (dask).
    Blocks of columns, each small enough to sort as one copy, go to ``n_jobs`` threads (numpy
    sorts without the GIL).
    """
    n_features = X.shape[1]
    n_samples = X.shape[0] if n_samples is None else n_samples
    n_rows = X.shape[0] if rows is None else rows.size
    workers = n_threads(n_jobs, n_features, n_rows * n_features)
    # As few blocks as the budget allows, in a multiple of the threads, so that each
    # thread sorts an equal share (5 blocks of 20 on 2 threads took as long as 60 columns).
    largest = max(1, _SORT_BLOCK_BYTES // (n_rows * X.itemsize))
    n_blocks = workers * -(-n_features // (workers * largest))
    block = -(-n_features // n_blocks)
    parts = thread_map(
        _block_edges,
        (
            (X, lo, min(lo + block, n_features), n_bins, strategy, discrete, rows, n_samples)
            for lo in range(0, n_features, block)
        ),
        workers,
    )
    single = {j: s for _, part in parts for j, s in part.items()}
    return EdgeRows.joined([edges for edges, _ in parts]), single


@dataclass(frozen=True, eq=False)
class Binning:
    """The bins of each feature, learned once and reused: for batches, chunks and devices,
    and for new data to transform.

    ``edges`` is a tuple of arrays, or ``EdgeRows`` packing them; ``edges[j]`` is
    ``[min, inner..., max]`` as float64 (a value falls in bin
    #{inner edges <= value}, so the outer bins are open); ``discrete[j]`` says that feature
    j's bins are its distinct values (its edges are those values, the last repeated);
    ``single[j]``, for the features with point masses only, says which of feature j's bins
    hold a single value, so that merging bins to a coarser resolution keeps its masses apart
    (``_adaptive``). Two binnings are equal when their edges and masks are; they pickle as
    plain arrays.
    """

    edges: tuple
    discrete: np.ndarray
    single: dict = field(default_factory=dict)

    @classmethod
    def learn(cls, X, n_bins, strategy, discrete, rows=None, n_jobs=None, n_samples=None):
        """Edges of every column of ``X`` (n_samples, n_features) from its sample ``rows``
        (None: all); see ``fit_edges``."""
        edges, single = fit_edges(X, n_bins, strategy, discrete, rows, n_jobs, n_samples)
        edges = edges if isinstance(edges, EdgeRows) else tuple(edges)
        return cls(edges, np.asarray(discrete, dtype=bool), single)

    def observed_single(self, X):
        """This binning, its single-value bins taken from X where they were not learnt
        (edges given): the bins in which X holds two rows or more, every one at the bin's
        lower edge, the value a single-value bin starts at (``value_edges``)."""
        return self.with_single_of(self.single_counts(X))

    def single_counts(self, X):
        """The rows of X in each bin of each feature, and those of them off the bin's lower
        edge, (2, n_features, width) int64: what ``observed_single`` reads, and what the
        chunks of a larger X add up to."""
        codes = self.codes(X)
        width = int(self.n_bins.max())
        out = np.zeros((2, self.n_features, width), dtype=np.int64)
        for j, edges in enumerate(self.edges):
            off = ~(X[:, j] == edges[codes[:, j]])  # a missing value is off every edge
            out[0, j] = np.bincount(codes[:, j], minlength=width)
            out[1, j] = np.bincount(codes[:, j], weights=off, minlength=width)
        return out

    def with_single_of(self, counts):
        """This binning, its single-value bins those where ``counts`` (``single_counts``)
        has two rows or more, none off the bin's lower edge."""
        single = {}
        for j, edges in enumerate(self.edges):
            n = edges.size - 1
            found = (counts[0, j, :n] >= 2) & (counts[1, j, :n] == 0)
            if found.any():
                single[j] = found
        return Binning(self.edges, self.discrete, single)

    @property
    def by_value(self):
        """Whether each feature's bins are its values (n_features,): discrete, or every bin
        but the missing one a single value. Learnt at more bins, its edges stay the same."""
        out = np.array(self.discrete, dtype=bool)
        if self.single:  # every mask's all() at once: one mask a feature of a sparse X
            masks = list(self.single.values())
            starts = np.cumsum([0] + [mask.size for mask in masks[:-1]])
            every = np.logical_and.reduceat(np.concatenate(masks), starts)
            out[np.fromiter(self.single, dtype=np.intp, count=len(masks))[every]] = True
        return out

    @property
    def missing(self):
        """Whether each feature has a last bin for its missing values (n_features,)."""
        return missing_bins(self.edges)

    def with_missing(self, columns):
        """This binning with a bin for missing values added to each of ``columns`` (a mask)
        that has none: its edges extended by the NaN that marks it."""
        add = np.asarray(columns, dtype=bool) & ~self.missing
        if not add.any():
            return self
        pairs = zip(self.edges, add, strict=True)
        edges = tuple(np.append(e, np.nan) if grow else e for e, grow in pairs)
        return Binning(edges, self.discrete, self.single)

    def with_missing_of(self, X, backend=BACKEND):
        """This binning with a bin for missing values added to each column of X that holds
        a missing value and has none, for counting X after the edges were learnt without
        them (a subsample, an earlier batch); ``NonFiniteError`` where X holds an infinite
        value, or where no column gains a bin. ``backend`` (X's source's) reads X."""
        infinite, nan = backend.nonfinite(X)
        if infinite or not (nan & ~self.missing).any():
            raise NonFiniteError
        return self.with_missing(nan)

    def check_levels(self, X):
        """A ValueError where a discrete feature of X holds a value (other than a missing
        one) that is none of the values its bins were learnt from: its bin would be a
        neighbour's, as an unseen category's would (``_categories``)."""
        for j in np.flatnonzero(self.discrete):
            self.check_column_levels(j, to_numpy(X[:, j]))

    def check_column_levels(self, j, values):
        """``check_levels`` of discrete feature j's ``values``."""
        levels = value_edges_of(self.edges[j])[0][:-1]
        column = np.asarray(values).astype(np.float64)
        unseen = ~np.isin(column, levels) & ~np.isnan(column)
        if unseen.any():
            value = float(column[unseen][0])
            raise ValueError(
                f"X's discrete column {j} holds the value {value!r}, which is none of the "
                f"values {levels.tolist()!r} its bins were learnt from; give the first batch "
                "every value (or the edges, bin_edges)"
            )

    def single_bins(self, width):
        """Whether each bin of each feature is a single value (1), or the bin of its missing
        values (2), (n_features, width) uint8: the bins that merges keep apart."""
        out = np.zeros((self.n_features, width), dtype=np.uint8)
        for j, single in self.single.items():
            out[j, : single.size] = single
        missing = np.flatnonzero(self.missing)
        out[missing, self.n_bins[missing] - 1] = 2
        return out

    @property
    def n_features(self):
        return len(self.edges)

    @property
    def n_bins(self):
        """Bins of each feature (n_features,)."""
        if isinstance(self.edges, EdgeRows):
            return self.edges.sizes - 1
        return np.array([e.size - 1 for e in self.edges])

    def __eq__(self, other):
        if not isinstance(other, Binning) or other.n_features != self.n_features:
            return NotImplemented if not isinstance(other, Binning) else False
        return np.array_equal(self.discrete, other.discrete) and all(
            np.array_equal(a, b, equal_nan=True)
            for a, b in zip(self.edges, other.edges, strict=True)
        )

    __hash__ = None  # holds arrays: equal binnings need not hash equal

    def coded(self, X, dtype=np.int64, backend=BACKEND):
        """Bin codes of X (``codes``) and the binning that gave them (``with_missing_retry``)."""
        return with_missing_retry(
            self, X, lambda binning: binning.codes(X, dtype, backend), backend
        )

    def codes(self, X, dtype=np.int64, backend=BACKEND):
        """Bin codes (n_samples, n_features) of the columns of X by ``backend`` (the one
        that counts X's source), in X's namespace; ``NonFiniteError`` if X holds a value
        that is not finite."""
        return backend.codes(X, self.edges, dtype)


def with_missing_retry(binning, X, bin_with, backend=BACKEND):
    """``bin_with(binning)`` (codes or counts of X), and the binning used: ``binning``, or,
    where X holds missing values in columns that have no bin for them (their edges were
    learnt without them: from a subsample, or an earlier batch), ``binning`` with those bins
    added (``Binning.with_missing_of``). The kernels find such values as they bin, so data
    without them pay no extra pass."""
    try:
        return bin_with(binning), binning
    except NonFiniteError:
        binning = binning.with_missing_of(X, backend)
        return bin_with(binning), binning


def merged_edges(edges, bin_map):
    """Edges of the bins that ``bin_map`` (merged index of each bin, or None: none merged)
    makes of ``edges``: the outer edges and those where the merged index changes."""
    if bin_map is None:
        return edges
    keep = np.ones(edges.size, dtype=bool)
    np.not_equal(bin_map[1 : edges.size - 1], bin_map[: edges.size - 2], out=keep[1:-1])
    return edges[keep]


def object_array(arrays):
    """A 1-D object array holding the given arrays (``np.array`` would stack equal lengths),
    as scikit-learn's ``bin_edges_`` attributes are."""
    out = np.empty(len(arrays), dtype=object)
    out[:] = arrays
    return out
