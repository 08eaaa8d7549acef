"""Tests of the sources of rows (``skmi._sources``): every entry point takes every source, or
refuses it with a clear error, and gives on each the numpy array's results.

One table of entry points, one of sources, and one test over their product: a new source
(or entry point) is one new row, and what it does not support is written down here.
"""

import importlib.util

import array_api_strict
import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from skmi import (
    EntropyBinner,
    HistogramMI,
    MISelector,
    PairwiseHistogramMI,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)
from skmi._sources import DaskChunks, InMemory, OnDevice, SparseColumns, kind_of

_HAS_DASK = importlib.util.find_spec("dask") is not None
N = 300


def _data():
    rng = np.random.default_rng(21)
    X = rng.normal(size=(N, 4))
    X[:, 1] += X[:, 0]
    X[:, 3] = np.round(X[:, 3])  # ties
    y = X[:, 0] + 0.5 * rng.normal(size=N)
    labels = (X[:, 1] > 0).astype(int)
    return X, y, labels


def _numpy(a):
    """A numpy copy of an output of any source (device arrays, dask arrays, sparse)."""
    if hasattr(a, "compute"):
        a = a.compute()
    if hasattr(a, "toarray"):
        return a.toarray()
    if isinstance(a, np.ndarray):
        return a
    return np.from_dlpack(a).copy()


def _dask(X):
    import dask.array as da

    return da.from_array(X, chunks=(N // 3, -1))


def _dask_sparse(X):
    import dask.array as da

    return da.from_array(sp.csr_matrix(X), chunks=(N // 3, -1), asarray=False)


SOURCES = {
    "numpy": lambda X: X,
    "list": lambda X: X.tolist(),
    "pandas": lambda X: pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]),
    "polars": lambda X: pl.DataFrame({f"f{j}": X[:, j] for j in range(X.shape[1])}),
    "array_api": array_api_strict.asarray,
    "dask": _dask,
    "scipy.sparse": sp.csr_array,
    "dask of sparse chunks": _dask_sparse,
}

_X, _Y, _LABELS = _data()

# Each entry point as a function of X (in a source's form); y stays numpy, which every
# source takes beside its X.
ENTRY_POINTS = {
    "histogram_mi_regression": lambda X: histogram_mi_regression(X, _Y, n_bins=6),
    "histogram_mi_classif": lambda X: histogram_mi_classif(X, _LABELS, n_bins=6),
    "histogram_entropy": lambda X: histogram_entropy(X, n_bins=6),
    "pairwise_histogram_mi": lambda X: pairwise_histogram_mi(X, n_bins=6),
    "pairwise_histogram_mi(X, Y)": lambda X: pairwise_histogram_mi(X, _X[:, :2], n_bins=6),
    "HistogramMI.fit": lambda X: HistogramMI(6).fit(X, _Y).scores_,
    "HistogramMI.partial_fit": lambda X: HistogramMI(6).partial_fit(X, _Y).scores_,
    "EntropyBinner.fit": lambda X: EntropyBinner(6).fit(X).entropy_,
    "EntropyBinner.partial_fit": lambda X: EntropyBinner(6).partial_fit(X).entropy_,
    "EntropyBinner.transform": lambda X: EntropyBinner(6).fit(X).transform(X),
    "EntropyBinner.inverse_transform": lambda X: (
        binner := EntropyBinner(6).fit(X)
    ).inverse_transform(binner.transform(X)),
    "PairwiseHistogramMI.fit": lambda X: PairwiseHistogramMI(6).fit(X).scores_,
    "PairwiseHistogramMI.partial_fit": lambda X: PairwiseHistogramMI(6).partial_fit(X).scores_,
    "PairwiseHistogramMI.fit(X, y)": lambda X: PairwiseHistogramMI(6).fit(X, _X[:, :2]).scores_,
    "MISelector": lambda X: MISelector(HistogramMI(6), k=2).fit(X, _Y).get_support(),
    "MISelector(method='cmim')": lambda X: (
        MISelector(HistogramMI(6), k=2, method="cmim").fit(X, _LABELS).ranking_
    ),
}

# What a source does not support, and the error that says so.
REFUSED = {
    ("dask", "pairwise_histogram_mi(X, Y)"): "Y is not supported for dask X",
    ("dask", "PairwiseHistogramMI.fit(X, y)"): "y is not supported for dask X",
    # Sparse codes leave zeros unstored: a column whose 0.0 is past its first bin has none.
    ("scipy.sparse", "EntropyBinner.transform"): "codes the value 0.0 to bin",
    ("scipy.sparse", "EntropyBinner.inverse_transform"): "codes the value 0.0 to bin",
    ("dask of sparse chunks", "pairwise_histogram_mi(X, Y)"): "Y is not supported for dask X",
    ("dask of sparse chunks", "PairwiseHistogramMI.fit(X, y)"): "y is not supported for dask",
    ("dask of sparse chunks", "EntropyBinner.transform"): "codes the value 0.0 to bin",
    ("dask of sparse chunks", "EntropyBinner.inverse_transform"): "codes the value 0.0 to bin",
}


def test_each_input_has_one_source():
    """Check the one place that tells inputs apart: every form of X maps to its source."""
    X, _, _ = _data()
    expected = {"numpy": InMemory, "list": InMemory, "pandas": InMemory, "polars": InMemory}
    expected["array_api"] = OnDevice
    expected["scipy.sparse"] = SparseColumns
    for name, make in SOURCES.items():
        if name.startswith("dask") and not _HAS_DASK:
            continue
        assert kind_of(make(X)) is expected.get(name, DaskChunks), name


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@pytest.mark.parametrize("source", list(SOURCES))
def test_every_entry_point_takes_every_source(source, entry):
    """Check each entry point on each source: the numpy array's result, exactly (the same
    edges and counts; a dask array's too, counted chunk by chunk), or the clear error that
    says what the source does not support."""
    if source.startswith("dask") and not _HAS_DASK:
        pytest.skip("dask is not installed")
    X, _, _ = _data()
    run = ENTRY_POINTS[entry]
    given = SOURCES[source](X)
    if (source, entry) in REFUSED:
        with pytest.raises(ValueError, match=REFUSED[source, entry]):
            run(given)
        return
    expected = run(X)
    got = _numpy(run(given))
    if np.asarray(expected).dtype.kind == "f":
        assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    else:
        assert_array_equal(got, expected)


def test_statistics_computed_when_read_follow_x():
    """Check that the statistics computed when first read (p-values after a batch, every
    matrix of PairwiseHistogramMI) are where X lives, as the other fitted arrays are."""
    X, y, _ = _data()
    on_device = SOURCES["array_api"](X)
    est = HistogramMI(6).partial_fit(on_device, y)
    assert kind_of(est.pvalues_) is OnDevice and kind_of(est.scores_) is OnDevice
    assert_array_equal(_numpy(est.pvalues_), HistogramMI(6).partial_fit(X, y).pvalues_)
    pairs = PairwiseHistogramMI(6).fit(on_device)
    for name in ("scores_", "pvalues_", "correlation_", "entropy_"):
        assert kind_of(getattr(pairs, name)) is OnDevice, name
