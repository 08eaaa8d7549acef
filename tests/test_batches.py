"""partial_fit of HistogramMI and EntropyBinner: batches of rows add up to fit on all rows."""

import itertools
import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skmi import EntropyBinner, HistogramMI
from skmi._plan import BATCH_FINE_N_BINS as BATCH_FINE_RESOLUTION
from skmi._scoring._adaptive import resolution_plan

# The tables of any split of the rows are the same integers as those of all rows, and they
# are scored by the same functions, so every output agrees to round-off at most; 1e-12 is
# the bound the equality is promised to.
ATOL = 1e-12
OUTPUTS = ("scores_", "pvalues_", "standard_errors_", "entropy_", "target_entropy_")


def regression_data(rng, n, n_features=4):
    X = rng.normal(size=(n, n_features))
    X[:, 2] = np.round(X[:, 2] * 2)  # ties
    y = X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n)
    return X, y


def random_splits(rng, n, n_batches):
    """Boundaries of ``n_batches`` batches of random sizes (at least 1 row each)."""
    inner = np.sort(rng.choice(np.arange(1, n), n_batches - 1, replace=False))
    return np.concatenate(([0], inner, [n]))


def fit_in_batches(est, X, y, bounds, **first):
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        est.partial_fit(X[lo:hi], y[lo:hi], **(first if i == 0 else {}))
    return est


def assert_same_outputs(a, b):
    for name in OUTPUTS:
        assert_allclose(getattr(a, name), getattr(b, name), rtol=0, atol=ATOL, err_msg=name)
    assert_array_equal(a.n_bins_, b.n_bins_)
    assert_array_equal(a.target_n_bins_, b.target_n_bins_)
    assert a.n_samples_seen_ == b.n_samples_seen_


