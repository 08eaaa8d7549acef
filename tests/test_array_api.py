"""Tests of the array-API path: torch, cupy and array-api-strict arrays are binned, counted
and reduced where they live, and every result equals the numpy path's, in the input's
namespace and on its device.

array-api-strict runs everywhere (it is in the test extra); torch on its CPU wherever it is
installed, and torch on CUDA and cupy where a GPU is present; the others skip.
"""

import importlib.util

import array_api_strict
import numpy as np
import pytest
from sklearn import config_context
from sklearn.externals.array_api_compat import array_namespace, device
from sklearn.utils.estimator_checks import check_array_api_input

from skmi import (
    EntropyBinner,
    HistogramMI,
    MISelector,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)
from skmi._backends import BACKENDS, _array_api
from skmi._binning import Binning, object_array
from skmi._sources import OnDevice
from skmi._sources._device import check_device_X

try:
    import torch
except ImportError:  # an optional extra: its tests skip
    torch = None
_HAS_TORCH = torch is not None
_HAS_CUPY = importlib.util.find_spec("cupy") is not None


def _cuda():
    return _HAS_TORCH and torch.cuda.is_available()


NAMESPACES = [
    pytest.param("array_api_strict", None, id="array_api_strict"),
    pytest.param(
        "torch",
        "cpu",
        id="torch-cpu",
        marks=pytest.mark.skipif(not _HAS_TORCH, reason="torch is not installed"),
    ),
    pytest.param(
        "torch", "cuda", id="torch-cuda", marks=pytest.mark.skipif(not _cuda(), reason="no CUDA")
    ),
    pytest.param(
        "cupy", None, id="cupy", marks=pytest.mark.skipif(not _HAS_CUPY, reason="no cupy")
    ),
]


def _to(a, name, dev):
    """``a`` (numpy) as an array of the namespace ``name`` on device ``dev``."""
    a = np.asarray(a)
    if name == "array_api_strict":
        return array_api_strict.asarray(a)
    if name == "torch":
        return torch.asarray(a, device=dev)
    import cupy

    return cupy.asarray(a)


def _numpy(a):
    """A numpy copy of an array of any of the tested namespaces."""
    if hasattr(a, "get"):  # cupy
        return a.get()
    if hasattr(a, "detach"):  # torch
        return a.detach().cpu().numpy()
    return np.from_dlpack(a).copy()


def _assert_beside(out, X):
    """Check that ``out`` is in X's namespace and on X's device."""
    assert array_namespace(out) is array_namespace(X)
    assert device(out) == device(X)


