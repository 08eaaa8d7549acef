"""MISelector: keep the features that share the most information with the target."""

from numbers import Integral, Real

import numpy as np
from scipy.stats import false_discovery_control
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from skmi._backends._array_api import to_numpy
from skmi._histogram_mi import HistogramMI
from skmi._scoring._greedy import (
    CRITERIA,
    criterion_of,
    greedy_codes,
    greedy_order,
    interacting_pairs,
)
from skmi._sources import host_source, read_with_target
from skmi._validation import log_of_base


def _by_score(scores, features):
    """``features`` by decreasing score; a stable sort keeps column order among equals."""
    return features[np.argsort(-scores[features], kind="stable")]


def _univariate(selector, source, y, eligible):
    """The eligible features by their own score, the score as the criterion; with
    ``k="auto"``, those up to the first whose p-value times the number of features left to
    choose from is above the level (Holm's step-down, in the order of the scores)."""
    order = _by_score(selector.scores_, np.flatnonzero(eligible))
    if selector.k == "auto":
        left = order.size - np.arange(order.size)
        failed = selector.pvalues_[order] * left > selector._level()
        order = order[: np.argmax(failed) if failed.any() else order.size]
    return order, selector.scores_[order]


def _interaction_table(feature_a, feature_b, synergy, pvalue):
    """``interactions_``: a record array of the pairs found."""
    return np.rec.fromarrays(
        [np.asarray(feature_a, np.intp), np.asarray(feature_b, np.intp), synergy, pvalue],
        names=["feature_a", "feature_b", "synergy", "pvalue"],
    )


