"""HistogramMI: MI of each feature with a target, as a fitted estimator and a score function."""

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import StrOptions

from skmi._accumulate import (
    continues,
    given_binning,
    given_target,
    score_mi,
    start_mi,
)
from skmi._backends._array_api import like
from skmi._binning._integers import reported_edges
from skmi._one_pass import fit_mi
from skmi._params import (
    DEFAULT_CORRECTION,
    DEFAULT_N_BINS,
    DEFAULT_N_PERMUTATIONS,
    MI_CONSTRAINTS,
)
from skmi._pickles import PickledState
from skmi._scoring._pvalues import pvalues
from skmi._scoring._results import normalized
from skmi._sources import finite_checked_by_binning, read_batch, read_with_target
from skmi._validation import check_n_bins, discrete_mask, log_of_base


class HistogramMI(PickledState, BaseEstimator):
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

    Read more in the :ref:`User Guide <user_guide>`, and in :ref:`batches` for
    ``partial_fit`` and dask arrays.

    Parameters
    ----------
    n_bins : "partition", "adaptive", int, str or array-like of shape (n_features,), \
            default="partition"
        Resolution of each feature's joint table with the target: "partition" (per
        feature, a tree of cells of a quantile table of up to 512 bins an axis, split while
        its data are uneven), "adaptive" (per feature, the finest grid keeping about c(N)
        samples per occupied cell), an int >= 2, one int per feature, or a rule name; see
        :func:`histogram_mi_regression`. ``n_bins_`` and ``bin_edges_`` of a tree are the
        grid of its splits on the feature's axis.

    strategy : {"quantile", "uniform"}, default="quantile"
        Equal-frequency or equal-width bins.

    correction : {"miller-madow", "chance"} or None, default="miller-madow"
        Bias correction of the scores; see :func:`histogram_mi_regression`.

    discrete_features : {"auto"}, bool or array-like, default="auto"
        Which features are categories rather than binned: a bool, a boolean mask, column
        indices or column names ("auto": none); columns of strings and categoricals are
        categories whatever it says.

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
        G-test (fewer than 5 samples per cell); 0 uses the G-test everywhere. A feature
        that no permutation reaches gets 10 times as many more, and, where none of those
        reaches it either, the tail of a chi-square matched to all its permuted MI's mean
        and variance, below the floor 1 / (11 n_permutations + 1), so that false-discovery
        control over many features can tell it apart. p-values come from a coarser table
        than the scores (about N^(1/4) bins with "partition" and "adaptive", where the test is
        most powerful; a feature scored one bin per value keeps its frequent values apart
        and pools the rare ones, whatever their order), with the G statistic scaled so that
        its null mean is the exact chance level; see the User Guide.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more; all rows are counted.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows and the permutations.

    handle_missing : {"bin", "error"}, default="bin"
        Missing values in X (NaN; None or ``pd.NA`` in a column of categories): "bin"
        counts them in a bin of their own, the last of each column that holds them (its
        ``bin_edges_`` end in NaN), as
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` bins them, so that
        missingness carries its information; "error" refuses them. A missing target
        value is always an error.

    n_jobs : int or None, default=None
        Threads over chunks of rows or groups of features, as the work allows; None
        means 1, -1 all cores.

    Attributes
    ----------
    scores_ : ndarray of shape (`n_features_in_`,)
        MI of each feature with the target (in ``base``, or normalised).

    pvalues_ : ndarray of shape (`n_features_in_`,)
        p-values of the test of independence of each feature and the target. After
        :meth:`partial_fit` or a fit on dask data: the G-test of the summed tables,
        computed when first read.

    standard_errors_ : ndarray of shape (`n_features_in_`,)
        Delta-method standard error of each plug-in MI, in ``base``: of a partition
        tree's leaves as if they had been chosen in advance (0 for a tree that kept no cut:
        read its p-value).

    entropy_ : ndarray of shape (`n_features_in_`,)
        Plug-in entropy of each binned feature, in ``base`` (for a partition tree, on the
        grid of its cuts).

    target_entropy_ : ndarray of shape (`n_features_in_`,)
        Plug-in entropy of the target as binned in each feature's table, in ``base``.

    n_bins_ : ndarray of shape (`n_features_in_`,)
        Bins of each feature really used (ties can merge bins); for a partition tree, the
        intervals its cuts make on the feature's axis.

    bin_edges_ : ndarray of shape (`n_features_in_`,), dtype=object
        Edges ``[min, inner..., max]`` of each feature; for a discrete feature, its values
        with the last repeated. Then NaN where the feature has a bin for its missing
        values, its last.

    target_n_bins_ : ndarray of shape (`n_features_in_`,)
        Bins (or categories) of the target in each feature's table.

    discrete_target_ : bool
        Whether the target was taken as categories.

    n_samples_seen_ : int
        Rows the attributes reflect: all rows of :meth:`fit`, or of every batch given to
        :meth:`partial_fit` since the first.

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
        handle_missing="bin",
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
        self.handle_missing = handle_missing
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Estimate the MI of each feature of X with y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features: numbers, missing ones as NaN (``handle_missing``).

        y : array-like of shape (n_samples,)
            Target: labels or numbers.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        source, y, discrete_target = read_with_target(
            X, y, self.discrete_target, estimator=self, handle_missing=self.handle_missing
        )
        return self._fit_source(source, y, discrete_target)

    def _fit_source(self, source, y, discrete_target):
        """``fit`` on the source of its X, read with this estimator (``read_with_target``),
        and y as read with it: a selector reads X once for its estimator and itself."""
        with finite_checked_by_binning(type(self).__name__, X=source):
            fitted = fit_mi(
                source,
                y,
                discrete_target=discrete_target,
                n_bins=check_n_bins(self.n_bins, source.shape[1]),
                strategy=self.strategy,
                correction=self.correction,
                discrete=self._discrete(source),
                subsample=self.subsample,
                random_state=self.random_state,
                n_permutations=self.n_permutations,
                n_jobs=self.n_jobs,
            )
        self._accumulator = fitted.accumulator
        self._batch_params = self._table_params()
        self._integer_encoding = source.encoding
        self.discrete_target_ = fitted.discrete_target
        return self._set_result(fitted.result, source, fitted.pending)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, *, bin_edges=None, target_bin_edges=None, classes=None):
        """Add a batch of rows: the MI of each feature with y over every row seen so far.

        The first call (on an unfitted estimator) learns the bins from its batch, or takes
        them as given; every later call counts its rows into the same tables, and the
        fitted attributes are scored from their sums. For the same edges, any split of the
        rows gives the results of :meth:`fit` on all of them. Values outside the first
        batch's range fall in the end bins: learn the edges from a representative warm-up
        batch, or give them (``bin_edges``, e.g. an :class:`EntropyBinner`'s ``bin_edges_``
        fitted on a sample). A value the first batch did not hold falls in the bin of its
        range, except in a discrete feature, where it is an error (its bin would be a
        neighbour's), as an unseen category is; a column's first missing values get a bin
        of their own.

        With ``n_bins="partition"`` the tables are counted at 512 fine bins per feature
        (512 for a binned target too), as :meth:`fit` counts them, and each feature's tree
        is grown on their sums at each call. With ``n_bins="adaptive"`` they are counted at
        360 fine bins and the resolution is chosen from them and the total number of rows
        at each call, as :meth:`fit` chooses it. Only the G-test is available for the
        p-values (``n_permutations`` is not used: permutations need the rows); they are
        computed when ``pvalues_`` is first read, so that a batch only counts. A call after
        :meth:`fit` adds to the tables fit holds; a "partition" or "adaptive" fit holds
        none (its fine tables were reduced block by block), so the call starts from its own
        batch, as on an unfitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of this batch: numbers, missing ones as NaN (``handle_missing``). A
            column that holds missing values for the first time gains a bin for them.

        y : array-like of shape (n_samples,)
            Target of this batch: labels or numbers.

        bin_edges : sequence of array-like of shape (n_features,), default=None
            Edges of each feature, used on the first call only instead of learning them
            (with "partition" and "adaptive", the fine edges).

        target_bin_edges : array-like, default=None
            Edges of a binned target, used on the first call only.

        classes : array-like, default=None
            Every label of a discrete target, needed on the first call when its batch
            does not hold them all; a later label that is not one of them is an error.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        given = dict(bin_edges=bin_edges, target_bin_edges=target_bin_edges)
        first = not continues(self, self._table_params(), **given)
        discrete_target = self.discrete_target if first else self.discrete_target_
        if first and discrete_target == "auto":  # given bins of the target say its kind
            if classes is not None:
                discrete_target = True
            elif target_bin_edges is not None:
                discrete_target = False
        source, y, discrete_target = read_batch(
            X,
            y,
            discrete_target,
            estimator=self,
            first=first,
            encoding=None if first else self._integer_encoding,
            handle_missing=self.handle_missing,
        )
        with finite_checked_by_binning(type(self).__name__, X=source):
            if first:
                accumulator, discrete_target = self._first_batch(
                    source, y, discrete_target, bin_edges, target_bin_edges, classes
                )
            else:
                accumulator = self._accumulator.add(source, y, self.n_jobs)
        result, tables = score_mi(
            accumulator,
            discrete_target=discrete_target,
            strategy=self.strategy,
            correction=self.correction,
            n_jobs=self.n_jobs,
        )
        if first:
            self._batch_params = self._table_params()
            self._integer_encoding = source.encoding
            self.discrete_target_ = discrete_target
        self._accumulator = accumulator
        return self._set_result(result, source, tables)

    def _first_batch(self, source, y, discrete_target, bin_edges, target_bin_edges, classes):
        """The ``Accumulator`` of the first call: bins learnt from its batch, or given."""
        discrete = self._discrete(source)
        binning = None
        if bin_edges is not None:
            binning = given_binning(bin_edges, discrete, source.shape[1], encoding=source.encoding)
        return start_mi(
            source,
            y,
            discrete_target=discrete_target,
            n_bins=check_n_bins(self.n_bins, source.shape[1]),
            strategy=self.strategy,
            discrete=discrete,
            subsample=self.subsample,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            binning=binning,
            target=given_target(discrete_target, classes, target_bin_edges),
        )

    def _discrete(self, source):
        """The mask of discrete features of a source's rows (``discrete_mask``)."""
        names = getattr(self, "feature_names_in_", None)
        return discrete_mask(self.discrete_features, source.shape[1], source.encoding, names)

    def _table_params(self):
        """The parameters that shape the count tables: fixed after the first batch."""
        names = ("n_bins", "strategy", "discrete_features", "discrete_target", "subsample")
        return {name: getattr(self, name) for name in names}

    def _set_result(self, result, source, pending):
        """The fitted attributes from an ``MIResult`` of every row seen, where the last rows
        live (``source.follow``); ``pending``: the tables of p-values to compute when first
        read (None: the result holds them)."""
        log_base = log_of_base(self.base)
        follow = source.follow
        self._where = follow(np.zeros(0))  # where X lives, for pvalues_ computed when read
        self.scores_ = follow(normalized(result, self.normalize, log_base))
        self._pending_tables = pending
        self.__dict__.pop("pvalues_", None)
        if result.pvalues is not None:
            self.pvalues_ = follow(result.pvalues)
        self.standard_errors_ = follow(result.standard_errors / log_base)
        self.entropy_ = follow(result.entropy / log_base)
        self.target_entropy_ = follow(result.target_entropy / log_base)
        self.target_n_bins_ = follow(result.target_n_bins)
        # bin_edges_ and n_bins_ are made when first read: one array a feature.
        self._pending_bins = result
        self.__dict__.pop("bin_edges_", None)
        self.__dict__.pop("n_bins_", None)
        n_samples = source.shape[0] if self._accumulator is None else self._accumulator.n_samples
        self.n_samples_seen_ = n_samples
        return self

    def __getattr__(self, name):
        # After partial_fit or a dask fit, pvalues_ is computed when first read: its exact
        # chance level costs a few ms a feature at large N, and the margins of batches binned
        # by the first batch's edges differ from feature to feature. Measured, batches of
        # 4,096 x 384 at 16 bins: 0.24 s a batch with the p-values, 0.010 s without; reading
        # them once after 8 batches, 0.11 s.
        if name == "pvalues_" and self.__dict__.get("_pending_tables") is not None:
            p = pvalues(self._pending_tables, self.n_samples_seen_)
            self.pvalues_ = like(p, self._where)
            return self.pvalues_
        # The edges of every feature, merged to its resolution, are Python objects a feature:
        # made when first read (30,000 features: 0.4 s of a 1 s fit).
        if name in ("bin_edges_", "n_bins_") and self.__dict__.get("_pending_bins") is not None:
            result = self._pending_bins
            self.bin_edges_ = reported_edges(result.bin_edges, self._integer_encoding)
            self.n_bins_ = like(result.n_bins, self._where)
            self._pending_bins = None
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __call__(self, X, y):
        """Score function: fit a copy on (X, y) and return ``(scores_, pvalues_)``.

        The instance itself stays unfitted, so it can sit as a parameter of a selector.
        """
        fitted = clone(self).fit(X, y)
        return fitted.scores_, fitted.pvalues_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Columns of strings and categories are discrete (``_categories``).
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True  # SciPy sparse X: counted from its stored values
        tags.target_tags.required = True
        tags.array_api_support = True
        return tags
