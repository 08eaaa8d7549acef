"""Rows in memory: numpy arrays, and what becomes one (pandas and polars frames, lists).

Validated as scikit-learn validates (``validate_data``: feature names and counts), into a
2-D float array (float32 kept; integers that float64 cannot hold and columns of categories
encoded exactly, ``_integers`` and ``_categories``), and counted by the compiled kernels.
Finiteness is not checked here but by the passes that read every value anyway: the sort
that learns edges and the kernels that bin (``finite_checked_by_binning``).
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils import assert_all_finite, check_array
from sklearn.utils.validation import check_consistent_length, validate_data

from skmi._all_pairs import add_pair_tables, coded_pairs, pair_codes
from skmi._backends import BACKEND
from skmi._binning import Binning
from skmi._binning._categories import Categories, category_columns, column_names, with_codes
from skmi._binning._integers import encode, integer_columns, learn_encoding
from skmi._blocks import block_of, feature_blocks
from skmi._tables import (
    CountTables,
    coded_target,
    count_histograms,
    count_joint,
    learn_target,
    sample_rows,
    target_n_bins,
)
from skmi._validation import check_target, is_discrete_target, quiet_finite_check

_FLOATS = [np.float64, np.float32]


class InMemory:
    """Rows held as one numpy array ``X`` (n_samples, n_features), with the ``encoding`` of
    its integer columns past 2^53 and of its columns of categories (``read``).

    The operations of every source (``_sources``): learn a binning, cut X into blocks of
    features, count tables, code rows, and put a result where X lives.
    """

    backend = BACKEND
    # The rows are at hand: fit learns, counts and scores a block of features at a time.
    one_pass = True
    # The rows are numpy (or SciPy sparse) on the host.
    on_host = True
    # The sparse formats validation takes (False: none; ``SparseColumns``).
    accept_sparse = False

    def __init__(self, X, encoding=None, names=None):
        self.X = X
        self.encoding = {} if encoding is None else encoding
        self.names = names  # X's column names, when a frame's are all strings

    @property
    def shape(self):
        return self.X.shape

    @classmethod
    def read(
        cls,
        X,
        *,
        estimator=None,
        reset=True,
        ensure_min_samples=2,
        input_name="X",
        encoding=None,
        handle_missing="bin",
    ):
        """X as a 2-D float array (float32 stays float32: no upcast copy), through
        ``validate_data`` when an estimator is given (feature names and counts), with the
        encoding of its integer columns that float64 cannot hold and of its columns of
        categories: learnt, or ``encoding`` as given (a fitted one, for new data). Its
        missing values are binned, or refused (``handle_missing="error"``)."""
        names = column_names(X)
        X, raw, encoding = cls.coded_columns(X, encoding)
        numeric = _numeric(encoding)
        # A copy where columns are to be encoded: X's own values must stay untouched.
        params = dict(
            dtype=_FLOATS,
            ensure_min_samples=ensure_min_samples,
            ensure_all_finite=False,
            copy=bool(numeric),
            accept_sparse=cls.accept_sparse,
        )
        if estimator is None:
            X = check_array(X, input_name=input_name, **params)
        else:
            X = validate_data(estimator, X, reset=reset, **params)
        refuse_missing(X, encoding, handle_missing, input_name, estimator)
        return cls(encode(X, raw, numeric), encoding, names)

    @classmethod
    def read_with_target(
        cls, X, y, discrete_target, *, estimator=None, encoding=None, handle_missing="bin"
    ):
        """The source of X (``read``) and y as ``check_target`` makes it, of one length;
        ``discrete_target`` "auto" decided from y (``is_discrete_target``). Returns the
        source, y, and whether y is discrete. With a fitted ``encoding`` (a later batch of
        ``partial_fit``), X is checked against the fitted features rather than reset, and
        one sample is enough."""
        if estimator is None:
            source = cls.read(X, handle_missing=handle_missing)
            discrete = _decided(y, discrete_target)
            y = check_target(y, discrete)
            check_consistent_length(source.X, y)
            return source, y, discrete
        first = encoding is None
        names = column_names(X)
        X, raw, encoding = cls.coded_columns(X, encoding)
        numeric = _numeric(encoding)
        X, y = validate_data(
            estimator,
            X,
            y,
            reset=first,
            dtype=_FLOATS,
            ensure_min_samples=2 if first else 1,
            ensure_all_finite=False,
            copy=bool(numeric),
            accept_sparse=cls.accept_sparse,
        )
        refuse_missing(X, encoding, handle_missing, "X", estimator)
        discrete = _decided(y, discrete_target)
        source = cls(encode(X, raw, numeric), encoding, names)
        return source, check_target(y, discrete), discrete

    @staticmethod
    def coded_columns(X, encoding):
        """X, before validation, with its columns of categories and its integers past 2^53
        encoded, their raw integers and the encoding (``_coded_columns``)."""
        return _coded_columns(X, encoding)

    @staticmethod
    def check_finite(X, input_name, estimator_name=None, allow_nan=True):
        """scikit-learn's error for a value of X that is not finite (NaN allowed)."""
        with quiet_finite_check():
            assert_all_finite(
                X, allow_nan=allow_nan, estimator_name=estimator_name, input_name=input_name
            )

    def learn(self, n_bins, strategy, discrete, rows=None, n_jobs=None, n_samples=None):
        """The ``Binning`` of X's columns learnt from its sample ``rows`` (None: all)."""
        return Binning.learn(self.X, n_bins, strategy, discrete, rows, n_jobs, n_samples)

    def learn_bins(
        self,
        n_bins,
        strategy,
        discrete,
        subsample,
        random_state,
        n_jobs=None,
        *,
        binning=None,
        y=None,
        discrete_target=None,
        target_n_bins=None,
        target=None,
    ):
        """The bins of a first batch, from its sample rows (``subsample``): X's, unless
        given (``binning``), and, with a target y, the target's (``learn_target``), unless
        given (``target``). Returns them and whether y is discrete."""
        rows = sample_rows(self.shape[0], subsample, random_state)
        if binning is None:
            binning = self.learn(n_bins, strategy, discrete, rows, n_jobs)
        if y is not None and target is None:
            target = learn_target(self.host(y), discrete_target, target_n_bins, strategy, rows)
        return binning, target, discrete_target

    def target(self, y, discrete, n_bins, strategy, rows):
        """The target's codes (``code_target``), their number of values and its bins,
        learnt from its sample ``rows`` (``learn_target``)."""
        learnt = learn_target(self.host(y), discrete, n_bins, strategy, rows)
        return self.code_target(y, learnt), target_n_bins(learnt), learnt

    def code_target(self, y, target):
        """Codes of y under the target's bins (``coded_target``)."""
        return coded_target(y, target)

    def observed_single(self, binning, values=None):
        """``binning`` with its single-value bins read off X (or ``values``, a column)."""
        column = self.host(self.X) if values is None else self.host(values).reshape(-1, 1)
        return binning.observed_single(column)

    def single_counts(self, binning):
        """What ``binning.with_single_of`` reads off X's rows (``Binning.single_counts``)."""
        return binning.single_counts(self.X)

    def column_values(self, columns):
        """Which of X's columns hold a missing value, and the distinct values of
        ``columns`` other than missing ones, with their counts ``{j: (values, counts)}``."""
        values = {}
        for j in columns:
            v, n = np.unique(self.X[:, j], return_counts=True)
            present = ~np.isnan(v)
            values[j] = v[present], n[present]
        return np.isnan(self.X).any(axis=0), values

    def holds_infinity(self):
        """Whether a value of X is infinite."""
        return bool(np.isinf(self.X).any())

    def dense_column(self, j):
        """Column j of X as a 1-D numpy array."""
        return self.X[:, j]

    def batch_binning(self, binning):
        """The binning to count a later batch with: ``binning``, once no discrete feature
        holds a value its bins were not learnt on (``Binning.check_levels``); a column's
        first missing values gain their bin as they are counted (``with_missing_retry``)."""
        binning.check_levels(self.X)
        return binning

    def blocks(self, rows, cells):
        """Slices of X's columns to take through the stages one at a time, and whether to
        read each as a transposed copy (``feature_blocks``)."""
        return feature_blocks(self.X, rows, cells)

    def block(self, block, transpose=False):
        """The source of X's columns ``block`` (a slice), read as ``block_of`` reads them."""
        return type(self)(block_of(self.X, block, transpose))

    def beside(self, other):
        """The source of X's columns followed by those of ``other``'s rows."""
        return type(self)(np.hstack([self.X, other.X]), self.encoding)

    def columns(self, index):
        """The source of X's columns ``index`` (integers or a boolean mask)."""
        return type(self)(self.X[:, index])

    def count_joint(self, binning, y_codes, n_y, n_jobs, n_bins, tables=None):
        """Joint ``CountTables`` of X's columns with the target codes, added into
        ``tables`` where given (earlier batches'), and the binning they were counted with
        (``count_joint``)."""
        return count_joint(self.X, binning, y_codes, n_y, n_jobs, n_bins, self.backend, tables)

    def count_target(self, binning, y, target, n_jobs, n_bins, tables=None):
        """``count_joint`` with y, coded under the target's bins ``target``."""
        y_codes = self.code_target(y, target)
        n_y = target_n_bins(target)
        return self.count_joint(binning, y_codes, n_y, n_jobs, n_bins, tables)

    def count_histograms(self, binning, n_jobs, n_bins, tables=None):
        """Histogram ``CountTables`` of X's columns, added into ``tables`` where given, and
        the binning they were counted with."""
        return count_histograms(self.X, binning, n_jobs, n_bins, self.backend, tables)

    def count_pairs(self, tables, binning, n_jobs):
        """``tables`` (None: new ones) with the table of every pair of X's columns added,
        and the binning they were counted with (``add_pair_tables``)."""
        counts = None if tables is None else tables.counts
        counts, binning = add_pair_tables(counts, self, binning, n_jobs)
        return CountTables(counts), binning

    def plugin_pairs(self, other, n_bins, strategy, rows, n_jobs):
        """Plug-in MI and occupied cells of every pair of X's columns with ``other``'s
        (None: X's), the histograms, and X's binning learnt from the sample ``rows``
        (``coded_pairs``)."""
        return coded_pairs(self, other, n_bins, strategy, rows, n_jobs)

    def codes(self, binning, dtype=np.int64):
        """Bin codes of X, and the binning that gave them (``Binning.coded``)."""
        return binning.coded(self.X, dtype, self.backend)

    def pair_codes(self, binning, n_values=0, dtype=None):
        """Codes (n_features, n_samples), contiguous per feature (``pair_codes``)."""
        return pair_codes(self.X, binning, n_values, dtype, self.backend)

    def one_hot(self, codes, n_bins, dense):
        """The one-hot encoding of X's ``codes`` (``n_bins`` a feature): a sparse CSR
        matrix, or dense. A missing value of a column fit saw none in (coded ``n_bins[j]``)
        has no column of its own: all zeros."""
        offsets = np.concatenate(([0], np.cumsum(n_bins)[:-1]))
        seen = codes < n_bins
        onehot = sp.csr_matrix(
            (
                np.ones(int(seen.sum())),
                (codes + offsets)[seen],
                np.concatenate(([0], np.cumsum(seen.sum(axis=1)))),
            ),
            shape=(codes.shape[0], int(n_bins.sum())),
        )
        return onehot.toarray() if dense else onehot

    def follow(self, a):
        """A numpy result where X lives: as it is."""
        return a

    @staticmethod
    def host(a):
        """``a``, an array beside X, as numpy: as it is."""
        return a


