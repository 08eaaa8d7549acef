"""dask arrays and DataFrames on a LocalCluster: the in-memory results for the same edges,
counted on the workers, without gathering X to the client."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from skmi import (  # noqa: E402
    EntropyBinner,
    HistogramMI,
    MISelector,
    PairwiseHistogramMI,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)
from skmi._tables import sample_rows  # noqa: E402

# The edges come from the same sample rows as in memory and every chunk's table is exact
# integers, so the sums are the in-memory tables and the scores the same functions of them.
ATOL = 1e-12
N, CHUNK, SUBSAMPLE = 6000, 1100, 2500  # several chunks, edges from a subsample


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes (as in CI), and a client that computes on it."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 5))
    X[:, 1] = X[:, 0] ** 2 + 0.5 * rng.normal(size=N)
    X[:, 3] = np.round(X[:, 3] * 2)  # ties
    y = X[:, 0] + 0.5 * X[:, 2] + rng.normal(size=N)
    return X, y


def chunked(a):
    return da.from_array(a, chunks=(CHUNK, *a.shape[1:]))


@pytest.mark.parametrize("n_bins", [8, "sturges", "adaptive", "partition"])
def test_dask_score_functions_equal_in_memory(client, n_bins):
    """Check the score functions on dask arrays against numpy input (with "adaptive" and
    "partition", against one partial_fit batch, which counts the same fine table)."""
    X, y = data()
    labels = (y > 0).astype(int) + (y > 1)
    params = dict(n_bins=n_bins, subsample=SUBSAMPLE)
    for func, target in [(histogram_mi_regression, y), (histogram_mi_classif, labels)]:
        got = func(chunked(X), chunked(target), **params)
        fine = n_bins in ("adaptive", "partition")
        if fine:
            est = HistogramMI(
                n_bins=n_bins, subsample=SUBSAMPLE, discrete_target=func is histogram_mi_classif
            )
            expected = est.partial_fit(X, target).scores_
        else:
            expected = func(X, target, **params)
        assert_allclose(got, expected, rtol=0, atol=ATOL)
    if not fine:
        assert_allclose(
            histogram_entropy(chunked(X), **params), histogram_entropy(X, **params), atol=ATOL
        )


def test_dask_estimators_equal_in_memory(client):
    """Check fit of HistogramMI (target auto-detected on the workers), EntropyBinner,
    MISelector and PairwiseHistogramMI on dask arrays against numpy input."""
    X, y = data(1)
    labels = (y > 0).astype(int)
    dX = chunked(X)
    for target in [y, labels]:
        params = dict(n_bins=7, subsample=SUBSAMPLE, n_permutations=0)
        got = HistogramMI(**params).fit(dX, chunked(target))
        expected = HistogramMI(**params).fit(X, target)
        assert got.discrete_target_ == expected.discrete_target_
        for name in ("scores_", "pvalues_", "standard_errors_", "entropy_", "target_entropy_"):
            assert_allclose(getattr(got, name), getattr(expected, name), rtol=0, atol=ATOL)
        assert got.n_features_in_ == 5 and got.n_samples_seen_ == N
    binner = EntropyBinner(9, subsample=SUBSAMPLE)
    assert_allclose(binner.fit(dX).entropy_, binner.fit(X).entropy_, rtol=0, atol=ATOL)
    codes = binner.transform(dX)
    assert isinstance(codes, da.Array)
    assert_array_equal(codes.compute(), binner.transform(X))
    selector = MISelector(HistogramMI(6, subsample=SUBSAMPLE), k=2)
    assert_array_equal(selector.fit(dX, chunked(y)).ranking_, selector.fit(X, y).ranking_)
    pairs = PairwiseHistogramMI(n_bins=6, subsample=SUBSAMPLE)
    got, expected = pairs.fit(dX), PairwiseHistogramMI(n_bins=6, subsample=SUBSAMPLE).fit(X)
    assert_allclose(got.scores_, expected.scores_, rtol=0, atol=ATOL)
    assert_allclose(got.pvalues_, expected.pvalues_, rtol=0, atol=ATOL)
    assert_allclose(
        pairwise_histogram_mi(dX, n_bins=6, subsample=SUBSAMPLE), expected.scores_, atol=ATOL
    )


def test_dask_fit_then_partial_fit_adds_numpy_batches(client):
    """Check that a fit on dask keeps its tables: numpy batches added by partial_fit give
    the tables of all rows."""
    X, y = data(2)
    first = HistogramMI(6, subsample=SUBSAMPLE).fit(chunked(X[:4000]), chunked(y[:4000]))
    first.partial_fit(X[4000:], y[4000:])
    ref = HistogramMI(6, subsample=SUBSAMPLE).partial_fit(X[:4000], y[:4000])
    ref.partial_fit(X[4000:], y[4000:])
    assert_allclose(first.scores_, ref.scores_, rtol=0, atol=ATOL)
    assert first.n_samples_seen_ == N


def test_dask_dataframe_keeps_column_names(client):
    """Check that a dask DataFrame gives the array's results and its column names."""
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y = data(3)
    frame = pd.DataFrame(X, columns=[f"unit{j}" for j in range(5)])
    dframe = dd.from_pandas(frame, npartitions=4)
    est = HistogramMI(5, subsample=SUBSAMPLE, n_permutations=0)
    got = est.fit(dframe, dd.from_pandas(pd.Series(y), npartitions=4))
    assert_array_equal(got.feature_names_in_, frame.columns)
    expected = HistogramMI(5, subsample=SUBSAMPLE, n_permutations=0).fit(frame, y)
    assert_allclose(got.scores_, expected.scores_, rtol=0, atol=ATOL)
    # The frame's values: a dask array whose chunk lengths are unknown until counted.
    values = dframe.to_dask_array()
    assert np.isnan(values.shape[0])
    scores = histogram_mi_regression(values, y, n_bins=5, subsample=SUBSAMPLE)
    assert_allclose(scores, expected.scores_, rtol=0, atol=ATOL)