def _greedy(selector, source, y, eligible):
    """Greedy forward order of the eligible features of the source's rows by the method's
    criterion (``_greedy``), at most ``k`` picks, on codes coarse enough for three-way
    tables. Features constant at that resolution carry no information by any criterion and
    are left to follow by score."""
    estimator = selector.estimator_
    if not eligible.any():
        if selector.interactions:
            selector.interactions_ = _interaction_table(*np.empty((4, 0)))
        return np.flatnonzero(eligible), np.zeros(0)
    # The greedy search runs on the host, on coarse codes of the eligible columns (a dask or
    # device X's are gathered there; a sparse X's are dense, one or two bytes a value).
    codes, n_x, y_codes, n_y = greedy_codes(
        host_source(source).columns(eligible),
        source.host(y),
        discrete_target=estimator.discrete_target_,
        discrete=estimator._discrete(source)[eligible],
        strategy=estimator.strategy,
        n_bins=estimator.n_bins,
        subsample=estimator.subsample,
        random_state=estimator.random_state,
        n_jobs=estimator.n_jobs,
    )
    varies = np.flatnonzero((codes != codes[:1]).any(axis=0))
    features = np.flatnonzero(eligible)[varies]
    codes = codes[:, varies]
    correction = None if estimator.correction is None else "miller-madow"
    level = selector._level() if selector.k == "auto" else None
    pairs = None
    if selector.interactions:
        pairs, synergy, pvalues = interacting_pairs(
            codes, n_x, y_codes, n_y, correction, selector._level()
        )
        # What the search found, in the features' numbering: the one output that is not an
        # order (set here, where the pairs are at hand).
        selector.interactions_ = _interaction_table(
            features[pairs[:, 0]], features[pairs[:, 1]],
            synergy / log_of_base(estimator.base), pvalues,
        )  # fmt: skip
        # No more than k // 2 pairs can be picked: the strongest that many compete (each
        # costs a table of B^2 x B x n_y cells at every step).
        pairs = pairs[: selector._n_kept() // 2]
    picks, values, in_nats = greedy_order(
        codes, n_x, y_codes, n_y, selector._n_kept(),
        criterion_of(selector.method, selector.beta), correction, pairs=pairs, level=level,
    )  # fmt: skip
    values[in_nats] /= log_of_base(estimator.base)
    return features[picks], values


# Each method orders the eligible features (those passing ``threshold`` and ``alpha``) and
# gives the criterion's value at each place; ``k`` then cuts that order the same way for
# every method.
_SELECTION_METHODS = {"univariate": _univariate} | dict.fromkeys(CRITERIA, _greedy)


class MISelector(SelectorMixin, BaseEstimator):
    """Select features by histogram mutual information with the target.

    Fits a :class:`HistogramMI` (``estimator``, which holds the binning, correction and
    test settings), keeps the features whose score reaches ``threshold`` and whose MI is
    significant at false discovery rate ``alpha``, orders them with ``method`` and keeps
    the first ``k``. A grid search reaches the estimator's parameters as
    ``<step>__estimator__<parameter>`` once one is given (``MISelector(HistogramMI())``),
    as with scikit-learn's ``SelectFromModel``.

    "univariate" ranks each feature by its own MI with the target, as
    ``SelectKBest(mutual_info_classif)`` does: copies of a strong feature all rank high.
    The multivariate methods pick greedily, each pick the feature that best adds to those
    already picked, judged from two- and three-way tables (see the User Guide):

    - "mrmr": relevance minus mean redundancy, I(X_k; Y) - mean_j I(X_k; X_j);
    - "mifs": relevance minus weighted redundancy, I(X_k; Y) - beta sum_j I(X_k; X_j);
    - "mrmr-quotient": relevance over mean plug-in redundancy (floored at 1/N nats);
    - "jmi": mean_j I(X_k X_j; Y), what the feature says of y together with each pick;
    - "cmim": min_j I(X_k; Y | X_j), what it adds given the pick that explains it best;
    - "cife": I(X_k; Y) - sum_j [I(X_k; X_j) - I(X_k; X_j | Y)];
    - "icap": I(X_k; Y) - sum_j max(0, I(X_k; X_j) - I(X_k; X_j | Y));
    - "jmim": min_j I(X_k X_j; Y);
    - "disr": mean_j I(X_k X_j; Y) / H(X_k, X_j, Y);
    - "fcbf": by symmetric uncertainty SU(X_k, Y) = 2 I(X_k; Y) / (H(X_k) + H(Y)), dropping
      every candidate that a pick predominates, SU(X_k, X_j) >= SU(X_k, Y), and those with
      SU(X_k, Y) <= 0: it chooses its own number of features (``k`` caps it; "all" lets it
      choose).

    JMI, CMIM, CIFE, JMIM and DISR see a feature that is informative only together with a
    pick (XOR); mRMR, ICAP, FCBF and univariate ranking cannot. CMIM and FCBF never take a
    copy of a pick; JMI, JMIM and DISR may, while few features are picked.

    Read more in the :ref:`User Guide <selection>`.

    Parameters
    ----------
    estimator : HistogramMI or None, default=None
        The MI estimator whose scores and p-values judge the features; None means
        ``HistogramMI()``. It is cloned, never fitted in place. Its ``strategy``,
        ``correction`` (None: none; otherwise Miller-Madow), ``discrete_features``,
        ``subsample`` and an integer ``n_bins`` (as a cap) also serve the multivariate
        methods' tables.

    k : int, float in (0, 1], "all" or "auto", default=10
        Number of features to keep; a float is a fraction of the features, as in
        scikit-learn's ``SequentialFeatureSelector`` (``int(k * n_features_in_)``); more
        than are eligible keeps all eligible. "auto" keeps picking while the pick's gain is
        significant at level ``alpha`` (0.05 when None): for a multivariate method, a
        G-test of the best candidate's information on y given the pick its criterion's
        value comes from (CMIM, JMIM) or given each pick (the others), alone for the first
        pick, its p-value times the number of candidates it was chosen from (Bonferroni);
        for "univariate", Holm's step-down on ``pvalues_`` in the order of the scores.

    threshold : float or None, default=None
        Keep only features whose score is at least this (in the estimator's ``base``, or
        on its ``normalize`` scale); None keeps the top ``k`` whatever their score.

    alpha : float in (0, 1] or None, default=None
        Keep only features whose MI with the target is significant under
        Benjamini-Hochberg false discovery rate control at level ``alpha`` (on the
        estimator's ``pvalues_``); ``k`` then caps their number, and a multivariate
        method orders only them. None keeps features whatever their p-value.

    method : {"univariate", "mrmr", "mifs", "mrmr-quotient", "jmi", "cmim", "cife", \
            "icap", "jmim", "disr", "fcbf"}, default="univariate"
        How the eligible features are ordered; see above.

    beta : float >= 0, default=1.0
        The weight of the redundancy in "mifs" (Battiti 1994): 0 ranks by relevance alone,
        as "univariate" does; the other methods ignore it.

    interactions : bool, default=False
        Whether a multivariate method also searches pairs of features that tell more of y
        together than apart (``interactions_``) and lets each pair found compete in the
        greedy steps as one candidate, its joint codes judged by the method's criterion;
        a pair picked takes two of the ``k`` places. It finds features that inform only
        jointly, such as the two halves of an XOR, even behind a strong feature. Every
        pair's table is counted: N D^2 / 2 counts for D eligible features (see the User
        Guide). ``threshold`` and ``alpha`` filter on each feature's own MI, which hides
        such features: leave them None to search among all.

    Attributes
    ----------
    estimator_ : HistogramMI
        The fitted clone of ``estimator``: its ``scores_``, ``pvalues_``,
        ``standard_errors_``, ``bin_edges_`` and the rest.

    scores_ : ndarray of shape (`n_features_in_`,)
        MI of each feature with the target, its relevance (``estimator_.scores_``, as a
        numpy array: the selection is made on the host, whatever X's namespace).

    pvalues_ : ndarray of shape (`n_features_in_`,)
        p-values of independence (``estimator_.pvalues_``, as a numpy array).

    ranking_ : ndarray of shape (`n_features_in_`,)
        Feature indices in the order of selection: the eligible features as ``method``
        orders them (for a multivariate method, its first ``k`` picks, then the other
        eligible ones by score), then the rest by score.

    criterion_ : ndarray of shape (`n_features_in_`,)
        Value of the method's criterion for ``ranking_[i]`` when it was picked, NaN past
        the picks: the score for "univariate"; for the multivariate methods the first is
        the feature's MI with the target at the methods' resolution, and then the value
        each later pick maximised (in the estimator's ``base``; ratios for "disr" and,
        after the first pick, "mrmr-quotient"; symmetric uncertainties for "fcbf", whose
        picks may end before ``k``; a pair picked has its value at both its places).
        Where it falls off, adding features stops paying.

    interactions_ : numpy.recarray of shape (n_pairs,)
        With ``interactions=True``: the pairs of features found, strongest first, with
        fields ``feature_a`` and ``feature_b`` (indices), ``synergy`` (I(X_a X_b; Y) -
        I(X_a; Y) - I(X_b; Y) at the methods' resolution, in the estimator's ``base``) and
        ``pvalue`` (the larger of the two tests of one's gain given the other; a pair is
        listed when it is at most the level over the number of pairs, Bonferroni).
        ``pandas.DataFrame(interactions_)`` shows it as a table.

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

    Two copies of a feature b, and a feature c that says nothing of y alone but half of
    y is b XOR c: univariate selection keeps both copies, the greedy methods one copy and c.

    >>> b, c, d = rng.integers(0, 2, size=(3, 2000))
    >>> y = np.where(rng.random(2000) < 0.5, b ^ c, b)
    >>> X = np.column_stack([b, b, c, d]) + 0.1 * rng.normal(size=(2000, 4))
    >>> MISelector(k=2).fit(X, y).get_support()
    array([ True,  True, False, False])
    >>> MISelector(k=2, method="jmi").fit(X, y).get_support()
    array([False,  True,  True, False])
    """

    _parameter_constraints = {
        "estimator": [HistogramMI, None],
        "k": [
            Interval(Integral, 0, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
            StrOptions({"all", "auto"}),
        ],
        "threshold": [Real, None],
        "alpha": [Interval(Real, 0, 1, closed="right"), None],
        "method": [StrOptions(set(_SELECTION_METHODS))],
        "beta": [Interval(Real, 0, None, closed="left")],
        "interactions": ["boolean"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        k=10,
        threshold=None,
        alpha=None,
        method="univariate",
        beta=1.0,
        interactions=False,
    ):
        self.estimator = estimator
        self.k = k
        self.threshold = threshold
        self.alpha = alpha
        self.method = method
        self.beta = beta
        self.interactions = interactions

    # The estimator validates its own parameters when it is fitted.
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Score, filter and order the features of X against y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features: numbers, missing ones as NaN (the estimator's ``handle_missing``).

        y : array-like of shape (n_samples,)
            Target: labels or numbers.

        Returns
        -------
        self : object
            Fitted selector.
        """
        if self.interactions and self.method not in CRITERIA:
            raise ValueError(
                f"interactions=True needs a multivariate method, one of {sorted(CRITERIA)}; "
                f"got method={self.method!r}, which ranks features one at a time."
            )
        self.__dict__.pop("interactions_", None)  # a fit without the search has none
        estimator = clone(HistogramMI() if self.estimator is None else self.estimator)
        estimator._validate_params()
        # X read once, for the estimator and the multivariate methods.
        source, y, discrete_target = read_with_target(
            X, y, estimator.discrete_target, estimator=estimator,
            handle_missing=estimator.handle_missing,
        )  # fmt: skip
        self.estimator_ = estimator._fit_source(source, y, discrete_target)
        self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        # The selection is made on the host, whatever X's namespace.
        self.scores_ = to_numpy(self.estimator_.scores_)
        self.pvalues_ = to_numpy(self.estimator_.pvalues_)
        eligible = self._eligible()
        order, values = _SELECTION_METHODS[self.method](self, source, y, eligible)
        rest = np.setdiff1d(np.arange(self.n_features_in_), order)
        rest = np.concatenate([_by_score(self.scores_, rest[eligible[rest]]),
                               _by_score(self.scores_, rest[~eligible[rest]])])  # fmt: skip
        self.ranking_ = np.concatenate([order, rest])
        self.criterion_ = np.full(self.n_features_in_, np.nan)
        self.criterion_[: order.size] = values
        return self

    def _eligible(self):
        """Mask of the features that ``threshold`` and ``alpha`` let through."""
        eligible = np.ones(self.n_features_in_, dtype=bool)
        if self.threshold is not None:
            eligible &= self.scores_ >= self.threshold
        if self.alpha is not None:
            eligible &= false_discovery_control(self.pvalues_, method="bh") <= self.alpha
        return eligible

    def _level(self):
        """The level of the tests that ``k="auto"`` and ``interactions`` make."""
        return 0.05 if self.alpha is None else self.alpha

    def _n_kept(self):
        """The number of features ``k`` asks for: all (for "auto", as many as its tests
        let through), as given, or its fraction of them."""
        if self.k in ("all", "auto"):
            return self.n_features_in_
        if isinstance(self.k, Integral):
            return self.k
        return int(self.k * self.n_features_in_)

    def _get_support_mask(self):
        check_is_fitted(self)
        n_kept = self._n_kept()
        if self.k == "auto" or (self.method in CRITERIA and CRITERIA[self.method].own_size):
            n_kept = min(n_kept, int(np.isfinite(self.criterion_).sum()))  # its picks alone
        keep = self.ranking_[:n_kept]
        keep = keep[self._eligible()[keep]]
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[keep] = True
        return mask

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Columns of strings and categories are discrete (``_categories``).
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True  # SciPy sparse X: counted from its stored values
        tags.target_tags.required = True
        return tags
