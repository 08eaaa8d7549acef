"""Rows held as a SciPy sparse matrix (CSR, CSC, COO; matrices and arrays): counted in time
proportional to their stored values.

Read as CSC, its columns' stored values contiguous. A column's implicit zeros are one value
held by many rows, a point mass whose bin is its own wherever the rows it holds make it one
(``_binning._sparse``): its edges are learnt from the stored values and the number of zeros,
its tables count the stored values and add the zeros as one count a class
(``SPARSE_BACKEND``). Every result equals the dense matrix's.

A CSR matrix (what ``TfidfVectorizer`` and ``CountVectorizer`` give) is copied to CSC only
when a column is first read: where its columns hold few distinct values (counts, flags,
one-hot codes), the one pass over its rows that codes the target also counts each column's
distinct values in each class (``ValueTable``), and its edges and tables come from those
(the copy took 0.18 s of 0.77 on 100,000 x 30,000 Zipfian counts, the pass takes 0.06).

All pairs are counted from the product of the columns' indicator matrices
(``plugin_pairs``). Four operations make arrays of X's shape, one or two bytes a value, as
their use needs: the codes of the permutation tests of the columns whose tables are too
sparse for the G-test and of a batch of every pair's tables (``pair_codes``), the codes of
the greedy selection (``SPARSE_BACKEND.codes``) and the one-hot encoding (a one in every row
of every column). The codes ``transform`` returns are sparse (``codes``).
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from skmi._backends import SPARSE_BACKEND, NonFiniteError, count_dtype, target_dtype
from skmi._backends._common import n_x_of
from skmi._backends._compiled import edge_index
from skmi._backends._sparse import missing_columns, pair_plugin, stored_codes, zero_codes
from skmi._binning import Binning, with_missing_retry
from skmi._binning._sparse import ColumnValues, sparse_edges
from skmi._blocks import table_blocks
from skmi._kernels._sparse import csr_value_counts, value_table_counts
from skmi._sources._kinds import is_sparse_rows
from skmi._sources._memory import InMemory
from skmi._tables import CountTables, added, table_guard


def as_columns(X):
    """X as a CSC matrix in canonical form (duplicates summed, indices sorted), floats kept."""
    return _canonical(sp.csc_matrix(X))


def _canonical(X):
    """Compressed ``X`` with duplicates summed and indices sorted: itself, or a copy."""
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def column_block(X, block):
    """The columns ``block`` (a slice) of canonical CSC ``X``: views of its stored values."""
    lo, hi = block.start, block.stop
    start, stop = X.indptr[lo], X.indptr[hi]
    part = (X.data[start:stop], X.indices[start:stop], X.indptr[lo : hi + 1] - start)
    columns = sp.csc_matrix(part, shape=(X.shape[0], hi - lo), copy=False)
    columns.has_canonical_format = True  # X's own columns: no pass to check them again
    return columns


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


# Stored values 0, 1, 2 and 3 are counted by column and value directly, the others in a hash
# table (``csr_value_counts``).
_SMALL_VALUES = 4


class ValueTable(NamedTuple):
    """The distinct values of each column of a sparse matrix, sorted, its zeros among them,
    with how often each occurs in each class of a target: column j's are
    ``values[starts[j]:starts[j + 1]]`` (in X's type), found ``counts[...]`` times by class
    (n_values, n_y); ``missing[j]``: its missing values (NaN) by class, not among them. All
    that the edges (``ColumnValues``) and the joint tables of the columns read."""

    values: np.ndarray
    counts: np.ndarray
    starts: np.ndarray
    missing: np.ndarray

    @classmethod
    def of_rows(cls, X, y_codes, n_y):
        """The table of CSR ``X`` against the target codes ``y_codes`` (``n_y`` values), from
        one pass over its rows (``csr_value_counts``); None where its columns hold more
        distinct values than fit in the memory of the matrix's own storage (TF-IDF weights,
        continuous values: a copy to CSC and a sort serve those)."""
        n_columns = X.shape[1]
        storage = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
        per_column = (_SMALL_VALUES + 1) * n_y * 8
        if n_columns * per_column > storage:
            return None
        small = np.zeros((n_columns, _SMALL_VALUES, n_y), dtype=np.int64)
        missing = np.zeros((n_columns, n_y), dtype=np.int64)
        y_codes = np.ascontiguousarray(y_codes, dtype=target_dtype(n_y))
        found = csr_value_counts(
            X.data,
            X.indices,
            X.indptr.astype(np.int64),
            y_codes,
            n_columns,
            n_y,
            max(1024, (storage - n_columns * per_column) // (8 * n_y + 16)),
            small,
            missing,
        )
        if found is None:
            return None
        columns, values, counts = found
        # The implicit zeros of each column and class: the class's rows less those it stores.
        stored = small.sum(axis=1) + missing
        np.add.at(stored, columns, counts)
        small[:, 0] += np.bincount(y_codes, minlength=n_y) - stored
        held, value = np.nonzero(small.any(axis=2))
        columns = np.concatenate((columns, held))
        values = np.concatenate((values, value.astype(np.float64)))
        counts = np.concatenate((counts, small[held, value]))
        order = np.lexsort((values, columns))
        starts = np.concatenate(([0], np.cumsum(np.bincount(columns, minlength=n_columns))))
        return cls(values[order].astype(X.dtype), counts[order], starts, missing)

    def column_values(self):
        """The ``ColumnValues`` the edges are learnt from: the counts summed over classes."""
        values = self.values.astype(np.float64, copy=False)
        return ColumnValues(values, self.counts.sum(axis=1), self.starts, self.missing.sum(axis=1))

    def columns(self, block):
        """The table of the columns ``block`` (a slice)."""
        lo, hi = self.starts[block.start], self.starts[block.stop]
        part = slice(lo, hi)
        starts = self.starts[block.start : block.stop + 1] - lo
        return ValueTable(self.values[part], self.counts[part], starts, self.missing[block])

    def tables(self, edges, n_samples):
        """Joint tables (n_features, n_x, n_y) of the columns binned by ``edges``: each value's
        counts in its bin (``value_table_counts``); ``NonFiniteError`` where a value is
        infinite, or missing without a bin."""
        n_features, n_y = len(self.starts) - 1, self.counts.shape[1]
        out = np.zeros((n_features, n_x_of(edges), n_y), dtype=count_dtype(n_samples))
        index = edge_index(edges)
        if not value_table_counts(self.values, self.starts, self.counts, self.missing, index, out):
            raise NonFiniteError
        return out


class SparseColumns(InMemory):
    """Rows held as a sparse matrix, read as the CSC matrix ``X``: the operations of
    ``InMemory`` on its stored values. Sparse input has no columns of categories or integers
    past 2^53 (``encoding`` empty).

    A CSR matrix is kept as it is until ``X`` is first read; ``target`` counts its columns'
    values against the target codes it makes (``counted``: the codes and their
    ``ValueTable``), and ``learn``, ``block`` and ``count_joint`` read that table instead of
    X. A block of such a source reads its columns of the whole source's ``X`` when it needs
    them.
    """

    backend = SPARSE_BACKEND
    accept_sparse = ("csc", "csr", "coo")

    def __init__(self, X, encoding=None, names=None):
        self.encoding = {} if encoding is None else encoding
        self.names = names
        self._shape = X.shape
        self._rows = _canonical(X) if is_sparse_rows(X) else None
        self._columns = None if self._rows is not None else as_columns(X)
        self._whole, self._block = None, None  # a block's source and columns: its X's
        self.counted = None  # the target's codes and the ValueTable counted against them

    @property
    def X(self):
        """The rows as a canonical CSC matrix, copied from the rows held when first read."""
        if self._columns is None:
            if self._whole is not None:
                self._columns = column_block(self._whole.X, self._block)
            else:
                self._columns = as_columns(self._rows)
        return self._columns

    @property
    def shape(self):
        return self._shape

    def target(self, y, discrete, n_bins, strategy, rows):
        """``InMemory.target``; for rows held as CSR, with every row in the sample, each
        column's values counted against the codes in the same call (``counted``), where
        they are few enough (``ValueTable.of_rows``)."""
        codes, n_y, learnt = super().target(y, discrete, n_bins, strategy, rows)
        if rows is None and self._columns is None and self._rows is not None:
            table = ValueTable.of_rows(self._rows, codes, n_y)
            self.counted = None if table is None else (codes, table)
        return codes, n_y, learnt

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
        ``rows`` (None: all), equal to the dense X's (``sparse_edges``): from the values
        ``counted``, where every row is in the sample."""
        if rows is None:
            counted = self.counted is not None
            found = self.counted[1].column_values() if counted else ColumnValues.of(self.X)
            full = None
        else:
            found = ColumnValues.of(sp.csc_matrix(self.X[rows.astype(np.intp)]))
            full = ColumnValues.of(self.X)
        n_samples = self.shape[0] if n_samples is None else n_samples
        edges, single = sparse_edges(found, full, n_bins, strategy, discrete, n_samples)
        return Binning(edges, np.asarray(discrete, dtype=bool), single)

    def count_joint(self, binning, y_codes, n_y, n_jobs, n_bins, tables=None):
        """``InMemory.count_joint``: from the values ``counted`` against ``y_codes``, where
        they were; otherwise from X's stored values (and so where a missing value has no
        bin yet, which ``with_missing_retry`` adds)."""
        if self.counted is not None and self.counted[0] is y_codes:
            table_guard(binning.n_features, int(binning.n_bins.max()), n_y, n_bins)
            try:
                counts = self.counted[1].tables(binning.edges, self.shape[0])
                return added(tables, CountTables(counts)), binning
            except NonFiniteError:
                pass
        return super().count_joint(binning, y_codes, n_y, n_jobs, n_bins, tables)

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
        """The source of X's columns ``block`` (a slice): views of its stored values, or, for
        values ``counted``, their part of the table (X's columns read when needed)."""
        if self.counted is None:
            return type(self)(column_block(self.X, block))
        part = object.__new__(type(self))
        part.encoding, part.names = {}, None
        part._shape = (self.shape[0], block.stop - block.start)
        part._rows = part._columns = None
        part._whole, part._block = self, block
        codes, table = self.counted
        part.counted = (codes, table.columns(block))
        return part

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
