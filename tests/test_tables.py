"""Tests of the binning value object and of count tables: they are reused and they add up."""

import pickle

import numpy as np
import pytest

from skmi._backends import EdgeRows
from skmi._binning import Binning, merged_edges
from skmi._tables import (
    CountTables,
    count_histograms,
    count_joint,
    count_three_way,
    learn_target_codes,
)


def _binning(X, n_bins=10):
    return Binning.learn(X, n_bins, "quantile", np.zeros(X.shape[1], dtype=bool))


def test_binning_equality_and_pickle_round_trip():
    """Check that a binning equals its pickled copy and another learnt from the same data,
    and differs from one with other edges or another discrete mask."""
    X = np.random.default_rng(0).normal(size=(400, 3))
    binning = _binning(X)
    assert pickle.loads(pickle.dumps(binning)) == binning
    assert _binning(X.copy()) == binning
    assert _binning(X, n_bins=9) != binning
    assert Binning(binning.edges, np.array([True, False, False])) != binning
    assert binning != "not a binning"
    np.testing.assert_array_equal(binning.n_bins, [10, 10, 10])


def test_packed_edges_are_the_sequence_of_their_arrays():
    """Check that edges learnt packed (``EdgeRows``: many columns at one bin count) read,
    slice, compare, pickle and join as the tuple of their arrays would, and that a column
    whose ties drop edges leaves the tuple form with its own edges."""
    X = np.random.default_rng(1).normal(size=(400, 5))
    packed = _binning(X)
    assert isinstance(packed.edges, EdgeRows)
    arrays = tuple(np.array(e) for e in packed.edges)
    assert Binning(arrays, packed.discrete) == packed
    assert pickle.loads(pickle.dumps(packed)) == packed
    assert len(packed.edges) == 5
    np.testing.assert_array_equal(packed.edges[3], arrays[3])
    assert all(np.array_equal(a, b) for a, b in zip(packed.edges[1:4], arrays[1:4], strict=True))
    np.testing.assert_array_equal(packed.n_bins, [e.size - 1 for e in arrays])
    joined = EdgeRows.joined([packed.edges[:2], packed.edges[2:]])
    assert isinstance(joined, EdgeRows) and Binning(joined, packed.discrete) == packed
    # Ties: the third column's edges are deduplicated, so they are arrays of their own.
    X[:, 2] = np.round(X[:, 2])
    tied = _binning(X)
    assert not isinstance(tied.edges, EdgeRows) and tied.n_bins[2] < 10
    mixed = EdgeRows.joined([packed.edges[:2], tied.edges[2:]])
    assert isinstance(mixed, tuple) and [e.size for e in mixed] == [11, 11, *tied.n_bins[2:] + 1]


def test_merged_edges_keep_the_edges_where_the_map_changes():
    """Check that merging bins 0-1 and 2-3 of four keeps the outer edges and the middle one,
    and that no map keeps every edge."""
    edges = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(merged_edges(edges, np.array([0, 0, 1, 1])), [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(merged_edges(edges, None), edges)


@pytest.mark.parametrize("split", [1, 999, 35_000, 69_999])
def test_count_tables_of_batches_add_up_to_the_tables_of_all_rows(split):
    """Check that tables of two batches, counted with one binning, sum to the tables of the
    concatenated rows, in a type that holds the total (the halves fit uint16, the sum not)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(70_000, 3))
    y_codes = rng.integers(0, 4, 70_000)
    binning = _binning(X[:1000])  # learnt once, from a first batch
    whole, _ = count_joint(X, binning, y_codes, 4, None, 10)
    first, _ = count_joint(X[:split], binning, y_codes[:split], 4, None, 10)
    second, _ = count_joint(X[split:], binning, y_codes[split:], 4, None, 10)
    total = first + second
    np.testing.assert_array_equal(total.counts, whole.counts)
    assert total.counts.dtype == np.int32 and total.n_samples == 70_000


@pytest.mark.parametrize("split", [999, 35_000])
def test_count_tables_of_batches_counted_in_place_add_up(split):
    """Check batches counted into the tables kept (``count_joint(..., tables=)``), as
    ``partial_fit`` counts them: the sums are the tables of all rows, the array is the same
    while its type holds them, and widened (uint16 to int32) once they may pass 2^16."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(70_000, 3))
    y_codes = rng.integers(0, 4, 70_000)
    binning = _binning(X[:1000])
    whole, _ = count_joint(X, binning, y_codes, 4, None, 10)
    kept, _ = count_joint(X[:500], binning, y_codes[:500], 4, None, 10)
    array = kept.counts
    kept, _ = count_joint(X[500:split], binning, y_codes[500:split], 4, None, 10, tables=kept)
    assert kept.counts is array and array.dtype == np.uint16
    kept, _ = count_joint(X[split:], binning, y_codes[split:], 4, None, 10, tables=kept)
    assert kept.counts.dtype == np.int32 and kept.n_samples == 70_000
    np.testing.assert_array_equal(kept.counts, whole.counts)


def test_count_tables_refuse_other_shapes_and_float_counts():
    """Check that tables of different shapes do not add, and that counts must be integers."""
    a = CountTables(np.ones((2, 3, 4), dtype=np.int64))
    with pytest.raises(ValueError, match=r"same shape.*\(2, 3, 4\) and \(2, 3, 5\)"):
        a + CountTables(np.ones((2, 3, 5), dtype=np.int64))
    with pytest.raises(TypeError, match="integer array"):
        CountTables(np.ones((2, 3)))


def test_count_tables_sum_stays_exact_past_2_31():
    """Check that sums are held in int64 once they may pass 2^31 (no wrap-around)."""
    big = CountTables(np.full((1, 2), 2**30 + 1, dtype=np.int32))
    total = big + big
    assert total.counts.dtype == np.int64
    assert total.counts[0, 0] == 2**31 + 2


def test_count_histograms_count_every_row():
    """Check that each histogram sums to N and equals the bincount of the codes."""
    X = np.random.default_rng(2).exponential(size=(1234, 2))
    binning = _binning(X, 7)
    histograms, _ = count_histograms(X, binning, None, 7)
    codes = binning.codes(X)
    for j in range(2):
        np.testing.assert_array_equal(histograms.counts[j], np.bincount(codes[:, j]))
    assert histograms.n_samples == 1234


def test_count_three_way_margins_are_the_two_way_tables():
    """Check that the three-way tables of (x, z, y) sum over z to the joint tables of x and y,
    and over x to the table of z and y."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5000, 2))
    y = X[:, 0] + rng.normal(size=5000)
    y_codes, _ = learn_target_codes(y, False, 5, "quantile", None)
    binning = _binning(X, 6)
    codes = binning.codes(X)
    three = count_three_way(codes, 6, codes[:, 1], 6, y_codes, 5)
    two, _ = count_joint(X, binning, y_codes, 5, None, 6)
    np.testing.assert_array_equal(three.counts.sum(axis=2), two.counts)
    z_y = np.zeros((6, 5), dtype=np.int64)
    np.add.at(z_y, (codes[:, 1], y_codes), 1)
    np.testing.assert_array_equal(three.counts[0].sum(axis=0), z_y)
