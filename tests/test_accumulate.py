"""Tests of the accumulator (``skmi._accumulate``) and of the one rule of ``partial_fit`` after
``fit``, scikit-learn's: ``fit`` resets, ``partial_fit`` continues from the tables the
estimator holds.

Every fit holds its tables, except the two that reduce them as they count them: HistogramMI
with ``n_bins="adaptive"`` (fine tables chosen for fit's own N, merged block by block) and
PairwiseHistogramMI on rows at hand (each pair's table reduced at once). After those,
``partial_fit`` holds nothing to add to and starts from its own batch, as on an unfitted
estimator.
"""

import importlib.util

import array_api_strict
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skmi import EntropyBinner, HistogramMI, PairwiseHistogramMI
from skmi._accumulate import Accumulator, start_mi
from skmi._sources import read_with_target

_HAS_DASK = importlib.util.find_spec("dask") is not None


def _dask(X):
    import dask.array as da

    return da.from_array(X, chunks=(X.shape[0] // 2, -1))


FIT_SOURCES = {
    "numpy": lambda X: X,
    "array_api": array_api_strict.asarray,
    "dask": _dask,
}

# (estimator, source of fit's X) -> whether partial_fit after fit continues from fit's rows.
CONTINUES = {
    ("HistogramMI(6)", "numpy"): True,
    ("HistogramMI(6)", "array_api"): True,
    ("HistogramMI(6)", "dask"): True,
    ("HistogramMI()", "numpy"): False,  # adaptive: fine tables reduced for fit's own N
    ("HistogramMI()", "array_api"): False,
    ("EntropyBinner(6)", "numpy"): True,
    ("EntropyBinner(6)", "array_api"): True,
    ("EntropyBinner(6)", "dask"): True,
    ("PairwiseHistogramMI(6)", "numpy"): False,  # each pair's table reduced at once
    ("PairwiseHistogramMI(6)", "array_api"): False,
    ("PairwiseHistogramMI(6)", "dask"): True,  # summed tables from the workers
}

ESTIMATORS = {
    "HistogramMI(6)": (lambda: HistogramMI(6), "scores_"),
    "HistogramMI()": (lambda: HistogramMI(), "scores_"),
    "EntropyBinner(6)": (lambda: EntropyBinner(6), "entropy_"),
    "PairwiseHistogramMI(6)": (lambda: PairwiseHistogramMI(6), "scores_"),
}


def _numpy(a):
    return a if isinstance(a, np.ndarray) else np.from_dlpack(a).copy()


@pytest.mark.parametrize(("name", "source"), list(CONTINUES))
def test_partial_fit_after_fit_follows_one_rule(name, source):
    """Check partial_fit after fit on every estimator and source of fit's rows: it adds its
    batch to fit's tables (the results of partial_fit over both batches) where fit holds
    them, and otherwise starts from its batch (the results of partial_fit on it alone)."""
    if source == "dask" and not _HAS_DASK:
        pytest.skip("dask is not installed")
    rng = np.random.default_rng(30)
    X = rng.normal(size=(600, 3))
    X[:, 1] += X[:, 0]
    y = X[:, 0] + rng.normal(size=600)
    make, attr = ESTIMATORS[name]
    supervised = name.startswith("HistogramMI")

    def call(est, method, rows, to=lambda a: a):
        args = (to(X[rows]), y[rows]) if supervised else (to(X[rows]),)
        return getattr(est, method)(*args)

    first, second = slice(0, 400), slice(400, 600)
    est = call(make(), "fit", first, FIT_SOURCES[source])
    call(est, "partial_fit", second)
    if CONTINUES[name, source]:
        expected = call(call(make(), "partial_fit", first), "partial_fit", second)
        assert est.n_samples_seen_ == 600
    else:
        expected = call(make(), "partial_fit", second)
        assert est.n_samples_seen_ == 200
    assert_array_equal(_numpy(getattr(est, attr)), getattr(expected, attr))


def test_accumulator_adds_batches_as_one():
    """Check that the tables of two batches added to a first one's accumulator are those of
    all the rows counted with the first batch's bins."""
    rng = np.random.default_rng(31)
    X = rng.normal(size=(500, 4))
    y = rng.integers(0, 3, 500)
    source, y_checked, _ = read_with_target(X[:200], y[:200], True)
    params = dict(strategy="quantile", subsample=None, random_state=0, n_jobs=None)
    discrete = np.zeros(4, dtype=bool)
    first, _ = start_mi(
        source, y_checked, discrete_target=True, n_bins=5, discrete=discrete, **params
    )
    total = first
    for rows in (slice(200, 350), slice(350, 500)):
        batch, y_batch, _ = read_with_target(X[rows], y[rows], True)
        total = total.add(batch, y_batch)
    assert isinstance(total, Accumulator) and total.n_samples == 500
    whole, y_whole, _ = read_with_target(X, y, True)
    counted, _ = whole.count_target(first.binning, y_whole, first.target, None, 5)
    assert_array_equal(total.tables.counts, counted.counts)
