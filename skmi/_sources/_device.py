"""Rows on a device: torch tensors, cupy arrays, any array of the array API standard.

They stay where they are: validated with the array API (scikit-learn's own checks would copy
a CUDA tensor to numpy, or fail to), binned and counted there by the array-API backend, and
only count tables, edges and the sorted statistics that edges are made of come back to the
host. Results follow X back to its namespace and device.
"""

import numpy as np
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    check_consistent_length,
)

from skmi._all_pairs import code_dtype
from skmi._backends import BACKENDS, NonFiniteError
from skmi._backends._array_api import like, namespace, to_numpy
from skmi._binning import (
    _STRATEGIES,
    Binning,
    _block_edges,
    _common_edges,
    quantile_ranks,
    tied_edges,
)
from skmi._binning._rules import _SIZE_RULES, n_bins_for
from skmi._sources._kinds import is_device_array
from skmi._sources._memory import InMemory
from skmi._tables import coded_target
from skmi._validation import auto_discrete, check_target, is_discrete_target

# Values of the sample sorted at once on a device, whose sort is one call a block.
_DEVICE_BLOCK_VALUES = 2**26


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
    """``InMemory.read``'s checks for an array of another namespace (torch, cupy, ...),
    kept on its device: 2-D, real numbers as float32 or float64 (``device_floats``), enough
    samples, and for an estimator the feature count (``n_features_in_``). Finiteness is
    checked by binning, as on the numpy path."""
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


def check_device_target(y, discrete, X):
    """y (1-D) for X on a device, on X's device: a target given as numpy or a list is
    checked by ``check_target`` and moved there, labels as their index among them. A device
    target must be 1-D (or a column), of whole numbers when discrete, and finite when
    binned."""
    if not is_device_array(y):
        y = check_target(y, discrete)
        if discrete:  # each label's index among them: strings included, which no device holds
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


def is_discrete_device_target(y):
    """The "auto" rule (``is_discrete_target``) on a device array."""
    xp, _ = namespace(y)
    if xp.isdtype(y.dtype, "bool"):
        return True
    if xp.isdtype(y.dtype, "real floating") and not bool(
        xp.all(xp.isfinite(y) & (y == xp.round(y)))
    ):
        return False
    return auto_discrete(xp.unique_values(y).shape[0], y.shape[0])


def _device_bin_counts(low, high, n_bins, n_samples, columns):
    """The bin count of each of ``columns`` whose sorted sample spans [low, high], for an int,
    one int per feature, or a rule of ``_SIZE_RULES`` (which reads N alone, so the span is
    all it needs of the values)."""
    if isinstance(n_bins, str):
        spans = zip(low, high, strict=True)
        return [n_bins_for(np.array([lo, hi]), n_samples, n_bins) for lo, hi in spans]
    return [int(n_bins[j]) if np.ndim(n_bins) == 1 else int(n_bins) for j in columns]