def test_dask_client_never_gathers_x(client, monkeypatch):
    """Check that the only arrays computed to the client are the sample rows and 1-D
    summaries (never all of X), and that nothing converts X to numpy."""
    import dask

    computed = []
    original_method, original_function = da.Array.compute, dask.compute

    def recording_method(self, **kwargs):
        computed.append(self.shape)
        return original_method(self, **kwargs)

    def recording_function(*args, **kwargs):
        computed.extend(a.shape for a in args if isinstance(a, da.Array))
        return original_function(*args, **kwargs)

    def refuse(self, *args, **kwargs):
        raise AssertionError("a dask array was converted to numpy on the client")

    monkeypatch.setattr(da.Array, "compute", recording_method)
    monkeypatch.setattr(dask, "compute", recording_function)
    monkeypatch.setattr(da.Array, "__array__", refuse)
    X, y = data(4)
    HistogramMI(subsample=SUBSAMPLE).fit(chunked(X), chunked(y))
    PairwiseHistogramMI(subsample=SUBSAMPLE).fit(chunked(X))
    assert computed and all(shape[0] <= SUBSAMPLE for shape in computed if len(shape) == 2)


def test_dask_errors(client):
    """Check that an infinite value on a worker, subsample=None and 1-D X are clear
    errors."""
    X, y = data(5)
    outside = np.setdiff1d(np.arange(N), sample_rows(N, 50, 0))[-1]
    X[outside, 2] = np.inf  # not in the sample: found by the count on a worker
    with pytest.raises(ValueError, match="infinity"):
        histogram_mi_regression(chunked(X), chunked(y), n_bins=5, subsample=50)
    with pytest.raises(ValueError, match="subsample=None"):
        EntropyBinner(subsample=None).fit(chunked(data()[0]))
    with pytest.raises(ValueError, match="2-D dask array"):
        EntropyBinner().fit(chunked(y))


@pytest.mark.parametrize("n_bins", [5, "sturges"])
def test_dask_missing_values_outside_the_sample_get_their_bin(client, n_bins):
    """Check that a missing value no sample row holds still gets its column's bin for
    missing values, on the workers as in memory, whose results dask equals."""
    X, y = data(5)
    outside = np.setdiff1d(np.arange(N), sample_rows(N, SUBSAMPLE, 0))[-3:]
    X[outside, 2] = np.nan
    X[::7, 4] = np.nan  # in the sample too
    params = dict(n_bins=n_bins, subsample=SUBSAMPLE, random_state=0, n_permutations=0)
    got = HistogramMI(**params).fit(chunked(X), chunked(y))
    expected = HistogramMI(**params).fit(X, y)
    assert [np.isnan(e[-1]) for e in got.bin_edges_] == [False, False, True, False, True]
    for a, b in zip(got.bin_edges_, expected.bin_edges_, strict=True):
        assert_array_equal(a, b)
    for name in ("scores_", "pvalues_", "entropy_"):
        assert_allclose(getattr(got, name), getattr(expected, name), rtol=0, atol=ATOL)


def test_dask_missing_target_value_is_an_error(client):
    """Check that a missing value in a dask target is the ValueError it is in memory, for a
    continuous and a discrete target alike (it was a bin of its own, or a label)."""
    X, y = data(6)
    y[5] = np.nan
    for func in (histogram_mi_regression, histogram_mi_classif):
        with pytest.raises(ValueError, match="y holds a missing value"):
            func(chunked(X), chunked(y))


