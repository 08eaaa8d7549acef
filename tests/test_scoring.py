"""Tests of scoring from count tables: hand-computed tables and independent oracles."""

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.stats import chi2, chi2_contingency
from sklearn.metrics import mutual_info_score
from sklearn.metrics.cluster._expected_mutual_info_fast import expected_mutual_information

from skmi import pairwise_histogram_mi
from skmi._scoring import (
    _MI_CORRECTIONS,
    _NORMALIZATIONS,
    ASYMPTOTIC_MIN_EXPECTED,
    chance_level,
    chi2_tail,
    conditional_mi_from_counts,
    corrected_entropy,
    delta_method_se,
    entropy_from_counts,
    g_test_pvalues,
    margins,
    mutual_info_from_counts,
    null_mean,
    summarize,
)


def corrected_mi(joint, correction):
    """Apply a correction as the core does: to the plug-in MI, from margins and cells."""
    a, b = margins(joint)
    cells = np.count_nonzero(joint, axis=(1, 2))
    return _MI_CORRECTIONS[correction](mutual_info_from_counts(joint), a, b, cells)


def test_mutual_info_from_counts_hand_computed_2x2():
    """Check the plug-in MI of [[3, 1], [1, 3]] against the formula written out by hand."""
    joint = np.array([[[3, 1], [1, 3]]])
    expected = 2 * (3 / 8) * math.log((3 / 8) / (1 / 4)) + 2 * (1 / 8) * math.log(
        (1 / 8) / (1 / 4)
    )
    assert mutual_info_from_counts(joint)[0] == pytest.approx(expected, rel=1e-14)


def test_mutual_info_from_counts_equals_entropy_identity():
    """Check that I = H(X) + H(Y) - H(X, Y) on random tables, the form we do not compute."""
    rng = np.random.default_rng(0)
    joint = rng.integers(0, 20, size=(50, 6, 4))
    h_x = entropy_from_counts(joint.sum(axis=2))
    h_y = entropy_from_counts(joint.sum(axis=1))
    h_xy = entropy_from_counts(joint.reshape(50, -1))
    np.testing.assert_allclose(mutual_info_from_counts(joint), h_x + h_y - h_xy, atol=1e-12)


