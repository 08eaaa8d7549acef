"""Arrays beyond one machine: dask arrays and DataFrames, counted where their chunks live.

The stages are those of every other path: the bins are learnt from a sample of rows
(gathered to the client: ``subsample`` rows, never X), each chunk of rows is counted on a
worker with those bins and added to a running total per chain of chunks (one chain per
thread), the totals are summed in a tree on the workers, and only the sum reaches the
client, which scores it once. The sample rows are
those the in-memory path learns from (``sample_rows``), and the bin-count rules see the full
N, so a dask array gives the in-memory results for the same edges.

dask is an optional dependency: nothing here imports it until a dask collection is given.
The p-values are the G-test's (permutations need the rows on the client).
"""

import os

import numpy as np
import scipy.sparse as sp

from skmi._all_pairs import grown_pairs, pair_table_guard
from skmi._backends import BACKEND
from skmi._binning import Binning, bin_count, category_edges, present_values, value_edges
from skmi._sources._kinds import is_dask_array, is_dask_collection, is_dask_frame, is_sparse
from skmi._sources._memory import InMemory
from skmi._sources._sparse import SparseColumns, check_zeros_first
from skmi._tables import CountTables, added, sample_rows
from skmi._validation import auto_discrete

# Tables summed per task of the tree over the chains' totals: a task holds this many.
_SPLIT_EVERY = 4


def as_dask_array(X, input_name="X", handle_missing="bin"):
    """X as a 2-D dask array of floats, with its column names (a DataFrame's, else None).

    A DataFrame's partition lengths are computed on the workers; integer columns become
    float64 lazily (integers past 2^53 are not encoded exactly, as in memory). Missing
    values are binned, or, with ``handle_missing="error"``, looked for on the workers and
    refused."""
    names = None
    if is_dask_frame(X):
        names = np.asarray(X.columns, dtype=object)
        X = X.to_dask_array(lengths=True)
    if not is_dask_array(X) or X.ndim != 2:
        raise ValueError(
            f"{input_name} must be a 2-D dask array or a dask DataFrame, got "
            f"{type(X).__name__} of {getattr(X, 'ndim', '?')} dimensions"
        )
    if np.isnan(X.shape[0]):  # chunks of unknown length (a DataFrame's values): count them
        X = X.compute_chunk_sizes()
    if X.dtype.kind not in "f":
        if X.dtype.kind not in "iub":
            raise ValueError(f"{input_name} must hold numbers, got dtype {X.dtype}")
        X = X.astype(np.float64)
    if X.shape[0] < 2:
        raise ValueError(f"{input_name} needs at least 2 samples, got {X.shape[0]}")
    X = X.rechunk({1: -1})
    if handle_missing == "error" and chunk_values(X, []).missing.any():
        raise ValueError(f"Input {input_name} contains NaN.")
    return X, names


def as_dask_target(y, chunks):
    """y as a 1-D dask array chunked like X's rows (a numpy y is split to match)."""
    import dask.array as da

    if is_dask_frame(y):
        y = y.to_dask_array(lengths=True)
    y = y if is_dask_array(y) else da.from_array(np.asarray(y), chunks=(chunks,))
    if np.isnan(y.shape[0]):
        y = y.compute_chunk_sizes()
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    return y.rechunk((chunks,))


def learning_samples(arrays, subsample, random_state, also=()):
    """The rows of each of ``arrays`` (dask, of one length) that the edges are learnt from,
    gathered as numpy arrays in one pass over the data: the rows the in-memory path would
    use (``sample_rows``), or all of them when there are fewer. ``also``: more dask results
    to compute in the same pass."""
    import dask

    if subsample is None:
        raise ValueError(
            "subsample=None would gather every row of a dask array to the client to learn "
            "the bin edges; give the number of rows to learn them from (an int)"
        )
    rows = sample_rows(arrays[0].shape[0], subsample, random_state)
    parts = [a if rows is None else _rows_of(a, rows) for a in arrays]
    return [_joined(part) for part in dask.compute(*parts, *also)]


