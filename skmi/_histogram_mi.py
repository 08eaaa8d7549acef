"""HistogramMI: MI of each feature with a target, as a fitted estimator and a score function."""

from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import StrOptions

from skmi._backends._array_api import follow
from skmi._binning import object_array
from skmi._core import estimate_mi, normalized
from skmi._integers import decoded_edges
from skmi._params import (
    DEFAULT_CORRECTION,
    DEFAULT_N_BINS,
    DEFAULT_N_PERMUTATIONS,
    MI_CONSTRAINTS,
)
from skmi._validation import (
    check_base,
    check_n_bins,
    check_X_y,
    discrete_mask,
    finite_checked_by_binning,
)


class HistogramMI(BaseEstimator):
    """Mutual information of each feature with a target, from histograms.

    Bins each continuous feature (and a continuous target), counts every feature's joint
    table with the target in one pass, and reports the MI with its bias corrected, a p-value
    and a standard error for each feature. An instance is also a score function:
    ``HistogramMI(...)(X, y)`` returns ``(scores, pvalues)``, so it plugs into
    :class:`~sklearn.feature_selection.SelectKBest` and
    :class:`~sklearn.feature_selection.GenericUnivariateSelect`, and a grid search reaches its
    parameters as ``<step>__score_func__n_bins``.

    A torch tensor, cupy array or other array-API array X is binned and counted on its
    device, and the fitted arrays are in its namespace and on its device, except
    ``bin_edges_`` (ragged, numpy); see the :ref:`GPU guide <gpu>`.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    n_bins : "adaptive", int, str or array-like of shape (n_features,), default="adaptive"
        Resolution of each feature's joint table with the target: "adaptive" (per feature,
        the finest table keeping about c(N) samples per occupied cell), an int >= 2, one int
        per feature, or a rule name; see :func:`histogram_mi_regression`.

    strategy : {"quantile", "uniform"}, default="quantile"
        Equal-frequency or equal-width bins.

    correction : {"miller-madow", "chance"} or None, default="miller-madow"
        Bias correction of the scores; see :func:`histogram_mi_regression`.

    discrete_features : {"auto"}, bool or array-like, default="auto"
        Which features are categories rather than binned ("auto": none).

    discrete_target : {"auto"} or bool, default="auto"
        Whether y holds categories (classification) or is binned (regression). "auto"
        takes y as categories when it is not numeric (strings, bools, objects) or when it is
        integer-valued with at most sqrt(n_samples) distinct values.

    normalize : {"arithmetic", "geometric", "min", "max", "correlation"} or None, \
            default=None
        Scale of ``scores_``; see :func:`histogram_mi_regression`.

    base : float or None, default=None
        Logarithm base of ``scores_``, ``standard_errors_`` and the entropies: None for
        nats, 2 for bits.

    n_permutations : int, default=199
        Permutations for the p-values of features whose test tables are too sparse for the
        G-test (fewer than 5 samples per cell); 0 uses the G-test everywhere. p-values come
        from a coarser table than the scores (about N^(1/4) bins with "adaptive", which is
        where the test is most powerful), with the G statistic scaled so that its null mean
        is the exact chance level; see the User Guide.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more; all rows are counted.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows and the permutations.

    n_jobs : int or None, default=None
        Threads over chunks of rows or groups of features, as the work allows; None
        means 1, -1 all cores.

    Attributes
    ----------
    scores_ : ndarray of shape (`n_features_in_`,)
        MI of each feature with the target (in ``base``, or normalised).

    pvalues_ : ndarray of shape (`n_features_in_`,)
        p-values of the test of independence of each feature and the target.

    standard_errors_ : ndarray of shape (`n_features_in_`,)
        Delta-method standard error of each plug-in MI, in ``base``.

    entropy_ : ndarray of shape (`n_features_in_`,)
        Plug-in entropy of each binned feature, in ``base``.

    target_entropy_ : ndarray of shape (`n_features_in_`,)
        Plug-in entropy of the target as binned in each feature's table, in ``base``.

    n_bins_ : ndarray of shape (`n_features_in_`,)
        Bins of each feature really used (ties can merge bins).

    bin_edges_ : ndarray of shape (`n_features_in_`,), dtype=object
        Edges ``[min, inner..., max]`` of each feature; for a discrete feature, its values
        with the last repeated.

    target_n_bins_ : ndarray of shape (`n_features_in_`,)
        Bins (or categories) of the target in each feature's table.

    discrete_target_ : bool
        Whether the target was taken as categories.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    histogram_mi_regression : The scores alone, as a function.
    MISelector : Feature selection on these scores.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import HistogramMI
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 2))
    >>> y = X[:, 0] + 0.5 * rng.normal(size=1000)  # I = ln(1.25) / 2 = 0.80 nats with X[:, 0]
    >>> est = HistogramMI().fit(X, y)
    >>> round(float(est.scores_[0]), 1), bool(abs(est.scores_[1]) < 0.01)
    (0.8, True)
    >>> bool(est.pvalues_[0] < 1e-10), bool(est.pvalues_[1] > 0.01)
    (True, True)
    """

    _parameter_constraints = {
        **MI_CONSTRAINTS,
        "discrete_target": ["boolean", StrOptions({"auto"})],
    }

    def __init__(
        self,
        n_bins=DEFAULT_N_BINS,
        *,
        strategy="quantile",
        correction=DEFAULT_CORRECTION,
        discrete_features="auto",
        discrete_target="auto",
        normalize=None,
        base=None,
        n_permutations=DEFAULT_N_PERMUTATIONS,
        subsample=200_000,
        random_state=0,
        n_jobs=None,
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.correction = correction
        self.discrete_features = discrete_features
        self.discrete_target = discrete_target
        self.normalize = normalize
        self.base = base
        self.n_permutations = n_permutations
        self.subsample = subsample
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Estimate the MI of each feature of X with y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features; finite numbers.

        y : array-like of shape (n_samples,)
            Target: labels or numbers.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X, y, discrete_target, encoding = check_X_y(self, X, y, self.discrete_target)
        log_base = check_base(self.base)
        with finite_checked_by_binning(type(self).__name__, X=X):
            result = estimate_mi(
                X,
                y,
                discrete_target=discrete_target,
                n_bins=check_n_bins(self.n_bins, X.shape[1]),
                strategy=self.strategy,
                correction=self.correction,
                discrete=discrete_mask(self.discrete_features, X.shape[1]),
                subsample=self.subsample,
                random_state=self.random_state,
                n_permutations=self.n_permutations,
                n_jobs=self.n_jobs,
            )
        self.scores_ = follow(normalized(result, self.normalize, log_base), X)
        self.pvalues_ = follow(result.pvalues, X)
        self.standard_errors_ = follow(result.standard_errors / log_base, X)
        self.entropy_ = follow(result.entropy / log_base, X)
        self.target_entropy_ = follow(result.target_entropy / log_base, X)
        self.n_bins_ = follow(result.n_bins, X)
        self.target_n_bins_ = follow(result.target_n_bins, X)
        self.bin_edges_ = object_array(decoded_edges(result.bin_edges, encoding))
        self.discrete_target_ = discrete_target
        return self

    def __call__(self, X, y):
        """Score function: fit a copy on (X, y) and return ``(scores_, pvalues_)``.

        The instance itself stays unfitted, so it can sit as a parameter of a selector.
        """
        fitted = clone(self).fit(X, y)
        return fitted.scores_, fitted.pvalues_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.array_api_support = True
        return tags
