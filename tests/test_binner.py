"""Tests of EntropyBinner beyond the shared API checks."""

import math

import numpy as np
import pytest
from sklearn.preprocessing import KBinsDiscretizer

from skmi import EntropyBinner, histogram_entropy


def test_entropy_binner_matches_kbins_discretizer_uniform():
    """Check that uniform codes equal KBinsDiscretizer's ordinal codes."""
    X = np.random.default_rng(0).normal(size=(500, 3))
    ours = EntropyBinner(n_bins=6, strategy="uniform").fit(X)
    theirs = KBinsDiscretizer(n_bins=6, strategy="uniform", encode="ordinal").fit(X)
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X).astype(int))
    for a, b in zip(ours.bin_edges_, theirs.bin_edges_, strict=True):
        np.testing.assert_allclose(a, b)


def test_entropy_binner_quantile_entropy_is_log_k():
    """Check that k quantile bins of distinct values have entropy ln k (N divisible by k)."""
    X = np.random.default_rng(1).normal(size=(1200, 2))
    binner = EntropyBinner(n_bins=8).fit(X)
    np.testing.assert_allclose(binner.entropy_, math.log(8), rtol=1e-12)
    np.testing.assert_array_equal(binner.n_bins_, [8, 8])


def test_entropy_binner_entropy_matches_function():
    """Check that entropy_ equals histogram_entropy with the same settings."""
    X = np.random.default_rng(2).exponential(size=(700, 3))
    binner = EntropyBinner(n_bins="fd", strategy="uniform", correction="miller-madow", base=2)
    expected = histogram_entropy(
        X, n_bins="fd", strategy="uniform", correction="miller-madow", base=2
    )
    np.testing.assert_allclose(binner.fit(X).entropy_, expected, rtol=1e-14)


@pytest.mark.parametrize("encode", ["onehot", "onehot-dense"])
def test_entropy_binner_onehot_round_trip(encode):
    """Check that one-hot output has one 1 per feature block and inverts like ordinal codes."""
    X = np.random.default_rng(3).normal(size=(200, 3))
    onehot = EntropyBinner(n_bins=5, encode=encode).fit(X)
    ordinal = EntropyBinner(n_bins=5).fit(X)
    Xt = onehot.transform(X)
    dense = Xt.toarray() if hasattr(Xt, "toarray") else Xt
    assert dense.shape == (200, 15)
    np.testing.assert_array_equal(dense.sum(axis=1), 3)
    np.testing.assert_allclose(
        onehot.inverse_transform(Xt), ordinal.inverse_transform(ordinal.transform(X))
    )
    assert onehot.get_feature_names_out()[:2].tolist() == ["x0_0", "x0_1"]


def test_entropy_binner_inverse_transform_gives_bin_centres():
    """Check that codes map back to the midpoints of their bins."""
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    binner = EntropyBinner(n_bins=2, strategy="uniform").fit(X)
    np.testing.assert_allclose(binner.inverse_transform([[0], [1]]), [[0.75], [2.25]])


@pytest.mark.parametrize("bad", [[[2]], [[-1]], [[0.5]], [[0, 0]]])
def test_entropy_binner_inverse_transform_rejects_bad_codes(bad):
    """Check that codes out of range, fractional or of the wrong width raise ValueError."""
    binner = EntropyBinner(n_bins=2).fit([[0.0], [1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match="X"):
        binner.inverse_transform(bad)


def test_entropy_binner_subsample_learns_edges_from_subset_but_counts_all():
    """Check that edges are those of the subsample's rows alone, while entropy_ counts all rows."""
    n, m = 5000, 500
    X = np.random.default_rng(4).normal(size=(n, 1))
    binner = EntropyBinner(n_bins=4, subsample=m, random_state=1).fit(X)
    # As many quantile bins as sampled rows make every sampled value an edge (the rank-r
    # value is the r-th inner edge), which reveals the rows: random_state alone picks them.
    probe = EntropyBinner(n_bins=m, subsample=m, random_state=1).fit(X)
    picked = np.isin(X[:, 0], probe.bin_edges_[0])
    assert picked.sum() == m  # all n rows would give 501 distinct edges
    from_picked = EntropyBinner(n_bins=4, subsample=None).fit(X[picked])
    np.testing.assert_array_equal(binner.bin_edges_[0], from_picked.bin_edges_[0])
    # The subsample's edges are visibly not all rows' (its minimum alone is about -2.6,
    # against -4.1 for all 5000 rows).
    from_all = EntropyBinner(n_bins=4, subsample=None).fit(X)
    assert not np.allclose(binner.bin_edges_[0], from_all.bin_edges_[0], atol=0.05)
    # entropy_ counts all n rows in those bins: a hand count of the codes. Counted over the
    # picked rows alone it would be ln 4 exactly (500 distinct values in 4 quantile bins).
    counts = np.bincount(binner.transform(X)[:, 0], minlength=4)
    assert counts.sum() == n
    p = counts / n
    np.testing.assert_allclose(binner.entropy_, [-np.sum(p * np.log(p))], rtol=1e-12)
    assert abs(binner.entropy_[0] - math.log(4)) > 1e-3