def _rows_of(a, rows):
    """Delayed takes of the sorted ``rows`` from each chunk of rows of dask ``a`` that holds
    any: each worker sends only its sampled rows (dask's own fancy indexing of 2e5 rows
    took twice as long as generating the data)."""
    from dask import delayed

    bounds = np.cumsum((0, *a.chunks[0]))
    starts = np.searchsorted(rows, bounds)
    take = delayed(_take_rows, pure=True)
    return [
        take(block, rows[lo:hi].astype(np.int64) - bounds[i])
        for i, (block, lo, hi) in enumerate(
            zip(a.to_delayed(optimize_graph=False).ravel(), starts[:-1], starts[1:], strict=True)
        )
        if hi > lo
    ]


def _take_rows(block, rows):
    """The ``rows`` of a chunk (numpy or SciPy sparse)."""
    return block[rows]


def _joined(part):
    """A computed sample as one array (the chunks' takes concatenated): numpy, or a sparse
    matrix of sparse chunks."""
    if isinstance(part, (list, tuple)):
        return sp.vstack(part, format="csc") if is_sparse(part[0]) else np.concatenate(part)
    return part if is_sparse(part) else np.asarray(part)


def chunk_source(X):
    """The source of one chunk's rows, numpy or SciPy sparse, whose operations count it."""
    return SparseColumns(X) if is_sparse(X) else InMemory(X)


class ChunkValues:
    """What the rows of chunks say about their columns, adding up over chunks: which columns
    hold a missing value, and the distinct values of some columns (missing ones left out)
    with their counts, ``{j: (values, counts)}``."""

    def __init__(self, missing, values):
        self.missing = missing
        self.values = values

    def __add__(self, other):
        values = {}
        for j, (a, n) in self.values.items():
            b, m = other.values[j]
            both, where = np.unique(np.concatenate((a, b)), return_inverse=True)
            values[j] = both, np.bincount(where, weights=np.concatenate((n, m))).astype(np.int64)
        return ChunkValues(self.missing | other.missing, values)


def _values_chunk(total, X, columns):
    part = ChunkValues(*chunk_source(X).column_values(columns))
    return part if total is None else total + part


def chunk_values(X, columns):
    """``ChunkValues`` of dask X for its ``columns``, counted on the workers."""
    return folded_sum(_values_chunk, X, list(columns))


def _target_summaries(y, discrete_target):
    """What checking y, and deciding and learning its bins, need beyond its sample rows, as
    lazy dask results: whether a float y misses a value, whether its values are all whole
    ("auto"), and the distinct values where y may be categories."""
    import dask.array as da

    also = {}
    if y.dtype.kind == "f":
        also["missing"] = da.isnan(y).any()
    if discrete_target == "auto" and y.dtype.kind == "f":
        also["whole"] = da.all(da.isfinite(y) & (y == da.round(y)))
    if discrete_target is True or (discrete_target == "auto" and y.dtype.kind != "f"):
        also["classes"] = da.unique(y)
    return also


def _learn_from_sample(X, sample, n_bins, strategy, discrete, n_jobs):
    """``Binning.learn`` on the sample rows of dask X, then, as the in-memory path does, the
    categories and the columns with point masses learnt again from the values of every row,
    counted on the workers (``chunk_values``): a level missing from the sample gets its bin.
    So does a column whose missing values all fall outside the sample, so that every chunk
    counts tables of one shape."""
    source = chunk_source(sample)
    binning = source.learn(n_bins, strategy, discrete, None, n_jobs, X.shape[0])
    if sample.shape[0] == X.shape[0]:
        return binning
    again = sorted(set(binning.single) | set(np.flatnonzero(binning.discrete)))
    found = chunk_values(X, again)
    missing, counted = found.missing, [found.values[j] for j in again]
    edges, single = list(binning.edges), dict(binning.single)
    for j, (values, counts) in zip(again, counted, strict=True):
        if binning.discrete[j]:
            edges[j] = category_edges(values.astype(np.float64))
        else:
            x, _ = present_values(np.sort(source.dense_column(j)).astype(np.float64))
            k = bin_count(x, X.shape[0], n_bins, j)
            edges[j], single[j] = value_edges(values, counts, k, strategy)
        if binning.missing[j]:
            edges[j] = np.append(edges[j], np.nan)
    return Binning(tuple(edges), binning.discrete, single).with_missing(missing)


