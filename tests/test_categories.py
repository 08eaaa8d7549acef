"""Tests of columns of categories (``skmi._binning._categories``): strings, objects and pandas and
polars categoricals are discrete without being told, each value a bin of its own, and
missing values a category of their own. The reference is the exact discrete plug-in
estimate from the values' own counts (``sklearn.metrics.mutual_info_score``)."""

import numpy as np
import pandas as pd
import polars as pl
import pytest
from numpy.testing import assert_allclose
from scipy.stats import entropy as scipy_entropy
from sklearn.metrics import mutual_info_score

from skmi import (
    EntropyBinner,
    HistogramMI,
    MISelector,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
)

N = 600


def _labels(seed=0):
    """Six colours whose frequencies depend on a class of three, and the classes."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=N)
    names = np.array(["red", "green", "blue", "grey", "pink", "teal"])
    return names[(2 * y + rng.integers(0, 2, size=N)) % 6], y


def _frames(colours):
    """The same column of strings in each container a user may hand over."""
    return {
        "numpy object": colours.astype(object).reshape(-1, 1),
        "numpy str": colours.reshape(-1, 1),
        "pandas object": pd.DataFrame({"colour": colours.astype(object)}),
        "pandas string": pd.DataFrame({"colour": pd.array(colours, dtype="string")}),
        "pandas categorical": pd.DataFrame({"colour": pd.Categorical(colours)}),
        "polars string": pl.DataFrame({"colour": colours.tolist()}),
        "polars categorical": pl.DataFrame(
            {"colour": pl.Series(colours.tolist(), dtype=pl.Categorical)}
        ),
    }


@pytest.mark.parametrize("kind", list(_frames(_labels()[0])))
def test_string_columns_read_the_discrete_plugin_mi(kind):
    """Check that a column of six strings, in every container, reads the plug-in MI of its
    values with the class, at 2 bins (fewer than its values: categories are not merged)
    and adaptively."""
    colours, y = _labels()
    X = _frames(colours)[kind]
    expected = mutual_info_score(colours, y)
    for n_bins in (2, "adaptive"):
        got = histogram_mi_classif(X, y, n_bins=n_bins, correction=None)
        np.testing.assert_allclose(got, [expected], rtol=1e-12)


def test_categorical_with_numeric_categories_is_discrete():
    """Check that a pandas categorical of numbers is taken as categories too: 6 bins at
    n_bins=2."""
    colours, y = _labels()
    codes = pd.Categorical(np.unique(colours, return_inverse=True)[1] * 10)
    est = HistogramMI(n_bins=2, correction=None).fit(pd.DataFrame({"c": codes}), y)
    assert est.n_bins_.tolist() == [6]
    np.testing.assert_allclose(est.scores_, [mutual_info_score(colours, y)], rtol=1e-12)


def test_missing_values_of_a_string_column_are_a_category():
    """Check that None, NaN and pd.NA in a column of strings are one category of their own:
    the entropy is that of the values with the missing ones as a fourth."""
    rng = np.random.default_rng(1)
    values = np.array(["a", "b", "c", None], dtype=object)[rng.integers(0, 4, size=N)]
    values[:5] = np.nan
    values[5:10] = pd.NA
    as_labels = np.array(["missing" if v is None or v is pd.NA or v != v else v for v in values])
    expected = scipy_entropy(np.unique(as_labels, return_counts=True)[1])
    X = pd.DataFrame({"v": values})
    np.testing.assert_allclose(histogram_entropy(X, correction=None), [expected], rtol=1e-12)


def test_columns_of_strings_beside_numbers_keep_both_kinds():
    """Check that in a frame of a string column and a numeric one the string column is
    discrete and the numeric one binned as usual: the numeric column's score is that of
    the same column alone."""
    colours, y = _labels()
    numbers = np.random.default_rng(2).normal(size=N) + y
    X = pd.DataFrame({"colour": colours, "number": numbers})
    got = histogram_mi_regression(X, y.astype(float), correction=None)
    alone = histogram_mi_regression(numbers.reshape(-1, 1), y.astype(float), correction=None)
    assert got[1] == alone[0]
    assert got[0] == pytest.approx(mutual_info_score(colours, y), rel=1e-12)


def test_renaming_categories_changes_nothing():
    """Check that renaming the categories (a bijection of the strings) changes no score,
    p-value or entropy."""
    colours, y = _labels()
    renamed = np.array([{"red": "q", "green": "a", "blue": "m"}.get(c, c + "!") for c in colours])
    a = HistogramMI().fit(pd.DataFrame({"c": colours}), y)
    b = HistogramMI().fit(pd.DataFrame({"c": renamed}), y)
    np.testing.assert_allclose(b.scores_, a.scores_, rtol=1e-12)
    np.testing.assert_allclose(b.pvalues_, a.pvalues_, rtol=1e-12)
    np.testing.assert_allclose(b.entropy_, a.entropy_, rtol=1e-12)


def test_unseen_category_is_a_clear_error():
    """Check that a category not seen by fit is a ValueError naming it, in transform and in
    a later batch of partial_fit, and so are categories in a column fitted as numbers."""
    colours, y = _labels()
    X = pd.DataFrame({"colour": colours})
    new = pd.DataFrame({"colour": ["red", "purple"]})
    binner = EntropyBinner(4).fit(X)
    with pytest.raises(ValueError, match="'purple', which is not one of the categories"):
        binner.transform(new)
    est = HistogramMI().partial_fit(X, y)
    with pytest.raises(ValueError, match="'purple'"):
        est.partial_fit(new, [0, 1])
    numbers = EntropyBinner(4).fit(pd.DataFrame({"colour": np.arange(N, dtype=float)}))
    with pytest.raises(ValueError, match="column 0 holds categories, but it was fitted as"):
        numbers.transform(new)


def test_transform_codes_categories_and_batches_add_up():
    """Check that EntropyBinner codes each category as its index among the sorted
    categories, and that two batches of partial_fit give fit's entropy."""
    colours, _ = _labels()
    X = pd.DataFrame({"colour": colours})
    binner = EntropyBinner(2).fit(X)
    np.testing.assert_array_equal(
        binner.transform(X)[:, 0], np.unique(colours, return_inverse=True)[1]
    )
    batched = EntropyBinner(2).partial_fit(X.iloc[:300]).partial_fit(X.iloc[300:])
    np.testing.assert_allclose(batched.entropy_, binner.entropy_, rtol=1e-12)


