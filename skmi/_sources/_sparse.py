"""Rows held as a SciPy sparse matrix (CSR, CSC, COO; matrices and arrays): counted in time
proportional to their stored values.

Held as CSC, its columns' stored values contiguous. A column's implicit zeros are one value
held by many rows, a point mass whose bin is its own wherever the rows it holds make it one
(``_binning._sparse``): its edges are learnt from the stored values and the number of zeros,
its tables count the stored values and add the zeros as one count a class
(``SPARSE_BACKEND``). Every result equals the dense matrix's.

All pairs are counted from the product of the columns' indicator matrices
(``plugin_pairs``). Four operations make arrays of X's shape, one or two bytes a value, as
their use needs: the codes of the permutation tests of the columns whose tables are too
sparse for the G-test and of a batch of every pair's tables (``pair_codes``), the codes of
the greedy selection (``SPARSE_BACKEND.codes``) and the one-hot encoding (a one in every row
of every column). The codes ``transform`` returns are sparse (``codes``).
"""

import numpy as np
import scipy.sparse as sp

from skmi._backends import SPARSE_BACKEND
from skmi._backends._compiled import edge_index
from skmi._backends._sparse import missing_columns, pair_plugin, stored_codes, zero_codes
from skmi._binning import Binning, with_missing_retry
from skmi._binning._sparse import ColumnValues, sparse_edges
from skmi._blocks import table_blocks
from skmi._sources._memory import InMemory


def as_columns(X):
    """X as a CSC matrix in canonical form (duplicates summed, indices sorted), floats kept."""
    X = sp.csc_matrix(X)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def check_zeros_first(binning):
    """A ValueError unless each column's 0.0 is in its first bin, as every column of values
    >= 0 has it: sparse codes leave zeros unstored, that is coded 0."""
    zero = zero_codes(edge_index(binning.edges), binning.n_features)
    moved = np.flatnonzero(zero)
    if moved.size:
        j = int(moved[0])
        raise ValueError(
            f"X's column {j} codes the value 0.0 to bin {int(zero[j])}, not 0: sparse codes "
            "leave zeros unstored, so each column's zeros must be in its first bin (true "
            "where its values are >= 0). Give X as a dense array for its codes"
        )