def test_mutual_info_from_counts_matches_sklearn_mutual_info_score():
    """Check against scikit-learn's mutual_info_score on tables from random labels."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        x, y = rng.integers(0, 5, 300), rng.integers(0, 3, 300)
        joint = np.zeros((1, 5, 3), dtype=np.int64)
        np.add.at(joint[0], (x, y), 1)
        assert mutual_info_from_counts(joint)[0] == pytest.approx(
            mutual_info_score(x, y), abs=1e-12
        )


def test_mutual_info_from_counts_constant_row_is_exactly_zero():
    """Check that a table with one occupied row has MI exactly 0, not round-off."""
    joint = np.array([[[7, 13, 29], [0, 0, 0]]])
    assert mutual_info_from_counts(joint)[0] == 0.0
    for correction in _MI_CORRECTIONS:
        assert corrected_mi(joint, correction)[0] == 0.0


def test_entropy_from_counts_uniform_is_log_k():
    """Check that k equally filled bins give ln k, empty bins adding nothing."""
    counts = np.array([[5, 5, 5, 5, 0, 0], [9, 0, 0, 0, 0, 0]])
    np.testing.assert_allclose(entropy_from_counts(counts), [math.log(4), 0.0], atol=1e-15)


def test_entropy_of_one_occupied_bin_is_never_negative():
    """Check that a constant histogram's entropy is 0 up to round-off and never below it, for
    every N up to 5,000 (log N - N log N / N rounds below 0 for N = 6, 22, 26, ...), and that
    a geometric normalisation of a constant column then stays quiet (warnings are errors)."""
    n = np.arange(1, 5001)
    counts = np.zeros((n.size, 3), dtype=np.int64)
    counts[:, 1] = n
    entropy = entropy_from_counts(counts)
    assert (entropy >= 0).all() and entropy.max() < 1e-14
    X = np.random.default_rng(0).normal(size=(22, 3))
    X[:, 1] = 2.5
    scores = pairwise_histogram_mi(X, normalize="geometric")
    np.testing.assert_array_equal(scores[1], 0.0)


def test_corrected_entropy_miller_madow_adds_occupied_bins_over_2n():
    """Check that Miller-Madow adds (m - 1) / 2N with m the occupied bins."""
    counts = np.array([[3, 0, 1, 4]])
    plugin = entropy_from_counts(counts)
    assert corrected_entropy(counts, "miller-madow")[0] == pytest.approx(plugin[0] + 2 / 16)


def test_corrected_mi_miller_madow_hand_computed():
    """Check Miller-Madow MI: I - (m_xy - m_x - m_y + 1) / 2N with occupied counts."""
    joint = np.array([[[9, 0, 6], [3, 12, 0]]])
    n, m_xy, m_x, m_y = 30, 4, 2, 3
    expected = mutual_info_from_counts(joint)[0] - (m_xy - m_x - m_y + 1) / (2 * n)
    assert corrected_mi(joint, "miller-madow")[0] == pytest.approx(expected, abs=1e-15)


def test_miller_madow_on_too_few_rows_takes_the_chance_level():
    """Check that below 24 rows Miller-Madow's term, which assumes several samples per
    occupied cell, gives way to the exact chance level: two rows read 0 nats, not the
    0.94 (ln 2 + 1/4) of the first-order term, and a table of 10 rows its chance-corrected
    MI; from 24 rows on, the term is used."""
    two = np.array([[[1, 0], [0, 1]]])
    assert corrected_mi(two, "miller-madow")[0] == pytest.approx(0.0, abs=1e-15)
    joint = np.array([[[3, 0, 2], [1, 4, 0]]])
    assert corrected_mi(joint, "miller-madow")[0] == corrected_mi(joint, "chance")[0]
    joint = np.array([[[7, 0, 5], [3, 9, 0]]])  # 24 rows
    m_term = (4 - 2 - 3 + 1) / (2 * 24)
    expected = mutual_info_from_counts(joint)[0] - m_term
    assert corrected_mi(joint, "miller-madow")[0] == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("shape", [(2, 2), (3, 4), (15, 15), (16, 3)])
@pytest.mark.parametrize("n", [20, 200, 5000])
def test_chance_level_matches_sklearn_expected_mutual_information(shape, n):
    """Check the exact chance level against scikit-learn's (slower, independent) implementation."""
    rng = np.random.default_rng(n + shape[0])
    x, y = rng.integers(0, shape[0], n), rng.integers(0, shape[1], n)
    joint = np.zeros((1, *shape), dtype=np.int64)
    np.add.at(joint[0], (x, y), 1)
    contingency = joint[0][joint[0].sum(axis=1) > 0][:, joint[0].sum(axis=0) > 0]
    expected = expected_mutual_information(contingency, n)
    assert chance_level(*margins(joint))[0] == pytest.approx(expected, rel=1e-10, abs=1e-14)


