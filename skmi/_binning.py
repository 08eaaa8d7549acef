"""Bin edges and the Binning that holds them: the one place where values become bins.

Every strategy is an entry of a dict of same-signature functions, the only list of their
names (parameter constraints, docs and tests read its keys); so is every bin-count rule
(``_rules``).

Edges are stored as scikit-learn's ``KBinsDiscretizer`` stores them: ``[min, inner..., max]``.
A value ``v`` falls in bin ``#{inner edges <= v}``, so the outer bins are open and the inner
edges are left-closed; every backend's ``codes`` applies that rule.

Values are validated as finite here too, where they are read anyway: by the sort that learns
the edges and by the kernels that bin every value (``NonFiniteError``).
"""

from dataclasses import dataclass

import numpy as np

from skmi._backends import BACKEND, NonFiniteError
from skmi._rules import n_bins_for
from skmi._threads import n_threads, thread_map


def _uniform_inner_edges(x, k):
    """k - 1 equally spaced inner edges over [min, max] of sorted ``x`` (each row of a 2-D x).

    Interpolated as min (1 - t) + max t, which cannot overflow, where max - min can (a range
    from -1e308 to 1e308).
    """
    t = np.arange(1, k) / k
    return x[..., :1] * (1 - t) + x[..., -1:] * t


def _quantile_inner_edges(x, k):
    """Order statistics of sorted ``x`` (each row of a 2-D x) at ranks ceil(cN/k), so the
    sample of rank r falls in bin floor(rk/N).

    Bins of that form nest: merging m adjacent bins of km bins gives the k bins exactly,
    which lets one fine count table serve every coarser resolution (``_adaptive``).
    """
    # With more bins than samples, ranks past the last repeat it: ties, merged below.
    n = x.shape[-1]
    return x[..., np.minimum((np.arange(1, k) * n + k - 1) // k, n - 1)]


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
    inner = np.unique(inner)
    inner = inner[(inner > x[0]) & (inner <= x[-1])]
    return np.concatenate(([x[0]], inner, [x[-1]]))


def category_edges(x_sorted):
    """Edges for a discrete feature: one bin per distinct value, ``[v0, v1, ..., v_last]``.

    The inner edges are the distinct values v1.., so value v_c falls exactly in bin c; the last
    value is repeated as the closing edge, so ``len(edges) - 1`` is the number of categories.
    """
    values = np.unique(x_sorted)
    return np.concatenate((values, values[-1:]))


# Bytes of sorted sample held at once while learning edges: columns are sorted in blocks.
_SORT_BLOCK_BYTES = 2**25


def _common_edges(part, k, strategy):
    """Edges of every sorted row of ``part`` at one bin count k, computed at once, and the
    mask of rows whose edges need no deduplication (``feature_edges`` does the others)."""
    low = part[:, :1].astype(np.float64)
    high = part[:, -1:].astype(np.float64)
    inner = _STRATEGIES[strategy](part, k).astype(np.float64, copy=False)
    clean = (
        (high[:, 0] > low[:, 0])
        & (inner[:, 0] > low[:, 0])
        & (inner[:, -1] <= high[:, 0])
        & (np.diff(inner, axis=1) > 0).all(axis=1)
    )
    return np.concatenate((low, inner, high), axis=1), clean


def _block_edges(X, lo, hi, n_bins, strategy, discrete, rows, n_samples):
    """Edges of columns lo..hi-1: the block's sample rows gathered transposed into one buffer
    (``sample_columns``), sorted in place, then all columns at once where one bin count
    serves them and no ties interfere, each column otherwise."""
    part = BACKEND.sample_columns(X, rows, lo, hi)
    part.sort(axis=1)
    # Sorted, -inf comes first, and inf then NaN last: before any rule computes with them.
    if not (np.isfinite(part[:, 0]).all() and np.isfinite(part[:, -1]).all()):
        raise NonFiniteError
    per_feature = np.ndim(n_bins) == 1
    common = not per_feature and not isinstance(n_bins, str) and n_bins > 1
    if common:
        common_edges, clean = _common_edges(part, n_bins, strategy)
    edges = []
    for j, x in enumerate(part, start=lo):
        if discrete[j]:
            edges.append(category_edges(x.astype(np.float64, copy=False)))
        elif common and clean[j - lo]:
            edges.append(common_edges[j - lo])
        else:
            x = x.astype(np.float64, copy=False)
            k = n_bins_for(x, n_samples, n_bins[j] if per_feature else n_bins)
            edges.append(feature_edges(x, k, strategy))
    return edges


def fit_edges(X, n_bins, strategy, discrete, rows, n_jobs=None, n_samples=None):
    """Edges of every column of ``X`` (n_samples, n_features) as a list of float64 arrays.

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
    return [e for part in parts for e in part]


@dataclass(frozen=True, eq=False)
class Binning:
    """The bins of each feature, learned once and reused: for batches, chunks and devices,
    and for new data to transform.

    ``edges[j]`` is ``[min, inner..., max]`` as float64 (a value falls in bin
    #{inner edges <= value}, so the outer bins are open); ``discrete[j]`` says that feature
    j's bins are its distinct values (its edges are those values, the last repeated). Two
    binnings are equal when their edges and masks are; they pickle as plain arrays.
    """

    edges: tuple
    discrete: np.ndarray

    @classmethod
    def learn(cls, X, n_bins, strategy, discrete, rows=None, n_jobs=None, n_samples=None):
        """Edges of every column of ``X`` (n_samples, n_features) from its sample ``rows``
        (None: all); see ``fit_edges``."""
        edges = fit_edges(X, n_bins, strategy, discrete, rows, n_jobs, n_samples)
        return cls(tuple(edges), np.asarray(discrete, dtype=bool))

    @property
    def n_features(self):
        return len(self.edges)

    @property
    def n_bins(self):
        """Bins of each feature (n_features,)."""
        return np.array([e.size - 1 for e in self.edges])

    def __eq__(self, other):
        if not isinstance(other, Binning) or other.n_features != self.n_features:
            return NotImplemented if not isinstance(other, Binning) else False
        return np.array_equal(self.discrete, other.discrete) and all(
            np.array_equal(a, b) for a, b in zip(self.edges, other.edges, strict=True)
        )

    __hash__ = None  # holds arrays: equal binnings need not hash equal

    def codes(self, X, dtype=np.int64, backend=BACKEND):
        """Bin codes (n_samples, n_features) of the columns of X; ``NonFiniteError`` if X
        holds a value that is not finite."""
        return backend.codes(X, self.edges, dtype)


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
