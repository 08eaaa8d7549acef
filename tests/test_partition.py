"""The partition trees (``n_bins="partition"``): small tables whose trees are derived by hand,
the one-dimensional tree of a discrete target, batches against one count, and the checks of
what the trees leave to the grid (tests, categories, corrections)."""

import numpy as np
import pytest
from scipy import stats

from skmi import HistogramMI, histogram_mi_classif, histogram_mi_regression
from skmi._backends import BY_RANK, KEEP, adaptive_tables, log_table
from skmi._scoring._adaptive import split_critical


def _tree(table, y_mode=BY_RANK, missing=False):
    """The kernel's tree on one fine table: MI, occupied leaf cells, degrees of freedom of the
    splits kept, and the merged row of each fine row (the grid of the splits)."""
    table = np.ascontiguousarray(table, dtype=np.int64)[None]
    kx, ky = table.shape[1:]
    x_single = np.zeros((1, kx), dtype=np.uint8)
    if missing:
        x_single[0, -1] = 2
    out = adaptive_tables(
        table,
        np.array([kx]),
        np.array([BY_RANK]),
        y_mode,
        x_single,
        np.zeros(ky, dtype=np.uint8),
        kx,
        np.arange(2, kx + 1),
        6.0,
        2,
        log_table(int(table.sum())),
        split_critical(kx, ky),
    )
    return out[1][0], out[3][0], out[-1][0], out[6][0]


def test_split_kept_only_where_the_test_rejects():
    """A 4 x 4 table of 64 rows, every margin 16. The root's quadrants (bins 2 | 2) hold 32,
    0, 0 and 32 rows against 16 expected: chi-square 64, split. Its top-left quadrant
    [[12, 4], [4, 12]] expects 8 a cell: chi-square 4 * 4^2 / 8 = 8 > 7.815 (3 df, 5%), so
    it is split into its four cells. The bottom-right
    [[10, 6], [6, 10]] gives 4 * 2^2 / 8 = 2: kept whole, one leaf of 32 rows over margins
    of 32 and 32. MI = (12 ln 3 * 2 + 4 ln 1 * 2 + 32 ln 2) / 64."""
    table = np.array([[12, 4, 0, 0], [4, 12, 0, 0], [0, 0, 10, 6], [0, 0, 6, 10]])
    mi, cells, df, x_map = _tree(table)
    assert mi == pytest.approx((24 * np.log(3) + 32 * np.log(2)) / 64, rel=1e-12)
    assert cells == 5  # the four cells of the top-left, and the bottom-right whole
    assert df == 6  # the root's split and the top-left's, 3 each
    np.testing.assert_array_equal(x_map, [0, 1, 2, 2])  # splits between bins 0|1 and 1|2
    # The plug-in MI of the full table reads the bottom-right's noise too.
    full = (24 * np.log(3) + 20 * np.log(2.5) + 12 * np.log(1.5)) / 64
    assert mi < full


def test_look_ahead_sees_structure_finer_than_the_halves():
    """An 8 x 8 table of 64 rows, every margin 8, the root split as above. The top-left
    quadrant (bins 0-3 x 0-3) is a checkerboard of 4s whose 2 x 2 blocks each hold 8: its
    halves look even (chi-square 0), but its 16 quarters expect 2 a cell, 8 hold 4 and 8
    hold 0: chi-square 32 > 24.996 (15 df, 5%), so it is split. Each block [[4, 0], [0, 4]]
    then gives 4 * 2^2 / 2 = 8 > 7.815: split into cells of 4 rows over margins of 8,
    ln(64 * 4 / 64) = ln 4 each. The bottom-right, 2 in every cell, stays one leaf:
    ln(64 * 32 / 32^2) = ln 2. MI = (32 ln 4 + 32 ln 2) / 64 = 1.5 ln 2, where the halves
    alone would have stopped at ln 2."""
    table = np.zeros((8, 8), dtype=np.int64)
    checker = (np.add.outer(np.arange(4), np.arange(4)) % 2 == 0) * 4
    table[:4, :4] = checker
    table[4:, 4:] = 2
    mi, cells, df, _ = _tree(table)
    assert mi == pytest.approx(1.5 * np.log(2), rel=1e-12)
    assert cells == 9
    assert df == 3 + 3 + 4 * 3
    assert stats.chi2.isf(0.05, 15) < 32  # the threshold the docstring quotes


