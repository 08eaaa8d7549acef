"""The checks ``validate_params`` cannot express, whatever the source of the rows: per-feature
bin counts, discrete masks, the log base, and the rules of a target (labels or finite numbers,
the "auto" rule). Reading X itself is the sources' (``_sources``).
"""

import math
from numbers import Integral

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import column_or_1d

from skmi._binning._categories import categorical_mask, missing_mask
from skmi._binning._integers import encode, integer_columns, learn_encoding
from skmi._params import MAX_N_BINS

_FLOATS = [np.float64, np.float32]


def check_target(y, discrete):
    """y as a 1-D array: labels when discrete, finite numbers when binned.

    Float labels must be whole numbers, as scikit-learn's classifiers require; checked here
    directly, since ``type_of_target`` casts huge floats to int with a RuntimeWarning. A
    missing value (NaN, None, ``pd.NA``) is an error: unlike a feature's, a row's target
    cannot be a bin of its own without changing what is estimated.
    """
    y = column_or_1d(y, warn=True)
    missing = missing_mask(y)
    if missing.any():
        raise ValueError(
            f"y holds a missing value (at row {np.flatnonzero(missing)[0]}); MI with a "
            "target needs the target of every row: drop the rows without one"
        )
    if not discrete:
        # Binned like a feature, integers past 2^53 included (``_integers``).
        column = y.reshape(-1, 1)
        raw = integer_columns(column)
        with quiet_finite_check():
            column = check_array(
                column, dtype=_FLOATS, input_name="y", ensure_all_finite=True, copy=bool(raw)
            )
        return encode(column, raw, learn_encoding(raw))[:, 0]
    if y.dtype.kind == "f":
        fractional = ~np.isfinite(y) | (y != np.round(y))
        if fractional.any():
            raise ValueError(
                "y must hold class labels (ints, bools, strings or whole floats) for a "
                f"discrete target, got {y[fractional][0]!r}; bin a continuous target with "
                "histogram_mi_regression or discrete_target=False"
            )
    return y


def check_n_bins(n_bins, n_features):
    """An int, a rule name, or one int >= 2 per feature (returned as an int array)."""
    if isinstance(n_bins, (str, Integral)):
        return n_bins
    per_feature = np.asarray(n_bins)
    if per_feature.shape != (n_features,) or per_feature.dtype.kind not in "iu":
        raise ValueError(
            f"n_bins must be an int, a rule name or {n_features} ints (one per feature), "
            f"got {n_bins!r}"
        )
    if (per_feature < 2).any() or (per_feature > MAX_N_BINS).any():
        raise ValueError(f"n_bins must be in [2, {MAX_N_BINS}] for every feature, got {n_bins!r}")
    return per_feature


def log_of_base(base):
    """ln(base) to divide nats by (None: nats, 1)."""
    return 1.0 if base is None else np.log(base)


def discrete_mask(discrete_features, n_features, encoding=None, names=None):
    """Boolean mask of discrete columns from scikit-learn's ``discrete_features`` forms, or
    column ``names`` (X's, ``column_names``), with the columns of categories of X's
    ``encoding`` (``_sources.read``), which are discrete whatever it says."""
    categories = categorical_mask(encoding or {}, n_features)
    return _given_mask(discrete_features, n_features, names) | categories


def _given_mask(discrete_features, n_features, names):
    """``discrete_mask`` of the forms alone."""
    if isinstance(discrete_features, str):  # "auto": dense input is continuous, as in sklearn
        return np.zeros(n_features, dtype=bool)
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(n_features, bool(discrete_features))
    given = np.asarray(discrete_features)
    if given.dtype.kind in "OU" and given.ndim == 1:
        given = _name_indices(given, names)
    if given.dtype == bool:
        if given.shape != (n_features,):
            raise ValueError(
                f"discrete_features as a mask must have {n_features} entries, got {given.shape[0]}"
            )
        return given
    if given.ndim != 1 or given.dtype.kind not in "iu":
        raise ValueError(
            "discrete_features must be 'auto', a bool, a boolean mask, column indices or "
            f"column names, got {discrete_features!r}"
        )
    if given.size and (given.min() < -n_features or given.max() >= n_features):
        raise ValueError(
            f"discrete_features indices must be in [-{n_features}, {n_features}), "
            f"got {discrete_features!r}"
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[given] = True
    return mask


def _name_indices(given, names):
    """The indices of the columns named in ``given`` among X's column ``names``."""
    if names is None:
        raise ValueError(
            "discrete_features as column names needs X with column names (a pandas or "
            f"polars frame), got {given.tolist()!r}"
        )
    index = {name: j for j, name in enumerate(names)}
    unknown = [name for name in given.tolist() if name not in index]
    if unknown:
        raise ValueError(
            f"discrete_features names {unknown!r}, not columns of X; its columns are "
            f"{list(names)!r}"
        )
    return np.array([index[name] for name in given.tolist()], dtype=np.intp)


def quiet_finite_check():
    """Silence numpy around scikit-learn's finiteness check of the input.

    Its fast path sums X, and the sum of finite values near the float limit overflows to
    inf (or nan): numpy warns before the exact element-wise check clears the data.
    """
    return np.errstate(over="ignore", invalid="ignore")


def is_discrete_target(y):
    """'auto' rule: categories if y is not numeric (bools, strings, objects), or is integer-
    valued with at most sqrt(N) distinct values; otherwise continuous and binned.

    Integrality is checked directly rather than with ``type_of_target``, which casts huge
    floats to int and warns.
    """
    y = np.asarray(y)
    if y.dtype.kind not in "iuf":
        return True
    if y.dtype.kind == "f" and not np.all(np.isfinite(y) & (y == np.round(y))):
        return False
    return auto_discrete(np.unique(y).size, y.size)


def auto_discrete(n_distinct, n_samples):
    """The "auto" rule on whole numbers (of any source): categories when they take at most
    sqrt(N) distinct values."""
    return n_distinct <= max(2, math.sqrt(n_samples))
