"""Tests of bin-count rules and edges."""

import math
import warnings

import numpy as np
import pytest

import skmi._binning
from skmi import EntropyBinner
from skmi._backends import BACKENDS, NonFiniteError
from skmi._backends._compiled import edge_index
from skmi._binning import (
    _STRATEGIES,
    category_edges,
    feature_edges,
    fit_edges,
    has_point_mass,
    point_mass_size,
    quantile_ranks,
)
from skmi._binning._rules import _BIN_RULES, n_bins_for
from skmi._kernels._binning import bin_codes, order_statistics

COMPILED = BACKENDS["compiled"]


def codes_of(X, edges):
    """The compiled backend's codes, as int64."""
    return COMPILED.codes(X, edges, np.int64)


@pytest.mark.parametrize(
    ("rule", "n", "expected"),
    [
        # The published formulas (the user guide's table of rules, "How many bins"):
        # N = 1e3, 1e4, 1e5 -> Sturges 11, 15, 18; Hacine-Gharbi 15, 31, 67.
        ("sturges", 1_000, 11),
        ("sturges", 10_000, 15),
        ("sturges", 100_000, 18),
        ("hacine-gharbi", 1_000, 15),
        ("hacine-gharbi", 10_000, 31),
        ("hacine-gharbi", 100_000, 67),
        ("sqrt", 1_000, 32),
        ("rice", 1_000, 20),
    ],
)
def test_rules_match_published_counts(rule, n, expected):
    """Check the sample-size rules against the counts their published formulas give."""
    x = np.linspace(0, 1, n)
    assert n_bins_for(x, n, rule) == expected


@pytest.mark.parametrize("rule", ["scott", "fd", "auto"])
def test_width_rules_match_numpy_on_gaussian(rule):
    """Check that Scott's and FD's counts match numpy's histogram_bin_edges within one bin.

    numpy's Scott uses (24 sqrt(pi) / N)^(1/3) sigma = 3.49 sigma N^(-1/3) to 3 digits, and its
    IQR interpolates, so one bin of difference is allowed.
    """
    rng = np.random.default_rng(0)
    x = np.sort(rng.normal(size=5000))
    numpy_count = np.histogram_bin_edges(x, bins=rule).size - 1
    if rule == "auto":  # skmi's 'auto' also guards FD with sqrt(N)/2; check its formula
        span = x[-1] - x[0]
        iqr = np.subtract(*np.percentile(x, [75, 25]))
        h = min(max(2 * iqr * 5000 ** (-1 / 3), span / math.sqrt(5000) / 2), span / 13.29)
        numpy_count = math.ceil(span / h)
    assert abs(n_bins_for(x, x.size, rule) - numpy_count) <= 1


def test_doane_adds_bins_for_skew():
    """Check that Doane's rule gives more bins to skewed data than to symmetric data."""
    rng = np.random.default_rng(1)
    symmetric = np.sort(rng.normal(size=2000))
    skewed = np.sort(rng.exponential(size=2000))
    assert n_bins_for(skewed, 2000, "doane") > n_bins_for(symmetric, 2000, "doane")


def test_knuth_prefers_more_bins_with_more_data():
    """Check that Knuth's posterior picks more bins for a larger sample of the same density."""
    rng = np.random.default_rng(2)
    small, large = np.sort(rng.normal(size=200)), np.sort(rng.normal(size=5000))
    assert n_bins_for(large, 5000, "knuth") > n_bins_for(small, 200, "knuth") >= 2