def test_one_dimensional_tree_of_a_discrete_target():
    """Four ordered bins of x (16, 8, 12 and 12 rows) against two classes of 24 rows:
    [[14, 2], [2, 6], [4, 8], [4, 8]]. The rows' middle is between bins 1 and 2. The halves
    hold classes (16, 8) and (8, 16) against 12 expected each: chi-square 4 * 4^2 / 12 = 5.3
    > 3.841 (1 df), split. The left half's bins take shares 2/3 and 1/3 of its classes:
    expected (10.67, 5.33) and (5.33, 2.67) against (14, 2) and (2, 6), chi-square 9.4,
    split into its bins. The right half's bins are alike (chi-square 0): one leaf."""
    table = np.array([[14, 2], [2, 6], [4, 8], [4, 8]])
    mi, cells, df, x_map = _tree(table, y_mode=KEEP)
    terms = [(14, 16, 24), (2, 16, 24), (2, 8, 24), (6, 8, 24), (8, 24, 24), (16, 24, 24)]
    expected = sum(n * np.log(48 * n / (n_x * n_y)) for n, n_x, n_y in terms) / 48
    assert mi == pytest.approx(expected, rel=1e-12)
    assert cells == 6  # two classes in each of the two left bins, and in the right half
    assert df == 2  # the root's and the left half's, one each (two classes)
    np.testing.assert_array_equal(x_map, [0, 1, 2, 2])


def test_missing_values_are_a_stripe_of_their_own():
    """A bin of missing values is no value: the values' root is a cell of its own, and the
    stripe of missing rows another, split along y only.

    Values: 4 in each of 4 x 4 cells (64 rows); missing: [0, 0, 8, 8] (16 rows). The y
    margins are 16, 16, 24, 24, so y splits at 2 | 2 (32 against 48 rows). The values' root
    expects 12.8 rows in each lower quadrant and 19.2 in each upper one and holds 16:
    chi-square 2.7 (and 2.7 on its 16 quarters): one leaf over every y, ln 1 = 0. The stripe
    expects 16 * 32 / 80 = 6.4 rows below and 9.6 above, and holds 0 and 16: chi-square
    10.7 > 3.841 (1 df), split; its top half, 8 and 8 against margins of 24 and 24, stays a
    leaf: ln(80 * 16 / (16 * 48)).
    """
    values = np.full((4, 4), 4)
    stripe = np.array([[0, 0, 8, 8]])
    mi, cells, df, x_map = _tree(np.vstack([values, stripe]), missing=True)
    assert mi == pytest.approx(16 * np.log(5 / 3) / 80, rel=1e-12)
    assert (cells, df) == (2, 1)
    np.testing.assert_array_equal(x_map, [0, 0, 0, 0, 1])  # the stripe is a row of its own


def test_two_rows_read_no_information():
    """The root is tested like any cell: two rows, whose quadrants always read ln 2 when the
    root is split unconditionally, give exactly 0."""
    mi, cells, df, _ = _tree(np.array([[1, 0], [0, 1]]))
    assert (mi, cells, df) == (0.0, 1, 0)


def test_partition_is_close_to_the_truth_on_a_gaussian_pair():
    """A Gaussian pair of rho = 0.8 at N = 20,000: the tree's error is within 4 of its
    standard deviations (0.6 / sqrt(N) nats by the delta method at this MI, 0.004), and the
    reported standard error is that delta method's."""
    rng = np.random.default_rng(0)
    n, rho = 20_000, 0.8
    z = rng.standard_normal((n, 2))
    x, y = z[:, 0], rho * z[:, 0] + np.sqrt(1 - rho**2) * z[:, 1]
    truth = -0.5 * np.log(1 - rho**2)
    est = HistogramMI(n_bins="partition").fit(x[:, None], y)
    se = est.standard_errors_[0]
    assert 0.5 * 0.6 / np.sqrt(n) < se < 2 * 0.6 / np.sqrt(n)
    assert abs(est.scores_[0] - truth) < 4 * se


def test_partition_reads_no_information_between_independent_columns():
    """Independence: at N = 1,000 the tree's mean over 40 draws is within 0.005 nats of 0
    (the issue's bound), and the G-test's p-values are those of the grid's test tables."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((1000, 40))
    y = rng.standard_normal(1000)
    est = HistogramMI(n_bins="partition").fit(X, y)
    assert abs(est.scores_.mean()) < 0.005
    assert 0.0 < est.pvalues_.min() and est.pvalues_.max() <= 1.0
    merged = HistogramMI(n_bins="adaptive").fit(X, y)
    # Both test on the same resolution of the same ranks (fine bins of 512 or of 60 rows
    # merged to it): p-values alike, not equal.
    assert np.corrcoef(est.pvalues_, merged.pvalues_)[0, 1] > 0.8


def test_trees_without_a_cut_still_order_weak_features():
    """A tree that keeps no cut scores its test table's MI, Miller-Madow corrected: 200
    independent columns average 0 within 4 standard errors, few read exactly 0, and their
    order follows the p-values' (which read the same tables)."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((1000, 200))
    y = rng.standard_normal(1000)
    est = HistogramMI().fit(X, y)
    scores = est.scores_
    assert abs(scores.mean()) <= 4 * scores.std() / np.sqrt(scores.size)
    assert np.mean(scores == 0) < 0.1
    assert stats.spearmanr(scores, est.pvalues_).statistic < -0.8


