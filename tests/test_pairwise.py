"""Tests of pairwise_histogram_mi against the per-target function it must agree with."""

import numpy as np
import pytest

from skmi import histogram_entropy, histogram_mi_regression, pairwise_histogram_mi
from skmi._binning import _STRATEGIES
from skmi._scoring import _MI_CORRECTIONS


def activations(seed=0, n=1500, d=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_t(3, size=(n, d))
    X[:, 1] = X[:, 0] ** 2 + 0.5 * rng.normal(size=n)
    X[:, 2] = np.sign(X[:, 0]) * np.abs(rng.normal(size=n))
    return X


@pytest.mark.parametrize("correction", list(_MI_CORRECTIONS))
@pytest.mark.parametrize("strategy", sorted(_STRATEGIES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairwise_entries_equal_histogram_mi_regression(correction, strategy, dtype):
    """Check that entry (i, j) is histogram_mi_regression(X[:, [i]], X[:, j]) to 1e-12."""
    X = activations().astype(dtype)
    kwargs = {"n_bins": 9, "strategy": strategy, "correction": correction}
    matrix = pairwise_histogram_mi(X, **kwargs)
    expected = np.array(
        [
            [histogram_mi_regression(X[:, [i]], X[:, j], **kwargs)[0] for j in range(5)]
            for i in range(5)
        ]
    )
    np.testing.assert_allclose(matrix, expected, rtol=0, atol=1e-12)


def test_pairwise_with_y_equals_function_and_is_rectangular():
    """Check the X-by-Y form against the function, column by column."""
    X = activations(1)
    Y = np.c_[X[:, 0] ** 3, np.random.default_rng(2).normal(size=X.shape[0])]
    matrix = pairwise_histogram_mi(X, Y)
    assert matrix.shape == (5, 2)
    for j in range(2):
        np.testing.assert_allclose(
            matrix[:, j], histogram_mi_regression(X, Y[:, j], n_bins="fourth-root"), atol=1e-12
        )


def test_pairwise_is_symmetric_with_entropy_on_the_diagonal():
    """Check symmetry, and that I(X; X) is the plug-in entropy of X's bins."""
    X = activations(3)
    matrix = pairwise_histogram_mi(X, n_bins=12, correction=None)
    np.testing.assert_array_equal(matrix, matrix.T)
    np.testing.assert_allclose(np.diag(matrix), histogram_entropy(X, n_bins=12), rtol=1e-12)


def test_pairwise_constant_column_is_exactly_zero():
    """Check that a constant column shares exactly 0 information with everything."""
    X = activations(4)
    X[:, 3] = 1.5
    for correction in _MI_CORRECTIONS:
        matrix = pairwise_histogram_mi(X, correction=correction)
        assert (matrix[3] == 0).all() and (matrix[:, 3] == 0).all()


def test_pairwise_threads_give_identical_results():
    """Check that n_jobs changes nothing in the result (49 pairs of 6,000 values: enough
    work for two threads)."""
    X = activations(5, n=6_000, d=7)
    np.testing.assert_array_equal(
        pairwise_histogram_mi(X, n_jobs=1), pairwise_histogram_mi(X, n_jobs=2)
    )


def test_pairwise_correlation_scale_sees_what_correlation_misses():
    """Check that the MI scale sees y = x^2 (|r| ~ 0) and matches |r| on a Gaussian pair.

    For the Gaussian, 30 quantile bins at N = 20,000 lose under 3% of the MI; the sampling SD
    of the correlation-scale value is about 0.005, so 0.03 allows both.
    """
    rng = np.random.default_rng(6)
    x = rng.normal(size=20_000)
    X = np.c_[x, x**2, 0.6 * x + 0.8 * rng.normal(size=20_000)]
    r = pairwise_histogram_mi(X, n_bins=30, normalize="correlation")
    assert abs(np.corrcoef(X.T)[0, 1]) < 0.05
    assert r[0, 1] > 0.9
    assert r[0, 2] == pytest.approx(0.6, abs=0.03)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"Y": np.zeros((10, 2))}, "same number of samples"),
        ({"Y": np.zeros((50, 2)), "n_bins": [3, 3, 3]}, "n_bins"),
        ({"n_bins": 1}, "n_bins"),
        ({"n_bins": "adaptive"}, "n_bins"),
        ({"correction": "nope"}, "correction"),
    ],
)
def test_pairwise_rejects_bad_input(kwargs, match):
    """Check that mismatched shapes and bad parameters raise a ValueError naming them."""
    X = np.random.default_rng(7).normal(size=(50, 3))
    with pytest.raises(ValueError, match=match):
        pairwise_histogram_mi(X, **kwargs)
