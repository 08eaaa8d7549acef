"""MISelector's multivariate methods and FDR control: hand-worked cases, the terms against an
independent path, and the properties a user relies on."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skmi import HistogramMI, MISelector
from skmi._backends import BACKEND
from skmi._scoring import (
    conditional_g_test_pvalues,
    conditional_mi_from_counts,
    corrected_entropy,
    g_test_pvalues,
    margins,
    mutual_info_from_counts,
)
from skmi._scoring._greedy import CRITERIA, _step, greedy_n_bins

GREEDY = sorted(CRITERIA)


def xor_table():
    """Eight rows: y = x1 XOR x2, and x0 = y but in rows 4 and 5.

    Worked out on paper, in bits (plug-in, every variable binary), with L = log2(3):
    I(x0; y) = 1 - H(1/4) = 3L/4 - 1 = r (0.189); x1 and x2 each say nothing of y.
    I(x1; x0) = 0 (each pair of values twice); I(x2; x0) = r (pairs counted 1, 1, 3, 3).
    I(x1 x0; y) = 1 - 1/2: the groups (x1, x0) = (0, 0) and (0, 1) mix y, the other two do
    not. I(x2 x0; y) = 1 - (3/4) H(1/3) = 3/2 - 3L/4 = s (0.311). I(x1 x2; y) = 1.
    H(x0, y) = 1 + H(1/4) = 3 - 3L/4; H(x1, x0, y) = 2 + 1/2; H(x2, x0, y) = 2.5 too, and
    H(x1, x2, y) = 2. I(a; b | y) = I(a; b) - I(a; y) + I(a; y | b): I(x1; x0 | y) =
    0 - 0 + (1/2 - r), I(x2; x0 | y) = r - 0 + (s - r) = s, I(x2; x1 | y) = 0 - 0 + 1.
    """
    y = np.array([0, 1, 1, 0, 0, 1, 1, 0])
    x0 = np.array([0, 1, 1, 0, 1, 0, 1, 0])
    x1 = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    x2 = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    return np.column_stack([x0, x1, x2]).astype(float), y


L = np.log2(3)
R = 3 * L / 4 - 1
S = 3 / 2 - 3 * L / 4
# Each method picks x0 (the only relevant feature), then x1 (x2 shares r with x0, x1 none;
# x1 adds more to x0 than x2 does), then x2. The values at each pick, from the docstring:
HAND_WORKED = {
    "mrmr": [R, 0 - 0, 0 - (R + 0) / 2],
    # Relevance 0 over any redundancy is 0: x1 and x2 tie, and the first column wins.
    "mrmr-quotient": [R, 0.0, 0.0],
    "jmi": [R, 0.5, (S + 1) / 2],
    "cmim": [R, 0.5 - R, min(S - R, 1 - 0)],
    # I(x1; x0 | y) = 0.5 - R, I(x2; x0 | y) = S, I(x2; x1 | y) = 1 (identity below).
    "cife": [R, 0 - (0 - (0.5 - R)), 0 - ((R - S) + (0 - 1))],
    # No redundancy left once the target explains it: x1 and x2 tie at 0.
    "icap": [R, 0.0, 0.0],
    "jmim": [R, 0.5, min(S, 1)],
    "disr": [R / (3 - 3 * L / 4), 0.5 / 2.5, (S / 2.5 + 1 / 2) / 2],
    # SU(x0; y) = 2r / (H(x0) + H(y)) = 2r / 2; x1 and x2 tell y nothing (SU 0): dropped,
    # so FCBF picks x0 alone.
    "fcbf": [R, np.nan, np.nan],
    # MIFS at beta = 1: relevance minus the summed redundancy; x1's is 0, x2's r.
    "mifs": [R, 0 - 0, 0 - (R + 0)],
}


@pytest.mark.parametrize("method", GREEDY)
def test_greedy_order_and_criterion_worked_by_hand(method):
    """Check each method's order and criterion values against the eight-row case worked out
    on paper (plug-in entropies, bits)."""
    X, y = xor_table()
    estimator = HistogramMI(correction=None, discrete_features=True, base=2, n_permutations=0)
    selector = MISelector(estimator, k="all", method=method).fit(X, y)
    assert selector.ranking_.tolist() == [0, 1, 2]
    np.testing.assert_allclose(selector.criterion_, HAND_WORKED[method], rtol=0, atol=1e-12)


def test_univariate_criterion_is_the_score():
    """Check that "univariate" ranks by score and reports the scores as its criterion."""
    X, y = xor_table()
    selector = MISelector(k="all").fit(X, y)
    np.testing.assert_array_equal(selector.criterion_, selector.scores_[selector.ranking_])
    assert selector.ranking_[0] == 0


def test_step_terms_equal_conditional_mi_of_three_way_tables():
    """Check that the step's terms, sums of Miller-Madow entropies, equal the conditional MI
    that ``_scoring`` computes from the cells of the same three-way tables, and the chain
    rule I(X Z; Y) = I(Z; Y) + I(X; Y | Z); and that the plug-in redundancy, which the
    quotient divides by, is the plug-in MI of each (X_k, Z) table."""
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, size=(400, 6)).astype(np.uint16)
    y = (codes[:, 0] + rng.integers(0, 3, size=400)) % 4
    z = codes[:, 2].astype(np.int64)

    def h(tables):
        return corrected_entropy(tables.reshape(len(tables), -1), "miller-madow")

    xy = BACKEND.count_codes(codes, y, 5, 4)
    h_x, h_xy = h(xy.sum(axis=2)), h(xy)
    h_y = h(np.bincount(y)[None])[0]
    plugin_x = corrected_entropy(xy.sum(axis=2), None)
    plugin = (plugin_x, plugin_x[2])
    args = (h_x, h_xy, h_y, h_x[2], h_xy[2], "miller-madow", BACKEND, plugin)
    step = _step(codes, 5, z, y, 4, *args)
    three_way = BACKEND.count_codes_3(codes, z, y, 5, 5, 4)
    expected = conditional_mi_from_counts(three_way, "miller-madow")
    np.testing.assert_allclose(step.conditional, expected, rtol=0, atol=1e-12)
    relevance_z = h_x[2] + h_y - h_xy[2]
    np.testing.assert_allclose(step.joint, relevance_z + step.conditional, rtol=0, atol=1e-12)
    np.testing.assert_allclose(step.redundancy[2], h_x[2], rtol=0, atol=1e-12)
    # I(X_k; Z | Y): the same tables with Y as the condition, (X_k, Y, Z).
    given_y = conditional_mi_from_counts(three_way.transpose(0, 1, 3, 2), "miller-madow")
    np.testing.assert_allclose(step.conditional_redundancy, given_y, rtol=0, atol=1e-12)
    pair_tables = three_way.sum(axis=3)
    expected = mutual_info_from_counts(pair_tables)
    np.testing.assert_allclose(step.plugin_redundancy, expected, rtol=0, atol=1e-12)


def copies_and_xor(n=2000, seed=0):
    """Columns: b, a copy of b, c (nothing of y alone; y is b XOR c half the time), noise."""
    rng = np.random.default_rng(seed)
    b, c, d = rng.integers(0, 2, size=(3, n))
    y = np.where(rng.random(n) < 0.5, b ^ c, b)
    return np.column_stack([b, b, c, d]) + 0.1 * rng.normal(size=(n, 4)), y


def test_univariate_keeps_copies_greedy_methods_find_the_interaction():
    """Check that univariate selection keeps both copies of b, and that every greedy method
    that sees pairs with y (JMI, CMIM, DISR, CIFE, JMIM) takes one copy and then c."""
    X, y = copies_and_xor()
    assert set(MISelector(k=2).fit(X, y).ranking_[:2]) == {0, 1}
    for method in ("jmi", "cmim", "disr", "cife", "jmim"):
        ranking = MISelector(k=2, method=method).fit(X, y).ranking_
        assert ranking[0] in (0, 1) and ranking[1] == 2, method


@pytest.mark.parametrize("method", ["univariate", *GREEDY])
def test_constant_columns_come_after_informative_ones(method):
    """Check that no method picks a constant column before an informative one, even where
    the other columns' corrected scores are negative."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 5))
    X[:, 0] = 3.0
    y = X[:, 3] + X[:, 4] + 0.5 * rng.normal(size=500)
    ranking = MISelector(k="all", method=method).fit(X, y).ranking_
    assert sorted(ranking.tolist()) == list(range(5))
    assert ranking.tolist().index(0) > max(ranking.tolist().index(j) for j in (3, 4))


