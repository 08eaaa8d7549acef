"""Validation of inputs, the one sequence every entry point runs: a 2-D float array (float32
kept; integers that float64 cannot hold encoded exactly), at least two samples, a target of
the right kind, and the checks ``validate_params`` cannot express (per-feature bins, discrete
masks, log base).

Finiteness is not checked here but by the passes that read every value anyway: the sort that
learns edges and the kernels that bin (``finite_checked_by_binning``).
"""

import math
from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.utils import assert_all_finite, check_array
from sklearn.utils.validation import check_consistent_length, column_or_1d, validate_data

from skmi._backends import NonFiniteError, is_device_array
from skmi._backends._array_api import like, namespace
from skmi._categories import (
    Categories,
    categorical_mask,
    category_columns,
    missing_mask,
    with_codes,
)
from skmi._device_validation import check_device_finite, check_device_X, device_floats
from skmi._integers import encode, integer_columns, learn_encoding
from skmi._params import MAX_N_BINS

_FLOATS = [np.float64, np.float32]


def check_X(
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
    ``validate_data`` when an estimator is given (feature names and counts), and the
    encoding of its integer columns that float64 cannot hold (``_integers``): learnt, or
    ``encoding`` as given (a fitted one, for new data). Whether X is finite is checked by
    binning it, in a ``finite_checked_by_binning`` block; its missing values are binned, or
    refused (``handle_missing="error"``, ``refuse_missing``). Returns X and the encoding.

    An array of another namespace (torch, cupy, ...) stays where it is (``check_device_X``),
    with no encoding."""
    if is_device_array(X):
        X = check_device_X(
            X,
            estimator=estimator,
            reset=reset,
            ensure_min_samples=ensure_min_samples,
            input_name=input_name,
        )
        return refuse_missing(X, {}, handle_missing, input_name, estimator), {}
    X, raw, encoding = _coded_columns(X, encoding)
    numeric = _numeric(encoding)
    # A copy where columns are to be encoded: X's own values must stay untouched.
    params = dict(
        dtype=_FLOATS,
        ensure_min_samples=ensure_min_samples,
        ensure_all_finite=False,
        copy=bool(numeric),
    )
    if estimator is None:
        X = check_array(X, input_name=input_name, **params)
    else:
        X = validate_data(estimator, X, reset=reset, **params)
    X = refuse_missing(X, encoding, handle_missing, input_name, estimator)
    return encode(X, raw, numeric), encoding


def refuse_missing(X, encoding, handle_missing, input_name="X", estimator=None):
    """X, checked to hold no missing value where ``handle_missing`` is "error": no NaN (the
    check scikit-learn's validation makes, worded as it words it) and no missing category;
    as it is where they are binned ("bin"), with no pass over X."""
    if handle_missing == "bin":
        return X
    name = None if estimator is None else type(estimator).__name__
    with quiet_finite_check():
        if is_device_array(X):
            check_device_finite(X, input_name)
        else:
            assert_all_finite(X, estimator_name=name, input_name=input_name)
    if any(isinstance(code, Categories) and code.missing for code in encoding.values()):
        raise ValueError(
            f"Input {input_name} contains a missing category (None, NaN or pd.NA) and "
            'handle_missing="error"; give handle_missing="bin" to count them in a bin of '
            "their own"
        )
    return X


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


def check_X_y(estimator, X, y, discrete_target, *, encoding=None, handle_missing="bin"):
    """X as ``check_X`` makes it (with its encoding) and y as ``check_target`` does, for an
    estimator's fit; ``discrete_target`` "auto" is decided from y (``is_discrete_target``).
    Returns X, y, whether y is discrete, and X's integer encoding. With a fitted
    ``encoding`` (a later batch of ``partial_fit``), X is checked against the fitted
    features rather than reset, and one sample is enough. An array of another namespace
    (torch, cupy, ...) is checked where it lives (``check_device_X``). Missing values in X
    are binned, or refused (``handle_missing="error"``, ``refuse_missing``)."""
    if is_device_array(X):
        X = refuse_missing(check_device_X(X, estimator=estimator), {}, handle_missing)
        check_consistent_length(X, y)
        y = like(y, X) if is_device_array(y) else y
        discrete = is_discrete_target(y) if discrete_target == "auto" else bool(discrete_target)
        return X, check_device_target(y, discrete, X), discrete, {}
    first = encoding is None
    X, raw, encoding = _coded_columns(X, encoding)
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
    )
    X = refuse_missing(X, encoding, handle_missing, "X", estimator)
    discrete = is_discrete_target(y) if discrete_target == "auto" else bool(discrete_target)
    return encode(X, raw, numeric), check_target(y, discrete), discrete, encoding


def check_X_target(X, y, discrete_target, handle_missing="bin"):
    """X, y and X's encoding for a score function: ``check_X`` and ``check_target``, of one
    length."""
    X, encoding = check_X(X, handle_missing=handle_missing)
    if is_device_array(X):
        check_consistent_length(X, y)
        return X, check_device_target(y, discrete_target, X), encoding
    y = check_target(y, discrete_target)
    check_consistent_length(X, y)
    return X, y, encoding


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


def check_base(base):
    """ln(base) to divide nats by (None: nats, 1)."""
    return 1.0 if base is None else np.log(base)


def discrete_mask(discrete_features, n_features, encoding=None, names=None):
    """Boolean mask of discrete columns from scikit-learn's ``discrete_features`` forms, or
    column ``names`` (X's, ``column_names``), with the columns of categories of X's
    ``encoding`` (``check_X``), which are discrete whatever it says."""
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


@contextmanager
def finite_checked_by_binning(estimator_name=None, **arrays):
    """Run code that bins every value of ``arrays`` (by name, as validated with
    ``ensure_all_finite=False``), letting the binning check that they are finite.

    The sort that learns edges and the kernels that bin read every value anyway, and report
    one that is infinite (``NonFiniteError``; a missing value is binned, in a bin of its
    own); scikit-learn's own check then words the error, as its validation would have. That
    spares a pass over X: numpy's sum of it, 49 of 339 ms at 1e6 x 100.
    """
    try:
        yield
    except NonFiniteError:
        with quiet_finite_check():
            for name, array in arrays.items():
                if is_device_array(array):
                    check_device_finite(array, name, allow_nan=True)
                else:
                    assert_all_finite(
                        array, allow_nan=True, estimator_name=estimator_name, input_name=name
                    )
        raise


def is_discrete_target(y):
    """'auto' rule: categories if y is not numeric (bools, strings, objects), or is integer-
    valued with at most sqrt(N) distinct values; otherwise continuous and binned.

    Integrality is checked directly rather than with ``type_of_target``, which casts huge
    floats to int and warns.
    """
    if is_device_array(y):
        xp, _ = namespace(y)
        if xp.isdtype(y.dtype, "bool"):
            return True
        if xp.isdtype(y.dtype, "real floating") and not bool(
            xp.all(xp.isfinite(y) & (y == xp.round(y)))
        ):
            return False
        return xp.unique_values(y).shape[0] <= max(2, math.sqrt(y.shape[0]))
    y = np.asarray(y)
    if y.dtype.kind not in "iuf":
        return True
    if y.dtype.kind == "f" and not np.all(np.isfinite(y) & (y == np.round(y))):
        return False
    return np.unique(y).size <= max(2, np.sqrt(y.size))


def check_device_target(y, discrete, X):
    """``check_target`` for a target beside an array X of another namespace, on X's device.

    A target given as numpy or a list is checked by ``check_target``; as labels it is
    replaced by each label's index among them (strings included, which no device holds),
    the codes it would get anyway. A device target must be 1-D (or a column), of whole
    numbers when discrete, and finite when binned.
    """
    if not is_device_array(y):
        y = check_target(y, discrete)
        if discrete:
            y = np.unique(y, return_inverse=True)[1].reshape(-1)
        return like(y, X)
    y = like(y, X)
    xp, _ = namespace(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = xp.reshape(y, (-1,))
    if y.ndim != 1:
        raise ValueError(
            f"y should be a 1d array, got an array of shape {tuple(y.shape)} instead."
        )
    if discrete:
        if xp.isdtype(y.dtype, "real floating") and not bool(
            xp.all(xp.isfinite(y) & (y == xp.round(y)))
        ):
            raise ValueError(
                "y must hold class labels (ints, bools or whole floats) for a discrete "
                "target, got values that are not whole numbers; bin a continuous target with "
                "histogram_mi_regression or discrete_target=False"
            )
        return y
    y = device_floats(y, "y")
    check_device_finite(y, "y")
    return y
