"""MISelector: keep the features that share the most information with the target."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skmi._histogram_mi import ESTIMATOR_CONSTRAINTS, fit_mi
from skmi._params import DEFAULT_CORRECTION, DEFAULT_N_BINS, DEFAULT_N_PERMUTATIONS


def _rank_univariate(selector):
    """Features by decreasing score; a stable sort keeps column order among equal scores."""
    return np.argsort(-selector.scores_, kind="stable")


# Each method turns a fitted selector into an order of preference over the features; ``k``
# and ``threshold`` then cut that order the same way for every method.
_SELECTION_METHODS = {
    "univariate": _rank_univariate,
}


class MISelector(SelectorMixin, BaseEstimator):
    """Select features by histogram mutual information with the target.

    Fits :class:`HistogramMI`'s scores, ranks the features with ``method`` and keeps the
    first ``k`` of them whose score reaches ``threshold``.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    k : int or "all", default=10
        Number of features to keep; more than there are keeps all.

    threshold : float or None, default=None
        Keep only features whose score is at least this (in ``base``, or on the
        ``normalize`` scale); None keeps the top ``k`` whatever their score.

    method : {"univariate"}, default="univariate"
        How features are ranked: "univariate" by their own score.

    n_bins : "adaptive", int, str or array-like of shape (n_features,), default="adaptive"
        Bins per continuous feature; see :class:`HistogramMI`.

    strategy : {"quantile", "uniform"}, default="quantile"
        Equal-frequency or equal-width bins.

    correction : {"miller-madow", "chance"} or None, default="miller-madow"
        Bias correction of the scores.

    discrete_features : {"auto"}, bool or array-like, default="auto"
        Which features are categories rather than binned.

    discrete_target : {"auto"} or bool, default="auto"
        Whether y holds categories; see :class:`HistogramMI`.

    normalize : {"arithmetic", "geometric", "min", "max", "correlation"} or None, \
            default=None
        Scale of the scores.

    base : float or None, default=None
        Logarithm base: None for nats, 2 for bits.

    n_permutations : int, default=199
        Permutations for sparse tables' p-values; see :class:`HistogramMI`.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows and the permutations.

    n_jobs : int or None, default=None
        Threads over chunks of rows or groups of features, as the work allows; None
        means 1, -1 all cores.

    Attributes
    ----------
    scores_ : ndarray of shape (`n_features_in_`,)
        MI of each feature with the target.

    pvalues_ : ndarray of shape (`n_features_in_`,)
        p-values of independence.

    standard_errors_, entropy_, target_entropy_, n_bins_, bin_edges_, target_n_bins_, \
discrete_target_
        As in :class:`HistogramMI`.

    ranking_ : ndarray of shape (`n_features_in_`,)
        Feature indices in the order ``method`` prefers them.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    HistogramMI : The scores, usable with scikit-learn's own selectors.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import MISelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 4))
    >>> y = X[:, 2] + 0.1 * rng.normal(size=500)
    >>> MISelector(k=1).fit(X, y).get_support()
    array([False, False,  True, False])
    """

    _parameter_constraints = {
        **ESTIMATOR_CONSTRAINTS,
        "k": [Interval(Integral, 0, None, closed="left"), StrOptions({"all"})],
        "threshold": [Real, None],
        "method": [StrOptions(set(_SELECTION_METHODS))],
    }

    def __init__(
        self,
        k=10,
        *,
        threshold=None,
        method="univariate",
        n_bins=DEFAULT_N_BINS,
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
        self.k = k
        self.threshold = threshold
        self.method = method
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
        """Score and rank the features of X against y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features; finite numbers.

        y : array-like of shape (n_samples,)
            Target: labels or numbers.

        Returns
        -------
        self : object
            Fitted selector.
        """
        fit_mi(self, X, y)
        self.ranking_ = _SELECTION_METHODS[self.method](self)
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        keep = self.ranking_ if self.k == "all" else self.ranking_[: self.k]
        if self.threshold is not None:
            keep = keep[self.scores_[keep] >= self.threshold]
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[keep] = True
        return mask

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