def benjamini_hochberg(pvalues, alpha):
    """Reference step-up: reject the i smallest p-values for the largest i with
    p_(i) <= i alpha / m."""
    order = np.argsort(pvalues)
    m = len(pvalues)
    below = np.flatnonzero(pvalues[order] <= alpha * np.arange(1, m + 1) / m)
    keep = np.zeros(m, dtype=bool)
    if below.size:
        keep[order[: below[-1] + 1]] = True
    return keep


@pytest.mark.parametrize("method", ["univariate", "cmim"])
def test_alpha_keeps_the_benjamini_hochberg_discoveries(method):
    """Check that alpha keeps exactly the features the step-up procedure rejects, that k
    caps them, and that a multivariate method orders only them first."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 30))
    y = X[:, :6] @ np.linspace(0.15, 0.6, 6) + rng.normal(size=300)
    selector = MISelector(k="all", alpha=0.1, method=method).fit(X, y)
    expected = benjamini_hochberg(selector.pvalues_, 0.1)
    assert 0 < expected.sum() < 30  # the case tests something: some kept, some not
    np.testing.assert_array_equal(selector.get_support(), expected)
    first = selector.ranking_[: expected.sum()]
    assert expected[first].all()
    capped = MISelector(k=2, alpha=0.1, method=method).fit(X, y)
    assert capped.get_support().sum() == 2
    assert expected[capped.get_support()].all()


def test_greedy_on_a_continuous_target():
    """Check a regression target (binned for the three-way tables): with y = a + b and a
    noisy copy of a, CMIM and mRMR take a (or its copy) and b, not both copies."""
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 3000))
    X = np.column_stack([a, a + 0.05 * rng.normal(size=3000), b, rng.normal(size=3000)])
    y = a + b
    for method in ("cmim", "mrmr"):
        picked = set(MISelector(k=2, method=method).fit(X, y).ranking_[:2].tolist())
        assert 2 in picked and len(picked & {0, 1}) == 1, method


def test_greedy_resolution_keeps_samples_per_cell():
    """Check the three-way tables' resolution: c(N) samples per cell of k^2 classes or k^3
    bins, at least two bins."""
    assert greedy_n_bins(3000, 2) == 14  # sqrt(3000 / 6.95 / 2) = 14.7
    assert greedy_n_bins(3000) == 7  # (3000 / 6.95)^(1/3) = 7.6
    assert greedy_n_bins(20, 10) == 2


def redundant_classification():
    """The data of the selection benchmark: columns 0-4 informative, 5-9 their linear
    combinations, 10-19 copies of columns 0-9, 20-39 noise."""
    return make_classification(
        3000,
        40,
        n_informative=5,
        n_redundant=5,
        n_repeated=10,
        shuffle=False,
        class_sep=0.8,
        random_state=0,
    )


def test_greedy_selection_spans_the_informative_directions():
    """Check the benchmark's claims on its data at k = 5: univariate selection keeps copies
    and spans 2 of the 5 informative directions; CMIM spans all 5 and mRMR keeps no two
    columns correlated above 0.95."""
    X, y = redundant_classification()

    def span(columns):
        coef = np.linalg.lstsq(X[:, :5], X[:, columns], rcond=None)[0]
        explained = np.isclose(X[:, :5] @ coef, X[:, columns], atol=1e-8).all(axis=0)
        return np.linalg.matrix_rank(coef[:, explained], tol=1e-6)

    assert span(MISelector(k=5).fit(X, y).ranking_[:5]) == 2
    assert span(MISelector(k=5, method="cmim").fit(X, y).ranking_[:5]) == 5
    mrmr = MISelector(k=5, method="mrmr").fit(X, y).ranking_[:5]
    r = np.corrcoef(X[:, mrmr], rowvar=False)[np.triu_indices(5, 1)]
    assert np.abs(r).max() < 0.95


def test_method_and_alpha_tuned_by_grid_search():
    """Check that GridSearchCV reaches method, k and alpha: on copies plus an interaction,
    CMIM with k=2 (a copy of b, and c) beats univariate selection of the two copies."""
    X, y = copies_and_xor(1500, seed=4)
    pipe = Pipeline([("select", MISelector()), ("model", LogisticRegression())])
    X = np.column_stack([X, X[:, 0] * X[:, 2]])  # lets a linear model use the interaction
    grid = {"select__method": ["univariate", "cmim"], "select__k": [3], "select__alpha": [None]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert search.best_params_["select__method"] == "cmim"
    assert len(search.cv_results_["params"]) == 2


def test_criterion_is_nan_past_the_picks():
    """Check that a greedy run stops at k picks: the rest of the ranking follows by score
    and has no criterion value."""
    X, y = copies_and_xor()
    selector = MISelector(k=2, method="jmi").fit(X, y)
    assert np.isfinite(selector.criterion_[:2]).all()
    assert np.isnan(selector.criterion_[2:]).all()
    assert sorted(selector.ranking_.tolist()) == [0, 1, 2, 3]


def test_quotient_never_picks_noise_before_informative_columns():
    """Check that mRMR's quotient divides by the plug-in redundancy, never by a corrected
    one near 0: on make_classification (4 informative, 4 redundant, 6 repeated columns, then
    10 of noise, in that order), its first 5 picks hold no noise column on any of 6 seeds.
    Dividing by the corrected redundancy picked a noise column second on all 6."""
    for seed in range(6):
        X, y = make_classification(
            1500, 24, n_informative=4, n_redundant=4, n_repeated=6, shuffle=False,
            random_state=seed,
        )  # fmt: skip
        picks = MISelector(k=5, method="mrmr-quotient").fit(X, y).ranking_[:5]
        assert (picks < 14).all(), (seed, picks)


@pytest.mark.parametrize("method", ["univariate", "jmi"])
def test_fractional_k_keeps_that_fraction_of_the_features(method):
    """Check a float k as scikit-learn's SequentialFeatureSelector reads it: int(k * the
    features), the same picks as that integer k; a fraction past 1 is refused."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = load_breast_cancer(return_X_y=True)
    fraction = MISelector(k=0.25, method=method).fit(X, y)
    counted = MISelector(k=int(0.25 * X.shape[1]), method=method).fit(X, y)
    assert fraction.get_support().sum() == 7
    np.testing.assert_array_equal(fraction.get_support(), counted.get_support())
    with pytest.raises(InvalidParameterError, match="'k' parameter"):
        MISelector(k=1.5).fit(X, y)


