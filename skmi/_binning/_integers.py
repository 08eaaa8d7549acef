"""Integers that float64 cannot hold, binned exactly.

skmi bins in float64, whose 53-bit significand holds every integer up to 2^53 but not beyond:
2^60 and 2^60 + 1 are one float64, so a column alternating between them would be one bin
and read no information, whatever it predicts. Such columns (nanosecond timestamps, large
IDs, 64-bit hashes) are encoded before their conversion to float, in the integer domain:

- **shifted** by their minimum when their range is below 2^53: exact, and every strategy and
  bin-count rule sees the same differences as on the values (nanosecond timestamps spanning
  up to 104 days, IDs in a narrow band);
- **ranked** among their distinct values otherwise (hashes spread over 64 bits): exact in
  order, so quantile bins and categories are those of the values, while equal-width bins and
  the width rules work on the ranks.

Edges are reported in the values' own units (as the nearest float64), and new data are
encoded with the fitted encoding, so that they fall in the bins their values belong to.
"""

from dataclasses import dataclass

import numpy as np

from skmi._binning import object_array

# Every integer of magnitude up to 2^53 is a float64.
_EXACT = 2**53


@dataclass(frozen=True)
class Shift:
    """Encode as value - lo, exact for values within 2^53 of lo."""

    lo: int

    def encode(self, values):
        if values.dtype.kind in "iu":
            low, high = int(values.min()), int(values.max())
            # Vectorised where every difference is exact in the column's own type.
            if values.dtype.kind == "i" and -(2**63) <= low - self.lo and high - self.lo < 2**63:
                return np.subtract(values, np.int64(self.lo), dtype=np.int64).astype(np.float64)
            if values.dtype.kind == "u" and low >= self.lo:
                return np.subtract(values, np.uint64(self.lo), dtype=np.uint64).astype(np.float64)
            return np.array([v - self.lo for v in values.tolist()], dtype=np.float64)
        return values.astype(np.float64) - self.lo

    def decode(self, edges):
        return edges + self.lo


@dataclass(frozen=True, eq=False)
class Ranks:
    """Encode as the rank among the fitted distinct ``values``; a value between two of them
    ranks half-way, so that it falls in the bin its value belongs to."""

    values: np.ndarray

    def encode(self, values):
        position = np.searchsorted(self.values, values)
        found = self.values[np.minimum(position, self.values.size - 1)] == values
        return np.where(found, position, position - 0.5).astype(np.float64)

    def decode(self, edges):
        return np.interp(edges, np.arange(self.values.size), self.values.astype(np.float64))


def integer_columns(X):
    """The integer columns of X (an array or a pandas or polars frame) holding values past
    2^53, by index: ``{j: values}``."""
    if hasattr(X, "iloc"):  # pandas: each column keeps its own dtype
        columns = [X.iloc[:, j].to_numpy() for j in range(X.shape[1])]
    elif hasattr(X, "to_series"):  # polars
        columns = [X.to_series(j).to_numpy() for j in range(X.shape[1])]
    else:
        values = np.asarray(X)
        if values.ndim != 2 or values.dtype.kind not in "iu":
            return {}
        columns = list(values.T)
    return {
        j: column
        for j, column in enumerate(columns)
        if column.dtype.kind in "iu"
        and column.size
        and max(abs(int(column.min())), abs(int(column.max()))) > _EXACT
    }


def learn_encoding(columns):
    """``Shift`` or ``Ranks`` for each of ``columns`` (``integer_columns``)."""
    encoding = {}
    for j, values in columns.items():
        low, high = int(values.min()), int(values.max())
        encoding[j] = Shift(low) if high - low < _EXACT else Ranks(np.unique(values))
    return encoding


def decoded_edges(edges, encoding):
    """Each feature's edges in its values' own units: decoded where the feature was
    encoded."""
    return [encoding[j].decode(e) if j in encoding else e for j, e in enumerate(edges)]


def reported_edges(edges, encoding):
    """``bin_edges_`` as the estimators report them: each feature's edges in its values'
    units (``decoded_edges``), in a 1-D object array, as scikit-learn's ``bin_edges_``."""
    return object_array(decoded_edges(edges, encoding))


def encode(X, raw, encoding):
    """X (converted to float, owned by the caller) with each encoded column replaced by its
    encoding of the raw integers (``integer_columns``), or of X's own values where the
    column came without integers."""
    for j, code in encoding.items():
        X[:, j] = code.encode(raw[j] if j in raw else X[:, j])
    return X
