"""The statistical targets of the defaults, guarded with seeds and sampling-error margins.

Targets (issue "Honest statistics"): at independence the mean estimate is within 0.005 nats
of 0 at N = 1e3 and 1e4; over the families of known MI (their closed forms are listed in
the user guide, "Choosing the defaults") the mean absolute error is at most 1.5x that of
scikit-learn's KSG on the same samples; the false-positive rate at alpha = 0.05 is
in [0.03, 0.07]; the power at rho = 0.1, N = 1e4 is at least 0.8. Each assertion leaves room
for the sampling error of the check itself, computed from the same draws.
"""

import math

import numpy as np
import pytest
from scipy import stats
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from skmi import HistogramMI, histogram_mi_classif, histogram_mi_regression


def gaussian_columns(rng, n, d, rho):
    """y and d columns, each correlated rho with y and independent of each other given y."""
    y = rng.normal(size=n)
    X = rho * y[:, None] + math.sqrt(1 - rho**2) * rng.normal(size=(n, d))
    return X, y


@pytest.mark.parametrize(("n", "reps"), [(1_000, 50), (10_000, 10)])
def test_default_is_unbiased_at_independence(n, reps):
    """Check |mean| + 3 SE <= 0.005 nats for continuous and for 3-class targets."""
    rng = np.random.default_rng(n)
    continuous, classes = [], []
    for _ in range(reps):
        X, y = gaussian_columns(rng, n, 40, 0.0)
        continuous.append(histogram_mi_regression(X, y))
        classes.append(histogram_mi_classif(X, rng.integers(0, 3, n)))
    for estimates in (np.concatenate(continuous), np.concatenate(classes)):
        se = estimates.std() / math.sqrt(estimates.size)
        assert abs(estimates.mean()) + 3 * se <= 0.005


@pytest.mark.parametrize(("n", "fits"), [(1_000, 40), (10_000, 40)])
def test_pvalues_hold_their_level(n, fits):
    """Check the false-positive rate at alpha = 0.05 on 2000 independent columns.

    The binomial SE of the rate is 0.005, so [0.03, 0.07] is the target with 4 SE to spare.
    """
    rng = np.random.default_rng(n + 1)
    pvalues = np.concatenate(
        [HistogramMI().fit(*gaussian_columns(rng, n, 50, 0.0)).pvalues_ for _ in range(fits)]
    )
    assert 0.03 <= np.mean(pvalues < 0.05) <= 0.07


def test_pvalues_have_power_at_weak_correlation():
    """Check power >= 0.8 at rho = 0.1, N = 1e4 (200 columns: SE of the rate below 0.03)."""
    rng = np.random.default_rng(2)
    pvalues = np.concatenate(
        [HistogramMI().fit(*gaussian_columns(rng, 10_000, 50, 0.1)).pvalues_ for _ in range(4)]
    )
    assert np.mean(pvalues < 0.05) >= 0.8


def family_samples(rng, n):
    """(name, x, y, discrete x, true MI in nats) for eleven of the families of known MI that
    the user guide lists ("Choosing the defaults") and benchmarks/accuracy.py draws."""
    out = []
    for rho in (0.3, 0.5, 0.9):
        x, y = gaussian_columns(rng, n, 1, rho)
        out.append((f"gauss {rho}", x[:, 0], y, False, -0.5 * math.log(1 - rho**2)))
    x, y = gaussian_columns(rng, n, 1, 0.9)
    out.append(("exp/cube 0.9", np.exp(x[:, 0]), y**3, False, -0.5 * math.log(1 - 0.81)))
    for eps in (0.1, 0.25, 1.0):
        x = rng.uniform(size=n)
        truth = eps - math.log(2 * eps) if eps <= 0.5 else 1 / (4 * eps)
        out.append((f"uniform {eps}", x, x + rng.uniform(-eps, eps, n), False, truth))
    for nu, truth in ((1, 0.22417), (3, 0.04241)):
        w = np.sqrt(rng.chisquare(nu, n) / nu)
        z = rng.normal(size=(2, n))
        out.append((f"student {nu}", z[0] / w, z[1] / w, False, truth))
    for m in (2, 5):
        x = rng.integers(0, m, n)
        truth = math.log(m) - (m - 1) / m * math.log(2)
        out.append((f"discrete {m}", x, x + rng.uniform(0, 2, n), True, truth))
    return out


@pytest.mark.slow
def test_default_mae_within_one_and_a_half_ksg():
    """Check the overall MAE over the families at N = 1e3 against 1.5x KSG's, same samples.

    The benchmark measured 1.17x over 200 replicates; with 30 here the ratio's relative
    sampling error is about 5%, so the 1.5x target is several SE away either way.
    """
    rng = np.random.default_rng(3)
    errors = {"skmi": [], "ksg": []}
    for _ in range(30):
        for _, x, y, discrete, truth in family_samples(rng, 1_000):
            if discrete:
                ours = histogram_mi_classif(y[:, None], x)[0]
                ksg = mutual_info_classif(y[:, None], x, random_state=0)[0]
            else:
                ours = histogram_mi_regression(x[:, None], y)[0]
                ksg = mutual_info_regression(x[:, None], y, random_state=0)[0]
            errors["skmi"].append(abs(ours - truth))
            errors["ksg"].append(abs(ksg - truth))
    assert np.mean(errors["skmi"]) <= 1.5 * np.mean(errors["ksg"])


def test_student_t_truth_matches_closed_form():
    """Check the Student-t ground truths used above against scipy's exact entropies."""
    for nu, truth in ((1, 0.22417), (3, 0.04241)):
        marginal = stats.t(nu).entropy()
        joint = stats.multivariate_t(shape=np.eye(2), df=nu).entropy()
        assert 2 * marginal - joint == pytest.approx(truth, abs=1e-5)