# Each rule's count for 49 ties and one other value, x = [0] * 49 + [1], N = 50, by hand:
# std = sqrt(p (1 - p)) = 0.14 (p = 0.02), IQR = 0, range = 1, 50^(1/3) = 3.684, log2 50 = 5.644.
TIED_COUNTS = {
    "sqrt": 8,  # ceil(7.07)
    "sturges": 7,  # ceil(5.64) + 1
    "rice": 8,  # ceil(2 * 3.684) = ceil(7.37)
    "scott": 8,  # h = 3.49 * 0.14 / 3.684 = 0.1326; ceil(1 / 0.1326) = ceil(7.54)
    "fd": 7,  # IQR = 0, so h = 0: Sturges' 7
    # g1 = (1 - 2p) / 0.14 = 6.857, sigma_g1 = sqrt(6 * 48 / (51 * 53)) = 0.3264:
    # ceil(1 + 5.644 + log2(1 + 21.01)) = ceil(11.10)
    "doane": 12,
    # h = min(max(0, (1 / sqrt 50) / 2), 1 / 6.644) = min(0.0707, 0.1505); ceil(14.14)
    "auto": 15,
    # Every k >= 2 puts 49 values in the first bin and one in the last: from k to k + 1 the
    # log posterior rises by about N / k - ln(1 + 2N / k) / 2 > 0, up to the cap
    # ceil(2 sqrt 50) = 15.
    "knuth": 15,
    # xi = (8 + 16200 + 12 sqrt(1800 + 1822500))^(1/3) = 32416^(1/3) = 31.88;
    # round(31.88 / 6 + 2 / 95.6 + 1/3) = round(5.67)
    "hacine-gharbi": 6,
    "balanced": 2,  # c(50) = 6: max(2, isqrt(int(50 / 6))) = max(2, isqrt(8))
    "fourth-root": 4,  # 50^(1/4) = 2.66: max(4, round(2.66)) = max(4, 3)
}


def test_tied_counts_cover_every_rule():
    """Check that the hand-computed table below covers every bin-count rule."""
    assert set(TIED_COUNTS) == set(_BIN_RULES)


@pytest.mark.parametrize(("rule", "expected"), sorted(TIED_COUNTS.items()))
def test_rules_count_ties_but_one_value_and_constant_data(rule, expected):
    """Check that every rule gives its count, not an error, for ties but one value (zero IQR,
    tiny spread, extreme skew: the rule runs), and one bin for constant data (no rule runs).

    The column has two values, fewer than any rule's count: it is binned one bin per value.
    """
    tied = np.r_[np.zeros(49), 1.0]
    assert n_bins_for(tied, tied.size, rule) == expected
    binner = EntropyBinner(n_bins=rule, strategy="uniform", subsample=None)
    assert binner.fit(tied[:, None]).n_bins_.tolist() == [2]
    assert binner.fit(np.full((50, 1), 3.0)).n_bins_.tolist() == [1]


@pytest.mark.parametrize("n", [10, 99, 1000, 1001])
@pytest.mark.parametrize("k", [2, 3, 7, 10])
def test_quantile_edges_give_equal_frequency_bins(n, k):
    """Check that distinct values fall into k bins whose sizes differ by at most one."""
    x = np.sort(np.random.default_rng(n).normal(size=n))
    edges = feature_edges(x, k, "quantile")
    counts = np.bincount(codes_of(x[:, None], [edges])[:, 0], minlength=k)
    assert edges.size == k + 1
    assert counts.max() - counts.min() <= 1


def test_quantile_edges_deduplicate_ties_without_empty_bins():
    """Check that heavy ties merge edges and leave no empty bin (90% zeros)."""
    x = np.sort(np.concatenate([np.zeros(900), np.arange(1, 101)]).astype(float))
    edges = feature_edges(x, 10, "quantile")
    codes = codes_of(x[:, None], [edges])[:, 0]
    counts = np.bincount(codes, minlength=edges.size - 1)
    assert edges.size - 1 < 10
    assert (counts > 0).all()


def test_uniform_edges_are_equally_spaced():
    """Check that uniform edges split [min, max] into equal widths."""
    x = np.array([0.0, 1.0, 4.0, 10.0])
    np.testing.assert_allclose(feature_edges(x, 5, "uniform"), [0, 2, 4, 6, 8, 10])


def test_codes_put_the_maximum_in_the_last_bin_and_open_outer_bins():
    """Check the left-closed rule: the maximum is in the last bin, outliers in the outer ones."""
    edges = np.array([0.0, 1.0, 2.0, 3.0])
    X = np.array([[-5.0], [0.0], [0.999], [1.0], [2.5], [3.0], [99.0]])
    np.testing.assert_array_equal(codes_of(X, [edges])[:, 0], [0, 0, 0, 1, 2, 2, 2])


def test_category_edges_give_one_bin_per_value():
    """Check that each distinct value of a discrete feature gets its own code."""
    x = np.array([5.0, -1.0, 5.0, 2.0, 2.0, 7.0])
    edges = category_edges(np.sort(x))
    np.testing.assert_array_equal(codes_of(x[:, None], [edges])[:, 0], [2, 0, 2, 1, 1, 3])
    assert edges.size - 1 == 4