@pytest.mark.parametrize("n_bins", [8, "sturges", [3, 5, 7, 9]])
@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("discrete_target", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_histogram_mi_partial_fit_equals_fit_for_the_same_edges(
    n_bins, strategy, discrete_target, seed
):
    """Check that partial_fit over a random split of the rows, given fit's edges, gives
    every output of fit on all of them."""
    rng = np.random.default_rng(seed)
    X, y = regression_data(rng, 2000)
    if discrete_target:
        y = np.digitize(y, [-1.0, 0.0, 1.5])
    params = dict(
        n_bins=n_bins, strategy=strategy, discrete_target=discrete_target, n_permutations=0
    )
    params["discrete_features"] = [False, False, False, True]
    full = HistogramMI(**params).fit(X, y)
    first = {"bin_edges": full.bin_edges_}
    if discrete_target:
        first["classes"] = np.unique(y)
    else:
        # A target binned with per-feature bins takes the default entropy rule.
        target_bins = "hacine-gharbi" if np.ndim(n_bins) else n_bins
        binner = EntropyBinner(target_bins, strategy=strategy).fit(y.reshape(-1, 1))
        first["target_bin_edges"] = binner.bin_edges_[0]
    batched = fit_in_batches(HistogramMI(**params), X, y, random_splits(rng, 2000, 5), **first)
    assert_same_outputs(batched, full)


@pytest.mark.parametrize("discrete_target", [False, True])
def test_histogram_mi_partial_fit_adaptive_equals_fit_for_the_same_fine_edges(discrete_target):
    """Check that with "adaptive", batches counted at the finest fine resolution and scored
    at the total N give fit's outputs where fit counts that same fine table."""
    n = 130_000
    assert resolution_plan(n).fines == (BATCH_FINE_RESOLUTION,)  # fit's one fine table
    rng = np.random.default_rng(2)
    X, y = regression_data(rng, n, n_features=3)
    X[:, 1] = X[:, 0] + 0.05 * X[:, 1]  # strong: a fine resolution
    # Given edges carry no point masses: batches read them off the first batch, which
    # then has to see each tied value at least twice, as fit does.
    X[:, 2] = np.clip(X[:, 2], -3, 3)
    if discrete_target:
        y = (y > 0).astype(int)
    full = HistogramMI(n_bins="adaptive", discrete_target=discrete_target, n_permutations=0)
    full.fit(X, y)
    fine = EntropyBinner(BATCH_FINE_RESOLUTION).fit(X)
    first = {"bin_edges": fine.bin_edges_}
    if not discrete_target:
        target = EntropyBinner(BATCH_FINE_RESOLUTION).fit(y.reshape(-1, 1))
        first["target_bin_edges"] = target.bin_edges_[0]
    est = HistogramMI(n_bins="adaptive", discrete_target=discrete_target)
    batched = fit_in_batches(est, X, y, random_splits(rng, n, 4), **first)
    assert_same_outputs(batched, full)
    for a, b in zip(batched.bin_edges_, full.bin_edges_, strict=True):
        assert_array_equal(a, b)


@pytest.mark.parametrize("n_bins", [6, "adaptive"])
def test_histogram_mi_partial_fit_learns_edges_from_the_first_batch(n_bins):
    """Check that without given edges the first batch's edges are kept, so that splitting
    after it changes nothing: one batch then the rest equals the first batch then the rest
    in two parts."""
    rng = np.random.default_rng(3)
    X, y = regression_data(rng, 3000)
    a = fit_in_batches(HistogramMI(n_bins), X, y, [0, 1000, 3000])
    b = fit_in_batches(HistogramMI(n_bins), X, y, [0, 1000, 1700, 2999, 3000])
    assert_same_outputs(a, b)
    first = HistogramMI(n_bins).partial_fit(X[:1000], y[:1000])
    for edges, learnt in zip(a.bin_edges_, first.bin_edges_, strict=True):
        assert edges[0] == learnt[0] and edges[-1] == learnt[-1]


def test_histogram_mi_partial_fit_one_batch_equals_fit():
    """Check that one call to partial_fit on all rows is fit, bins learnt the same way
    (with the G-test p-values, which fit uses too when n_permutations=0)."""
    rng = np.random.default_rng(4)
    X, y = regression_data(rng, 1500)
    full = HistogramMI(10, n_permutations=0).fit(X, y)
    assert_same_outputs(HistogramMI(10).partial_fit(X, y), full)


def test_histogram_mi_partial_fit_continues_a_fit_with_bins_as_asked():
    """Check that partial_fit after fit adds to fit's rows: fit on a first part then
    batches equals partial_fit over the same parts."""
    rng = np.random.default_rng(5)
    X, y = regression_data(rng, 2000)
    a = HistogramMI(7, n_permutations=0).fit(X[:800], y[:800])
    a.partial_fit(X[800:], y[800:])
    b = fit_in_batches(HistogramMI(7), X, y, [0, 800, 2000])
    assert_same_outputs(a, b)
    assert a.n_samples_seen_ == 2000


def test_histogram_mi_partial_fit_pvalues_follow_every_batch():
    """Check that p-values read between batches are those of the rows seen then, and are
    recomputed after the next batch (they are computed when first read)."""
    rng = np.random.default_rng(13)
    X, y = regression_data(rng, 1500)
    est = HistogramMI(6).partial_fit(X[:500], y[:500])
    early = est.pvalues_.copy()
    assert_array_equal(early, HistogramMI(6).partial_fit(X[:500], y[:500]).pvalues_)
    est.partial_fit(X[500:], y[500:])
    ref = fit_in_batches(HistogramMI(6), X, y, [0, 500, 1500])
    assert_array_equal(est.pvalues_, ref.pvalues_)
    assert not np.array_equal(est.pvalues_, early)


def test_histogram_mi_partial_fit_scoring_params_may_change():
    """Check that parameters of the scoring alone (base, correction, normalize) may change
    between batches, and apply to all rows."""
    rng = np.random.default_rng(6)
    X, y = regression_data(rng, 1000)
    est = HistogramMI(6).partial_fit(X[:500], y[:500])
    est.set_params(base=2, correction=None).partial_fit(X[500:], y[500:])
    ref = fit_in_batches(HistogramMI(6, base=2, correction=None), X, y, [0, 500, 1000])
    assert_same_outputs(est, ref)


@pytest.mark.parametrize(
    "param, value", [("n_bins", 7), ("strategy", "uniform"), ("discrete_features", True)]
)
def test_histogram_mi_partial_fit_rejects_changed_table_params(param, value):
    """Check that changing a parameter that shaped the tables is an error naming it."""
    rng = np.random.default_rng(7)
    X, y = regression_data(rng, 200)
    est = HistogramMI(6).partial_fit(X, y)
    est.set_params(**{param: value})
    with pytest.raises(ValueError, match=f"{param}={value!r} differs"):
        est.partial_fit(X, y)


def test_histogram_mi_partial_fit_errors():
    """Check the errors of partial_fit: another number of features, edges on a later call,
    an unseen label, edges of the wrong length."""
    rng = np.random.default_rng(8)
    X, y = regression_data(rng, 300)
    est = HistogramMI(5).partial_fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        est.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="bin_edges is used on the first call"):
        est.partial_fit(X, y, bin_edges=est.bin_edges_)
    labels = np.array([0, 1] * 150)
    clf = HistogramMI(5).partial_fit(X, labels)
    with pytest.raises(ValueError, match="label 2"):
        clf.partial_fit(X[:2], [1, 2])
    with pytest.raises(ValueError, match=r"bin_edges must hold one array of edges per feature"):
        HistogramMI(5).partial_fit(X, y, bin_edges=est.bin_edges_[:3])
    with pytest.raises(ValueError, match=r"bin_edges\[0\] must be a non-decreasing"):
        HistogramMI(5).partial_fit(X, y, bin_edges=[[1.0, 0.0]] * 4)


