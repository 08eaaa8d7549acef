"""scikit-learn API tests shared by the three estimators."""

import numpy as np
import pytest
from sklearn.feature_selection import GenericUnivariateSelect, SelectKBest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_get_feature_names_out_error,
    check_global_output_transform_pandas,
    check_global_set_output_transform_polars,
    check_inplace_ensure_writeable,
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_set_output_transform_polars,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from skmi import EntropyBinner, HistogramMI, MISelector, PairwiseHistogramMI

ESTIMATORS = [
    EntropyBinner(),
    HistogramMI(),
    MISelector(),
    MISelector(method="jmi"),
    MISelector(k=2, alpha=0.5, method="cmim"),
    # The checks' data is noise: at level 1 the k="auto" path keeps features and runs whole.
    MISelector(k="auto", alpha=1.0, method="mrmr"),
    MISelector(k=3, method="jmi", interactions=True),
    PairwiseHistogramMI(),
]
TRANSFORMERS = [
    EntropyBinner(),
    EntropyBinner(encode="onehot-dense"),
    MISelector(k=2),
    MISelector(k=2, method="mrmr"),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    """Check each estimator against scikit-learn's full check suite, with no exemption."""
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_estimator_param_validation(estimator):
    """Check that every constructor parameter is validated at fit."""
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize(
    "check",
    [
        check_transformer_get_feature_names_out,
        check_transformer_get_feature_names_out_pandas,
        check_set_output_transform,
        check_set_output_transform_pandas,
        check_set_output_transform_polars,
        check_global_output_transform_pandas,
        check_global_set_output_transform_polars,
        check_get_feature_names_out_error,
    ],
)
@pytest.mark.parametrize("estimator", TRANSFORMERS, ids=repr)
# These checks fit on a DataFrame and transform an array (and back) on purpose.
@pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning")
@pytest.mark.filterwarnings("ignore:X has feature names:UserWarning")
def test_transformer_extra_checks(estimator, check):
    """Check the output-container and feature-name checks scikit-learn runs on its own."""
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_estimator_extra_checks(estimator):
    """Check column-name consistency and read-only input handling."""
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)
    check_inplace_ensure_writeable(type(estimator).__name__, estimator)


def classification_data(seed=0, n=400):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    y = (X[:, 0] + X[:, 3] > 0).astype(int)
    return X, y