@pytest.mark.parametrize("strategy", sorted(_STRATEGIES))
def test_fit_edges_on_float32_and_float64_give_the_same_codes(strategy):
    """Check that float32 data and its float64 copy get identical codes."""
    X32 = np.random.default_rng(3).normal(size=(500, 3)).astype(np.float32)
    X64 = X32.astype(np.float64)
    discrete = np.zeros(3, dtype=bool)
    e32, _ = fit_edges(X32, 8, strategy, discrete, None)
    e64, _ = fit_edges(X64, 8, strategy, discrete, None)
    np.testing.assert_array_equal(codes_of(X32, e32), codes_of(X64, e64))


def _reference_counts(X, edges, y_codes, n_y):
    """Counts by searchsorted + np.add.at: the plain numpy oracle of the fused kernel."""
    expected = np.zeros((X.shape[1], max(e.size for e in edges) - 1, n_y), dtype=np.int64)
    for j, e in enumerate(edges):
        codes = np.searchsorted(e[1:-1], X[:, j].astype(np.float64), side="right")
        np.add.at(expected[j], (codes, y_codes), 1)
    return expected


def _crowded(rng, n):
    """A tight cluster holding 90% of the values, the rest spread over six decades: the grid
    of the edge index spans the spread, so the cluster's many quantile edges share a cell
    and the search after the lookup is long."""
    x = 1e-9 * rng.standard_normal(n)
    spread = rng.random(n) < 0.1
    x[spread] = rng.choice([-1.0, 1.0], spread.sum()) * 10.0 ** rng.uniform(0, 6, spread.sum())
    return x


def _extreme(rng, n, dtype):
    """Values spread over the whole range of ``dtype``, to -1e308 and 1e308 for float64,
    where the grid's width overflows."""
    info = np.finfo(dtype)
    exponents = rng.uniform(np.log10(info.tiny), np.log10(info.max), n)
    return rng.choice([-1.0, 1.0], n) * 10.0**exponents


def _columns_to_select_from(rng, m, n, dtype=np.float64):
    """Columns of every kind the selection of order statistics must get right: smooth, over
    decades (its buckets of values crowd), of both signs with heavy tails, on powers of 2
    (too deep for buckets: heap-sorted), over the whole float64 range (its width overflows),
    denormal, integer codes, mostly zeros of both signs, and one constant."""
    kinds = [
        rng.standard_normal(n),
        rng.lognormal(0, 5, n),
        rng.standard_cauchy(n),
        2.0 ** -rng.integers(0, 1000, n),
        _extreme(rng, n, dtype),
        rng.integers(0, 5, n) * 5e-324,
        rng.integers(0, 50, n).astype(np.float64),
        np.where(rng.random(n) < 0.9, rng.choice([0.0, -0.0], n), rng.standard_normal(n)),
        np.full(n, 3.0),
    ]
    return np.array([kinds[j % len(kinds)] for j in range(m)]).astype(dtype)