def _data(n_samples=1500, seed=0):
    """Continuous columns with dependence, ties, a heavy tail and a constant; a target."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n_samples)
    X = np.c_[
        x,
        x + rng.normal(size=n_samples),
        np.round(rng.normal(size=n_samples) * 2),
        rng.standard_cauchy(n_samples),
        np.ones(n_samples),
    ]
    return X, x + 0.5 * rng.normal(size=n_samples)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
@pytest.mark.parametrize("n_bins", ["adaptive", 7, "balanced", "fd"])
@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mi_regression_equals_numpy(name, dev, n_bins, strategy, dtype):
    """Check MI with a continuous target against the numpy path to 1e-12, on the input's
    namespace and device, with a subsample learning the edges."""
    X, y = _data()
    X = X.astype(dtype)
    params = dict(n_bins=n_bins, strategy=strategy, subsample=1000)
    expected = histogram_mi_regression(X, y, **params)
    got = histogram_mi_regression(_to(X, name, dev), _to(y, name, dev), **params)
    _assert_beside(got, _to(X, name, dev))
    np.testing.assert_allclose(_numpy(got), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
@pytest.mark.parametrize("correction", ["miller-madow", "chance", None])
@pytest.mark.parametrize("normalize", [None, "arithmetic", "correlation"])
def test_mi_classif_equals_numpy(name, dev, correction, normalize):
    """Check MI with class labels (given on the device, or as strings on the host) against
    the numpy path, with discrete features among the columns."""
    X, y = _data()
    labels = np.digitize(y, [-0.5, 0.5])
    params = dict(correction=correction, normalize=normalize, discrete_features=[2], base=2)
    if correction == "chance":  # a grid's correction
        params["n_bins"] = "adaptive"
    expected = histogram_mi_classif(X, labels, **params)
    X_dev = _to(X, name, dev)
    for target in (_to(labels, name, dev), np.array(["a", "b", "c"])[labels]):
        got = histogram_mi_classif(X_dev, target, **params)
        _assert_beside(got, X_dev)
        np.testing.assert_allclose(_numpy(got), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
@pytest.mark.parametrize("n_bins", [5, "hacine-gharbi", "knuth"])
def test_entropy_equals_numpy(name, dev, n_bins):
    """Check the entropy of each binned column against the numpy path."""
    X, _ = _data()
    expected = histogram_entropy(X, n_bins=n_bins, correction="miller-madow")
    got = histogram_entropy(_to(X, name, dev), n_bins=n_bins, correction="miller-madow")
    _assert_beside(got, _to(X, name, dev))
    np.testing.assert_allclose(_numpy(got), expected, rtol=1e-12)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
@pytest.mark.parametrize("correction", ["miller-madow", "chance", None])
@pytest.mark.parametrize("normalize", [None, "arithmetic"])
@pytest.mark.parametrize("with_y", [False, True])
def test_pairwise_equals_numpy(name, dev, correction, normalize, with_y):
    """Check all-pairs MI (symmetric, and X against Y given on the host) against the numpy
    path; the symmetric plug-in matrix is exactly symmetric (each pair reduced once)."""
    X, y = _data()
    Y = np.c_[y, X[:, 0] ** 3] if with_y else None
    params = dict(n_bins=6, correction=correction, normalize=normalize)
    expected = pairwise_histogram_mi(X, Y, **params)
    got = pairwise_histogram_mi(_to(X, name, dev), Y, **params)
    _assert_beside(got, _to(X, name, dev))
    got = _numpy(got)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    if not with_y and correction is None:
        np.testing.assert_array_equal(got, got.T)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_pairwise_tiles_equal_one_tile(name, dev, monkeypatch):
    """Check that all pairs computed in many small tiles of columns (and edges, codes and
    counts in many blocks) equal the numpy path: the tiling loses and doubles no pair."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 11))
    X[:, 1::2] += X[:, ::2][:, :5]
    expected = pairwise_histogram_mi(X, n_bins=4)
    expected_y = pairwise_histogram_mi(X, X[:, :3], n_bins=4)
    monkeypatch.setattr(_array_api, "_PAIR_TILE_ROWS", 12)  # three columns of 4 bins
    monkeypatch.setattr(_array_api, "_BLOCK_VALUES", 1000)  # two columns a block
    monkeypatch.setattr("skmi._sources._device._DEVICE_BLOCK_VALUES", 1000)
    X_dev = _to(X, name, dev)
    np.testing.assert_allclose(_numpy(pairwise_histogram_mi(X_dev, n_bins=4)), expected, 1e-12)
    got_y = _numpy(pairwise_histogram_mi(X_dev, X[:, :3], n_bins=4))
    np.testing.assert_allclose(got_y, expected_y, rtol=1e-12)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("n_bins", [3, 40, 5000, "sturges", "scott"])
def test_edges_and_codes_equal_numpy(name, dev, strategy, n_bins):
    """Check that edges learnt on the device equal the numpy path's exactly (ties, a
    constant column, a discrete one, float32, more bins than samples) and so do codes."""
    X, _ = _data(800)
    discrete = np.array([False, False, True, False, False])
    for values in (X, X.astype(np.float32)):
        expected = Binning.learn(values, n_bins, strategy, discrete)
        source = OnDevice(_to(values, name, dev))
        got = source.learn(n_bins, strategy, discrete)
        assert got == expected
        codes, _ = source.codes(got)
        np.testing.assert_array_equal(_numpy(codes), expected.codes(values))


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_histogram_mi_estimator_follows_x(name, dev):
    """Check HistogramMI fitted on device arrays: every fitted array but the ragged
    ``bin_edges_`` in X's namespace and device, and every value equal to the numpy fit,
    p-values from permutations included (a sparse table at N = 60)."""
    X, y = _data(60)
    est = HistogramMI(n_bins=6, n_permutations=30, random_state=1).fit(X, y)
    attributes = ["scores_", "pvalues_", "standard_errors_", "entropy_", "target_entropy_"]
    expected = {a: getattr(est, a) for a in [*attributes, "n_bins_", "target_n_bins_"]}
    edges = est.bin_edges_
    X_dev = _to(X, name, dev)
    est.fit(X_dev, _to(y, name, dev))
    for attribute, value in expected.items():
        _assert_beside(getattr(est, attribute), X_dev)
        np.testing.assert_allclose(_numpy(getattr(est, attribute)), value, rtol=1e-12)
    for got, want in zip(est.bin_edges_, edges, strict=True):
        np.testing.assert_array_equal(got, want)
    assert est.n_features_in_ == 5


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_entropy_binner_follows_x(name, dev):
    """Check EntropyBinner on device arrays: entropies, codes, dense one-hot and inverse
    transform in X's namespace and equal to numpy's; the sparse one-hot on the host."""
    X, _ = _data(300)
    X_dev = _to(X, name, dev)
    for encode in ("ordinal", "onehot-dense"):
        binner = EntropyBinner(n_bins=5, encode=encode)
        expected = binner.fit_transform(X)
        entropy = binner.entropy_
        back = binner.inverse_transform(expected)
        got = binner.fit(X_dev).transform(X_dev)
        _assert_beside(got, X_dev)
        _assert_beside(binner.entropy_, X_dev)
        np.testing.assert_array_equal(_numpy(got), expected)
        np.testing.assert_allclose(_numpy(binner.entropy_), entropy, rtol=1e-12)
        inverse = binner.inverse_transform(got)
        _assert_beside(inverse, X_dev)
        np.testing.assert_array_equal(_numpy(inverse), back)
    binner = EntropyBinner(n_bins=5, encode="onehot").fit(X_dev)
    np.testing.assert_array_equal(
        binner.transform(X_dev).toarray(),
        EntropyBinner(n_bins=5).set_params(encode="onehot-dense").fit_transform(X),
    )


