"""Score functions in scikit-learn's style: histogram MI of each feature with a target, and the
entropy of each feature. Each is validation, a docstring and one delegating call."""

from sklearn.utils._param_validation import validate_params

from skmi._accumulate import start_histograms
from skmi._binning._categories import categorical_mask
from skmi._one_pass import fit_mi
from skmi._params import (
    DEFAULT_CORRECTION,
    DEFAULT_ENTROPY_N_BINS,
    DEFAULT_N_BINS,
    ENTROPY_CONSTRAINTS,
    MI_CONSTRAINTS,
)
from skmi._scoring import corrected_entropy
from skmi._scoring._results import normalized
from skmi._sources import finite_checked_by_binning, read, read_with_target
from skmi._validation import check_n_bins, discrete_mask, log_of_base


def mutual_info(
    X, y, *, discrete_target, normalize, base, n_bins, discrete_features, handle_missing, **params
):
    """Read, estimate, normalise and convert to ``base``: the score functions' one core."""
    source, y, discrete_target = read_with_target(
        X, y, discrete_target, handle_missing=handle_missing
    )
    n_features = source.shape[1]
    discrete = discrete_mask(discrete_features, n_features, source.encoding, source.names)
    with finite_checked_by_binning(X=source):
        fitted = fit_mi(
            source,
            y,
            discrete_target=discrete_target,
            n_bins=check_n_bins(n_bins, n_features),
            discrete=discrete,
            n_permutations=None,
            keep_tables=False,
            **params,
        )
    return source.follow(normalized(fitted.result, normalize, log_of_base(base)))


_MI_PARAMS = {
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    **{k: v for k, v in MI_CONSTRAINTS.items() if k != "n_permutations"},
}


