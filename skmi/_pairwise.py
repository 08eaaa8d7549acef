"""Mutual information between every pair of columns: the matrix beside a correlation matrix."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from skmi._all_pairs import estimate_pairwise
from skmi._pairwise_estimator import PairwiseHistogramMI
from skmi._params import DEFAULT_CORRECTION
from skmi._sources import finite_checked_by_binning, read, read_beside
from skmi._validation import check_n_bins, log_of_base

_PAIRWISE_CONSTRAINTS = {
    "X": ["array-like", "sparse matrix"],
    "Y": ["array-like", "sparse matrix", None],
    **PairwiseHistogramMI._parameter_constraints,
}


@validate_params(_PAIRWISE_CONSTRAINTS, prefer_skip_nested_validation=True)
def pairwise_histogram_mi(
    X,
    Y=None,
    *,
    n_bins="fourth-root",
    strategy="quantile",
    correction=DEFAULT_CORRECTION,
    normalize=None,
    base=None,
    subsample=200_000,
    random_state=0,
    handle_missing="bin",
    n_jobs=None,
):
    """Histogram mutual information between every column of X and every column of Y.

    Entry (i, j) equals ``histogram_mi_regression(X[:, [i]], Y[:, j])`` with the same
    settings. With Y None this is ``PairwiseHistogramMI(...).fit(X).scores_`` (whose
    estimator also gives p-values, and ``partial_fit`` over batches). Each column is binned
    once, then each pair's joint table is counted directly from the codes and reduced to
    its MI at once, so memory stays at one table per thread whatever the number of columns.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features_x)
        Data: numbers, missing ones as NaN (``handle_missing``). For activations, tokens
        by hidden units. A torch tensor, cupy array or other array-API array is binned,
        counted and reduced on its device, all pairs' tables as exact one-hot matrix
        products (see the :ref:`GPU guide <gpu>`).

    Y : array-like of shape (n_samples, n_features_y) or (n_samples,), default=None
        Second set of columns (1-D: one column); None means X, and the result is
        symmetric. Moved to X's namespace and device.

    n_bins : int, str or array-like, default="fourth-root"
        Bins per column: an int >= 2, one int per column of X (then Y must be None), or a
        rule name; see :func:`histogram_mi_regression`. "fourth-root", max(4, N^(1/4))
        (10 bins at N = 1e4), is the coarse resolution at which a ranking of many pairs is
        most reproducible: on transformer activations, pair rankings from two halves of the
        tokens agree better at it than at 16 bins or at "balanced", sqrt(N / c(N)), the
        finer resolution that estimates each MI more accurately (see :ref:`defaults`). One
        resolution for all pairs keeps the matrix comparable across entries.

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

    handle_missing : {"bin", "error"}, default="bin"
        "bin" counts missing values in X and Y in a bin of their own, "error" refuses them;
        see :func:`histogram_mi_regression`.

    n_jobs : int or None, default=None
        Threads over rows of the result; None means 1, -1 all cores.

    Returns
    -------
    mi : ndarray of shape (n_features_x, n_features_y)
        MI of each pair of columns, in X's namespace and on its device.

    See Also
    --------
    PairwiseHistogramMI : The estimator: the same matrix, p-values, batches.
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
    if Y is None:
        params = dict(n_bins=n_bins, strategy=strategy, correction=correction)
        params.update(normalize=normalize, base=base, subsample=subsample)
        params.update(random_state=random_state, handle_missing=handle_missing)
        est = PairwiseHistogramMI(**params, n_jobs=n_jobs)
        return est.fit(X).scores_
    source = read(X, handle_missing=handle_missing)
    other = read_beside(Y, source, input_name="Y", handle_missing=handle_missing)
    if other.shape[0] != source.shape[0]:
        raise ValueError(
            "X and Y must have the same number of samples, got "
            f"{source.shape[0]} and {other.shape[0]}"
        )
    n_bins = check_n_bins(n_bins, source.shape[1])
    if np.ndim(n_bins) == 1:
        raise ValueError("n_bins as one int per feature needs Y=None")
    with finite_checked_by_binning(X=source, Y=other):
        mi = estimate_pairwise(
            source,
            other,
            n_bins=n_bins,
            strategy=strategy,
            correction=correction,
            normalize=normalize,
            subsample=subsample,
            random_state=random_state,
            n_jobs=n_jobs,
        )
    return source.follow(mi / log_of_base(base) if normalize is None else mi)