def _device_edges(X, n_bins, strategy, discrete, rows, n_samples):
    """``fit_edges`` of an array of another namespace (torch, cupy, ...), equal to that of
    its numpy copy: each block of sample columns is sorted on its device, and only what the
    edges are made of comes back, the minimum, the maximum and the order statistics at the
    quantile ranks (``quantile_ranks``). Discrete features,
    tied columns (which may hold point masses), columns with missing values and rules that
    read the values copy their sorted sample to numpy instead, for the code of the numpy
    path (``_block_edges``)."""
    xp, dev = namespace(X)
    n_features = X.shape[1]
    copied = np.asarray(discrete, dtype=bool).copy()
    if isinstance(n_bins, str) and n_bins not in _SIZE_RULES:
        copied[:] = True
    sample = BACKENDS["array_api"].sample_columns
    n_rows = n_samples if rows is None else rows.size
    step = max(1, _DEVICE_BLOCK_VALUES // n_rows)
    edges, single = [None] * n_features, {}
    for lo in range(0, n_features, step):
        hi = min(lo + step, n_features)
        part = xp.sort(sample(X, rows, lo, hi), axis=1)
        # Tied columns may hold point masses, and columns with missing values need a bin for
        # them: their rules run on the host (``_column_edges``).
        tied = to_numpy(xp.any(part[:, 1:] == part[:, :-1], axis=1) | xp.isnan(part[:, -1]))
        on_host = np.flatnonzero(copied[lo:hi] | tied)
        if on_host.size:
            per_feature = n_bins[lo + on_host] if np.ndim(n_bins) == 1 else n_bins
            if rows is None:  # the sorted sample is every row
                host = np.ascontiguousarray(
                    to_numpy(xp.take(part, xp.asarray(on_host, device=dev), axis=0)).T
                )
            else:  # every row: categories and point masses are learnt from all of them
                host = to_numpy(xp.take(X, xp.asarray(lo + on_host, device=dev), axis=1))
            args = (strategy, np.asarray(discrete, dtype=bool)[lo + on_host], rows, n_samples)
            block, block_single = _block_edges(host, 0, on_host.size, per_feature, *args)
            for j, e in zip(on_host, block, strict=True):
                edges[lo + j] = e
            single.update({lo + on_host[j]: s for j, s in block_single.items()})
        on_device = np.flatnonzero(~(copied[lo:hi] | tied))
        if not on_device.size:
            continue
        if on_device.size < hi - lo:
            part = xp.take(part, xp.asarray(on_device, device=dev), axis=0)
        low = to_numpy(xp.astype(part[:, 0], xp.float64))
        high = to_numpy(xp.astype(part[:, -1], xp.float64))
        # Sorted, -inf comes first and NaN last: before any rule computes with them.
        if not (np.isfinite(low).all() and np.isfinite(high).all()):
            raise NonFiniteError
        ks = np.array(_device_bin_counts(low, high, n_bins, n_samples, lo + on_device))
        for k in np.unique(ks):
            group = np.flatnonzero(ks == k)
            if strategy == "quantile" and k > 1:
                ranks = quantile_ranks(n_rows, k)
                chosen = part
                if group.size < part.shape[0]:
                    chosen = xp.take(part, xp.asarray(group, device=dev), axis=0)
                stats = xp.take(chosen, xp.asarray(ranks, device=dev), axis=1)
                inner = to_numpy(xp.astype(stats, xp.float64))
            else:
                inner = _STRATEGIES[strategy](np.c_[low[group], high[group]], k)
            if k > 1:
                full, clean = _common_edges(np.c_[low[group], inner, high[group]], k, None)
            for g, j in enumerate(group):
                if k > 1 and clean[g]:
                    edges[lo + on_device[j]] = full[g]
                else:
                    row = inner[g] if k > 1 and high[j] > low[j] else inner[g, :0]
                    edges[lo + on_device[j]] = tied_edges(low[j], row, high[j])
    return edges, single


class OnDevice(InMemory):
    """Rows held as one array ``X`` of another namespace (torch, cupy, ...), where it lives.

    The operations of ``InMemory``, on X's device: edges learnt from a sort there
    (``_device_edges``), codes and tables counted there by the array-API backend, one block
    of features (its memory is the device's), and results put back in X's namespace. The
    target is learnt on the host (one value a row), as the numpy path learns it, and its
    codes sent to X's device: the tables are those of X's numpy copy, and can be added to.
    """

    backend = BACKENDS["array_api"]
    on_host = False

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
        """X checked where it lives (``check_device_X``); its missing values binned, or
        refused (``handle_missing="error"``). No encoding: device arrays hold numbers."""
        X = check_device_X(
            X,
            estimator=estimator,
            reset=reset,
            ensure_min_samples=ensure_min_samples,
            input_name=input_name,
        )
        if handle_missing == "error":
            check_device_finite(X, input_name)
        return cls(X)

    @classmethod
    def read_with_target(
        cls, X, y, discrete_target, *, estimator=None, encoding=None, handle_missing="bin"
    ):
        """The source of X (``read``; a later batch against the fitted features) and y on
        X's device (``check_device_target``), and whether y is discrete."""
        first = encoding is None
        source = cls.read(
            X,
            estimator=estimator,
            reset=first,
            ensure_min_samples=2 if first else 1,
            handle_missing=handle_missing,
        )
        check_consistent_length(source.X, y)
        y = like(y, source.X) if is_device_array(y) else y
        if discrete_target == "auto":
            rule = is_discrete_device_target if is_device_array(y) else is_discrete_target
            discrete_target = rule(y)
        discrete = bool(discrete_target)
        return source, check_device_target(y, discrete, source.X), discrete

    @staticmethod
    def check_finite(X, input_name, estimator_name=None, allow_nan=True):
        """The error scikit-learn's check would give for a value of X that is not finite."""
        check_device_finite(X, input_name, allow_nan=allow_nan)

    def learn(self, n_bins, strategy, discrete, rows=None, n_jobs=None, n_samples=None):
        """The ``Binning`` of X's columns learnt on its device (``_device_edges``), equal to
        that of its numpy copy."""
        n_samples = self.X.shape[0] if n_samples is None else n_samples
        edges, single = _device_edges(self.X, n_bins, strategy, discrete, rows, n_samples)
        return Binning(tuple(edges), np.asarray(discrete, dtype=bool), single)

    def code_target(self, y, target):
        """Codes of y under the target's bins, made from y's numpy copy (one value a row:
        y on a device holds labels as their codes already, or numbers binned as the numpy
        path bins them) and sent to X's device as int64, which device indexing wants."""
        return like(coded_target(to_numpy(y), target).astype(np.int64), self.X)

    def blocks(self, rows, cells):
        """One block of every feature: a device's memory is its own."""
        return [slice(0, self.X.shape[1])], False

    def block(self, block, transpose=False):
        return type(self)(self.X[:, block])

    def beside(self, other):
        """The source of X's columns followed by those of ``other``'s rows, on X's device."""
        xp, _ = namespace(self.X)
        X, Y = self.X, other.X
        if X.dtype != Y.dtype:  # the array API concatenates one dtype
            X, Y = xp.astype(X, xp.float64), xp.astype(Y, xp.float64)
        return type(self)(xp.concat([X, Y], axis=1))

    def columns(self, index):
        xp, _ = namespace(self.X)
        index = np.flatnonzero(index) if np.asarray(index).dtype == bool else index
        return type(self)(xp.take(self.X, like(np.asarray(index, dtype=np.int64), self.X), axis=1))

    def pair_codes(self, binning, n_values=0, dtype=None):
        """Codes (n_features, n_samples) on X's device, as the array-API backend lays
        them out (contiguous per feature already)."""
        dtype = dtype or code_dtype(max(int(binning.n_bins.max()), n_values))
        return binning.codes(self.X, dtype=dtype, backend=self.backend).T

    def one_hot(self, codes, n_bins, dense):
        """The one-hot encoding of X's ``codes``: dense on X's device, or a sparse matrix on
        the host, where scipy's live."""
        if not dense:
            return super().one_hot(to_numpy(codes), n_bins, dense)
        xp, dev = namespace(codes)
        return xp.concat(
            [
                xp.astype(codes[:, j : j + 1] == xp.arange(k, device=dev), xp.float64)
                for j, k in enumerate(n_bins.tolist())
            ],
            axis=1,
        )

    def follow(self, a):
        """A numpy result in X's namespace and on its device."""
        return like(a, self.X)

    @staticmethod
    def host(a):
        """``a``, an array beside X, as numpy."""
        return to_numpy(a)