@pytest.mark.parametrize("estimator", [HistogramMI(), EntropyBinner()], ids=repr)
def test_estimators_declare_array_api_support(estimator):
    """Check that the estimators with a device path say so in their tags."""
    assert estimator.__sklearn_tags__().array_api_support


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_array_api_dispatch_keeps_results(name, dev, monkeypatch):
    """Check that scikit-learn's array_api_dispatch changes nothing: device input keeps its
    namespace and numpy input its numpy results, the same values either way."""
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    X, y = _data(500)
    X_dev, y_dev = _to(X, name, dev), _to(y, name, dev)
    expected = histogram_mi_regression(X, y, n_bins=8)
    est = HistogramMI(n_bins=8)
    with config_context(array_api_dispatch=True):
        got = histogram_mi_regression(X_dev, y_dev, n_bins=8)
        numpy_got = histogram_mi_regression(X, y, n_bins=8)
        est.fit(X_dev, y_dev)
    _assert_beside(got, X_dev)
    _assert_beside(est.scores_, X_dev)
    assert isinstance(numpy_got, np.ndarray)
    np.testing.assert_allclose(_numpy(got), expected, rtol=1e-12)
    np.testing.assert_allclose(_numpy(est.scores_), expected, rtol=1e-12)
    np.testing.assert_array_equal(numpy_got, expected)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_pair_counts_are_exact_past_bfloat16(name, dev, monkeypatch):
    """Check that all-pairs tables hold exact counts far above 256 per cell, where a
    bfloat16 output would round them (to multiples of 8 from 1024), through the namespace's
    own product and through float32 products over several tiles of rows."""
    rng = np.random.default_rng(4)
    n = 5003  # odd, so that no cell count is a round number
    codes = rng.integers(0, 3, size=(4, n))
    expected = np.stack(
        [
            np.stack([np.bincount(a * 3 + b, minlength=9).reshape(3, 3) for b in codes])
            for a in codes
        ]
    )
    assert expected.max() > 1024
    codes_dev = _to(codes, name, dev)
    xp = array_namespace(codes_dev)
    for dtype in {
        xp.int8 if _array_api._int8_products(xp) else xp.float32,
        xp.float32,
    }:
        hot = _array_api.one_hot(codes_dev, 3, dtype)
        for rows in (2**24, 1000):  # one tile, and six exact float32 tiles
            monkeypatch.setattr(_array_api, "_FLOAT32_EXACT_ROWS", rows)
            counts = _numpy(_array_api.one_hot_products(hot, hot))[:12, :12]
            counts = counts.reshape(4, 3, 4, 3).transpose(0, 2, 1, 3)
            np.testing.assert_array_equal(counts, expected)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_backend_counts_equal_reference_on_device(name, dev):
    """Check the array-API backend's counts on device codes against the numpy reference."""
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 6, size=(3000, 4))
    z, y = rng.integers(0, 3, 3000), rng.integers(0, 2, 3000)
    backend, reference = BACKENDS["array_api"], BACKENDS["numpy"]
    codes_dev = _to(codes, name, dev)
    np.testing.assert_array_equal(
        backend.count_codes(codes_dev, _to(y, name, dev), 6, 2),
        reference.count_codes(codes, y, 6, 2),
    )
    np.testing.assert_array_equal(
        backend.count_codes_3(codes_dev, _to(z, name, dev), _to(y, name, dev), 6, 3, 2),
        reference.count_codes_3(codes, z, y, 6, 3, 2),
    )


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_are_refused(name, dev, bad):
    """Check that infinity in X, and NaN or infinity in y, give scikit-learn's wording of
    the error, and that NaN in X is binned as numpy bins it (a bin of missing values)."""
    X, y = _data(100)
    X[17, 3] = bad
    word = "NaN" if np.isnan(bad) else "infinity"
    if np.isnan(bad):
        expected = histogram_mi_regression(X, y)
        got = histogram_mi_regression(_to(X, name, dev), _to(y, name, dev))
        np.testing.assert_allclose(_numpy(got), expected, rtol=1e-12)
        expected = pairwise_histogram_mi(X)
        np.testing.assert_allclose(_numpy(pairwise_histogram_mi(_to(X, name, dev))), expected)
    else:
        with pytest.raises(ValueError, match=f"Input X contains {word}"):
            histogram_mi_regression(_to(X, name, dev), _to(y, name, dev))
        with pytest.raises(ValueError, match=f"Input X contains {word}"):
            pairwise_histogram_mi(_to(X, name, dev))
    X, y = _data(100)
    y[3] = bad
    with pytest.raises(ValueError, match=f"Input y contains {word}"):
        histogram_mi_regression(_to(X, name, dev), _to(y, name, dev))


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_bad_shapes_and_types_are_refused(name, dev):
    """Check the errors for a 1-D X, one sample, complex values, huge integers and
    fractional labels, each naming what is wrong."""
    X, y = _data(100)
    with pytest.raises(ValueError, match="Expected a 2-dimensional X"):
        histogram_mi_regression(_to(y, name, dev), y)
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        histogram_entropy(_to(X[:1], name, dev))
    with pytest.raises(TypeError, match="X must hold real numbers, got dtype"):
        histogram_entropy(_to(X.astype(np.complex128), name, dev))
    with pytest.raises(ValueError, match="X holds integers past 2\\^53"):
        histogram_entropy(_to(np.array([[2**60], [1]], dtype=np.int64), name, dev))
    with pytest.raises(ValueError, match="not whole numbers"):
        histogram_mi_classif(_to(X, name, dev), _to(y, name, dev))


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
def test_integer_and_narrow_float_input(name, dev):
    """Check that integer X is binned as its float64 values and float16 X (where the
    namespace has it) as its exact float32 values, as on the numpy path."""
    rng = np.random.default_rng(6)
    integers = rng.integers(-50, 50, size=(300, 3))
    expected = histogram_entropy(integers, n_bins=6)
    np.testing.assert_allclose(
        _numpy(histogram_entropy(_to(integers, name, dev), n_bins=6)), expected, rtol=1e-12
    )
    if name == "array_api_strict":  # the standard has no float16
        return
    halves = rng.normal(size=(300, 3)).astype(np.float16)
    expected = histogram_entropy(halves.astype(np.float32), n_bins=6)
    np.testing.assert_allclose(
        _numpy(histogram_entropy(_to(halves, name, dev), n_bins=6)), expected, rtol=1e-12
    )