def test_dask_batches_add_as_numpy_batches(client):
    """Check partial_fit over dask batches: the results of the same numpy batches, a
    column whose first missing values come in a later batch gaining their bin (every chunk
    counting tables of one shape), and a discrete feature's unseen value an error."""
    X, y = data(6)
    X[4000:4100, 2] = np.nan  # first missing values, in the second batch only
    parts = [slice(0, 3000), slice(3000, N)]
    for make, supervised in [
        (lambda: HistogramMI(6), True),
        (lambda: PairwiseHistogramMI(6), False),
    ]:
        on_dask, in_memory = make(), make()
        for rows in parts:
            args = (X[rows], y[rows]) if supervised else (X[rows],)
            on_dask.partial_fit(*(chunked(a) for a in args))
            in_memory.partial_fit(*args)
        assert on_dask.n_samples_seen_ == N and on_dask.n_bins_[2] == in_memory.n_bins_[2]
        assert_allclose(on_dask.scores_, in_memory.scores_, rtol=0, atol=ATOL)
    est = HistogramMI(6, discrete_features=[3]).partial_fit(chunked(X[:3000]), chunked(y[:3000]))
    unseen = X[3000:].copy()
    unseen[5, 3] = 99.0
    with pytest.raises(ValueError, match=r"discrete column 3 holds the value 99\.0"):
        est.partial_fit(chunked(unseen), chunked(y[3000:]))


def test_dask_first_batch_takes_given_bins(client):
    """Check a dask first batch given its bins (features' edges, with "adaptive" the fine
    ones whose point masses are read off the chunks; the classes; the target's edges): the
    results of the same numpy batch given the same bins."""
    X, y = data(7)
    labels = (y > 0).astype(int)
    edges = EntropyBinner(8).fit(X).bin_edges_
    cases = [
        (lambda: HistogramMI(), (y,), dict(bin_edges=edges)),
        (lambda: HistogramMI(8), (y,), dict(bin_edges=edges)),
        (lambda: HistogramMI(6), (labels,), dict(classes=[0, 1])),
        (lambda: HistogramMI(), (y,), dict(target_bin_edges=np.linspace(-6, 6, 30))),
        (lambda: EntropyBinner(8), (), dict(bin_edges=edges)),
        (lambda: PairwiseHistogramMI(8), (), dict(bin_edges=edges)),
    ]
    for make, target, given in cases:
        on_dask = make().partial_fit(chunked(X), *(chunked(t) for t in target), **given)
        in_memory = make().partial_fit(X, *target, **given)
        attr = "entropy_" if isinstance(on_dask, EntropyBinner) else "scores_"
        assert_allclose(getattr(on_dask, attr), getattr(in_memory, attr), rtol=0, atol=ATOL)


def test_dask_sparse_chunks_equal_the_sparse_matrix(client):
    """Check a dask array of SciPy sparse chunks on the cluster, counted from each chunk's
    stored values: edges from a subsample (point masses and categories learnt again from
    every row, on the workers), a missing value outside the sample, batches, all pairs and
    sparse codes all equal the sparse matrix's results."""
    sp = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(3)
    X = sp.random(N, 5, density=0.1, random_state=3, format="lil")
    X[:, 0] = rng.integers(0, 3, size=(N, 1))  # a discrete column, zeros stored or not
    X[N - 7, 2] = np.nan  # a missing value, almost surely outside the sample
    X = X.tocsr()
    y = rng.integers(0, 2, N)
    chunks = da.from_array(X, chunks=(CHUNK, -1), asarray=False)
    params = dict(subsample=SUBSAMPLE, random_state=0, discrete_features=[0])
    on_workers = HistogramMI(8, **params).fit(chunks, y)
    in_memory = HistogramMI(8, **params).fit(X, y)
    assert_allclose(on_workers.scores_, in_memory.scores_, atol=ATOL)
    assert_allclose(on_workers.pvalues_, in_memory.pvalues_, atol=ATOL)
    assert np.isnan(on_workers.bin_edges_[2][-1])
    batches = HistogramMI(8, **params).partial_fit(chunks, y).partial_fit(X, y)
    twice = HistogramMI(8, **params).partial_fit(X, y).partial_fit(X, y)
    assert_allclose(batches.scores_, twice.scores_, atol=ATOL)
    assert_allclose(
        PairwiseHistogramMI(6, subsample=SUBSAMPLE).fit(chunks).scores_,
        PairwiseHistogramMI(6, subsample=SUBSAMPLE).fit(X).scores_,
        atol=ATOL,
    )
    binner = EntropyBinner(6, subsample=SUBSAMPLE).fit(chunks)
    codes = binner.transform(chunks).compute()
    assert_array_equal(codes.toarray(), binner.transform(X).toarray())