def _reference_fcbf(X, y):
    """FCBF as Yu and Liu (2003) state it, on exact discrete plug-in values (scikit-learn's
    mutual_info_score): features by SU with y, each dropped when an earlier kept feature
    predominates it."""
    from sklearn.metrics import mutual_info_score

    def su(a, b):
        h = mutual_info_score(a, a) + mutual_info_score(b, b)
        return 2 * mutual_info_score(a, b) / h if h > 0 else 0.0

    relevance = np.array([su(X[:, j], y) for j in range(X.shape[1])])
    order = [j for j in np.argsort(-relevance, kind="stable") if relevance[j] > 0]
    kept = []
    for j in order:
        if all(su(X[:, j], X[:, p]) < relevance[j] for p in kept):
            kept.append(j)
    return kept


@pytest.mark.parametrize("seed", range(4))
def test_fcbf_keeps_what_the_reference_algorithm_keeps(seed):
    """Check method="fcbf" on discrete columns, where the greedy codes are the values and
    the plug-in terms are scikit-learn's: the same features kept, in the same order, the
    near-copy of a kept feature and the columns that a pick predominates dropped, and k
    capping the picks."""
    rng = np.random.default_rng(seed)
    n = 3000
    b, c, d, e = rng.integers(0, 2, size=(4, n))
    near_b = np.where(rng.random(n) < 0.1, 1 - b, b)
    y = b + c + (rng.random(n) < 0.3) * e
    X = np.column_stack([d, near_b, c, b, e]).astype(float)
    estimator = HistogramMI(correction=None)
    selector = MISelector(estimator, k="all", method="fcbf").fit(X, y)
    kept = _reference_fcbf(X, y)
    np.testing.assert_array_equal(selector.ranking_[: len(kept)], kept)
    assert selector.get_support().sum() == len(kept)
    assert not selector.get_support()[1]  # the near-copy of b
    capped = MISelector(estimator, k=1, method="fcbf").fit(X, y)
    assert np.flatnonzero(capped.get_support()).tolist() == kept[:1]