@validate_params(_MI_PARAMS, prefer_skip_nested_validation=True)
def histogram_mi_regression(
    X,
    y,
    *,
    n_bins=DEFAULT_N_BINS,
    strategy="quantile",
    correction=DEFAULT_CORRECTION,
    discrete_features="auto",
    normalize=None,
    base=None,
    subsample=200_000,
    random_state=0,
    handle_missing="bin",
    n_jobs=None,
):
    """Histogram mutual information between each feature and a continuous target.

    Each continuous feature and the target are binned (``strategy``, ``n_bins``), discrete
    features are taken as categories, the joint counts of every feature with the target are
    built in one pass, and the MI of each table is returned with the bias ``correction``
    applied. Deterministic, and exact for discrete data.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Feature matrix: numbers, missing ones as NaN (``handle_missing``). A torch tensor,
        cupy array or other array-API array is binned and counted on its device (see the
        :ref:`GPU guide <gpu>`).

    y : array-like of shape (n_samples,)
        Continuous target; finite numbers.

    n_bins : "partition", "adaptive", int, str or array-like of shape (n_features,), \
            default="partition"
        Resolution of each feature's joint table with the target. "partition" grows, per
        feature, Darbellay and Vajda's adaptive partition on a quantile table (per ordered
        axis, 2.5 sqrt(N) bins rounded up to a power of two, at most 512): a cell is split
        at the middle of its rows on each axis while Pearson's chi-square test (at 5%, on
        its halves or on their 4 x 4 quarters) finds its rows uneven against the margins,
        and the MI is summed over the leaves; against a discrete target or feature, the
        tree splits the ordered axis alone, while the classes differ. A tree that keeps no
        cut scores the N^(1/4)-bin table that :class:`HistogramMI`'s p-values read, less
        its exact chance level, instead of 0, which orders weak features. Two discrete
        columns keep their table. "adaptive" picks, per
        feature, the finest quantile table that keeps about c(N) = max(6, 2 log10 N) samples in
        each occupied cell (see the User Guide: fine where the data concentrate, coarse near
        independence). Otherwise bins per continuous feature and for the target: an int >= 2,
        one int per feature (the target then uses "hacine-gharbi"), or a marginal rule:
        "sqrt", "sturges", "rice", "scott", "fd", "doane", "auto", "knuth", "hacine-gharbi",
        "balanced" (sqrt(N / c(N))) or "fourth-root" (max(4, N^(1/4))). Ties can leave fewer
        bins than asked for.

    strategy : {"quantile", "uniform"}, default="quantile"
        "quantile": equal-frequency bins, invariant to any monotone transform of a feature
        and robust to heavy tails. "uniform": equal-width bins over the range.

    correction : {"miller-madow", "chance"} or None, default="miller-madow"
        Bias correction of a grid of bins. "miller-madow" subtracts (m_xy - m_x - m_y + 1)
        / 2N with m the occupied cells, rows and columns; with "adaptive" bins its mean error
        at independence is under 0.005 nats from N = 1,000. "chance" subtracts the exact
        expected MI under independence given the margins (Vinh et al. 2010): exactly
        unbiased at independence for any bins, but it over-corrects strong dependence. None
        returns the plug-in estimate. Corrected values can be slightly negative for
        independent variables: that is what unbiased means. A partition tree keeps a split
        only where its test finds one, which is its own correction: its leaves' MI is
        returned under None and "miller-madow" alike (a Miller-Madow term for its splits
        raised the error; see the User Guide), and "chance", which needs a grid, is an
        error with "partition".

    discrete_features : {"auto"}, bool or array-like, default="auto"
        Which features are categories rather than binned: a bool for all, a boolean mask,
        column indices, or column names of a pandas or polars X. "auto" means none, as for
        dense input in scikit-learn. Columns of strings and categoricals are categories
        whatever it says.

    normalize : {"arithmetic", "geometric", "min", "max", "correlation"} or None, \
            default=None
        None returns MI in ``base``. The first four divide MI by that mean of the two
        plug-in entropies ("arithmetic" is the symmetric uncertainty); "correlation" returns
        sqrt(1 - exp(-2 MI)), which is the absolute Pearson correlation of a bivariate
        Gaussian.

    base : float or None, default=None
        Logarithm base: None for nats, 2 for bits.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more; all rows are always counted.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows. Fixed by default so that results are reproducible.

    handle_missing : {"bin", "error"}, default="bin"
        Missing values in X (NaN; None or ``pd.NA`` in a column of categories): "bin"
        counts them in a bin of their own, the last of each column that holds them, as
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` bins them, so that
        missingness carries its information; "error" refuses them. A missing target value
        is always an error.

    n_jobs : int or None, default=None
        Threads over chunks of rows or groups of features, as the work allows; None
        means 1, -1 all cores.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Estimated mutual information of each feature with the target, in X's namespace and
        on its device.

    See Also
    --------
    histogram_mi_classif : The same for a discrete target.
    HistogramMI : Estimator with p-values, standard errors and bin edges.

    Notes
    -----
    From the joint counts :math:`n_{xy}` of :math:`N` samples,

    .. math::
        \\hat I = \\sum_{x,y} \\frac{n_{xy}}{N} \\ln \\frac{N n_{xy}}{n_x n_y},

    biased upwards by about :math:`(B_x - 1)(B_y - 1) / 2N` nats for independent variables.

    References
    ----------
    .. [1] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures for clusterings
       comparison", JMLR 11:2837-2854, 2010.
    .. [2] A. Hacine-Gharbi, P. Ravier, R. Harba and T. Mohamadi, "Low bias histogram-based
       estimation of mutual information for feature selection", Pattern Recognit. Lett. 33,
       2012.
    .. [3] G. A. Darbellay and I. Vajda, "Estimation of the information by an adaptive
       partitioning of the observation space", IEEE Trans. Inf. Theory 45(4):1315-1321,
       1999.

    Examples
    --------
    Two identical fair coins share one bit:

    >>> from skmi import histogram_mi_regression
    >>> X = [[0], [1], [0], [1]]
    >>> y = [0.0, 1.0, 0.0, 1.0]
    >>> histogram_mi_regression(X, y, n_bins=2, correction=None, base=2)
    array([1.])
    """
    return mutual_info(
        X,
        y,
        discrete_target=False,
        normalize=normalize,
        base=base,
        n_bins=n_bins,
        strategy=strategy,
        correction=correction,
        discrete_features=discrete_features,
        subsample=subsample,
        random_state=random_state,
        handle_missing=handle_missing,
        n_jobs=n_jobs,
    )


