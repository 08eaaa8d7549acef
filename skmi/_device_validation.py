"""Validation of arrays of other namespaces (torch, cupy, any array-API array), which stay
on their device: the checks ``_validation.check_X`` runs through scikit-learn for numpy
input, written with the array API (scikit-learn's own would copy a CUDA tensor to numpy, or
fail to).
"""

from sklearn.utils.validation import _check_feature_names, _check_n_features

from skmi._backends._array_api import namespace


def check_device_finite(array, input_name, allow_nan=False):
    """A ValueError worded as scikit-learn's, if ``array`` (of any namespace) holds NaN
    (unless allowed) or infinity."""
    xp, _ = namespace(array)
    if not allow_nan and bool(xp.any(xp.isnan(array))):
        raise ValueError(f"Input {input_name} contains NaN.")
    if bool(xp.any(xp.isinf(array))):
        raise ValueError(f"Input {input_name} contains infinity.")


def device_floats(a, input_name):
    """``a`` (of any namespace) as float32 or float64 where it is, detached from torch's
    autograd graph: float32 and float64 kept, narrower floats (float16, bfloat16) widened to
    float32 and integers or booleans to float64, exactly; integers past 2^53, which float64
    cannot hold, are refused (the numpy path encodes them exactly)."""
    xp, _ = namespace(a)
    if getattr(a, "requires_grad", False):  # activations straight from a model: no graph
        a = a.detach()
    if a.dtype in (xp.float32, xp.float64):
        return a
    if xp.isdtype(a.dtype, ("integral", "bool")):
        if (
            xp.isdtype(a.dtype, "integral")
            and a.shape[0]
            and a.ndim
            and bool((xp.max(a) > 2**53) | (xp.min(a) < -(2**53)))
        ):
            raise ValueError(
                f"{input_name} holds integers past 2^53, which float64 cannot hold exactly; "
                "pass it as a numpy array, whose path encodes them exactly"
            )
        return xp.astype(a, xp.float64)
    if not xp.isdtype(a.dtype, "complex floating"):
        try:
            if xp.finfo(a.dtype).bits < 32:
                return xp.astype(a, xp.float32)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{input_name} must hold real numbers, got dtype {a.dtype}")


def check_device_X(X, *, estimator=None, reset=True, ensure_min_samples=2, input_name="X"):
    """``check_X`` for an array of another namespace (torch, cupy, ...), kept on its device:
    2-D, real numbers as float32 or float64 (``device_floats``), enough samples, and for an
    estimator the feature count (``n_features_in_``). Finiteness is checked by binning, as
    on the numpy path."""
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-dimensional {input_name}, got an array of shape {tuple(X.shape)}"
        )
    n_samples, n_features = X.shape
    if n_samples < ensure_min_samples:
        raise ValueError(
            f"Found array with {n_samples} sample(s) (shape={tuple(X.shape)}) while a "
            f"minimum of {ensure_min_samples} is required."
        )
    if n_features < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={tuple(X.shape)}) while a minimum of 1 "
            "is required."
        )
    X = device_floats(X, input_name)
    if estimator is not None:
        _check_feature_names(estimator, X, reset=reset)
        _check_n_features(estimator, X, reset=reset)
    return X