@pytest.mark.parametrize("n_bins", [8, "adaptive"])
def test_histogram_mi_partial_fit_rejected_batch_adds_nothing(n_bins):
    """Check that a batch rejected for an infinite value leaves the estimator as it was:
    the batches are counted into the tables kept (in place), and the rows the kernels
    counted before reporting the value are taken back out, so the next batch gives the
    outputs of the batches without the rejected one."""
    rng = np.random.default_rng(12)
    X, y = regression_data(rng, 3_000)
    bad = X[1_000:2_000].copy()
    bad[700, 1] = np.inf
    est = HistogramMI(n_bins).partial_fit(X[:1_000], y[:1_000])
    with pytest.raises(ValueError, match="infinity"):
        est.partial_fit(bad, y[1_000:2_000])
    est.partial_fit(X[2_000:], y[2_000:])
    expected = HistogramMI(n_bins).partial_fit(X[:1_000], y[:1_000])
    expected.partial_fit(X[2_000:], y[2_000:])
    assert_same_outputs(est, expected)


def test_histogram_mi_partial_fit_counts_into_the_kept_tables():
    """Check that a later batch is counted into the tables kept, not into tables of its
    own: the memory partial_fit allocates (tracemalloc, which sees numpy's arrays) stays
    below a tenth of the kept tables' (384 x 512 x 512 fine counts in uint16, 201 MB,
    which a batch's own tables and their sum took twice over)."""
    rng = np.random.default_rng(13)
    X = rng.normal(size=(4_096, 384))
    y = X[:, 0] + rng.normal(size=4_096)
    est = HistogramMI().partial_fit(X, y)
    tables = est._accumulator.tables.counts.nbytes
    tracemalloc.start()
    try:
        est.partial_fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < tables / 10


def test_histogram_mi_partial_fit_classes_given_on_the_first_call():
    """Check that classes given on the first call allow labels its batch lacks, and give
    the tables of all rows."""
    rng = np.random.default_rng(9)
    X = rng.normal(size=(600, 2))
    y = np.where(X[:, 0] > 0.5, "c", np.where(X[:, 0] > -0.5, "b", "a"))
    order = np.argsort(y, kind="stable")  # the first batch holds only "a"
    X, y = X[order], y[order]
    full = HistogramMI(4, n_permutations=0).fit(X, y)
    est = HistogramMI(4)
    batched = fit_in_batches(
        est, X, y, [0, 100, 600], bin_edges=full.bin_edges_, classes=["a", "b", "c"]
    )
    assert batched.discrete_target_
    assert_same_outputs(batched, full)


def test_entropy_binner_partial_fit_equals_fit_for_the_same_edges():
    """Check that EntropyBinner.partial_fit over a split, given fit's edges, gives fit's
    entropies (both corrections), and that a partial_fit after fit adds to its rows."""
    rng = np.random.default_rng(10)
    X, _ = regression_data(rng, 2500)
    for correction in [None, "miller-madow"]:
        full = EntropyBinner(9, correction=correction).fit(X)
        batched = EntropyBinner(9, correction=correction)
        for i, (lo, hi) in enumerate([(0, 7), (7, 1300), (1300, 2500)]):
            batched.partial_fit(X[lo:hi], bin_edges=None if i else full.bin_edges_)
        assert_allclose(batched.entropy_, full.entropy_, rtol=0, atol=ATOL)
        assert batched.n_samples_seen_ == 2500
    continued = EntropyBinner(9).fit(X[:1000]).partial_fit(X[1000:])
    ref = EntropyBinner(9).partial_fit(X[:1000]).partial_fit(X[1000:])
    assert_allclose(continued.entropy_, ref.entropy_, rtol=0, atol=ATOL)


def test_entropy_binner_partial_fit_values_outside_the_first_range_fall_in_end_bins():
    """Check by hand: edges [0, 2, 3] from a first batch 0..3; -5 and 10 later fall in the
    outer bins, making counts (3, 3): entropy ln 2."""
    binner = EntropyBinner(2).partial_fit([[0.0], [1.0], [2.0], [3.0]])
    assert_array_equal(binner.bin_edges_[0], [0.0, 2.0, 3.0])
    binner.partial_fit([[-5.0], [10.0]])
    assert_allclose(binner.entropy_, [np.log(2)], rtol=1e-15)
    assert binner.n_samples_seen_ == 6


def test_entropy_binner_partial_fit_errors():
    """Check that a changed n_bins, another number of features and edges on a later call
    are errors naming what is wrong."""
    X = np.random.default_rng(11).normal(size=(50, 3))
    binner = EntropyBinner(4).partial_fit(X)
    with pytest.raises(ValueError, match="3 features"):
        binner.partial_fit(X[:, :2])
    with pytest.raises(ValueError, match="bin_edges is used on the first call"):
        binner.partial_fit(X, bin_edges=binner.bin_edges_)
    with pytest.raises(ValueError, match="n_bins=5 differs from n_bins=4"):
        binner.set_params(n_bins=5).partial_fit(X)
