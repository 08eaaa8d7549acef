"""Tests of pickles of estimators (``skmi._pickles``): a fitted estimator round-trips and
continues where it was; a pickle of an earlier layout of its private state is refused with
a message that says to refit, whether a module it names is gone or still there."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skmi import EntropyBinner, HistogramMI, PairwiseHistogramMI


def _data():
    rng = np.random.default_rng(40)
    X = rng.normal(size=(300, 3))
    return X, X[:, 0] + rng.normal(size=300)


@pytest.mark.parametrize(
    "make", [lambda: HistogramMI(6), lambda: EntropyBinner(6), lambda: PairwiseHistogramMI(6)]
)
def test_fitted_estimators_round_trip_and_continue(make):
    """Check that a pickled estimator, fitted over a batch, loads with the same results and
    adds the next batch as the original does."""
    X, y = _data()
    supervised = isinstance(make(), HistogramMI)
    args = (X[:200], y[:200]) if supervised else (X[:200],)
    more = (X[200:], y[200:]) if supervised else (X[200:],)
    est = make().partial_fit(*args)
    loaded = pickle.loads(pickle.dumps(est))
    attr = "entropy_" if isinstance(est, EntropyBinner) else "scores_"
    assert_array_equal(getattr(loaded, attr), getattr(est, attr))
    assert_array_equal(
        getattr(loaded.partial_fit(*more), attr), getattr(est.partial_fit(*more), attr)
    )


def test_pickles_of_an_earlier_layout_are_refused_clearly():
    """Check both ways an earlier pickle fails: naming a module that is gone (the old
    ``skmi._core`` held HistogramMI's batches), or holding state of another layout."""
    with pytest.raises(ModuleNotFoundError, match=r"skmi\._core is gone.*refit the estimator"):
        pickle.loads(b"cskmi._core\nBatches\n.")
    X, y = _data()
    state = HistogramMI(6).fit(X, y).__getstate__()
    state.pop("_skmi_state_layout")
    with pytest.raises(ValueError, match=r"Cannot load this HistogramMI.*refit the estimator"):
        HistogramMI().__setstate__(state)
    unfitted = pickle.loads(pickle.dumps(HistogramMI(3)))  # parameters alone: any layout
    assert unfitted.n_bins == 3
