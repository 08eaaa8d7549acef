"""Columns of categories: strings, objects, and pandas and polars categoricals.

Such a column is discrete without being told: each of its distinct values is a bin of its
own, whatever ``discrete_features`` says. Its values are encoded, before X becomes a float
array, as their index among the column's distinct values, sorted as strings so that any mix
of types sorts; a missing value (None, NaN, ``pd.NA``) is a category of its own, after the
others. Strings that spell numbers ("1.5") in an otherwise numeric array are numbers, as
scikit-learn reads them.

New data (``transform``, later batches of ``partial_fit``) are encoded with the fitted
categories; a value that is not one of them is an error, as ``OneHotEncoder``'s default
``handle_unknown="error"`` has it: its bin would be a guess.
"""

from dataclasses import dataclass

import numpy as np


def _is_missing(value):
    """Whether ``value`` is None, a float NaN or pandas' NA."""
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, (float, np.floating)) and value != value


def missing_mask(values):
    """Which of the 1-D ``values`` are missing: NaN in a float array, None, NaN or
    ``pd.NA`` in an object one."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(values.shape, dtype=bool)
    return np.fromiter((_is_missing(v) for v in values), dtype=bool, count=values.size)


def _keys(values):
    """Each value as a string, and the mask of the missing ones."""
    values = np.asarray(values, dtype=object)
    return np.array([str(v) for v in values], dtype=object), missing_mask(values)


@dataclass(frozen=True, eq=False)
class Categories:
    """Encode as the index of the value among the fitted ``labels`` (sorted strings); a
    missing value as ``labels.size`` when missing values were seen (``missing``)."""

    labels: np.ndarray
    missing: bool

    @classmethod
    def learn(cls, values):
        keys, missing = _keys(values)
        return cls(np.unique(keys[~missing]).astype(object), bool(missing.any()))

    def encode(self, values):
        keys, missing = _keys(values)
        position = np.searchsorted(self.labels, keys[~missing])
        found = position < self.labels.size
        found[found] = self.labels[position[found]] == keys[~missing][found]
        if not found.all() or (missing.any() and not self.missing):
            unknown = keys[~missing][~found][0] if not found.all() else "a missing value"
            raise ValueError(
                f"X holds the category {unknown!r}, which is not one of the categories "
                f"{self.labels.tolist()!r} it was fitted with; fit with every category"
            )
        codes = np.full(keys.size, float(self.labels.size))
        codes[~missing] = position
        return codes

    def decode(self, edges):
        """Edges are reported as codes: the index of each category among ``labels``."""
        return edges


def _columns(X):
    """Each column of a pandas or polars frame as a numpy array, and whether its type is a
    categorical one; None for an array (whose columns share one type)."""
    if hasattr(X, "iloc"):
        return [
            (X.iloc[:, j].to_numpy(), str(X.dtypes.iloc[j]) == "category")
            for j in range(X.shape[1])
        ]
    if hasattr(X, "to_series"):
        return [
            (X.to_series(j).to_numpy(), str(X.dtypes[j]).startswith(("Categorical", "Enum")))
            for j in range(X.shape[1])
        ]
    return None


def _numbers(values):
    """Whether every value reads as a number."""
    try:
        np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


def category_columns(X):
    """The columns of X (an array or a pandas or polars frame) that hold categories, by
    index: ``{j: values}``."""
    if not hasattr(X, "shape") and not isinstance(X, (list, tuple)):
        return {}
    columns = _columns(X)
    if columns is None:
        values = np.asarray(X)
        if values.ndim != 2 or values.dtype.kind not in "OSU":
            return {}
        columns = [(column, False) for column in values.T]
    return {
        j: values
        for j, (values, categorical) in enumerate(columns)
        if categorical or (values.dtype.kind in "OSU" and not _numbers(values))
    }


def with_codes(X, columns, encoding):
    """X with each column of ``columns`` (``category_columns``) replaced by its codes under
    ``encoding``: a frame of the same type and column names, or a float array."""
    for j in columns:
        if not isinstance(encoding.get(j), Categories):
            raise ValueError(
                f"X's column {j} holds categories, but it was fitted as numbers; fit anew"
            )
    codes = {j: encoding[j].encode(values) for j, values in columns.items()}
    if hasattr(X, "iloc"):
        X = X.copy()
        for j, column in codes.items():
            X.isetitem(j, column)
        return X
    if hasattr(X, "to_series"):
        series = type(X.to_series(0))
        return X.with_columns([series(X.columns[j], column) for j, column in codes.items()])
    values = np.asarray(X)
    out = np.empty(values.shape, dtype=np.float64)
    for j in range(values.shape[1]):
        out[:, j] = codes[j] if j in codes else values[:, j].astype(np.float64)
    return out


def column_names(X):
    """X's column names when it is a frame whose names are all strings (as scikit-learn
    takes ``feature_names_in_``), else None."""
    names = getattr(X, "columns", None)
    if names is None or not all(isinstance(name, str) for name in names):
        return None
    return np.asarray(list(names), dtype=object)


def categorical_mask(encoding, n_features):
    """Which of ``n_features`` columns ``encoding`` takes as categories."""
    mask = np.zeros(n_features, dtype=bool)
    mask[[j for j, code in encoding.items() if isinstance(code, Categories)]] = True
    return mask