@pytest.mark.skipif(not _HAS_TORCH, reason="torch is not installed")
def test_torch_bfloat16_activations():
    """Check that bfloat16 activations (as language models hold them) are binned as their
    exact float32 values."""
    X, _ = _data(400)
    X16 = torch.asarray(X, dtype=torch.bfloat16)
    expected = pairwise_histogram_mi(X16.float().numpy(), n_bins=5)
    np.testing.assert_allclose(pairwise_histogram_mi(X16, n_bins=5).numpy(), expected, 1e-12)


def test_only_arrays_of_other_namespaces_take_the_device_path():
    """Check which inputs the array-API backend counts: not numpy arrays, lists, frames or
    sparse matrices, which keep the numpy path."""
    import pandas as pd
    import scipy.sparse as sp

    from skmi._backends import BACKEND, SPARSE_BACKEND
    from skmi._sources import InMemory, OnDevice, SparseColumns, kind_of

    for data in (np.ones((3, 2)), [[1.0, 2.0]], pd.DataFrame({"a": [1.0]})):
        assert kind_of(data) is InMemory
        assert kind_of(data).backend is BACKEND
    assert kind_of(sp.eye(2).tocsr()) is SparseColumns
    assert SparseColumns.backend is SPARSE_BACKEND
    assert kind_of(array_api_strict.ones((3, 2))) is OnDevice
    assert OnDevice.backend is BACKENDS["array_api"]