def test_a_tree_without_a_cut_takes_the_correction_of_its_test_table():
    """Without a cut a feature's score is its test table's MI under the correction asked
    for: plug-in less Miller-Madow is (cells - rows - columns + 1) / 2N of that table, a
    whole number over 2N; a tree with cuts takes none, so both read the same."""
    rng = np.random.default_rng(11)
    n = 2000
    X = rng.standard_normal((n, 40))
    X[:, 0] += rng.integers(0, 3, n)  # a weak signal, cut by its tree
    y = rng.integers(0, 3, n) + 0.5 * X[:, 0]
    plain = HistogramMI(correction=None).fit(X, y).scores_
    corrected = HistogramMI().fit(X, y).scores_
    terms = (plain - corrected) * 2 * n
    cut = np.isclose(terms, 0.0, atol=1e-6)
    assert cut[0] and not cut.all()
    np.testing.assert_allclose(terms, np.round(terms), atol=1e-6)
    assert (np.round(terms[~cut]) >= 1).all()


def test_batches_sum_to_one_count_for_the_same_edges():
    """Trees grow on the summed table: five batches and one batch of the same rows, with the
    same fine edges given, score exactly alike."""
    rng = np.random.default_rng(5)
    n = 5000
    x = rng.standard_normal((n, 3))
    y = x[:, 0] + 0.5 * rng.standard_normal(n)
    edges = [np.quantile(x[:, j], np.linspace(0, 1, 513)) for j in range(3)]
    y_edges = np.quantile(y, np.linspace(0, 1, 513))
    whole = HistogramMI(n_bins="partition").partial_fit(
        x, y, bin_edges=edges, target_bin_edges=y_edges
    )
    batches = HistogramMI(n_bins="partition")
    for rows in np.array_split(np.arange(n), 5):
        first = not hasattr(batches, "scores_")
        given = {"bin_edges": edges, "target_bin_edges": y_edges} if first else {}
        batches.partial_fit(x[rows], y[rows], **given)
    np.testing.assert_array_equal(batches.scores_, whole.scores_)
    np.testing.assert_array_equal(batches.pvalues_, whole.pvalues_)


@pytest.mark.parametrize("n", [1000, 20_000])
def test_a_categorical_feature_grows_the_transposed_tree(n):
    """Categories on x and an ordered target grow the tree of an ordered feature against a
    discrete target, transposed: the same binning, the same cuts, the same MI."""
    rng = np.random.default_rng(n)
    c = rng.integers(0, 4, n)
    y = c + rng.standard_normal(n)
    feature = histogram_mi_regression(c[:, None].astype(float), y, discrete_features=True)
    target = histogram_mi_classif(y[:, None], c)
    np.testing.assert_allclose(feature, target, rtol=1e-12)


def test_categories_on_both_axes_keep_their_table():
    """A categorical feature against a discrete target has no ordered axis: the tree has
    nothing to split, and its score is the grid's, corrected as asked."""
    rng = np.random.default_rng(2)
    x = rng.integers(0, 4, 3000)
    y = (x + rng.integers(0, 2, 3000)) % 3
    for correction in (None, "miller-madow"):
        tree = histogram_mi_classif(
            x[:, None], y, n_bins="partition", discrete_features=True, correction=correction
        )
        grid = histogram_mi_classif(
            x[:, None], y, n_bins="adaptive", discrete_features=True, correction=correction
        )
        np.testing.assert_allclose(tree, grid, rtol=1e-12)


def test_chance_correction_needs_a_grid():
    """A tree's leaves are no grid of margins: the exact chance level has nothing to be
    computed on, and the error says what to pass instead."""
    X = np.random.default_rng(0).standard_normal((200, 2))
    with pytest.raises(ValueError, match=r"correction='chance'.*n_bins='adaptive'"):
        histogram_mi_regression(X, X[:, 0], n_bins="partition", correction="chance")
    with pytest.raises(ValueError, match="correction='chance'"):
        HistogramMI(n_bins="partition", correction="chance").fit(X, X[:, 0])