def decoy_data(seed=0, n=600):
    """Labels from X[:, 3] + X[:, 4], and a decoy X[:, 1] = 2m + y (m uniform on 0..7): its
    16 values alternate with y, so 16 bins see nearly ln 2 of MI and 4 bins (two values of
    each parity apiece) almost none, while no linear model can use it."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = (X[:, 3] + X[:, 4] + 0.5 * rng.normal(size=n) > 0).astype(int)
    X[:, 1] = 2 * rng.integers(0, 8, n) + y
    return X, y


def test_histogram_mi_as_score_func_tuned_by_grid_search():
    """Check that GridSearchCV reaches HistogramMI's n_bins through SelectKBest: 16 bins
    select the decoy, 4 bins a feature the model can use, and the search finds 4."""
    X, y = decoy_data()
    decoy_only = SelectKBest(HistogramMI(n_bins=16), k=1).fit(X, y).get_support()
    assert np.flatnonzero(decoy_only).tolist() == [1]
    pipe = Pipeline([("select", SelectKBest(HistogramMI(), k=1)), ("model", LogisticRegression())])
    # 4 comes second: were n_bins not to reach HistogramMI, both would score the same and
    # the search would keep the first.
    search = GridSearchCV(pipe, {"select__score_func__n_bins": [16, 4]}, cv=3).fit(X, y)
    assert search.best_params_ == {"select__score_func__n_bins": 4}
    # Accuracy about 0.54 on the decoy against 0.74 on one of the two real features; 0.1
    # is half that gap.
    on_decoy, on_real = search.cv_results_["mean_test_score"]
    assert on_real > on_decoy + 0.1
    support = search.best_estimator_.named_steps["select"].get_support()
    assert np.flatnonzero(support).tolist() in ([3], [4])


def test_mi_selector_tuned_by_grid_search():
    """Check that GridSearchCV tunes MISelector's k and its estimator's n_bins inside a
    pipeline: only k=2 at 4 bins keeps both real features and not the decoy."""
    X, y = decoy_data()
    pipe = Pipeline([("select", MISelector(HistogramMI())), ("model", LogisticRegression())])
    # The best is the last candidate: were either parameter not to reach MISelector, the
    # candidates differing in it alone would tie, and the search would keep an earlier one.
    grid = {"select__estimator__n_bins": [16, 4], "select__k": [1, 2]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert search.best_params_ == {"select__k": 2, "select__estimator__n_bins": 4}
    scores = dict(
        zip(
            [
                (p["select__k"], p["select__estimator__n_bins"])
                for p in search.cv_results_["params"]
            ],
            search.cv_results_["mean_test_score"],
            strict=True,
        )
    )
    # Measured: 0.54 (decoy), 0.74 (one real), 0.75 (decoy and one real), 0.90 (both real).
    assert scores[2, 4] > max(scores[1, 4], scores[2, 16]) + 0.1
    assert scores[1, 4] > scores[1, 16] + 0.1
    support = search.best_estimator_.named_steps["select"].get_support()
    np.testing.assert_array_equal(np.flatnonzero(support), [3, 4])


def test_histogram_mi_call_returns_scores_and_pvalues_without_fitting_itself():
    """Check that calling an instance returns (scores, pvalues) and leaves it unfitted."""
    X, y = classification_data()
    scorer = HistogramMI(n_bins=6)
    scores, pvalues = scorer(X, y)
    fitted = HistogramMI(n_bins=6).fit(X, y)
    np.testing.assert_array_equal(scores, fitted.scores_)
    np.testing.assert_array_equal(pvalues, fitted.pvalues_)
    assert not hasattr(scorer, "scores_")


def test_histogram_mi_works_with_generic_univariate_select_fdr():
    """Check that p-values make GenericUnivariateSelect's fdr mode work."""
    X, y = classification_data(seed=2, n=2000)
    selector = GenericUnivariateSelect(HistogramMI(), mode="fdr", param=0.01).fit(X, y)
    np.testing.assert_array_equal(np.flatnonzero(selector.get_support()), [0, 3])


def test_histogram_mi_auto_target_discrete_or_binned():
    """Check that "auto" takes labels as categories and continuous numbers as binned."""
    X, y = classification_data()
    assert HistogramMI().fit(X, y).discrete_target_
    assert HistogramMI().fit(X, np.array(["a", "b"])[y]).discrete_target_
    assert not HistogramMI().fit(X, X[:, 0] + 0.5).discrete_target_
    many_ints = np.arange(400) % 97  # integer-valued but with more than sqrt(N) values
    assert not HistogramMI().fit(X, many_ints).discrete_target_


def test_histogram_mi_scores_match_function():
    """Check that HistogramMI.scores_ equals the score function with the same settings."""
    from skmi import histogram_mi_classif

    X, y = classification_data()
    est = HistogramMI(n_bins=7, correction="miller-madow", base=2).fit(X, y)
    expected = histogram_mi_classif(X, y, n_bins=7, correction="miller-madow", base=2)
    np.testing.assert_allclose(est.scores_, expected, rtol=1e-14)


