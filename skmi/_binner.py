"""EntropyBinner: learn bin edges by rule or strategy, encode, report each feature's entropy."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from skmi._accumulate import continues, given_binning, start_histograms
from skmi._binning._categories import categorical_mask
from skmi._binning._integers import reported_edges
from skmi._params import DEFAULT_ENTROPY_N_BINS, ENTROPY_CONSTRAINTS
from skmi._pickles import PickledState
from skmi._scoring import corrected_entropy
from skmi._sources import finite_checked_by_binning, on_host, read, read_batch
from skmi._validation import check_n_bins, log_of_base

_ENCODINGS = ("ordinal", "onehot", "onehot-dense")


class EntropyBinner(PickledState, TransformerMixin, BaseEstimator):
    """Bin continuous features into intervals and report the entropy of each binned feature.

    The equal of scikit-learn's :class:`~sklearn.preprocessing.KBinsDiscretizer` where they
    overlap (``n_bins``, ``strategy``, ``encode``, ``subsample``, ``bin_edges_``), with bin
    counts chosen by named rules, edges deduplicated under ties, integer codes, and
    ``entropy_``.

    A torch tensor, cupy array or other array-API array is binned on its device; the fitted
    ``n_bins_`` and ``entropy_`` and the output of ``transform`` ("ordinal",
    "onehot-dense") and ``inverse_transform`` are in its namespace and on its device, while
    ``bin_edges_`` (ragged) and the sparse "onehot" output are on the host; see the
    :ref:`GPU guide <gpu>`.

    Read more in the :ref:`User Guide <user_guide>`, and in :ref:`batches` for
    ``partial_fit`` and dask arrays.

    Parameters
    ----------
    n_bins : int, str or array-like of shape (n_features,), default="hacine-gharbi"
        Bins per feature: an int >= 2, one int per feature, or a rule name ("sqrt",
        "sturges", "rice", "scott", "fd", "doane", "auto", "knuth", "hacine-gharbi",
        "balanced", "fourth-root").

    strategy : {"quantile", "uniform"}, default="quantile"
        Equal-frequency or equal-width bins. Quantile edges that coincide under ties are
        merged, so ``n_bins_`` can be smaller than asked for; no bin is left empty.

    encode : {"ordinal", "onehot", "onehot-dense"}, default="ordinal"
        "ordinal": one integer code per feature; "onehot": a sparse CSR indicator matrix;
        "onehot-dense": the same as a dense array.

    correction : {"miller-madow"} or None, default=None
        Correction of ``entropy_``; None for the plug-in entropy.

    base : float or None, default=None
        Logarithm base of ``entropy_``: None for nats, 2 for bits.

    subsample : int or None, default=200_000
        Rows used to learn bin edges when there are more; ``entropy_`` counts all rows.

    random_state : int, RandomState instance or None, default=0
        Chooses the subsample rows.

    handle_missing : {"bin", "error"}, default="bin"
        Missing values in X (NaN; None or ``pd.NA`` in a column of categories): "bin"
        counts them in a bin of their own, the last of each column that holds them (its
        ``bin_edges_`` end in NaN), as
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` bins them, so that
        missingness carries its information; "error" refuses them. :meth:`transform`
        codes a missing value as its column's bin for them; in a column that held none
        when fitted, as ``n_bins_[j]``, one past its bins (all zeros in the one-hot
        encodings).

    Attributes
    ----------
    bin_edges_ : ndarray of shape (`n_features_in_`,), dtype=object
        Edges ``[min, inner..., max]`` of each feature. A value falls in the bin whose
        left edge is the largest inner edge not above it; the outer bins are open.

    n_bins_ : ndarray of shape (`n_features_in_`,)
        Bins of each feature.

    entropy_ : ndarray of shape (`n_features_in_`,)
        Entropy of each binned feature over the fitted data, in ``base``.

    n_samples_seen_ : int
        Rows counted: those of :meth:`fit`, and of every :meth:`partial_fit` batch since.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    histogram_entropy : The entropies alone, as a function.

    Examples
    --------
    >>> from skmi import EntropyBinner
    >>> X = [[1.0], [2.0], [3.0], [4.0]]
    >>> binner = EntropyBinner(n_bins=2, base=2).fit(X)
    >>> binner.transform(X).ravel()
    array([0, 0, 1, 1])
    >>> binner.entropy_
    array([1.])
    """

    _parameter_constraints = {
        **ENTROPY_CONSTRAINTS,
        "encode": [StrOptions(set(_ENCODINGS))],
    }

    def __init__(
        self,
        n_bins=DEFAULT_ENTROPY_N_BINS,
        *,
        strategy="quantile",
        encode="ordinal",
        correction=None,
        base=None,
        subsample=200_000,
        random_state=0,
        handle_missing="bin",
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.encode = encode
        self.correction = correction
        self.base = base
        self.subsample = subsample
        self.random_state = random_state
        self.handle_missing = handle_missing

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the bin edges of each feature and its entropy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data: numbers, missing ones as NaN (``handle_missing``).

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted binner.
        """
        source = read(X, estimator=self, handle_missing=self.handle_missing)
        with finite_checked_by_binning(type(self).__name__, X=source):
            self._accumulator = self._first_batch(source, None)
        self._integer_encoding = source.encoding
        self._batch_params = self._binning_params()
        return self._set_counts(source)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, *, bin_edges=None):
        """Add a batch of rows: ``entropy_`` over every row seen so far.

        The first call (on an unfitted binner) learns the edges from its batch, or takes
        them as given; later calls only count their rows with the same edges. A call after
        :meth:`fit` adds to fit's rows. Values outside the first batch's range fall in the
        end bins: learn the edges from a representative warm-up batch, or give them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data of this batch: numbers, missing ones as NaN (``handle_missing``). A
            column that holds missing values for the first time gains a bin for them.

        y : None
            Ignored.

        bin_edges : sequence of array-like of shape (n_features,), default=None
            Edges of each feature, used on the first call only instead of learning them.

        Returns
        -------
        self : object
            Fitted binner.
        """
        first = not continues(self, self._binning_params(), bin_edges=bin_edges)
        source = read_batch(
            X,
            estimator=self,
            first=first,
            encoding=None if first else self._integer_encoding,
            handle_missing=self.handle_missing,
        )
        with finite_checked_by_binning(type(self).__name__, X=source):
            if first:
                self._accumulator = self._first_batch(source, bin_edges)
            else:
                self._accumulator = self._accumulator.add(source)
        if first:
            self._integer_encoding = source.encoding
            self._batch_params = self._binning_params()
        return self._set_counts(source)

    def _first_batch(self, source, bin_edges):
        """The ``Accumulator`` of the first batch (or of fit's rows): edges learnt from its
        sample rows, or given, and every row counted."""
        n_features = source.shape[1]
        binning = None
        if bin_edges is not None:
            continuous = np.zeros(n_features, dtype=bool)
            binning = given_binning(bin_edges, continuous, n_features, encoding=source.encoding)
        return start_histograms(
            source,
            n_bins=check_n_bins(self.n_bins, n_features),
            strategy=self.strategy,
            discrete=categorical_mask(source.encoding, n_features),
            subsample=self.subsample,
            random_state=self.random_state,
            binning=binning,
        )

    def _binning_params(self):
        """The parameters that shape the edges and counts: fixed after the first batch."""
        return {name: getattr(self, name) for name in ("n_bins", "strategy", "subsample")}

    @property
    def _binning(self):
        return self._accumulator.binning

    def _set_counts(self, source):
        """The fitted attributes from the binning and the histograms summed so far, where
        the last rows live (``source.follow``)."""
        self.bin_edges_ = reported_edges(self._binning.edges, self._integer_encoding)
        self.n_bins_ = source.follow(self._binning.n_bins)
        counts = self._accumulator.tables.widened()
        entropy = corrected_entropy(counts, self.correction) / log_of_base(self.base)
        self.entropy_ = source.follow(entropy)
        self.n_samples_seen_ = self._accumulator.n_samples
        return self

    def transform(self, X):
        """Bin X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data: numbers, missing ones as NaN (``handle_missing``).

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features) or sparse matrix
            Integer codes, or their one-hot encoding; for a dask X, its codes as a dask
            array, binned chunk by chunk on the workers (ordinal encoding only).
        """
        check_is_fitted(self)
        source = read(
            X,
            estimator=self,
            reset=False,
            ensure_min_samples=1,
            encoding=self._integer_encoding,
            handle_missing=self.handle_missing,
        )
        # A missing value is coded past its column's bins where fit saw none in it.
        with finite_checked_by_binning(type(self).__name__, X=source):
            codes, _ = source.codes(self._binning)
        if self.encode == "ordinal":
            return codes
        return source.one_hot(codes, self._binning.n_bins, dense=self.encode == "onehot-dense")

    def inverse_transform(self, X):
        """Map codes (or their one-hot encoding) to the centres of their bins.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features) or \
                (n_samples, sum(`n_bins_`))
            Codes as :meth:`transform` returns them.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Bin centres.
        """
        check_is_fitted(self)
        X, follow = on_host(X)
        codes = self._codes_from(X)
        centres = np.empty(codes.shape)
        for j, edges in enumerate(self.bin_edges_):
            mids = (edges[:-1] + edges[1:]) / 2
            centres[:, j] = mids[codes[:, j]]
        return follow(centres)

    def _codes_from(self, X):
        """Integer codes from ordinal or one-hot input, checked against ``n_bins_``."""
        n_bins = self._binning.n_bins
        if self.encode != "ordinal":
            X = np.asarray(X)
            expected = int(n_bins.sum())
            if X.ndim != 2 or X.shape[1] != expected:
                raise ValueError(
                    f"X must have {expected} one-hot columns, got shape {np.shape(X)}"
                )
            blocks = np.split(X, np.cumsum(n_bins)[:-1], axis=1)
            return np.column_stack([block.argmax(axis=1) for block in blocks])
        codes = np.asarray(X)
        if codes.ndim != 2 or codes.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have {self.n_features_in_} columns of codes, got shape {codes.shape}"
            )
        if not np.all(np.isfinite(codes)) or np.any(codes != np.round(codes)):
            raise ValueError("X must hold integer bin codes")
        codes = codes.astype(np.intp)
        if np.any(codes < 0) or np.any(codes >= n_bins):
            raise ValueError(f"X holds codes outside [0, n_bins_) = [0, {n_bins.tolist()})")
        return codes

    def get_feature_names_out(self, input_features=None):
        """Output names: the input names for ordinal codes, ``<name>_<bin>`` for one-hot.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Output feature names.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        if self.encode == "ordinal":
            return names
        return np.asarray(
            [
                f"{name}_{b}"
                for name, n in zip(names, self._binning.n_bins, strict=True)
                for b in range(n)
            ],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Columns of strings and categories are discrete (``_categories``).
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True  # SciPy sparse X: counted from its stored values
        tags.transformer_tags.preserves_dtype = []
        tags.array_api_support = True
        return tags