class SparseColumns(InMemory):
    """Rows held as a CSC matrix ``X``: the operations of ``InMemory`` on its stored values.
    Sparse input has no columns of categories or integers past 2^53 (``encoding`` empty)."""

    backend = SPARSE_BACKEND
    accept_sparse = ("csc", "csr", "coo")

    def __init__(self, X, encoding=None, names=None):
        super().__init__(as_columns(X), encoding, names)

    @staticmethod
    def coded_columns(X, encoding):
        """X as it is: sparse input has neither categories nor integers to encode."""
        return X, {}, {} if encoding is None else encoding

    @staticmethod
    def check_finite(X, input_name, estimator_name=None, allow_nan=True):
        """scikit-learn's error for a stored value of X that is not finite (NaN allowed)."""
        InMemory.check_finite(X.data, input_name, estimator_name, allow_nan)

    def learn(self, n_bins, strategy, discrete, rows=None, n_jobs=None, n_samples=None):
        """The ``Binning`` of X's columns learnt from the stored values of its sample
        ``rows`` (None: all), equal to the dense X's (``sparse_edges``)."""
        edges, single = sparse_edges(self.X, n_bins, strategy, discrete, rows, n_samples)
        return Binning(edges, np.asarray(discrete, dtype=bool), single)

    def observed_single(self, binning, values=None):
        """``binning`` with its single-value bins read off X (or ``values``, a dense column),
        from the stored values and each column's zeros."""
        if values is not None:
            return super().observed_single(binning, values)
        counts, binning = with_missing_retry(binning, self.X, self.single_counts, self.backend)
        return binning.with_single_of(counts)

    def single_counts(self, binning):
        """``Binning.single_counts`` of X from its stored values and each column's zeros:
        the rows in each bin, and those off the bin's lower edge."""
        stored, zero = stored_codes(self.X, binning.edges)
        n_features, width = self.shape[1], int(binning.n_bins.max())
        lower = np.zeros((n_features, width))  # the lower edge of each bin
        for j, edges in enumerate(binning.edges):
            lower[j, : edges.size - 1] = edges[:-1]
        columns = np.repeat(np.arange(n_features), np.diff(self.X.indptr))
        cells = columns * width + stored
        off = ~(self.X.data == lower[columns, stored])  # a missing value is off every edge
        out = np.zeros((2, n_features * width), dtype=np.int64)
        out[0] = np.bincount(cells, minlength=out.shape[1])
        out[1] = np.bincount(cells, weights=off, minlength=out.shape[1])
        out = out.reshape(2, n_features, width)
        features = np.arange(n_features)
        zeros = self.shape[0] - np.diff(self.X.indptr)
        out[0, features, zero] += zeros
        out[1, features, zero] += zeros * (lower[features, zero] != 0.0)
        return out

    def column_values(self, columns):
        """``InMemory.column_values`` from the stored values and each column's zeros."""
        found = ColumnValues.of(self.columns(list(columns)).X) if len(columns) else None
        values = {j: found.column(i)[:2] for i, j in enumerate(columns)}
        return missing_columns(self.X), values

    def holds_infinity(self):
        """Whether a stored value of X is infinite."""
        return bool(np.isinf(self.X.data).any())

    def dense_column(self, j):
        """Column j of X as a 1-D numpy array."""
        return self.X[:, [j]].toarray()[:, 0]

    def batch_binning(self, binning):
        """``InMemory.batch_binning``: no discrete column may hold a value, a zero among
        them, that its bins were not learnt on (``column_values``)."""
        _, levels = self.column_values(np.flatnonzero(binning.discrete))
        for j, (values, _) in levels.items():
            binning.check_column_levels(j, values)
        return binning

    def blocks(self, rows, cells):
        """Slices of X's columns within the tables' budget (``table_blocks``), read as they
        are."""
        return table_blocks(self.shape[1], cells), False

    def block(self, block, transpose=False):
        """The source of X's columns ``block`` (a slice): views of its stored values."""
        X, (lo, hi) = self.X, (block.start, block.stop)
        start, stop = X.indptr[lo], X.indptr[hi]
        part = (X.data[start:stop], X.indices[start:stop], X.indptr[lo : hi + 1] - start)
        columns = sp.csc_matrix(part, shape=(X.shape[0], hi - lo), copy=False)
        columns.has_canonical_format = True  # X's own columns: no pass to check them again
        return type(self)(columns)

    def beside(self, other):
        """The source of X's columns followed by those of ``other``'s rows (dense or sparse)."""
        return type(self)(sp.hstack([self.X, sp.csc_matrix(other.X)], format="csc"))

    def columns(self, index):
        """The source of X's columns ``index`` (integers or a boolean mask)."""
        return type(self)(self.X[:, index])

    def plugin_pairs(self, other, n_bins, strategy, rows, n_jobs):
        """``InMemory.plugin_pairs`` from the product of the columns' indicator matrices
        (``pair_plugin``): no dense codes, and time that follows the co-occurring stored
        values. A dense ``other`` is taken as sparse."""
        binning = self._coded_binning(n_bins, strategy, rows, n_jobs)
        if other is None:
            other, other_binning = self, binning
        else:
            other = type(self)(other.X)
            other_binning = other._coded_binning(n_bins, strategy, rows, n_jobs)
        parts = pair_plugin(self.X, binning.edges, other.X, other_binning.edges)
        return *parts, binning

    def _coded_binning(self, n_bins, strategy, rows, n_jobs):
        """X's continuous binning from the sample ``rows``, with a bin for missing values
        where X holds some outside the sample (``with_missing_retry``)."""
        binning = self.learn(n_bins, strategy, np.zeros(self.shape[1], dtype=bool), rows, n_jobs)
        _, binning = self._stored_codes(binning)
        return binning

    def _stored_codes(self, binning):
        """``stored_codes`` of X, and the binning they were made with
        (``with_missing_retry``)."""
        return with_missing_retry(
            binning, self.X, lambda b: stored_codes(self.X, b.edges), self.backend
        )

    def codes(self, binning, dtype=np.int64):
        """Bin codes of X as a CSR matrix (its stored values' codes; 0 elsewhere), and the
        binning that gave them (``check_zeros_first``)."""
        check_zeros_first(binning)
        (stored, _), binning = self._stored_codes(binning)
        X = self.X
        codes = sp.csc_matrix((stored.astype(dtype), X.indices, X.indptr), shape=X.shape)
        codes.eliminate_zeros()
        return codes.tocsr(), binning

    def one_hot(self, codes, n_bins, dense):
        """The one-hot encoding of X's sparse ``codes`` (``InMemory.one_hot``)."""
        return super().one_hot(codes.toarray(), n_bins, dense)
