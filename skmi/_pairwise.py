"""Mutual information between every pair of columns: the matrix beside a correlation matrix."""

import numpy as np
from sklearn import get_config
from sklearn.utils._param_validation import validate_params

from skmi._binning import fit_edges
from skmi._counting import codes_of, subsample_rows, table_guard
from skmi._information import (
    _MI_CORRECTIONS,
    _NORMALIZATIONS,
    entropy_from_counts,
    log_or_zero,
)
from skmi._kernels import pair_mi
from skmi._mutual_info import check_features
from skmi._params import (
    DEFAULT_CORRECTION,
    ENTROPY_CONSTRAINTS,
    MI_CONSTRAINTS,
    check_base,
    check_n_bins,
    finite_checked_by_binning,
)
from skmi._threads import n_threads, thread_map

_PAIRWISE_CONSTRAINTS = {
    "X": ["array-like"],
    "Y": ["array-like", None],
    # One resolution for every pair (the adaptive one is chosen per table against a target).
    "n_bins": ENTROPY_CONSTRAINTS["n_bins"],
    **{k: MI_CONSTRAINTS[k] for k in ("strategy", "correction", "normalize", "base", "subsample")},
    "random_state": ["random_state"],
    "n_jobs": MI_CONSTRAINTS["n_jobs"],
}


def _coded(X, n_bins, strategy, rows, n_jobs):
    """Codes (n_features, n_samples) in the smallest unsigned type, and margins (n_features, B)."""
    edges = fit_edges(X, n_bins, strategy, np.zeros(X.shape[1], dtype=bool), rows, n_jobs)
    n_bins_max = max(e.size for e in edges) - 1
    dtype = np.uint8 if n_bins_max <= 2**8 else np.uint16 if n_bins_max <= 2**16 else np.int64
    codes = np.ascontiguousarray(codes_of(X, edges, dtype=dtype).T)
    counts = np.stack([np.bincount(c, minlength=n_bins_max) for c in codes])
    return codes, counts