@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0])
def test_mifs_weighs_the_redundancy_by_beta(beta):
    """Check MIFS's values on the XOR table at other weights: r, then x1 (no redundancy),
    then x2 charged beta r; at beta = 0, the relevance alone (x1 and x2 tie at 0, the first
    column first)."""
    X, y = xor_table()
    estimator = HistogramMI(correction=None, discrete_features=True, base=2, n_permutations=0)
    selector = MISelector(estimator, k="all", method="mifs", beta=beta).fit(X, y)
    assert selector.ranking_.tolist() == [0, 1, 2]
    np.testing.assert_allclose(selector.criterion_, [R, 0.0, -beta * R], rtol=0, atol=1e-12)


def test_conditional_g_test_is_the_g_test_on_one_slice_and_holds_its_level():
    """Check the conditional G-test: with one value of Z it is the two-way test; with Y
    depending on Z alone (X independent of Y given Z, but not of Y), the share of 400 tables
    with p < 0.05 lies within 0.05 +- 3 binomial standard errors (+-0.033); with X
    equal to Y in half the rows, every p-value is below 1e-6."""
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(600, 400)).astype(np.uint16)
    z = rng.integers(0, 3, size=600)
    y = (z + (rng.random(600) < 0.3)) % 2
    one = BACKEND.count_codes_3(codes[:, :20], np.zeros(600, dtype=np.int64), y, 4, 1, 2)
    two_way = one[:, :, 0, :]
    np.testing.assert_allclose(
        conditional_g_test_pvalues(one),
        g_test_pvalues(mutual_info_from_counts(two_way), *margins(two_way)),
        rtol=1e-12,
    )
    null = conditional_g_test_pvalues(BACKEND.count_codes_3(codes, z, y, 4, 3, 2))
    assert abs(np.mean(null < 0.05) - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 400)
    dependent = np.where(rng.random((600, 50)) < 0.5, y[:, None], codes[:, :50])
    tables = BACKEND.count_codes_3(dependent.astype(np.uint16), z, y, 4, 3, 2)
    assert (conditional_g_test_pvalues(tables) < 1e-6).all()