def test_selector_takes_string_columns():
    """Check that MISelector picks the informative column of strings over noise."""
    colours, y = _labels()
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"noise": rng.normal(size=N), "colour": colours, "other": rng.normal(size=N)})
    for method in ("univariate", "jmi"):
        support = MISelector(k=1, method=method).fit(X, y).get_support()
        assert support.tolist() == [False, True, False]


def test_discrete_features_by_column_name():
    """Check that discrete_features takes a frame's column names, as the functions, the
    estimator and the selector read them, that a name X lacks is an error naming it, and
    that names need a frame."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.integers(0, 40, 300) * 1.0})
    y = (frame["b"] % 3 == 0).astype(int).to_numpy()
    by_name = histogram_mi_classif(frame, y, discrete_features=["b"])
    assert_allclose(by_name, histogram_mi_classif(frame, y, discrete_features=[1]))
    est = HistogramMI(discrete_features=["b"]).fit(frame, y)
    assert_allclose(est.scores_, by_name)
    assert est.n_bins_[1] == 40
    with pytest.raises(ValueError, match=r"names \['c'\], not columns of X"):
        histogram_mi_classif(frame, y, discrete_features=["c"])
    with pytest.raises(ValueError, match="needs X with column names"):
        histogram_mi_classif(frame.to_numpy(), y, discrete_features=["b"])
