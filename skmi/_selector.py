"""MISelector: keep the features that share the most information with the target."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skmi._histogram_mi import HistogramMI


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

    Fits a :class:`HistogramMI` (``estimator``, which holds the binning, correction and
    test settings), ranks the features with ``method`` and keeps the first ``k`` of them
    whose score reaches ``threshold``. A grid search reaches the estimator's parameters as
    ``<step>__estimator__<parameter>`` once one is given (``MISelector(HistogramMI())``),
    as with scikit-learn's ``SelectFromModel``.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    estimator : HistogramMI or None, default=None
        The MI estimator whose scores rank the features; None means ``HistogramMI()``. It
        is cloned, never fitted in place.

    k : int or "all", default=10
        Number of features to keep; more than there are keeps all.

    threshold : float or None, default=None
        Keep only features whose score is at least this (in the estimator's ``base``, or
        on its ``normalize`` scale); None keeps the top ``k`` whatever their score.

    method : {"univariate"}, default="univariate"
        How features are ranked: "univariate" by their own score.

    Attributes
    ----------
    estimator_ : HistogramMI
        The fitted clone of ``estimator``: its ``scores_``, ``pvalues_``,
        ``standard_errors_``, ``bin_edges_`` and the rest.

    scores_ : ndarray of shape (`n_features_in_`,)
        MI of each feature with the target (``estimator_.scores_``).

    pvalues_ : ndarray of shape (`n_features_in_`,)
        p-values of independence (``estimator_.pvalues_``).

    ranking_ : ndarray of shape (`n_features_in_`,)
        Feature indices in the order ``method`` prefers them.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    HistogramMI : The scores, usable with scikit-learn's own selectors.
    sklearn.feature_selection.SelectKBest : The same univariate selection with
        ``HistogramMI()`` as its ``score_func``.

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
        "estimator": [HistogramMI, None],
        "k": [Interval(Integral, 0, None, closed="left"), StrOptions({"all"})],
        "threshold": [Real, None],
        "method": [StrOptions(set(_SELECTION_METHODS))],
    }

    def __init__(self, estimator=None, *, k=10, threshold=None, method="univariate"):
        self.estimator = estimator
        self.k = k
        self.threshold = threshold
        self.method = method

    # The estimator validates its own parameters when it is fitted.
    @_fit_context(prefer_skip_nested_validation=False)
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
        estimator = HistogramMI() if self.estimator is None else self.estimator
        self.estimator_ = clone(estimator).fit(X, y)
        self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        self.scores_ = self.estimator_.scores_
        self.pvalues_ = self.estimator_.pvalues_
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