@pytest.mark.parametrize("method", ["univariate", "mrmr", "cmim", "jmi", "jmim"])
def test_auto_k_on_noise_picks_nothing_at_the_level(method):
    """Check k="auto" on 40 draws of 20 noise columns: each draw's chance of any pick is at
    most 0.05 (Bonferroni over the candidates at the first step), so at most 5 of the 40
    may pick anything (P(6 or more) = 0.014 at a rate of exactly 0.05)."""
    picked = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        X, y = rng.normal(size=(500, 20)), rng.integers(0, 2, size=500)
        picked += MISelector(k="auto", method=method).fit(X, y).get_support().any()
    assert picked <= 5


@pytest.mark.parametrize("method", ["univariate", "mrmr", "cmim", "jmim", "icap"])
def test_auto_k_keeps_the_informative_features_and_stops(method):
    """Check k="auto" where y is a noisy sum of three independent features among 12: it
    keeps those three and no noise column, whichever the method, and its criterion is NaN
    past them."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 12))
    y = (X[:, 2] + X[:, 5] + X[:, 9] + rng.normal(size=3000) > 0).astype(int)
    selector = MISelector(k="auto", method=method).fit(X, y)
    assert np.flatnonzero(selector.get_support()).tolist() == [2, 5, 9]
    assert np.isnan(selector.criterion_[3:]).all()


def test_auto_k_univariate_is_holm_in_the_order_of_the_scores():
    """Check univariate k="auto" against its rule computed from the fitted p-values: the
    features by score up to the first whose p-value times the number left is above 0.05."""
    X, y = make_classification(600, 30, n_informative=3, n_redundant=3, random_state=0)
    selector = MISelector(k="auto").fit(X, y)
    order = np.argsort(-selector.scores_, kind="stable")
    p = selector.pvalues_[order] * (30 - np.arange(30))
    n = int(np.argmax(p > 0.05))
    assert 0 < n < 30
    assert np.flatnonzero(selector.get_support()).tolist() == sorted(order[:n])


def interaction_data(n=2000, seed=0):
    """y = (x0 x1 > 0) + (x2^2 > 1) over 30 normal columns, 3 to 7 near-copies of x2: x0
    and x1 say nothing of y alone, and the copies of x2 all rank above them."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 30))
    X[:, 3:8] = X[:, [2]] + 0.1 * rng.normal(size=(n, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] ** 2 > 1).astype(int)
    return X, y