def test_chance_level_of_many_tables_is_each_alone_and_large_n_is_df_over_2n():
    """Check that tables scored in one call (which keeps the logs of the counts they reach)
    get the chance level each gets alone, to the bit, and that margins past the N whose logs
    are kept (2^24) reach the large-sample value df / 2N (relative error O(1 / N))."""
    rng = np.random.default_rng(7)
    joint = rng.integers(0, 40, size=(30, 4, 3)) * (rng.random((30, 4, 3)) < 0.7)
    joint[:, 0, 0] += 1  # no empty table
    a, b = margins(joint)
    alone = [chance_level(a[i : i + 1], b[i : i + 1])[0] for i in range(len(joint))]
    np.testing.assert_array_equal(chance_level(a, b), alone)
    n = 2**24 + 6
    a = np.array([[n // 2, n - n // 2]])
    b = np.array([[n // 3, n // 3, n - 2 * (n // 3)]])
    assert chance_level(a, b)[0] == pytest.approx(2 / (2 * n), rel=1e-5)


def test_chance_level_is_the_permutation_mean():
    """Check that E[I] under shuffling equals the exact chance level, within 4 standard errors."""
    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 6, 120), rng.integers(0, 4, 120)
    values = []
    for _ in range(4000):
        joint = np.zeros((1, 6, 4), dtype=np.int64)
        np.add.at(joint[0], (x, rng.permutation(y)), 1)
        values.append(mutual_info_from_counts(joint)[0])
    joint = np.zeros((1, 6, 4), dtype=np.int64)
    np.add.at(joint[0], (x, y), 1)
    se = np.std(values) / math.sqrt(len(values))
    assert abs(np.mean(values) - chance_level(*margins(joint))[0]) < 4 * se


def test_null_mean_is_the_chance_level_or_its_expansion_where_cells_are_filled():
    """Check the G-test's null mean on random margins, some with empty bins: the exact
    chance level, to the bit, where a cell expects fewer than ``ASYMPTOTIC_MIN_EXPECTED``
    rows, and its second-order expansion elsewhere, within 1e-3 of it, relative (the next
    term falls as the square of the least expected count; 3.8e-4 at most over 4,000 random
    margins in ``benchmarks/null_mean.py``). Both kinds of table occur."""
    rng = np.random.default_rng(11)
    a, b = [], []
    for _ in range(400):
        n = int(rng.choice([200, 2_000, 20_000]))
        sizes = rng.integers(2, 12, size=2)
        a.append(rng.multinomial(n, rng.dirichlet(np.full(sizes[0], rng.choice([1, 50])))))
        b.append(rng.multinomial(n, rng.dirichlet(np.full(sizes[1], rng.choice([1, 50])))))
    width = max(map(len, a + b)) + 1  # an empty bin in every margin
    a, b = (np.array([np.pad(m, (0, width - len(m))) for m in ms]) for ms in (a, b))
    least = [m[m > 0].min() for m in a], [m[m > 0].min() for m in b]
    filled = np.multiply(*least) >= ASYMPTOTIC_MIN_EXPECTED * a.sum(axis=1)
    assert 0 < filled.sum() < filled.size
    exact, mean = chance_level(a, b), null_mean(a, b)
    assert_array_equal(mean[~filled], exact[~filled])
    np.testing.assert_allclose(mean[filled], exact[filled], rtol=1e-3, atol=0)


def test_chi2_tail_is_scipys_in_closed_form_for_one_and_two_degrees_of_freedom():
    """Check the chi-square tail against scipy's for 1 and 2 degrees of freedom (closed
    forms) and more (its series), from x = 0 to where the tail falls to 1e-197: within 1e-13
    of it, relative, all the way (both are accurate to about 1e-15)."""
    x = np.r_[0.0, np.geomspace(1e-8, 900, 400)]
    for df in (1, 2, 3, 7):
        degrees = np.full(x.shape, df)
        expected = chi2.sf(x, df)
        np.testing.assert_allclose(chi2_tail(degrees, x), expected, rtol=1e-13, atol=0)
    mixed = np.array([1, 2, 3, 1, 2])
    np.testing.assert_allclose(chi2_tail(mixed, np.full(5, 4.0)), chi2.sf(4.0, mixed), rtol=1e-14)


def test_g_test_pvalues_match_scipy_log_likelihood_test_on_dense_tables():
    """Check that on dense tables the mean-matched G-test is scipy's log-likelihood test.

    With 400+ samples a cell, E[I] = df / 2N to within 1%, so the p-values agree to a few %.
    """
    rng = np.random.default_rng(4)
    joint = rng.integers(400, 600, size=(10, 4, 3))
    mine = g_test_pvalues(mutual_info_from_counts(joint), *margins(joint))
    for table, p in zip(joint, mine, strict=True):
        _, expected, _, _ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        assert p == pytest.approx(expected, rel=0.05, abs=1e-3)


def test_g_test_pvalues_hold_their_level_on_sparse_tables():
    """Check the level of the mean-matched G-test where the plain G-test fails.

    N = 250 on 8 x 8 tables (3.9 samples a cell): the plain G-test rejects far too often
    (0.164 at 4.4 a cell, 15 x 15 bins at N = 1000, as the user guide's "Significance:
    p-values" reports). Over 2000 null tables the rejection rate at 0.05 has an SE of 0.005,
    so [0.03, 0.07] is the target with 4 SE to spare.
    """
    rng = np.random.default_rng(5)
    n, k = 250, 8
    pvalues = []
    for _ in range(2000):
        x = np.argsort(np.argsort(rng.normal(size=n))) * k // n
        y = np.argsort(np.argsort(rng.normal(size=n))) * k // n
        joint = np.zeros((1, k, k), dtype=np.int64)
        np.add.at(joint[0], (x, y), 1)
        pvalues.append(g_test_pvalues(mutual_info_from_counts(joint), *margins(joint))[0])
    assert 0.03 <= np.mean(np.array(pvalues) < 0.05) <= 0.07


def test_g_test_pvalues_degenerate_table_is_one():
    """Check that a table with one occupied row carries no evidence: p = 1."""
    joint = np.array([[[4, 6], [0, 0]]])
    assert g_test_pvalues(mutual_info_from_counts(joint), *margins(joint))[0] == 1.0


def test_delta_method_se_matches_spread_over_resamples():
    """Check the delta-method SE against the spread of the plug-in over independent samples.

    With 400 replicates the sample SD is within about 3.5 / sqrt(2 * 400) = 12% of the truth
    (3.5 sigma); the delta method is first-order, so allow 20%.
    """
    rng = np.random.default_rng(5)
    probs = np.array([[0.3, 0.1], [0.15, 0.45]])
    n = 2000
    estimates, ses = [], []
    for _ in range(400):
        cells = rng.multinomial(n, probs.ravel()).reshape(1, 2, 2)
        mi, second = mutual_info_from_counts(cells, second=True)
        estimates.append(mi[0])
        ses.append(delta_method_se(second, mi, n)[0])
    assert np.mean(ses) == pytest.approx(np.std(estimates), rel=0.2)


def test_normalizations_hand_computed():
    """Check each normalisation on one value against its formula, and 0 for zero entropy."""
    mi, hx, hy = np.array([0.2, 0.0]), np.array([0.5, 0.0]), 0.8
    expected = {
        None: [0.2, 0.0],
        "arithmetic": [0.2 / 0.65, 0.0],
        "geometric": [0.2 / math.sqrt(0.4), 0.0],
        "min": [0.2 / 0.5, 0.0],
        "max": [0.2 / 0.8, 0.0],
        "correlation": [math.sqrt(1 - math.exp(-0.4)), 0.0],
    }
    assert set(expected) == set(_NORMALIZATIONS)
    for name, values in expected.items():
        np.testing.assert_allclose(_NORMALIZATIONS[name](mi, hx, hy), values, rtol=1e-14)


def _three_way(x, z, y):
    """The three-way table (1, n_x, n_z, n_y) of integer codes, counted with np.add.at."""
    table = np.zeros((1, x.max() + 1, z.max() + 1, y.max() + 1), dtype=np.int64)
    np.add.at(table[0], (x, z, y), 1)
    return table


def test_conditional_mi_of_xor_is_log_2():
    """Check that Y = X xor Z with fair independent bits gives I(X; Y) = 0 but
    I(X; Y | Z) = ln 2 exactly: the interaction that only a three-way table sees."""
    x = np.array([0, 0, 1, 1] * 5)
    z = np.array([0, 1, 0, 1] * 5)
    y = x ^ z
    table = _three_way(x, z, y)
    assert conditional_mi_from_counts(table)[0] == pytest.approx(math.log(2), rel=1e-15)
    assert mutual_info_from_counts(table.sum(axis=2))[0] == 0.0


def test_conditional_mi_satisfies_the_chain_rule_and_entropy_identity():
    """Check I(X; Y | Z) = I((X, Z); Y) - I(Z; Y) = H(X,Z) + H(Z,Y) - H(X,Z,Y) - H(Z) on
    random tables, both forms that the direct sum does not compute."""
    rng = np.random.default_rng(5)
    joint = rng.integers(0, 15, size=(30, 4, 3, 5))
    cmi = conditional_mi_from_counts(joint)
    xz_y = mutual_info_from_counts(joint.reshape(30, 12, 5))
    z_y = mutual_info_from_counts(joint.sum(axis=1))
    np.testing.assert_allclose(cmi, xz_y - z_y, atol=1e-12)
    h = entropy_from_counts
    identity = (
        h(joint.sum(axis=3).reshape(30, -1))
        + h(joint.sum(axis=1).reshape(30, -1))
        - h(joint.reshape(30, -1))
        - h(joint.sum(axis=(1, 3)))
    )
    np.testing.assert_allclose(cmi, identity, atol=1e-12)
    assert (cmi > -1e-15).all()


def test_conditional_mi_miller_madow_corrects_each_entropy():
    """Check that Miller-Madow adds (m_xz + m_zy - m_xzy - m_z) / 2N, each entropy's
    (m - 1) / 2N, on a table whose occupied cells are counted by hand."""
    # x, z, y codes of 8 samples: cells (x, z, y) occupied: (0,0,0) (0,0,1) (1,0,1) (1,1,0)
    # (1,1,1) -> m_xzy = 5; (x, z): (0,0) (1,0) (1,1) -> 3; (z, y): all 4; z: 2. N = 8.
    x = np.array([0, 0, 1, 1, 1, 0, 1, 1])
    z = np.array([0, 0, 0, 1, 1, 0, 1, 1])
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    table = _three_way(x, z, y)
    plugin = conditional_mi_from_counts(table)[0]
    corrected = conditional_mi_from_counts(table, "miller-madow")[0]
    assert corrected == pytest.approx(plugin + (3 + 4 - 5 - 2) / 16, abs=1e-15)


def test_conditional_mi_of_gaussians_given_a_common_cause():
    """Check that X and Y that share only Z have I(X; Y | Z) near 0 while I(X; Y) is not,
    and that a direct link is seen: with Y = X + Z + noise, I(X; Y | Z) = -ln(1 - rho^2)/2
    for the partial correlation rho = 1/sqrt(2) given Z, ln(2)/2 = 0.3466, read on 8 bins
    per axis at N = 2e5 within the binning's loss (the plug-in of binned data is below the
    truth by 10-15% at 8 bins: 8 x 8 quantile cells of a Gaussian pair with this rho keep
    0.3027 of its 0.3466 nats) and its bias (B^3 / 2N = 0.001)."""
    rng = np.random.default_rng(6)
    z, e1, e2 = rng.normal(size=(3, 200_000))
    x, y_common, y_direct = z + e1, z + e2, z + e1 + e2

    def codes(v):
        return np.searchsorted(np.quantile(v, np.arange(1, 8) / 8), v, side="right")

    cx, cz = codes(x), codes(z)
    common = conditional_mi_from_counts(_three_way(cx, cz, codes(y_common)), "miller-madow")
    direct = conditional_mi_from_counts(_three_way(cx, cz, codes(y_direct)), "miller-madow")
    # Binning z leaves some of it in x and y: within-bin spread of z is about 1/8 of its range.
    assert abs(common[0]) < 0.02
    assert 0.8 * math.log(2) / 2 < direct[0] < math.log(2) / 2


@pytest.mark.parametrize("dtype", [np.uint16, np.int32, np.int64])
def test_summarize_equals_the_numpy_formulas(dtype):
    """Check the compiled summary of tables against numpy's cell-by-cell formulas, for every
    count type, with empty rows, a constant feature and an all-empty column of y, in tables
    of different totals (the log table then covers the largest)."""
    rng = np.random.default_rng(0)
    joint = rng.integers(0, 40, size=(50, 7, 5)).astype(dtype)
    joint[:, 3] = 0  # an empty row: a bin no sample fell in
    joint[:, :, 4] = 0  # an empty class
    joint[1] = 0
    joint[1, 2, :4] = [5, 0, 7, 1]  # constant feature: one occupied row
    joint[2] = 0
    joint[2, 6, 1] = 13  # a single occupied cell
    summary = summarize(joint)
    wide = joint.astype(np.int64)
    plugin, second = mutual_info_from_counts(wide, second=True)
    np.testing.assert_allclose(summary.plugin, plugin, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(summary.second, second, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(summary.cells, np.count_nonzero(wide, axis=(1, 2)))
    np.testing.assert_array_equal(summary.x_margins, wide.sum(axis=2))
    np.testing.assert_array_equal(summary.y_margins, wide.sum(axis=1))
    assert summary.plugin[1] == 0.0 and summary.plugin[2] == 0.0


def test_summarize_of_no_tables():
    """Check that an empty stack of tables summarises to empty arrays."""
    summary = summarize(np.zeros((0, 3, 2), dtype=np.int64))
    assert summary.plugin.shape == (0,) and summary.x_margins.shape == (0, 3)


def test_entropy_of_padded_counts_is_that_of_the_full_width_to_the_bit():
    """Check that dropping the empty columns of padded margins (``_occupied_width``) leaves
    every entropy bit-identical to the sum over the full width, for widths around numpy's
    pairwise blocks (8, 128 and their halvings) and occupied widths on both sides of them."""
    from scipy.special import xlogy

    rng = np.random.default_rng(0)
    for width in (9, 16, 49, 120, 128, 129, 176, 240, 256, 360, 500):
        for occupied in {1, 7, 8, 9, 40, 88, 89, 120, 121, 128, width}:
            if occupied > width:
                continue
            counts = np.zeros((50, width), dtype=np.int64)
            counts[:, :occupied] = rng.integers(0, 10**6, size=(50, occupied))
            counts[:, 0] += 1
            n = counts.sum(axis=-1)
            full = np.maximum(np.log(n) - xlogy(counts, counts).sum(axis=-1) / n, 0.0)
            assert_array_equal(entropy_from_counts(counts), full, err_msg=f"{width} {occupied}")