def _sum_tables(*tables):
    total = tables[0]
    for t in tables[1:]:
        total = total + t
    return total


def tree_sum(parts):
    """The sum of delayed ``CountTables`` (or arrays), added ``_SPLIT_EVERY`` at a time in a
    tree on the workers; computed, so only the sum reaches the client."""
    from dask import delayed

    add = delayed(_sum_tables, pure=True)
    while len(parts) > 1:
        parts = [add(*parts[i : i + _SPLIT_EVERY]) for i in range(0, len(parts), _SPLIT_EVERY)]
    return parts[0].compute()


def _joint_chunk(total, X, y, binning, target, n_bins):
    tables, _ = chunk_source(X).count_target(binning, y, target, 1, n_bins)
    return tables if total is None else total + tables


def _histogram_chunk(total, X, binning, n_bins):
    tables, _ = chunk_source(X).count_histograms(binning, 1, n_bins)
    return tables if total is None else total + tables


def _pair_chunk(total, X, binning):
    # A copy, not the running total itself: a task must not change its inputs, which dask
    # may hold for another task or a retry.
    n_b, n_features = int(binning.n_bins.max()), binning.n_features
    shape = (n_features * (n_features + 1) // 2, n_b, n_b)
    out = np.zeros(shape, dtype=np.int64) if total is None else total.copy()
    BACKEND.pair_counts(chunk_source(X).pair_codes(binning), out, 1)
    return out


def _n_chains():
    """Running totals to keep at once: one per thread of the cluster of the current
    distributed client, or per core for dask's local schedulers."""
    try:
        from distributed import default_client

        return max(1, sum(default_client().nthreads().values()))
    except (ImportError, ValueError):  # no distributed, or no client
        return os.cpu_count() or 1


def folded_sum(func, X, *args, y=None):
    """The sum over the chunks of rows of X (and of y) of ``func``'s tables, computed on the
    workers: the chunks are dealt to one chain per thread, each chain adding its chunks'
    tables to a running total, one chunk after the other (``func(total, chunk, ...)``), and
    the chains' totals are summed in a tree. A worker thus holds about one total and one
    chunk's tables at a time, not a table per chunk: at 360 x 360 bins, or for every pair,
    tables are hundreds of MB. The shared arguments are put in the graph once, and the
    chunk graphs are not optimised one array at a time, which would give X's chunks new
    names in each and compute them twice where y derives from X."""
    from dask import delayed

    shared = [delayed(a, pure=True) for a in args]
    blocks = list(X.to_delayed(optimize_graph=False).ravel())
    targets = [] if y is None else list(y.to_delayed(optimize_graph=False).ravel())
    task = delayed(func, pure=True)
    n_chains = min(len(blocks), _n_chains())
    totals = []
    for chain in range(n_chains):
        total = None
        for i in range(chain, len(blocks), n_chains):
            chunk = (blocks[i],) if y is None else (blocks[i], targets[i])
            total = task(total, *chunk, *shared)
        totals.append(total)
    return tree_sum(totals)


def dask_joint_tables(X, y, binning, target, n_bins):
    """Joint ``CountTables`` of dask X against dask y (chunked alike), over all chunks."""
    return folded_sum(_joint_chunk, X, binning, target, n_bins, y=y)


def dask_histograms(X, binning, n_bins):
    """Histogram ``CountTables`` of every column of dask X, over all chunks."""
    return folded_sum(_histogram_chunk, X, binning, n_bins)


def dask_pair_tables(X, binning):
    """Every pair's table (``add_pair_tables``) of dask X, over all chunks."""
    pair_table_guard(binning.n_features, int(binning.n_bins.max()))
    return folded_sum(_pair_chunk, X, binning)


def _gathered(arrays, subsample, random_state, summaries):
    """The sample rows of ``arrays`` and the computed ``summaries``, in one pass (none
    where there is nothing to gather)."""
    if not arrays and not summaries:
        return [[]]
    if not arrays:
        import dask

        return [list(dask.compute(*summaries.values()))]
    gathered = learning_samples(arrays, subsample, random_state, also=summaries.values())
    return [*gathered[: len(arrays)], gathered[len(arrays) :]]


def _single_chunk(total, X, binning):
    counts = chunk_source(X).single_counts(binning)
    return counts if total is None else total + counts


def _infinite_chunk(total, X):
    found = np.array([chunk_source(X).holds_infinity()])
    return found if total is None else total | found


def _chunk_codes(block, binning):
    """Codes of one chunk, a missing value past its column's bins where fit saw none
    (the chunk source's ``codes``: sparse codes for a sparse chunk)."""
    return chunk_source(block).codes(binning)[0]


class DaskChunks:
    """Rows in the chunks of a dask array (or DataFrame, ``as_dask_array``), where they
    live: bins learnt from a sample gathered to the client, every chunk counted on a worker,
    and only the summed tables brought back (``folded_sum``). A dask array is counted as one
    batch of ``partial_fit`` is (``_accumulate``), at the plan for batches, and can be one;
    its p-values are the G-test's (permutations need the rows on the client)."""

    backend = BACKEND
    # Scored from tables summed over chunks: no pass over the rows at hand.
    one_pass = False
    on_host = False

    def __init__(self, X, names=None):
        self.X = X
        self.names = names
        self.encoding = {}

    @property
    def shape(self):
        return self.X.shape

    @classmethod
    def read(
        cls,
        X,
        *,
        estimator=None,
        reset=True,
        ensure_min_samples=2,
        input_name="X",
        encoding=None,
        handle_missing="bin",
    ):
        """X as a 2-D dask array of floats (``as_dask_array``), with ``n_features_in_`` and
        ``feature_names_in_`` set as ``validate_data`` sets them (``reset``), or checked
        against them."""
        X, names = as_dask_array(X, input_name, handle_missing)
        if estimator is not None and reset:
            estimator.n_features_in_ = X.shape[1]
            if names is not None and all(isinstance(name, str) for name in names):
                estimator.feature_names_in_ = names
            elif hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        elif estimator is not None and X.shape[1] != estimator.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
                f"{estimator.n_features_in_} features as input"
            )
        return cls(X, names)

    @classmethod
    def read_with_target(
        cls, X, y, discrete_target, *, estimator=None, encoding=None, handle_missing="bin"
    ):
        """The source of X (``read``) and y chunked like its rows (``as_dask_target``); an
        "auto" ``discrete_target`` is decided on the workers when the bins are learnt
        (``learn_bins``)."""
        reset = encoding is None  # a later batch of partial_fit: checked, not reset
        source = cls.read(X, estimator=estimator, reset=reset, handle_missing=handle_missing)
        y = as_dask_target(y, source.X.chunks[0])
        if y.shape[0] != source.X.shape[0]:
            raise ValueError(
                f"X and y must have the same rows, got {source.X.shape[0]} and {y.shape[0]}"
            )
        return source, y, discrete_target

    def learn_bins(
        self,
        n_bins,
        strategy,
        discrete,
        subsample,
        random_state,
        n_jobs=None,
        *,
        binning=None,
        y=None,
        discrete_target=None,
        target_n_bins=None,
        target=None,
    ):
        """The bins of X, learnt from its sample rows gathered to the client (unless given,
        ``binning``), and with a target y, the target's (unless given, ``target``) and
        whether it is discrete ("auto" decided from summaries computed on the workers): one
        pass over the data for all of them."""
        import dask.array as da

        arrays = [self.X] if binning is None else []
        summaries = {} if y is None else _target_summaries(y, discrete_target)
        if y is not None and target is None:
            arrays.append(y)
        # One pass gathers the sample rows and what the target's kind and bins need; the
        # count is the second pass.
        *samples, values = _gathered(arrays, subsample, random_state, summaries)
        summary = dict(zip(summaries, values, strict=True))
        if binning is None:
            binning = _learn_from_sample(
                self.X, samples.pop(0), n_bins, strategy, discrete, n_jobs
            )
        if y is None:
            return binning, None, None
        if summary.get("missing"):  # as in memory (``check_target``)
            raise ValueError(
                "y holds a missing value; MI with a target needs the target of every row: "
                "drop the rows without one"
            )
        if discrete_target == "auto":
            # The "auto" rule of ``is_discrete_target``, from the summaries.
            if y.dtype.kind not in "iuf":
                discrete_target = True
            elif y.dtype.kind == "f" and not summary["whole"]:
                discrete_target = False
            else:
                if "classes" not in summary:  # whole floats: their distinct values, one more pass
                    summary["classes"] = da.unique(y).compute()
                discrete_target = auto_discrete(summary["classes"].size, y.shape[0])
        if target is None and discrete_target:
            target = summary["classes"] if "classes" in summary else da.unique(y).compute()
        elif target is None:
            column = samples[0].reshape(-1, 1).astype(np.float64)
            continuous = np.zeros(1, dtype=bool)
            target = _learn_from_sample(
                y.reshape(-1, 1), column, target_n_bins, strategy, continuous, n_jobs
            )
        return binning, target, bool(discrete_target)

    def observed_single(self, binning, values=None):
        """``binning`` with its single-value bins read off every chunk of X (or of
        ``values``, a column), counted on the workers (``Binning.single_counts``)."""
        rows = self.X if values is None else values.reshape(-1, 1)
        return binning.with_single_of(folded_sum(_single_chunk, rows, binning))

    @staticmethod
    def check_finite(X, input_name, estimator_name=None, allow_nan=True):
        """The error scikit-learn's check would give for an infinite value of X."""
        if folded_sum(_infinite_chunk, X)[0]:
            raise ValueError(f"Input {input_name} contains infinity.")

    def batch_binning(self, binning):
        """The binning to count a later batch with, in one pass on the workers: a
        ValueError where a discrete feature holds a value its bins were not learnt on
        (``Binning.check_levels``), and a bin for missing values added to each column whose
        first ones this batch holds, so that every chunk counts tables of one shape."""
        found = chunk_values(self.X, np.flatnonzero(binning.discrete))
        for j, (values, _) in found.values.items():
            binning.check_column_levels(j, values)
        return binning.with_missing(found.missing)

    @staticmethod
    def host(a):
        """``a`` (a dask array, or numpy) computed to the client: numpy, or a sparse matrix
        of sparse chunks."""
        a = a.compute() if is_dask_collection(a) else a
        return a if is_sparse(a) else np.asarray(a)

    def count_target(self, binning, y, target, n_jobs, n_bins, tables=None):
        """Joint ``CountTables`` of every chunk with y's, summed on the workers, then added
        into ``tables`` where given (``added``)."""
        return added(tables, dask_joint_tables(self.X, y, binning, target, n_bins)), binning

    def count_histograms(self, binning, n_jobs, n_bins, tables=None):
        """Histogram ``CountTables`` of every chunk, summed on the workers, then added into
        ``tables`` where given."""
        return added(tables, dask_histograms(self.X, binning, n_bins)), binning

    def count_pairs(self, tables, binning, n_jobs):
        """``tables`` (None: none) with every pair's table of every chunk added, summed on
        the workers."""
        counts = dask_pair_tables(self.X, binning)
        if tables is not None:
            counts += grown_pairs(tables.counts, counts.shape[1])
        return CountTables(counts), binning

    def codes(self, binning, dtype=np.int64):
        """The codes of X under ``binning``, as a lazy dask array binned chunk by chunk
        (sparse chunks coded sparse, their zeros checked first: ``check_zeros_first``)."""
        meta = None
        if is_sparse(self.X._meta):
            check_zeros_first(binning)
            meta = sp.csr_matrix((0, self.shape[1]), dtype=np.int64)
        codes = self.X.map_blocks(_chunk_codes, binning=binning, dtype=np.int64, meta=meta)
        return codes, binning

    def one_hot(self, codes, n_bins, dense):
        """Not for dask: its codes are binned chunk by chunk, lazily."""
        raise ValueError(
            "a one-hot encoding is not available for dask X: its codes are binned chunk by "
            "chunk; use encode='ordinal'"
        )

    def follow(self, a):
        """A numpy result as it is: computed results are on the client."""
        return a