@pytest.mark.parametrize("n", [1, 2, 3, 64, 65, 500, 5_000, 20_000])
@pytest.mark.parametrize("k", [2, 16, 360, 10_000])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_order_statistics_equal_the_sorted_values(n, k, dtype):
    """Check that the selected order statistics are the sorted column's values at the
    quantile ranks, and that exactly the columns with a point mass (``has_point_mass``) or a
    value that is not finite are left out."""
    rng = np.random.default_rng(n * k)
    part = _columns_to_select_from(rng, 20, n, dtype)
    if n > 2:
        part[9, n // 2] = np.nan
        part[10, 0] = np.inf
    ranks = np.r_[0, quantile_ranks(n, k), n - 1].astype(np.int64)
    values, left_out = order_statistics(part, ranks, point_mass_size(n, k))
    ordered = np.sort(part, axis=1)
    expected_out = has_point_mass(ordered, k) | ~np.isfinite(part).all(axis=1)
    np.testing.assert_array_equal(left_out, expected_out)
    np.testing.assert_array_equal(values[~left_out], ordered[~left_out][:, ranks])


@pytest.mark.parametrize("strategy", sorted(_STRATEGIES))
@pytest.mark.parametrize("n_bins", [16, 360])
def test_selected_edges_equal_sorted_edges(monkeypatch, strategy, n_bins):
    """Check that edges learnt from selected order statistics (long columns) equal those
    learnt from sorted columns, point masses and missing values included, and that an
    infinite value is reported either way."""
    rng = np.random.default_rng(n_bins)
    n = max(skmi._binning._SELECT_FROM, skmi._binning._SELECT_PER_BIN * n_bins) + 5
    X = np.ascontiguousarray(_columns_to_select_from(rng, 12, n).T)
    assert skmi._binning._selects(n, n_bins)
    X[::7, 9] = np.nan
    discrete = np.zeros(12, dtype=bool)
    discrete[11] = True
    selected = fit_edges(X, n_bins, strategy, discrete, None)
    monkeypatch.setattr(skmi._binning, "_SELECT_FROM", np.inf)
    ordered = fit_edges(X, n_bins, strategy, discrete, None)
    assert selected[1].keys() == ordered[1].keys()
    for j in ordered[1]:
        np.testing.assert_array_equal(selected[1][j], ordered[1][j])
    for a, b in zip(selected[0], ordered[0], strict=True):
        np.testing.assert_array_equal(a, b)
    X[5, 0] = -np.inf
    for select_from in (2**14, np.inf):  # selected, then sorted
        monkeypatch.setattr(skmi._binning, "_SELECT_FROM", select_from)
        with pytest.raises(NonFiniteError):
            fit_edges(X, n_bins, strategy, discrete, None)


@pytest.mark.parametrize("strategy", sorted(_STRATEGIES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_bins", [2, 7, 31, 32, 100, 255, 256, 600])
def test_fused_count_equals_numpy_reference(strategy, dtype, n_bins):
    """Check the compiled bin-and-count pass against searchsorted + np.add.at, cell by cell.

    Heavy tails (Student t, 2 dof), ties, a crowded grid and an overflowing range cover the
    edge index's one-comparison and binary-search paths; on two threads, 50,000 rows are
    split by columns (4 features) and 150,000 by rows (1 feature), and must add up the same.
    """
    rng = np.random.default_rng(n_bins)
    n = 50_000
    X = rng.standard_t(2, size=(n, 4))
    X[::7, 1] = X[0, 1]  # ties
    X[:, 2] = _crowded(rng, n)
    X[:, 3] = _extreme(rng, n, dtype)
    X = X.astype(dtype)
    y_codes = rng.integers(0, 5, n)
    edges, _ = fit_edges(X, n_bins, strategy, np.zeros(4, dtype=bool), None)
    expected = _reference_counts(X, edges, y_codes, 5)
    for n_jobs in (1, 2):
        counts = COMPILED.count(X, edges, y_codes, 5, n_jobs)
        np.testing.assert_array_equal(counts, expected)
        tall = np.tile(X[:, 2:3], (3, 1))
        one = COMPILED.count(tall, edges[2:3], np.tile(y_codes, 3), 5, n_jobs)
        np.testing.assert_array_equal(one, 3 * expected[2:3, : one.shape[1]])


@pytest.mark.parametrize("strategy", sorted(_STRATEGIES))
@pytest.mark.parametrize("kind", ["crowded", "extreme", "denormal"])
def test_codes_match_searchsorted_on_awkward_grids(kind, strategy):
    """Check bin codes against searchsorted where the edge index's grid is awkward: nearly
    all edges in one cell, a width that overflows, a scale that overflows (denormals); for
    values equal to edges, next to them, between them and beyond both ends."""
    rng = np.random.default_rng(11)
    x = {
        "crowded": _crowded(rng, 2_000),
        "extreme": _extreme(rng, 2_000, np.float64),
        "denormal": rng.choice([0.0, 5e-324, 1e-320, 3e-320], 2_000),
    }[kind]
    edges, _ = fit_edges(x[:, None], 300, strategy, np.zeros(1, dtype=bool), None)
    e = edges[0]
    probe = np.concatenate(
        (e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf), x, [-np.finfo(float).max, 1e308])
    )
    expected = np.searchsorted(e[1:-1], probe, side="right")
    np.testing.assert_array_equal(codes_of(probe[:, None], edges)[:, 0], expected)


def test_codes_match_searchsorted_with_more_bins_than_grid_cells():
    """Check bin codes against searchsorted for 20,000 bins, where the edge index's grid is
    capped and several edges share each of its cells."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal(50_000)
    edges, _ = fit_edges(x[:, None], 20_000, "quantile", np.zeros(1, dtype=bool), None)
    assert edge_index(edges)[5][0] > 1  # the search after the lookup takes several steps
    expected = np.searchsorted(edges[0][1:-1], x, side="right")
    np.testing.assert_array_equal(codes_of(x[:, None], edges)[:, 0], expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("n_bins", [60, 300])
def test_binning_reports_a_non_finite_value_wherever_it_is(n_bins, value, dtype):
    """Check that one infinity makes fit_edges raise NonFiniteError, and one infinity or
    NaN makes codes_of and count_joint raise it under edges without a bin for missing
    values: in the first, a middle and the last row, in a smooth feature (one comparison
    after the grid lookup) and a crowded one (binary steps), counted on one thread and on
    two (split by rows for 60 bins, by columns for 300). A NaN the edges are learnt from
    gives its column that bin instead."""
    rng = np.random.default_rng(4)
    n, n_y = 70_000, 10
    X = np.column_stack((rng.standard_normal(n), _crowded(rng, n))).astype(dtype)
    y_codes = rng.integers(0, n_y, n)
    edges, _ = fit_edges(X, n_bins, "quantile", np.zeros(2, dtype=bool), None)
    assert [e.size - 1 for e in edges] == [n_bins, n_bins]
    steps = edge_index(edges)[5]
    assert steps[0] <= 1 < steps[1]
    for column in (0, 1):
        for row in (0, n // 2, n - 1):
            bad = X.copy()
            bad[row, column] = value
            if np.isnan(value):
                learnt, _ = fit_edges(bad, n_bins, "quantile", np.zeros(2, dtype=bool), None)
                assert np.isnan(learnt[column][-1]) and learnt[column].size == n_bins + 2
                assert not np.isnan(learnt[1 - column]).any()
            else:
                with pytest.raises(NonFiniteError):
                    fit_edges(bad, n_bins, "quantile", np.zeros(2, dtype=bool), None)
            with pytest.raises(NonFiniteError):
                codes_of(bad, edges)
            # The bad value's bin stays in range: counting it writes inside its table.
            codes = np.empty(bad.shape, dtype=np.int64)
            assert not bin_codes(bad, edge_index(edges), codes)
            assert (codes >= 0).all() and (codes.max(axis=0) < n_bins).all()
            for n_jobs in (1, 2):
                with pytest.raises(NonFiniteError):
                    COMPILED.count(bad, edges, y_codes, n_y, n_jobs)


def test_fd_caps_a_denormal_width_at_n_without_overflow():
    """Check that Freedman-Diaconis with a denormal width next to the range (found by
    hypothesis: once scaled by 1e300, the IQR is 1e-312) gives N bins, without the
    RuntimeWarning of an overflowing division."""
    x = np.sort(np.r_[-1e300, np.zeros(11), 1e-12, np.ones(5)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert n_bins_for(x, x.size, "fd") == x.size


def test_width_rule_falls_back_to_sturges_on_the_full_n_under_subsample():
    """Check that a zero IQR in the subsample gives Sturges' count of all N rows, not of the
    subsample (a regression: it gave ceil(log2 1000) + 1 = 11).

    90% of 1e6 values tie at 0, the rest are normal on both sides: the 25% and 75% ranks of
    any 1000 sampled rows are ties, so FD's width is 0. Sturges on N = 1e6:
    ceil(log2 1e6) + 1 = ceil(19.93) + 1 = 21. Uniform bins keep every bin asked for.
    """
    rng = np.random.default_rng(0)
    n = 1_000_000
    x = rng.standard_normal(n)
    x[rng.permutation(n)[: 9 * n // 10]] = 0.0
    X = x[:, None]
    sampled = EntropyBinner(n_bins="fd", strategy="uniform", subsample=1000, random_state=0)
    assert sampled.fit(X).n_bins_.tolist() == [21]
    every_row = EntropyBinner(n_bins="fd", strategy="uniform", subsample=None)
    assert every_row.fit(X).n_bins_.tolist() == [21]