@validate_params(_MI_PARAMS, prefer_skip_nested_validation=True)
def histogram_mi_classif(
    X,
    y,
    *,
    n_bins=DEFAULT_N_BINS,
    strategy="quantile",
    correction=DEFAULT_CORRECTION,
    discrete_features="auto",
    normalize=None,
    base=None,
    subsample=200_000,
    random_state=0,
    handle_missing="bin",
    n_jobs=None,
):
    """Histogram mutual information between each feature and a discrete target.

    As :func:`histogram_mi_regression`, but the target's labels (ints, bools or strings)
    are its categories and are not binned.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Feature matrix: numbers, missing ones as NaN (``handle_missing``).

    y : array-like of shape (n_samples,)
        Class labels.

    n_bins : "partition", "adaptive", int, str or array-like of shape (n_features,), \
            default="partition"
        Resolution of each feature's table; see :func:`histogram_mi_regression`.

    strategy : {"quantile", "uniform"}, default="quantile"
        How bin edges are placed; see :func:`histogram_mi_regression`.

    correction : {"miller-madow", "chance"} or None, default="miller-madow"
        Bias correction; see :func:`histogram_mi_regression`.

    discrete_features : {"auto"}, bool or array-like, default="auto"
        Which features are categories; see :func:`histogram_mi_regression`.

    normalize : {"arithmetic", "geometric", "min", "max", "correlation"} or None, \
            default=None
        Scale of the result; see :func:`histogram_mi_regression`.

    base : float or None, default=None
        Logarithm base: None for nats, 2 for bits.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows.

    handle_missing : {"bin", "error"}, default="bin"
        "bin" counts missing values in X in a bin of their own, "error" refuses them; see
        :func:`histogram_mi_regression`.

    n_jobs : int or None, default=None
        Threads over chunks of rows or groups of features, as the work allows; None
        means 1, -1 all cores.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Estimated mutual information of each feature with the target, in X's namespace and
        on its device.

    See Also
    --------
    histogram_mi_regression : The same for a continuous target.

    Examples
    --------
    A feature that copies a fair binary label carries ln 2 nats about it:

    >>> from skmi import histogram_mi_classif
    >>> X = [[0.1], [0.9], [0.2], [0.8]]
    >>> histogram_mi_classif(X, ["a", "b", "a", "b"], n_bins=2, correction=None)
    array([0.69314718])
    """
    return mutual_info(
        X,
        y,
        discrete_target=True,
        normalize=normalize,
        base=base,
        n_bins=n_bins,
        strategy=strategy,
        correction=correction,
        discrete_features=discrete_features,
        subsample=subsample,
        random_state=random_state,
        handle_missing=handle_missing,
        n_jobs=n_jobs,
    )


@validate_params(
    {"X": ["array-like", "sparse matrix"], **ENTROPY_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def histogram_entropy(
    X,
    *,
    n_bins=DEFAULT_ENTROPY_N_BINS,
    strategy="quantile",
    correction=None,
    base=None,
    subsample=200_000,
    random_state=0,
    handle_missing="bin",
):
    """Entropy of each binned column of X.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data: numbers, missing ones as NaN (``handle_missing``).

    n_bins : int, str or array-like of shape (n_features,), default="hacine-gharbi"
        Bins per column; see :func:`histogram_mi_regression`.

    strategy : {"quantile", "uniform"}, default="quantile"
        How bin edges are placed; see :func:`histogram_mi_regression`.

    correction : {"miller-madow"} or None, default=None
        None for the plug-in entropy; "miller-madow" adds (m - 1) / 2N for m occupied bins.

    base : float or None, default=None
        Logarithm base: None for nats, 2 for bits.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more; all rows are counted.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows.

    handle_missing : {"bin", "error"}, default="bin"
        "bin" counts missing values in X in a bin of their own, "error" refuses them; see
        :func:`histogram_mi_regression`.

    Returns
    -------
    entropy : ndarray of shape (n_features,)
        Entropy of each binned column, in X's namespace and on its device.

    Notes
    -----
    .. math::
        \\hat H = -\\sum_k \\frac{n_k}{N} \\ln \\frac{n_k}{N},

    with :math:`0 \\ln 0 = 0`. This is the entropy of the *binned* variable: it grows by
    about :math:`\\ln 2` each time the bins are halved, so compare it only at equal binning.

    Examples
    --------
    Four equally likely values carry two bits:

    >>> from skmi import histogram_entropy
    >>> histogram_entropy([[1], [2], [3], [4]], n_bins=4, base=2)
    array([2.])
    """
    source = read(X, handle_missing=handle_missing)
    n_features = source.shape[1]
    with finite_checked_by_binning(X=source):
        accumulator = start_histograms(
            source,
            n_bins=check_n_bins(n_bins, n_features),
            strategy=strategy,
            discrete=categorical_mask(source.encoding, n_features),
            subsample=subsample,
            random_state=random_state,
        )
    entropy = corrected_entropy(accumulator.tables.widened(), correction)
    return source.follow(entropy / log_of_base(base))
