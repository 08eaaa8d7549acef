"""PairwiseHistogramMI: MI between every pair of features, fitted at once or over batches."""

import numpy as np
from sklearn.base import BaseEstimator, _fit_context

from skmi._accumulate import continues, given_binning, start_pairs
from skmi._all_pairs import fit_pairs, pair_pvalues, pair_statistics, parts_of_tables
from skmi._backends._array_api import like
from skmi._binning._integers import reported_edges
from skmi._params import DEFAULT_CORRECTION, ENTROPY_CONSTRAINTS, MI_CONSTRAINTS
from skmi._pickles import PickledState
from skmi._scoring import _NORMALIZATIONS
from skmi._sources import finite_checked_by_binning, read, read_batch, read_beside
from skmi._validation import check_n_bins, log_of_base

# Fitted attributes computed when first read (``__getattr__``).
_STATISTICS = ("scores_", "pvalues_", "correlation_", "entropy_")


class PairwiseHistogramMI(PickledState, BaseEstimator):
    """Mutual information between every pair of features, from histograms.

    The information-theoretic counterpart of scikit-learn's covariance estimators
    (``EmpiricalCovariance().fit(X).covariance_``): each feature is binned once, every pair's
    joint table is counted, and the fitted matrices hold the MI of each pair with its bias
    corrected, its p-value, and the MI on the scale of a correlation coefficient, to set
    beside ``np.corrcoef``. :meth:`partial_fit` accumulates the tables over batches of rows
    (activations a forward pass at a time); :func:`pairwise_histogram_mi` is the one-call
    function.

    Read more in the :ref:`User Guide <batches>`.

    Parameters
    ----------
    n_bins : int, str or array-like of shape (n_features,), default="fourth-root"
        Bins per feature: an int >= 2, one int per feature, or a rule name; see
        :func:`pairwise_histogram_mi`, whose default this is: "fourth-root", max(4, N^(1/4)),
        the coarse resolution at which rankings of many pairs are most reproducible (see
        :ref:`defaults`). With :meth:`partial_fit`, a rule is applied to the first batch's
        size: give an int when the batches add up to many times that.

    strategy : {"quantile", "uniform"}, default="quantile"
        Equal-frequency or equal-width bins.

    correction : {"miller-madow", "chance"} or None, default="miller-madow"
        Bias correction of ``scores_``; see :func:`histogram_mi_regression`.

    normalize : {"arithmetic", "geometric", "min", "max", "correlation"} or None, \
            default=None
        Scale of ``scores_``; see :func:`histogram_mi_regression`.

    base : float or None, default=None
        Logarithm base of ``scores_`` and ``entropy_``: None for nats, 2 for bits.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more (of the first batch, with
        :meth:`partial_fit`); all rows are counted.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows.

    handle_missing : {"bin", "error"}, default="bin"
        Missing values in X (NaN; None or ``pd.NA`` in a column of categories): "bin"
        counts them in a bin of their own, the last of each column that holds them (its
        ``bin_edges_`` end in NaN), as
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` bins them, so that
        missingness carries its information; "error" refuses them.

    n_jobs : int or None, default=None
        Threads over rows of the matrix; None means 1, -1 all cores.

    Attributes
    ----------
    scores_ : ndarray of shape (`n_features_in_`, `n_features_in_`)
        MI of each pair of features (in ``base``, or normalised); symmetric, with the
        (corrected) entropy of each binned feature on the diagonal.

    pvalues_ : ndarray of shape (`n_features_in_`, `n_features_in_`)
        p-values of the G-test of independence of each pair (mean-matched, as in
        :class:`HistogramMI`).

    correlation_ : ndarray of shape (`n_features_in_`, `n_features_in_`)
        The corrected MI on the scale of a correlation coefficient, sqrt(1 - exp(-2 MI)):
        the absolute correlation of a bivariate Gaussian with that MI.

    entropy_ : ndarray of shape (`n_features_in_`,)
        Plug-in entropy of each binned feature, in ``base``.

    n_bins_ : ndarray of shape (`n_features_in_`,)
        Bins of each feature really used (ties can merge bins).

    bin_edges_ : ndarray of shape (`n_features_in_`,), dtype=object
        Edges ``[min, inner..., max]`` of each feature, then NaN where it has a bin for its
        missing values, its last.

    n_samples_seen_ : int
        Rows the attributes reflect: those of :meth:`fit`, or of every batch given to
        :meth:`partial_fit` since the first.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    pairwise_histogram_mi : The MI matrix alone, as a function, also between two sets of
        columns.
    sklearn.covariance.EmpiricalCovariance : The covariance matrix, estimated the same way.

    Notes
    -----
    :meth:`fit` counts each pair's table and reduces it at once, keeping one table per
    thread. :meth:`partial_fit` must keep every pair's table to add the next batch to it:
    D (D + 1) / 2 tables of B x B int64 counts (384 features at 24 bins: 0.6 GiB), within a
    budget of 1 GiB, past which it says how many features fit. Temporaries are bounded by
    scikit-learn's ``working_memory``. p-values come from the G-test alone.

    The statistics (``scores_``, ``pvalues_``, ``correlation_``, ``entropy_``) are
    computed when first read after a fit or a batch, from every row seen, with the
    parameters of the moment: a batch only counts.

    Examples
    --------
    Two identical fair coins and a third independent of both (MI in bits):

    >>> import numpy as np
    >>> from skmi import PairwiseHistogramMI
    >>> X = np.array([[0, 0, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1]] * 10)
    >>> est = PairwiseHistogramMI(n_bins=2, correction=None, base=2).fit(X)
    >>> est.scores_.round(12)
    array([[1., 1., 0.],
           [1., 1., 0.],
           [0., 0., 1.]])
    >>> est = PairwiseHistogramMI(n_bins=2, correction=None, base=2)
    >>> est.partial_fit(X[:20]).partial_fit(X[20:]).scores_.round(12)[0, 1]
    np.float64(1.0)
    >>> est.n_samples_seen_
    40
    """

    _parameter_constraints = {
        # One resolution for every pair (the adaptive one is chosen per table against a
        # target).
        "n_bins": ENTROPY_CONSTRAINTS["n_bins"],
        **{k: MI_CONSTRAINTS[k] for k in ("strategy", "correction", "normalize", "base")},
        "subsample": MI_CONSTRAINTS["subsample"],
        "random_state": ["random_state"],
        "handle_missing": MI_CONSTRAINTS["handle_missing"],
        "n_jobs": MI_CONSTRAINTS["n_jobs"],
    }

    def __init__(
        self,
        n_bins="fourth-root",
        *,
        strategy="quantile",
        correction=DEFAULT_CORRECTION,
        normalize=None,
        base=None,
        subsample=200_000,
        random_state=0,
        handle_missing="bin",
        n_jobs=None,
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.correction = correction
        self.normalize = normalize
        self.base = base
        self.subsample = subsample
        self.random_state = random_state
        self.handle_missing = handle_missing
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Estimate the MI of every pair of features of X, or of every feature of X with
        every column of y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data: numbers, missing ones as NaN (``handle_missing``). For activations,
            tokens by hidden units.

        y : array-like of shape (n_samples,) or (n_samples, n_columns), default=None
            A second set of columns, as ``Y`` of :func:`pairwise_histogram_mi`: the
            matrices are then of every feature of X (rows) with every column of y
            (columns). None: X with itself.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        source, other = self._read(X, y, first=True)
        with finite_checked_by_binning(type(self).__name__, **_named(source, other)):
            parts, self._binning, self._accumulator = fit_pairs(
                source,
                other,
                n_bins=check_n_bins(self.n_bins, source.shape[1]),
                strategy=self.strategy,
                subsample=self.subsample,
                random_state=self.random_state,
                n_jobs=self.n_jobs,
            )
        self._integer_encoding = source.encoding
        self._batch_params = self._binning_params()
        self._n_columns_y = 0 if other is None else other.shape[1]
        return self._set_parts(parts, source.shape[0], source)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, *, bin_edges=None):
        """Add a batch of rows: the MI of every pair over every row seen so far.

        The first call learns the bins from its batch, or takes them as given; every later
        call counts its rows into every pair's table, and the fitted attributes are scored
        from the sums. For the same edges, any split of the rows gives the results of
        :meth:`fit` on all of them. Values outside the first batch's range fall in the end
        bins: learn the edges from a representative warm-up batch, or give them. A call
        after :meth:`fit` adds to fit's tables where fit holds them (on a dask array);
        :meth:`fit` on rows at hand reduces each pair's table as it counts it and holds
        none, so the call starts from its own batch, as on an unfitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data of this batch: numbers, missing ones as NaN (``handle_missing``). A
            column that holds missing values for the first time gains a bin for them.

        y : array-like of shape (n_samples,) or (n_samples, n_columns), default=None
            A second set of columns, as in :meth:`fit`: given on every call, or on none.

        bin_edges : sequence of array-like of shape (n_features,), default=None
            Edges of each feature, used on the first call only instead of learning them
            (e.g. an :class:`EntropyBinner`'s ``bin_edges_`` fitted on a sample).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        first = not continues(self, self._binning_params(), bin_edges=bin_edges)
        source, other = self._read(X, y, first, batch=True)
        n_columns_y = 0 if other is None else other.shape[1]
        if not first and n_columns_y != self._n_columns_y:
            raise ValueError(
                f"y has {n_columns_y} columns, but the first call to partial_fit had "
                f"{self._n_columns_y}: give the same columns on every call"
            )
        if other is not None and bin_edges is not None:
            raise ValueError("bin_edges cannot be given with y: let the first batch learn them")
        both = source if other is None else source.beside(other)
        with finite_checked_by_binning(type(self).__name__, **_named(source, other)):
            if first:
                accumulator = self._first_batch(both, bin_edges)
            else:
                accumulator = self._accumulator.add(both, n_jobs=self.n_jobs)
        if first:
            self._integer_encoding = source.encoding
            self._batch_params = self._binning_params()
            self._n_columns_y = n_columns_y
        self._accumulator, self._binning = accumulator, accumulator.binning
        return self._set_parts(None, accumulator.n_samples, source)

    def _read(self, X, y, first, batch=False):
        """The sources of X and of y (None where y is None), a column or columns beside X
        (``read_beside``)."""
        encoding = None if first else self._integer_encoding
        params = dict(estimator=self, encoding=encoding, handle_missing=self.handle_missing)
        source = read_batch(X, first=first, **params) if batch else read(X, **params)
        if y is None:
            return source, None
        other = read_beside(y, source, input_name="y", handle_missing=self.handle_missing)
        if other.shape[0] != source.shape[0]:
            raise ValueError(
                f"X and y must have the same number of samples, got {source.shape[0]} and "
                f"{other.shape[0]}"
            )
        return source, other

    def _first_batch(self, source, bin_edges):
        """The ``Accumulator`` of the first batch: bins learnt from it, or given."""
        binning = None
        if bin_edges is not None:
            continuous = np.zeros(source.shape[1], dtype=bool)
            binning = given_binning(
                bin_edges, continuous, source.shape[1], encoding=source.encoding
            )
        return start_pairs(
            source,
            n_bins=check_n_bins(self.n_bins, source.shape[1]),
            strategy=self.strategy,
            subsample=self.subsample,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            binning=binning,
        )

    def _binning_params(self):
        """The parameters that shape the edges and tables: fixed after the first batch."""
        return {name: getattr(self, name) for name in ("n_bins", "strategy", "subsample")}

    def _set_parts(self, parts, n_samples, source):
        """The fitted attributes of ``n_samples`` rows: those of the bins now, the
        statistics (``_STATISTICS``) when first read, from ``parts`` (``PairParts``), or
        from the kept tables when ``parts`` is None."""
        self._parts = parts
        self._where = source.follow(np.zeros(0))  # where X lives, for the statistics
        for name in _STATISTICS:
            self.__dict__.pop(name, None)
        n_features = self.n_features_in_  # the binning's first: those of X
        self.n_bins_ = self._binning.n_bins[:n_features]
        edges = self._binning.edges[:n_features]
        self.bin_edges_ = reported_edges(edges, self._integer_encoding)
        self.n_samples_seen_ = n_samples
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Columns of strings and categories are binned by their codes (``_categories``).
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True  # SciPy sparse X: counted from its stored values
        return tags

    def __getattr__(self, name):
        # The statistics are computed when first read after each fit or batch, and kept:
        # scoring every pair's table (2.7 s for the 73,920 pairs of 384 units at 23 bins)
        # costs more than counting a batch of 4,096 rows into them (0.5 s), and the exact
        # chance level of the p-values, where a table is too sparse for its closed form
        # (``null_mean``), about 1 ms per distinct pair of margins.
        if name not in _STATISTICS or "_parts" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if self._parts is None:
            counts = self._accumulator.tables.counts
            parts = parts_of_tables(counts, self._binning.n_features)
            self._parts = parts.block(self.n_features_in_) if self._n_columns_y else parts
        where = self._where
        if name == "pvalues_":
            self.pvalues_ = like(pair_pvalues(self._parts), where)
        else:
            log_base = log_of_base(self.base)
            scores, mi, entropy = pair_statistics(self._parts, self.correction, self.normalize)
            self.scores_ = like(scores / log_base if self.normalize is None else scores, where)
            self.correlation_ = like(_NORMALIZATIONS["correlation"](mi, None, None), where)
            self.entropy_ = like(entropy / log_base, where)
        return self.__dict__[name]


def _named(source, other):
    """The sources to check, by name, when a value is not finite."""
    return {"X": source} if other is None else {"X": source, "y": other}