def test_float32_edges_bin_float32_values_as_float64_edges_do():
    """Check that float32 values fall on the same side of the rounded-up edges as of the
    float64 edges, next to each edge, at the extremes of float32's range and beyond it."""
    rng = np.random.default_rng(7)
    edges = np.concatenate(
        [rng.normal(size=200) * 10.0 ** rng.integers(-30, 30, 200), [0.0, 1e300, -1e300, 0.1]]
    )
    single = _array_api.float32_edges(edges)
    with np.errstate(over="ignore"):  # edges past float32's range round to +-inf
        near = edges.astype(np.float32)
        values = np.concatenate(
            [
                near,
                np.nextafter(near, np.float32(np.inf)),
                np.nextafter(near, np.float32(-np.inf)),
                [np.finfo(np.float32).max, -np.finfo(np.float32).max, 0.0],
            ]
        ).astype(np.float32)
    values = values[np.isfinite(values)]
    np.testing.assert_array_equal(
        values[:, None] >= single[None, :], values[:, None].astype(np.float64) >= edges[None, :]
    )


def _edges_hidden(cls):
    """``cls`` with ``bin_edges_`` kept as a tuple: scikit-learn's check scans the fitted
    numpy arrays, and an object array of ragged edges can be in no other namespace."""

    class Hidden(cls):
        @property
        def bin_edges_(self):
            return object_array(list(self._edges))

        @bin_edges_.setter
        def bin_edges_(self, value):
            self._edges = tuple(value)

    Hidden.__name__ = cls.__name__
    return Hidden


@pytest.mark.parametrize("cls", [EntropyBinner, HistogramMI])
@pytest.mark.parametrize(
    ("name", "dev", "dtype"),
    [
        ("array_api_strict", None, "float64"),
        pytest.param(
            "torch",
            "cpu",
            "float32",
            marks=pytest.mark.skipif(not _HAS_TORCH, reason="torch is not installed"),
        ),
    ],
)
def test_scikit_learn_array_api_check(cls, name, dev, dtype, monkeypatch):
    """Check scikit-learn's own array-API check of fitted attributes and method outputs
    (namespace, device, shape, dtype), which runs only with SCIPY_ARRAY_API set, on every
    attribute but ``bin_edges_``."""
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check_array_api_input(cls.__name__, _edges_hidden(cls)(), name, dev, dtype)


@pytest.mark.skipif(not _HAS_TORCH, reason="torch is not installed")
def test_torch_activations_that_require_grad():
    """Check that a tensor tracked by autograd (activations straight from a model) is
    measured as its values, with no graph built on it."""
    X, y = _data(300)
    tracked = torch.asarray(X).requires_grad_(True)
    assert not check_device_X(tracked).requires_grad
    got = pairwise_histogram_mi(tracked, n_bins=4)
    assert not got.requires_grad
    np.testing.assert_allclose(got.numpy(), pairwise_histogram_mi(X, n_bins=4), rtol=1e-12)
    scores = HistogramMI(n_bins=4).fit(tracked, torch.asarray(y)).scores_
    np.testing.assert_allclose(scores.numpy(), HistogramMI(n_bins=4).fit(X, y).scores_, 1e-12)


@pytest.mark.parametrize(("name", "dev"), NAMESPACES)
@pytest.mark.parametrize("method", ["univariate", "cmim", "jmi"])
def test_selector_on_arrays_of_other_namespaces(name, dev, method):
    """Check that MISelector takes the array-API input its HistogramMI takes (it raised
    IndexError or AttributeError): the scores come from the device, the selection (the
    greedy codes included) is made on the host, with the numpy input's results."""
    X, y = _data(300)
    expected = MISelector(k=2, method=method).fit(X, y)
    got = MISelector(k=2, method=method).fit(_to(X, name, dev), _to(y, name, dev))
    np.testing.assert_array_equal(got.get_support(), expected.get_support())
    np.testing.assert_array_equal(got.ranking_, expected.ranking_)
    np.testing.assert_allclose(got.scores_, expected.scores_, rtol=1e-12)
