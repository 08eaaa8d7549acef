"""The input policy (docs/input_policy.rst), row by row, at every entry point."""

import warnings

import numpy as np
import pytest

from skmi import (
    EntropyBinner,
    HistogramMI,
    MISelector,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)
from skmi._tables import sample_rows

ENTRY_POINTS = {
    "histogram_mi_regression": lambda X, y, **kw: histogram_mi_regression(X, y, **kw),
    "histogram_mi_classif": lambda X, y, **kw: histogram_mi_classif(X, np.round(y), **kw),
    "histogram_entropy": lambda X, y, **kw: histogram_entropy(X, **kw),
    "pairwise_histogram_mi": lambda X, y, **kw: pairwise_histogram_mi(X, **kw),
    "HistogramMI": lambda X, y, **kw: HistogramMI(**kw).fit(X, y).scores_,
    "MISelector": lambda X, y, **kw: MISelector(HistogramMI(**kw)).fit(X, y).scores_,
    "EntropyBinner": lambda X, y, **kw: EntropyBinner(**kw).fit(X).entropy_,
}


def data(n=200, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, X[:, 0] + rng.normal(size=n)


def with_value(value, where=(5, 1)):
    X, y = data()
    X[where] = value
    return X, y


BAD_INPUTS = {
    "inf": (with_value(np.inf), ValueError, "infinity"),
    "-inf": (with_value(-np.inf), ValueError, "infinity"),
    "one sample": (data(n=1), ValueError, "1 sample"),
    "no features": ((np.zeros((10, 0)), np.zeros(10)), ValueError, "0 feature"),
    "1-D X": ((np.zeros(10), np.zeros(10)), ValueError, "2D array"),
    "3-D X": ((np.zeros((10, 2, 2)), np.zeros(10)), ValueError, "dim 3"),
    "complex X": ((np.ones((10, 2)) * 1j, np.zeros(10)), ValueError, "[Cc]omplex"),
}


@pytest.mark.parametrize("bad", list(BAD_INPUTS))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_bad_input_raises_a_clear_error(entry, bad):
    """Check that each bad input raises ValueError/TypeError naming the problem, no warning."""
    (X, y), error, match = BAD_INPUTS[bad]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=match):
            ENTRY_POINTS[entry](X, y)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_non_finite_value_outside_the_subsample_raises(entry, value):
    """Check that an infinity, or a NaN with handle_missing="error", in a row the edges are
    not learnt from raises the same error as anywhere else."""
    X, y = data()
    learnt = sample_rows(X.shape[0], 20, 0)
    X[np.setdiff1d(np.arange(X.shape[0]), learnt)[0], 1] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="NaN" if np.isnan(value) else "infinity"):
            ENTRY_POINTS[entry](X, y, subsample=20, random_state=0, handle_missing="error")


@pytest.mark.parametrize("learnt", [True, False])
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_missing_values_are_binned_at_every_entry_point(entry, learnt):
    """Check that NaN in X is counted by default at every entry point, whether or not a row
    the edges are learnt from holds one: finite results, without a warning, that differ
    from those of X with its NaN imputed by the median (its missing rows are a bin of their
    own, not the median's); test_missing.py checks the values."""
    X, y = data()
    rows = np.arange(30) if learnt else np.setdiff1d(np.arange(200), sample_rows(200, 20, 0))
    X[rows[:12], 1] = np.nan
    kw = dict(subsample=20, random_state=0) if not learnt else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ENTRY_POINTS[entry](X, y, **kw)
    assert np.isfinite(got).all()
    dropped = X.copy()
    dropped[rows[:12], 1] = np.nanmedian(X[:, 1])
    assert not np.allclose(got, ENTRY_POINTS[entry](dropped, y, **kw))


@pytest.mark.parametrize("n", [2, 3, 5])
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_tiny_samples_read_no_information_on_average(entry, n):
    """Check that a handful of rows does not read as information: with the default
    correction, MI over many draws of independent data averages 0 within its standard error
    (two rows read exactly 0, not the 0.94 nats of Miller-Madow's first-order term, which
    needs more rows than that; entropies stay the plug-in ones)."""
    if entry in ("histogram_entropy", "EntropyBinner"):
        pytest.skip("entropy has no correction by default")
    rng = np.random.default_rng(n)
    draws = []
    for _ in range(200):
        X, y = rng.normal(size=(n, 2)), rng.normal(size=n)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            draws.append(np.ravel(ENTRY_POINTS[entry](X, y))[:2])
    draws = np.concatenate(draws)
    if entry == "pairwise_histogram_mi":
        draws = draws[1::2]  # the diagonal is each column with itself
    if n == 2:
        assert np.abs(draws).max() < 1e-12
    else:
        assert abs(draws.mean()) <= 4 * draws.std() / np.sqrt(draws.size)


def test_non_finite_errors_are_scikit_learns_naming_the_input():
    """Check the wording: scikit-learn's own, naming X or Y, and the estimator."""
    X, y = with_value(np.nan)
    refuse = dict(handle_missing="error")
    with pytest.raises(ValueError, match=r"^Input X contains NaN"):
        histogram_mi_regression(X, y, **refuse)
    with pytest.raises(ValueError, match=r"^Input Y contains NaN"):
        pairwise_histogram_mi(data()[0], X, **refuse)
    with pytest.raises(ValueError, match="HistogramMI does not accept missing values"):
        HistogramMI(**refuse).fit(X, y)
    binner = EntropyBinner(**refuse).fit(data()[0])
    with pytest.raises(ValueError, match="EntropyBinner does not accept missing values"):
        binner.transform(X)
    with pytest.raises(ValueError, match="y holds a missing value"):
        histogram_mi_regression(data()[0], X[:, 1])


