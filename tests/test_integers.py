"""Tests of integers that float64 cannot hold: binned exactly, whatever the container."""

import numpy as np
import pytest

from skmi import (
    EntropyBinner,
    HistogramMI,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)
from skmi._binning._integers import Ranks, Shift

# 1.7e18 ns is late 2023 as a Unix timestamp; float64 spaces its values 256 apart.
EPOCH_NS = 1_700_000_000_000_000_000


def test_integers_past_2_53_that_predict_the_target_are_seen():
    """Check that a column alternating between 2^60 and 2^60 + 1 (one float64) carries the
    information of the labels it copies: as much as the same column as 0 and 1."""
    y = np.random.default_rng(0).integers(0, 2, 1000)
    for correction in [None, "miller-madow"]:
        big = histogram_mi_classif((2**60 + y)[:, None], y, correction=correction)
        small = histogram_mi_classif(y[:, None], y, correction=correction)
        np.testing.assert_array_equal(big, small)
        assert big[0] > 0.69


@pytest.mark.parametrize("container", ["numpy", "pandas", "polars"])
def test_nanosecond_timestamps_bin_as_their_differences(container):
    """Check that timestamps in nanoseconds, alone or beside a float column in a frame, give
    exactly the scores and codes of the same data minus their first value, which float64
    holds exactly; and that edges are reported in nanoseconds."""
    rng = np.random.default_rng(1)
    t = EPOCH_NS + np.sort(rng.integers(0, 10**13, 2000))  # a range of under three hours
    noise = rng.normal(size=2000)
    y = (t - EPOCH_NS) / 1e12 + noise
    shifted = np.c_[(t - t.min()).astype(np.float64), noise]
    if container == "numpy":
        X = t[:, None]
        shifted = shifted[:, :1]
    else:
        lib = pytest.importorskip(container)
        X = lib.DataFrame({"t": t, "noise": noise})
    expected = histogram_mi_regression(shifted, y)
    np.testing.assert_array_equal(histogram_mi_regression(X, y), expected)
    est = HistogramMI(n_bins=8).fit(X, y)
    reference = HistogramMI(n_bins=8).fit(shifted, y)
    np.testing.assert_array_equal(est.pvalues_, reference.pvalues_)
    np.testing.assert_allclose(est.bin_edges_[0], reference.bin_edges_[0] + t.min(), rtol=1e-15)


def test_integer_target_past_2_53_is_binned_exactly():
    """Check that a continuous target of large integers scores as its differences do."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(1000, 2))
    offsets = np.round(1e6 * (X[:, 0] + rng.normal(size=1000))).astype(np.int64)
    y = EPOCH_NS + offsets
    expected = histogram_mi_regression(X, (offsets - offsets.min()).astype(np.float64))
    np.testing.assert_array_equal(histogram_mi_regression(X, y), expected)


def test_hashes_over_64_bits_are_categories_of_their_own():
    """Check that 64-bit hashes, whose range float64 cannot span exactly, keep one category
    each: the MI equals that of their dense codes, including two hashes 1 apart."""
    rng = np.random.default_rng(3)
    pool = np.r_[rng.integers(0, 2**63, 30, dtype=np.uint64) * np.uint64(2), [2**63, 2**63 + 1]]
    pool = pool.astype(np.uint64)
    drawn = rng.integers(0, pool.size, 5000)
    labels = drawn % 3
    hashes = pool[drawn]
    codes = np.unique(hashes, return_inverse=True)[1].reshape(-1, 1)
    np.testing.assert_array_equal(
        histogram_mi_classif(hashes[:, None], labels, discrete_features=True),
        histogram_mi_classif(codes, labels, discrete_features=True),
    )
    # The two hashes 1 apart are two bins.
    est = HistogramMI(discrete_features=True).fit(hashes[:, None], labels)
    assert est.n_bins_[0] == np.unique(hashes).size


def test_entropy_binner_codes_new_integers_with_the_fitted_encoding():
    """Check that transform bins new large integers, between and beyond the fitted ones,
    where their exact values belong: as searchsorted on the exact integers does."""
    rng = np.random.default_rng(4)
    fitted = EPOCH_NS + rng.integers(0, 10**9, (500, 1))
    binner = EntropyBinner(n_bins=5).fit(fitted)
    # Edges in nanoseconds, and the codes of the fitted data as for their differences.
    small = EntropyBinner(n_bins=5).fit((fitted - EPOCH_NS).astype(np.float64))
    np.testing.assert_array_equal(binner.transform(fitted), small.transform(fitted - EPOCH_NS))
    inner = small.bin_edges_[0][1:-1]  # whole numbers: quantile edges are sample values
    new = EPOCH_NS + np.r_[-5, inner.astype(np.int64) - 1, inner.astype(np.int64), 10**10]
    expected = np.searchsorted(inner.astype(np.int64) + EPOCH_NS, new, side="right")
    np.testing.assert_array_equal(binner.transform(new[:, None])[:, 0], expected)


def test_pairwise_mi_of_large_integers_equals_their_differences():
    """Check that all-pairs MI sees large integer columns as their differences."""
    rng = np.random.default_rng(5)
    base = rng.integers(0, 10**6, (800, 3))
    base[:, 1] = base[:, 0] // 7
    np.testing.assert_array_equal(
        pairwise_histogram_mi(base + 2**58, n_bins=6), pairwise_histogram_mi(base, n_bins=6)
    )


def test_shift_encodes_every_integer_type_exactly():
    """Check the shift's vectorised paths against Python's exact integers, for int64 and for
    uint64 values past 2^63, and for new values below the fitted minimum."""
    signed = np.array([-(2**62), -(2**62) + 3, -(2**62) + 2**40], dtype=np.int64)
    unsigned = np.array([2**64 - 1, 2**64 - 2**30, 2**64 - 2], dtype=np.uint64)
    for values in (signed, unsigned):
        lo = int(values.min())
        expected = np.array([float(int(v) - lo) for v in values])
        np.testing.assert_array_equal(Shift(lo).encode(values), expected)
        np.testing.assert_array_equal(Shift(lo + 5).encode(values), expected - 5)


def test_ranks_place_unseen_values_half_way():
    """Check that a value between two fitted ones ranks half-way, and beyond them outside."""
    ranks = Ranks(np.array([2**60, 2**60 + 10, 2**62], dtype=np.int64))
    values = np.array([2**60, 2**60 + 1, 2**62, 2**62 + 1, 5], dtype=np.int64)
    np.testing.assert_array_equal(ranks.encode(values), [0.0, 0.5, 2.0, 2.5, -0.5])
    np.testing.assert_array_equal(ranks.decode(np.array([0.0, 2.0])), [2.0**60, 2.0**62])