def refuse_missing(X, encoding, handle_missing, input_name="X", estimator=None):
    """Where ``handle_missing`` is "error", a ValueError for a missing value in X: a NaN
    (the check scikit-learn's validation makes, worded as it words it) or a missing
    category. Where they are binned ("bin"), no pass over X."""
    if handle_missing == "bin":
        return
    name = None if estimator is None else type(estimator).__name__
    with quiet_finite_check():
        assert_all_finite(X, estimator_name=name, input_name=input_name)
    refuse_missing_categories(encoding, input_name)


def refuse_missing_categories(encoding, input_name):
    """A ValueError where a column of categories of ``encoding`` held a missing one."""
    if any(isinstance(code, Categories) and code.missing for code in encoding.values()):
        raise ValueError(
            f"Input {input_name} contains a missing category (None, NaN or pd.NA) and "
            'handle_missing="error"; give handle_missing="bin" to count them in a bin of '
            "their own"
        )


def _decided(y, discrete_target):
    """Whether y is taken as categories: as given, or by the "auto" rule."""
    return (
        is_discrete_target(np.asarray(y)) if discrete_target == "auto" else bool(discrete_target)
    )


def _coded_columns(X, encoding):
    """X with its columns of categories replaced by their codes (``_categories``), its
    integer columns that float64 cannot hold (``_integers``), and the encoding of both:
    learnt, or ``encoding`` as given (a fitted one, for new data)."""
    raw = integer_columns(X)
    categories = category_columns(X)
    if encoding is None:
        learnt = {j: Categories.learn(values) for j, values in categories.items()}
        encoding = {**learn_encoding(raw), **learnt}
    if categories:
        X = with_codes(X, categories, encoding)
    return X, raw, encoding


def _numeric(encoding):
    """The integer encodings of ``encoding`` (columns of categories are coded already)."""
    return {j: code for j, code in encoding.items() if not isinstance(code, Categories)}