BAD_PARAMETERS = [
    {"n_bins": 1},
    {"n_bins": 2.5},
    {"n_bins": "unknown-rule"},
    {"n_bins": 2**16 + 1},
    {"n_bins": [5, 5]},
    {"n_bins": [5, 1, 5]},
    {"strategy": "kmeans"},
    {"correction": "jackknife?"},
    {"base": 1},
    {"base": 0.5},
    {"base": -2},
    {"subsample": 1},
]


@pytest.mark.parametrize("params", BAD_PARAMETERS, ids=repr)
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_bad_parameter_raises_naming_it(entry, params):
    """Check that a bad parameter raises a ValueError whose message names it."""
    X, y = data()
    name = next(iter(params))
    with pytest.raises(ValueError, match=name):
        ENTRY_POINTS[entry](X, y, **params)


@pytest.mark.parametrize(
    "entry",
    [
        "histogram_mi_regression",
        "histogram_mi_classif",
        "pairwise_histogram_mi",
        "HistogramMI",
        "MISelector",
    ],
)
def test_n_jobs_zero_raises_naming_it(entry):
    """Check that n_jobs=0 is refused by name, on data too small to start threads as well
    (the thread count is not even asked for there)."""
    X, y = data()
    with pytest.raises(ValueError, match="n_jobs"):
        ENTRY_POINTS[entry](X, y, n_jobs=0)


@pytest.mark.parametrize(
    "entry", ["histogram_mi_regression", "pairwise_histogram_mi", "HistogramMI", "MISelector"]
)
def test_huge_tables_are_refused_before_allocation(entry):
    """Check that absurd bin counts for two binned variables give a ValueError with the size.

    (One binned variable against classes, or alone, makes tables of a few MB: those run.)
    """
    X, y = data()
    with pytest.raises(ValueError, match="GiB"):
        ENTRY_POINTS[entry](X, y, n_bins=2**16, strategy="uniform")


def test_kept_tables_of_every_block_are_refused_together():
    """Check that an estimator, which keeps every block's tables, refuses tables that fit
    one block at a time but not all together (1,100 features of 512 x 512: 1.1 GiB)."""
    X = np.random.default_rng(0).normal(size=(30, 1100))
    with pytest.raises(ValueError, match=r"1\.1 GiB"):
        HistogramMI(n_bins=512, strategy="uniform").fit(X, X[:, 0])


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_constant_feature_has_zero_entropy_and_information(entry):
    """Check exact zeros for a constant column at every entry point."""
    X, y = data()
    X[:, 1] = 4.25
    result = np.asarray(ENTRY_POINTS[entry](X, y))
    assert (result[1] == 0).all()  # an entry, or a row of the pairwise matrix


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int64, np.int8, bool])
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_other_dtypes_match_float64(entry, dtype):
    """Check that float16/float32/int/bool input gives the result of its float64 copy."""
    rng = np.random.default_rng(1)
    X = rng.integers(0, 5, size=(300, 3)).astype(dtype)
    y = rng.normal(size=300) + X[:, 0]
    np.testing.assert_array_equal(
        ENTRY_POINTS[entry](X, y), ENTRY_POINTS[entry](X.astype(np.float64), y)
    )


def test_extreme_magnitudes_give_finite_results():
    """Check values near the float limits and denormals, with uniform and rule-based bins."""
    rng = np.random.default_rng(2)
    X = np.c_[rng.choice([-1e308, 0.0, 1e308], 200), rng.choice([0.0, 5e-324, 1e-320], 200)]
    y = rng.normal(size=200)
    for kwargs in ({"strategy": "uniform"}, {"n_bins": "fd"}, {"n_bins": "scott"}, {}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = histogram_mi_regression(X, y, **kwargs)
        assert np.isfinite(result).all()


def test_target_with_one_class_or_all_unique_labels():
    """Check MI 0 for a one-class target, and the feature's entropy for all-unique labels."""
    X, _ = data()
    np.testing.assert_array_equal(histogram_mi_classif(X, np.zeros(200)), 0.0)
    unique = histogram_mi_classif(X, np.arange(200), correction=None, n_bins=8)
    np.testing.assert_allclose(unique, histogram_entropy(X, n_bins=8), rtol=1e-12)


def test_fractional_labels_are_refused_for_a_discrete_target():
    """Check that a continuous y passed as classes is refused with a pointer to regression."""
    X, y = data()
    with pytest.raises(ValueError, match="histogram_mi_regression"):
        histogram_mi_classif(X, y)


def test_pandas_categoricals():
    """Check that categoricals, of strings or of numbers, are categories: the results of
    the same values declared discrete."""
    pd = pytest.importorskip("pandas")
    y = np.arange(100.0)
    strings = pd.DataFrame({"a": pd.Categorical(["x", "y", "x", "z"] * 25), "b": y})
    codes = pd.DataFrame({"a": [0.0, 1.0, 0.0, 2.0] * 25, "b": y})
    np.testing.assert_array_equal(
        histogram_mi_regression(strings, y),
        histogram_mi_regression(codes, y, discrete_features=[0]),
    )
    numbers = pd.DataFrame({"a": pd.Categorical([1, 2, 1, 3] * 25), "b": y})
    plain = pd.DataFrame({"a": [1.0, 2.0, 1.0, 3.0] * 25, "b": y})
    np.testing.assert_array_equal(
        histogram_mi_regression(numbers, y, discrete_features=[0]),
        histogram_mi_regression(plain, y, discrete_features=[0]),
    )