def test_histogram_mi_pvalues_permutation_for_sparse_tables():
    """Check that sparse tables (under 5 samples a cell) get permutation p-values, and
    that a feature no permutation reaches is resolved below their floor of 1 / 200."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] + rng.normal(size=200)
    g_only = HistogramMI(n_bins=8, n_permutations=0).fit(X, y)
    permuted = HistogramMI(n_bins=8, n_permutations=199).fit(X, y)
    assert 0 < permuted.pvalues_[0] < 1e-6
    assert ((permuted.pvalues_[1:] >= 1 / 200) & (permuted.pvalues_[1:] <= 1)).all()
    assert not np.array_equal(permuted.pvalues_, g_only.pvalues_)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_permutation_pvalues_equal_a_numpy_reference(n_jobs):
    """Check the permutation p-values, counted and reduced a feature at a time by the
    kernels, against tables counted by numpy's bincount and scored by
    ``mutual_info_from_counts`` under the same permutations: exactly, ties included (binary
    features against a binary target, whose permuted tables often equal the observed).
    Where no permutation reached the observed MI, 490 permutations more are drawn for that
    feature, and where none of those does either, the p-value is the tail of the chi-square
    with the permuted MI's mean and variance, computed here from the reference permutations:
    a = var / (2 mean), df = 2 mean^2 / var."""
    from scipy.stats import chi2

    from skmi._binning import Binning
    from skmi._scoring import mutual_info_from_counts
    from skmi._scoring._pvalues import permutation_pvalues
    from skmi._sources import InMemory

    rng = np.random.default_rng(8)
    X = np.c_[rng.normal(size=(90, 3)), rng.integers(0, 2, (90, 2))]
    y_codes = (X[:, 0] + rng.normal(size=90) > 0).astype(np.uint16)
    edges = Binning.learn(X, 5, "quantile", np.array([False] * 3 + [True] * 2)).edges
    codes = Binning(tuple(edges), np.zeros(5, dtype=bool)).codes(X)

    def reference_mi(target):
        tables = np.stack(
            [np.bincount(c * 2 + target, minlength=12).reshape(6, 2) for c in codes.T]
        )
        return mutual_info_from_counts(tables)

    observed = reference_mi(y_codes.astype(np.int64))
    threshold = observed - 1e-12 * np.maximum(observed, 1.0)
    draws = np.random.RandomState(4)
    permuted = np.array(
        [reference_mi(draws.permutation(y_codes).astype(np.int64)) for _ in range(49)]
    )
    exceed = (permuted >= threshold).sum(axis=0)
    floor = exceed == 0
    more = np.array(
        [reference_mi(draws.permutation(y_codes).astype(np.int64)) for _ in range(490)]
    )
    permuted = [
        np.r_[permuted[:, j], more[:, j]] if floor[j] else permuted[:, j] for j in range(5)
    ]
    exceed = np.array([(p >= t).sum() for p, t in zip(permuted, threshold, strict=True)])
    expected = (1 + exceed) / (1 + np.array([p.size for p in permuted]))
    mean, var = np.array([p.mean() for p in permuted]), np.array([p.var() for p in permuted])
    tail = chi2.sf(observed / (var / (2 * mean)), 2 * mean**2 / var)
    expected[exceed == 0] = np.minimum(expected, tail)[exceed == 0]
    bins = [(e, None) for e in edges]
    got = permutation_pvalues(InMemory(X), bins, y_codes, 49, np.random.RandomState(4), n_jobs)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)
    assert (expected[3:] > 0.02).any()  # the binary features tie with some permutations
    assert floor.any() and (expected[floor] < 1 / 50).all()  # resolved below the first floor


def test_mi_selector_k_threshold_and_ranking():
    """Check that k keeps the best features and threshold drops weak ones."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2000, 5))
    y = 3 * X[:, 4] + X[:, 1] + 0.5 * rng.normal(size=2000)
    selector = MISelector(k=2).fit(X, y)
    assert selector.ranking_[:2].tolist() == [4, 1]
    np.testing.assert_array_equal(np.flatnonzero(selector.get_support()), [1, 4])
    strict = MISelector(k="all", threshold=0.5).fit(X, y)
    np.testing.assert_array_equal(np.flatnonzero(strict.get_support()), [4])
    assert MISelector(k=99).fit(X, y).get_support().all()


def test_mi_selector_pandas_output_keeps_names():
    """Check that set_output("pandas") returns the selected columns by name."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(500, 3)), columns=["a", "b", "c"])
    y = X["b"] + 0.1 * rng.normal(size=500)
    out = MISelector(k=1).set_output(transform="pandas").fit_transform(X, y)
    assert list(out.columns) == ["b"]
