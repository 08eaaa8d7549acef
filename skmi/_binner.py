"""EntropyBinner: learn bin edges by rule or strategy, encode, report each feature's entropy."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from skmi._binning import object_array
from skmi._core import estimate_entropy
from skmi._integers import decoded_edges
from skmi._params import DEFAULT_ENTROPY_N_BINS, ENTROPY_CONSTRAINTS
from skmi._validation import check_base, check_n_bins, check_X, finite_checked_by_binning

_ENCODINGS = ("ordinal", "onehot", "onehot-dense")


class EntropyBinner(TransformerMixin, BaseEstimator):
    """Bin continuous features into intervals and report the entropy of each binned feature.

    The equal of scikit-learn's :class:`~sklearn.preprocessing.KBinsDiscretizer` where they
    overlap (``n_bins``, ``strategy``, ``encode``, ``subsample``, ``bin_edges_``), with bin
    counts chosen by named rules, edges deduplicated under ties, integer codes, and
    ``entropy_``.

    Read more in the :ref:`User Guide <user_guide>`.

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

    Attributes
    ----------
    bin_edges_ : ndarray of shape (`n_features_in_`,), dtype=object
        Edges ``[min, inner..., max]`` of each feature. A value falls in the bin whose
        left edge is the largest inner edge not above it; the outer bins are open.

    n_bins_ : ndarray of shape (`n_features_in_`,)
        Bins of each feature.

    entropy_ : ndarray of shape (`n_features_in_`,)
        Entropy of each binned feature over the fitted data, in ``base``.

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
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.encode = encode
        self.correction = correction
        self.base = base
        self.subsample = subsample
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the bin edges of each feature and its entropy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; finite numbers.

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted binner.
        """
        X, self._integer_encoding = check_X(X, estimator=self)
        log_base = check_base(self.base)
        with finite_checked_by_binning(type(self).__name__, X=X):
            entropy, self._binning = estimate_entropy(
                X,
                n_bins=check_n_bins(self.n_bins, X.shape[1]),
                strategy=self.strategy,
                correction=self.correction,
                subsample=self.subsample,
                random_state=self.random_state,
            )
        self.bin_edges_ = object_array(decoded_edges(self._binning.edges, self._integer_encoding))
        self.n_bins_ = self._binning.n_bins
        self.entropy_ = entropy / log_base
        return self

    def transform(self, X):
        """Bin X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data; finite numbers.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features) or sparse matrix
            Integer codes, or their one-hot encoding.
        """
        check_is_fitted(self)
        X, _ = check_X(
            X,
            estimator=self,
            reset=False,
            ensure_min_samples=1,
            encoding=self._integer_encoding,
        )
        with finite_checked_by_binning(type(self).__name__, X=X):
            codes = self._binning.codes(X)
        if self.encode == "ordinal":
            return codes
        offsets = np.concatenate(([0], np.cumsum(self.n_bins_)[:-1]))
        n_samples, n_features = codes.shape
        onehot = sp.csr_matrix(
            (
                np.ones(codes.size),
                (codes + offsets).ravel(),
                np.arange(0, codes.size + 1, n_features),
            ),
            shape=(n_samples, int(self.n_bins_.sum())),
        )
        return onehot.toarray() if self.encode == "onehot-dense" else onehot

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
        codes = self._codes_from(X)
        centres = np.empty(codes.shape)
        for j, edges in enumerate(self.bin_edges_):
            mids = (edges[:-1] + edges[1:]) / 2
            centres[:, j] = mids[codes[:, j]]
        return centres

    def _codes_from(self, X):
        """Integer codes from ordinal or one-hot input, checked against ``n_bins_``."""
        if self.encode != "ordinal":
            X = X.toarray() if sp.issparse(X) else np.asarray(X)
            expected = int(self.n_bins_.sum())
            if X.ndim != 2 or X.shape[1] != expected:
                raise ValueError(
                    f"X must have {expected} one-hot columns, got shape {np.shape(X)}"
                )
            blocks = np.split(X, np.cumsum(self.n_bins_)[:-1], axis=1)
            return np.column_stack([block.argmax(axis=1) for block in blocks])
        codes = np.asarray(X)
        if codes.ndim != 2 or codes.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have {self.n_features_in_} columns of codes, got shape {codes.shape}"
            )
        if not np.all(np.isfinite(codes)) or np.any(codes != np.round(codes)):
            raise ValueError("X must hold integer bin codes")
        codes = codes.astype(np.intp)
        if np.any(codes < 0) or np.any(codes >= self.n_bins_):
            raise ValueError(f"X holds codes outside [0, n_bins_) = [0, {self.n_bins_.tolist()})")
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
            [f"{name}_{b}" for name, n in zip(names, self.n_bins_, strict=True) for b in range(n)],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        tags.input_tags.sparse = False
        return tags