@pytest.mark.parametrize("method", GREEDY)
def test_interactions_find_the_pair_behind_a_strong_feature(method):
    """Check that with interactions=True every greedy method keeps x0 and x1 among 5, and
    that the search reports that pair alone, with its synergy I(x0 x1; y) - I(x0; y) -
    I(x1; y) near the exact ln 2 - H(1/2, 0.5 P, 0.5 (1 - P)) + H(P) (0.38 nats, P =
    P(|x2| > 1); less at the greedy codes' resolution) and a tiny p-value; without it,
    JMI, which sees pairs with its picks, never takes both."""
    X, y = interaction_data()
    selector = MISelector(k=5, method=method, interactions=True).fit(X, y)
    assert selector.get_support()[[0, 1]].all()
    found = selector.interactions_
    assert [(found.feature_a[0], found.feature_b[0])] == [(0, 1)] and len(found) == 1
    assert 0.25 < found.synergy[0] < 0.39 and found.pvalue[0] < 1e-20
    if method == "jmi":
        assert not MISelector(k=5, method=method).fit(X, y).get_support()[[0, 1]].all()


# The pair (x1, x2) of the XOR table is y itself: 1 bit, first by every criterion, from
# the relevance (and entropies) of its joint codes: H(x1, x2, y) = 2, H(x1, x2) = 2.
PAIR_FIRST = {method: 1.0 for method in GREEDY} | {"disr": 1 / 2, "fcbf": 2 * 1 / (2 + 1)}


@pytest.mark.parametrize("method", GREEDY)
def test_a_pair_is_picked_as_one_candidate_worked_by_hand(method):
    """Check on the XOR table (eight times over, for significance) that the pair (x1, x2)
    is found with synergy 1 bit - 0 - 0, and that every method picks it first, at both
    places the value worked out above."""
    X, y = xor_table()
    X, y = np.tile(X, (8, 1)), np.tile(y, 8)
    estimator = HistogramMI(correction=None, discrete_features=True, base=2, n_permutations=0)
    selector = MISelector(estimator, k=2, method=method, interactions=True).fit(X, y)
    found = selector.interactions_
    assert (found.feature_a[0], found.feature_b[0]) == (1, 2)
    np.testing.assert_allclose(found.synergy[0], 1.0, rtol=0, atol=1e-12)
    assert sorted(selector.ranking_[:2]) == [1, 2]
    np.testing.assert_allclose(selector.criterion_[:2], PAIR_FIRST[method], atol=1e-12)


def test_interactions_need_a_multivariate_method():
    """Check that univariate ranking with interactions=True is refused by name."""
    X, y = xor_table()
    with pytest.raises(ValueError, match="interactions=True needs a multivariate method"):
        MISelector(interactions=True).fit(X, y)


def test_interactions_table_is_empty_without_candidates_and_gone_after_a_plain_fit():
    """Check ``interactions_`` where no feature passes ``threshold`` (an empty table with
    its fields) and after a refit without the search (no attribute left over)."""
    X, y = xor_table()
    selector = MISelector(k=2, method="jmi", interactions=True, threshold=9.0).fit(X, y)
    assert len(selector.interactions_) == 0
    assert selector.interactions_.dtype.names == ("feature_a", "feature_b", "synergy", "pvalue")
    selector.set_params(interactions=False).fit(X, y)
    assert not hasattr(selector, "interactions_")
