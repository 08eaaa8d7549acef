"""Tests of the score functions: closed-form ground truths, invariants and validation."""

import inspect
import math

import numpy as np
import pytest
from sklearn.metrics import mutual_info_score
from sklearn.utils._param_validation import InvalidParameterError

from skmi import HistogramMI, histogram_entropy, histogram_mi_classif, histogram_mi_regression
from skmi._scoring import _MI_CORRECTIONS


def gaussian_pair(rng, n, rho):
    x = rng.normal(size=n)
    return x, rho * x + math.sqrt(1 - rho**2) * rng.normal(size=n)


def test_histogram_mi_classif_discrete_equals_mutual_info_score():
    """Check that discrete-discrete plug-in MI equals scikit-learn's mutual_info_score."""
    x, y = [0, 1, 1, 0, 0], [1, 0, 0, 0, 1]
    mi = histogram_mi_classif(np.c_[x], y, discrete_features=True, correction=None)
    assert mi[0] == pytest.approx(0.2911032, abs=1e-7)
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 6, size=(400, 3)), rng.integers(0, 4, 400)
    mine = histogram_mi_classif(X, y, discrete_features=True, correction=None)
    expected = [mutual_info_score(X[:, j], y) for j in range(3)]
    np.testing.assert_allclose(mine, expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize(("p", "expected"), [(0.5, 0.3465736), (0.3, 0.3054322)])
def test_histogram_mi_classif_bernoulli_uniform_ground_truth(p, expected):
    """Check scikit-learn's own ground truth: Y|X=0 ~ U(-1,1), Y|X=1 ~ U(0,2).

    Three equal-width bins over (-1, 2) put edges at 0 and 1, where p(x|y) changes, so
    binning loses nothing. The delta-method SE at N = 20,000 is below 0.003; 0.012 is 4 SE.
    """
    rng = np.random.default_rng(1)
    n = 20_000
    x = rng.random(n) < p
    y = np.where(x, rng.uniform(0, 2, n), rng.uniform(-1, 1, n))
    mi = histogram_mi_classif(np.c_[y], x, n_bins=3, strategy="uniform")
    assert mi[0] == pytest.approx(expected, abs=0.012)


@pytest.mark.parametrize(("m", "expected"), [(2, 0.34657), (5, 1.05492)])
def test_histogram_mi_classif_discrete_uniform_channel(m, expected):
    """Check I = ln m - ((m-1)/m) ln 2 for X ~ U{0..m-1}, Y|X ~ U(X, X+2).

    Equal-width bins of width 1 align with the points where p(x|y) changes. The SE at
    N = 20,000 is at most 0.002 (sqrt(0.077 / N) for m = 5); 0.01 is 5 SE.
    """
    rng = np.random.default_rng(m)
    n = 20_000
    x = rng.integers(0, m, n)
    y = x + rng.uniform(0, 2, n)
    mi = histogram_mi_classif(np.c_[y], x, n_bins=m + 1, strategy="uniform")
    assert mi[0] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(("rho", "limit"), [(0.5, 0.1364), (0.9, 0.7674)])
def test_histogram_mi_regression_gaussian_binned_limit(rho, limit):
    """Check 15 quantile bins against their large-N limit for a Gaussian pair.

    The limit is the MI of the 15 x 15 bivariate-normal cell probabilities between normal
    quantiles, what binning keeps of -ln(1 - rho^2) / 2 (0.1364 of 0.1438 nats at rho = 0.5,
    0.7674 of 0.8304 at 0.9). The chance correction removes the (B-1)^2 / 2N bias; the SE at
    N = 100,000 is about rho / sqrt(N) <= 0.003, so 0.01 is over 3 SE.
    """
    x, y = gaussian_pair(np.random.default_rng(2), 100_000, rho)
    assert histogram_mi_regression(np.c_[x], y, n_bins=15)[0] == pytest.approx(limit, abs=0.01)


def test_histogram_mi_regression_plugin_bias_at_independence():
    """Check the plug-in's large bias at independence, and that "chance" removes it.

    B = 15, N = 200: the first-order bias (B-1)^2 / 2N is 0.49 nats (higher-order terms add
    more when cells expect one sample). The chance-corrected mean must be 0 within 4 SE.
    """
    rng = np.random.default_rng(3)
    plugin, chance = [], []
    for _ in range(200):
        X, y = rng.normal(size=(200, 1)), rng.normal(size=200)
        plugin.append(histogram_mi_regression(X, y, n_bins=15, correction=None)[0])
        chance.append(histogram_mi_regression(X, y, n_bins=15, correction="chance")[0])
    assert np.mean(plugin) > 14**2 / 400
    assert abs(np.mean(chance)) < 4 * np.std(chance) / np.sqrt(len(chance))


@pytest.mark.parametrize(
    ("n_bins", "correction"),
    [("partition", None), ("partition", "miller-madow")]
    + [("adaptive", correction) for correction in _MI_CORRECTIONS],
)
def test_histogram_mi_regression_monotone_transform_is_exactly_invariant(n_bins, correction):
    """Check that strictly monotone maps of X and y leave quantile-binned MI exactly unchanged."""
    x, y = gaussian_pair(np.random.default_rng(4), 3000, 0.6)
    X = np.c_[x, -x, x**3]
    params = dict(n_bins=n_bins, correction=correction)
    before = histogram_mi_regression(X, y, **params)
    after = histogram_mi_regression(np.exp(X), y**3, **params)
    np.testing.assert_array_equal(before, after)


def test_histogram_mi_regression_symmetric():
    """Check I(X; Y) = I(Y; X) when both are binned the same way."""
    x, y = gaussian_pair(np.random.default_rng(5), 2000, 0.4)
    np.testing.assert_allclose(
        histogram_mi_regression(np.c_[x], y, n_bins=12),
        histogram_mi_regression(np.c_[y], x, n_bins=12),
        rtol=1e-12,
    )


def test_histogram_mi_regression_row_order_and_layout_invariant():
    """Check that shuffling rows and changing memory layout change nothing."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(1500, 4))
    y = X[:, 0] + rng.normal(size=1500)
    order = rng.permutation(1500)
    expected = histogram_mi_regression(X, y)
    np.testing.assert_array_equal(histogram_mi_regression(X[order], y[order]), expected)
    np.testing.assert_array_equal(histogram_mi_regression(np.asfortranarray(X), y), expected)
    wide = np.repeat(X, 2, axis=1)[:, ::2]
    np.testing.assert_array_equal(histogram_mi_regression(wide, y), expected)


def test_histogram_mi_regression_n_jobs_gives_identical_results():
    """Check that splitting rows over threads gives bit-identical scores."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50_000, 3))
    y = X[:, 1] + rng.normal(size=50_000)
    np.testing.assert_array_equal(
        histogram_mi_regression(X, y, n_jobs=1), histogram_mi_regression(X, y, n_jobs=2)
    )


def _blocks_data():
    """Columns with ties and categories (so that bin counts differ between features), and
    a target that depends on a few of them."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(700, 14))
    X[:, 3] = np.round(X[:, 3])
    X[:, 5] = rng.integers(0, 4, 700)
    y = X[:, 0] + X[:, 3] + X[:, 5] + rng.normal(size=700)
    return X, y


@pytest.mark.parametrize("layout", ["C", "F"])
@pytest.mark.parametrize("n_bins", ["adaptive", 8, "fd"])
@pytest.mark.parametrize("subsample", [None, 300])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_feature_blocks_change_no_result(monkeypatch, layout, n_bins, subsample, n_jobs):
    """Check that taking the features through the stages in blocks, down to one feature a
    block and blocks on threads, changes no score, p-value (permutations included), standard
    error, bin or ``partial_fit`` continuation; transposed blocks (C-ordered X, edges from
    every row) included.

    Entropies are compared to round-off: numpy sums a feature's bins pairwise, in an order
    that depends on how far its table is padded, the widest bin count of its block.
    """
    X, y = _blocks_data()
    X = np.asfortranarray(X) if layout == "F" else X
    params = dict(n_bins=n_bins, discrete_features=[5], subsample=subsample, n_jobs=n_jobs)
    score_kw = dict(n_bins=n_bins, discrete_features=[5], subsample=subsample, n_jobs=n_jobs)
    est_kw = dict(n_permutations=99, random_state=0, **params)
    whole = HistogramMI(**est_kw).fit(X, y)
    whole_state = HistogramMI(**{**est_kw, "random_state": np.random.RandomState(0)}).fit(X, y)
    whole_scores = histogram_mi_regression(X, y, **score_kw)
    monkeypatch.setattr("skmi._blocks._BLOCK_BYTES", 1)
    # On two threads, the threads take blocks (as they do for many blocks of many values).
    monkeypatch.setattr("skmi._blocks._BLOCKS_PER_THREAD", 1)
    monkeypatch.setattr("skmi._threads._MIN_VALUES_PER_THREAD", 1)
    blocked = HistogramMI(**est_kw).fit(X, y)
    blocked_state = HistogramMI(**{**est_kw, "random_state": np.random.RandomState(0)}).fit(X, y)
    np.testing.assert_array_equal(histogram_mi_regression(X, y, **score_kw), whole_scores)
    for a, b in [(whole, blocked), (whole_state, blocked_state)]:
        for name in ("scores_", "pvalues_", "standard_errors_", "n_bins_", "target_n_bins_"):
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name), err_msg=name)
        for name in ("entropy_", "target_entropy_"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-14)
        for e, f in zip(a.bin_edges_, b.bin_edges_, strict=True):
            np.testing.assert_array_equal(e, f)
    assert (whole.pvalues_ <= 0.01).sum() >= 3  # the dependent features are tested
    if n_bins != "adaptive":  # tables continued by partial_fit: the joined blocks
        more = HistogramMI(**est_kw).fit(X, y).partial_fit(X[:50], y[:50])
        monkeypatch.setattr("skmi._blocks._BLOCK_BYTES", 2**24)
        expected = HistogramMI(**est_kw).fit(X, y).partial_fit(X[:50], y[:50])
        np.testing.assert_array_equal(more.scores_, expected.scores_)
        np.testing.assert_array_equal(more.pvalues_, expected.pvalues_)


def test_histogram_mi_regression_float32_equals_float64():
    """Check that float32 input and its float64 copy give identical scores."""
    rng = np.random.default_rng(8)
    X = rng.normal(size=(1000, 3)).astype(np.float32)
    y = (X[:, 0] + rng.normal(size=1000)).astype(np.float32)
    np.testing.assert_array_equal(
        histogram_mi_regression(X, y), histogram_mi_regression(X.astype(float), y.astype(float))
    )


def test_histogram_mi_regression_does_not_mutate_input():
    """Check that X and y are left untouched."""
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(300, 2)), rng.normal(size=300)
    X0, y0 = X.copy(), y.copy()
    histogram_mi_regression(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_histogram_mi_regression_self_information_is_entropy_and_bounds():
    """Check I(X; X) = H(X) and 0 <= I(X; Y) <= min(H(X), H(Y)) for the plug-in."""
    rng = np.random.default_rng(10)
    x, y = gaussian_pair(rng, 2000, 0.7)
    h_x = histogram_entropy(np.c_[x], n_bins=10)[0]
    h_y = histogram_entropy(np.c_[y], n_bins=10)[0]
    assert histogram_mi_regression(np.c_[x], x, n_bins=10, correction=None)[0] == pytest.approx(
        h_x, rel=1e-12
    )
    mi = histogram_mi_regression(np.c_[x], y, n_bins=10, correction=None)[0]
    assert 0 <= mi <= min(h_x, h_y)


def test_histogram_mi_regression_constant_feature_is_exactly_zero():
    """Check that a constant feature has MI exactly 0 under every correction (sklearn #30772)."""
    rng = np.random.default_rng(11)
    X = np.c_[np.full(500, 2.5), rng.normal(size=500)]
    y = rng.normal(size=500)
    for correction in _MI_CORRECTIONS:
        for n_bins in ("partition", "adaptive", 8):
            if n_bins == "partition" and correction == "chance":
                continue  # a grid's correction
            params = dict(n_bins=n_bins, correction=correction)
            assert histogram_mi_regression(X, y, **params)[0] == 0.0


def test_histogram_mi_regression_base_two_is_bits():
    """Check that base=2 divides nats by ln 2."""
    x, y = gaussian_pair(np.random.default_rng(12), 1000, 0.5)
    nats = histogram_mi_regression(np.c_[x], y)
    np.testing.assert_allclose(histogram_mi_regression(np.c_[x], y, base=2), nats / math.log(2))


def test_histogram_mi_regression_correlation_scale_recovers_rho():
    """Check that the correlation scale gives |rho| for a Gaussian, up to binning loss.

    At N = 50,000 with 30 quantile bins the binned MI is within 3% of -ln(1 - rho^2) / 2.
    """
    x, y = gaussian_pair(np.random.default_rng(13), 50_000, 0.8)
    r = histogram_mi_regression(np.c_[x], y, n_bins=30, normalize="correlation")[0]
    assert r == pytest.approx(0.8, abs=0.02)


def test_histogram_mi_regression_per_feature_bins():
    """Check that n_bins as one int per feature is applied column by column."""
    rng = np.random.default_rng(14)
    X, y = rng.normal(size=(400, 2)), rng.normal(size=400)
    est_both = HistogramMI(n_bins=[4, 9]).fit(X, y)
    np.testing.assert_array_equal(est_both.n_bins_, [4, 9])
    # With one count per feature the target follows the entropy rule, as documented.
    np.testing.assert_array_equal(
        est_both.target_n_bins_, HistogramMI(n_bins="hacine-gharbi").fit(X, y).target_n_bins_
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_bins": 1}, "n_bins"),
        ({"n_bins": "nope"}, "n_bins"),
        ({"n_bins": [3, 4]}, "n_bins"),
        ({"strategy": "kmeans"}, "strategy"),
        ({"correction": "jackknife!"}, "correction"),
        ({"base": 1}, "base"),
        ({"base": -2}, "base"),
        ({"discrete_features": [7]}, "discrete_features"),
    ],
)
def test_histogram_mi_regression_rejects_bad_parameters(kwargs, match):
    """Check that bad parameters raise a ValueError naming the parameter."""
    rng = np.random.default_rng(15)
    with pytest.raises(ValueError, match=match):
        histogram_mi_regression(rng.normal(size=(50, 3)), rng.normal(size=50), **kwargs)


@pytest.mark.parametrize(
    "func", [histogram_mi_regression, histogram_mi_classif, histogram_entropy]
)
def test_public_function_constraints_match_signature(func):
    """Check that each function validates exactly its parameters, naming a bad one."""
    signature = set(inspect.signature(func).parameters)
    assert set(func._skl_parameter_constraints) == signature
    args = ([[0.0], [1.0]], [0, 1]) if "y" in signature else ([[0.0], [1.0]],)
    for name in signature - {"X", "y"}:
        with pytest.raises(InvalidParameterError, match=name):
            func(*args, **{name: object()})