@validate_params(_PAIRWISE_CONSTRAINTS, prefer_skip_nested_validation=True)
def pairwise_histogram_mi(
    X,
    Y=None,
    *,
    n_bins="balanced",
    strategy="quantile",
    correction=DEFAULT_CORRECTION,
    normalize=None,
    base=None,
    subsample=200_000,
    random_state=0,
    n_jobs=None,
):
    """Histogram mutual information between every column of X and every column of Y.

    Entry (i, j) equals ``histogram_mi_regression(X[:, [i]], Y[:, j])`` with the same
    settings: each column is binned once, then each pair's joint table is counted directly
    from the codes and reduced to its MI at once, so memory stays at one table per thread
    whatever the number of columns.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features_x)
        Data; finite numbers. For activations, tokens by hidden units.

    Y : array-like of shape (n_samples, n_features_y), default=None
        Second set of columns; None means X, and the result is symmetric.

    n_bins : int, str or array-like, default="balanced"
        Bins per column: an int >= 2, one int per column of X (then Y must be None), or a
        rule name; see :func:`histogram_mi_regression`. "balanced", sqrt(N / c(N)), is the
        resolution the adaptive rule of :func:`histogram_mi_regression` picks for independent
        columns: one resolution for all pairs keeps the matrix comparable across entries.

    strategy : {"quantile", "uniform"}, default="quantile"
        Equal-frequency or equal-width bins.

    correction : {"miller-madow", "chance"} or None, default="miller-madow"
        Bias correction; see :func:`histogram_mi_regression`.

    normalize : {"arithmetic", "geometric", "min", "max", "correlation"} or None, \
            default=None
        Scale of the result; "correlation" puts MI beside a matrix of absolute
        correlations.

    base : float or None, default=None
        Logarithm base: None for nats, 2 for bits.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows.

    n_jobs : int or None, default=None
        Threads over rows of the result; None means 1, -1 all cores.

    Returns
    -------
    mi : ndarray of shape (n_features_x, n_features_y)
        MI of each pair of columns.

    See Also
    --------
    histogram_mi_regression : MI of each column with one target.

    Notes
    -----
    Counting a pair costs about N operations; the one-hot matrix product :math:`B^T B`
    computes the same tables with :math:`B_x B_y N` multiply-adds per pair, which only an
    accelerator makes worthwhile.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import pairwise_histogram_mi
    >>> x = np.array([0.0, 1.0, 0.0, 1.0])
    >>> pairwise_histogram_mi(np.c_[x, x, 1 - x], n_bins=2, correction=None, base=2)
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    X = check_features(X)
    symmetric = Y is None
    Y = X if symmetric else check_features(Y)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(
            f"X and Y must have the same number of samples, got {X.shape[0]} and {Y.shape[0]}"
        )
    log_base = check_base(base)
    n_bins_x = check_n_bins(n_bins, X.shape[1])
    if np.ndim(n_bins_x) == 1 and not symmetric:
        raise ValueError("n_bins as one int per feature needs Y=None")
    rows = subsample_rows(X.shape[0], subsample, random_state)
    with finite_checked_by_binning(X=X, Y=Y):
        codes_x, counts_x = _coded(X, n_bins_x, strategy, rows, n_jobs)
        codes_y, counts_y = (
            (codes_x, counts_x) if symmetric else _coded(Y, n_bins, strategy, rows, n_jobs)
        )
    # Each thread counts one pair's table at a time, N values each.
    n_pairs = codes_x.shape[0] * codes_y.shape[0]
    workers = n_threads(n_jobs, codes_x.shape[0], n_pairs * codes_x.shape[1])
    table_guard(workers, counts_x.shape[1], counts_y.shape[1], n_bins)
    plugin, cells = _pair_tables(codes_x, counts_x, codes_y, counts_y, symmetric, workers)
    mi = _corrected(plugin, cells, counts_x, counts_y, correction)
    if normalize is None:
        return mi / log_base
    h_x, h_y = entropy_from_counts(counts_x), entropy_from_counts(counts_y)
    return _NORMALIZATIONS[normalize](mi, h_x[:, None], h_y[None, :])


def _corrected(plugin, cells, counts_x, counts_y, correction):
    """The correction applied a block of rows at a time: each pair needs both margins, and
    spelling them out for all pairs at once would take pairs x bins memory (GiBs for
    thousands of columns). A block's margins take a quarter of scikit-learn's
    ``working_memory``, leaving the rest to the correction's own temporaries."""
    n_x, n_y = plugin.shape
    width = counts_x.shape[1] + counts_y.shape[1]
    step = max(1, int(get_config()["working_memory"] * 2**18) // (8 * n_y * width))
    out = np.empty_like(plugin)
    for lo in range(0, n_x, step):
        hi = min(lo + step, n_x)
        a = np.repeat(counts_x[lo:hi], n_y, axis=0)
        b = np.tile(counts_y, (hi - lo, 1))
        out[lo:hi] = _MI_CORRECTIONS[correction](
            plugin[lo:hi].ravel(), a, b, cells[lo:hi].ravel()
        ).reshape(hi - lo, n_y)
    return out


def _pair_tables(codes_x, counts_x, codes_y, counts_y, symmetric, workers):
    """Plug-in MI and occupied cells of every pair, threads over interleaved rows of the result."""
    n_x, n_y = codes_x.shape[0], codes_y.shape[0]
    plugin = np.zeros((n_x, n_y))
    cells = np.zeros((n_x, n_y), dtype=np.int64)
    log_int = log_or_zero(np.arange(codes_x.shape[1] + 1))
    args = (codes_x, codes_y, log_or_zero(counts_x), log_or_zero(counts_y), log_int)
    # Interleaving rows balances the triangle of a symmetric result across threads.
    parts = [np.arange(t, n_x, workers) for t in range(workers)]
    thread_map(pair_mi, [(*args, part, symmetric, plugin, cells) for part in parts], workers)
    if symmetric:
        upper = np.triu_indices(n_x, 1)
        plugin.T[upper], cells.T[upper] = plugin[upper], cells[upper]
    return plugin, cells
