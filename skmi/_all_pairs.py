"""MI of every pair of columns: the stages of every other entry point, with all-pairs tables.

Each column is binned once (``Binning``) and coded; every pair's joint table is then counted
and reduced to its plug-in MI and occupied cells at once by the backend (``pair_mi``), so
memory stays at one table per thread whatever the number of columns, and the corrections and
normalisations are those of every other entry point, from the columns' histograms.

Rows that come in batches need the tables themselves, which add up: every pair's table is
kept (``PairTables``: the one-hot product, blockwise) and reduced to the same ``PairParts``
as the one-pass path at scoring time.
"""

import math
from typing import NamedTuple

import numpy as np
from sklearn import get_config

from skmi._accumulate import start_pairs
from skmi._backends import BACKEND, log_or_zero
from skmi._binning import Binning, with_missing_retry
from skmi._scoring import (
    _MI_CORRECTIONS,
    _NORMALIZATIONS,
    entropy_from_counts,
    g_test_pvalues,
    mutual_info_from_counts,
    small_sample,
)
from skmi._tables import _MAX_TABLE_BYTES, sample_rows, table_guard, take_codes
from skmi._threads import n_threads

# Bytes of codes made at once before they are transposed into place (``pair_codes``).
_CODE_BLOCK_BYTES = 2**20


def _coded(source, n_bins, strategy, rows, n_jobs):
    """Codes (n_features, n_samples) of the source's rows in the smallest unsigned type,
    histograms (n_features, B), and the binning."""
    continuous = np.zeros(source.shape[1], dtype=bool)
    binning = source.learn(n_bins, strategy, continuous, rows, n_jobs)
    (codes, counts), binning = with_missing_retry(
        binning, source.X, lambda b: coded(source, b), source.backend
    )
    return codes, counts, binning


def coded(source, binning, n_values=0, maps=None):
    """Codes of the source's rows under ``binning`` as ``pair_codes`` lays them out, each
    mapped through ``maps[j]`` where it is given (the bin that each of feature j's bins
    merges to; None, or a None entry: unmerged), and their histograms (n_features, B)."""
    # Merged indices can pass the bins counted (ties leave gaps): the codes hold them all.
    merged = [bin_map for bin_map in maps or [] if bin_map is not None]
    n_bins_max = max([int(binning.n_bins.max())] + [int(m.max()) + 1 for m in merged])
    dtype = code_dtype(max(n_bins_max, n_values))
    codes = source.pair_codes(binning, n_values, dtype)
    for j, bin_map in enumerate(maps or []):
        if bin_map is not None:
            codes[j, ...] = take_codes(bin_map.astype(dtype), codes[j, ...])
    return codes, source.backend.code_histograms(codes, n_bins_max)


def code_dtype(n_values):
    """The smallest unsigned type of codes 0..n_values - 1 (int64 past 2^16)."""
    return np.uint8 if n_values <= 2**8 else np.uint16 if n_values <= 2**16 else np.int64


def pair_codes(X, binning, n_values=0, dtype=None, backend=BACKEND):
    """Codes (n_features, n_samples) of X under ``binning`` by ``backend`` (its source's),
    contiguous per feature, in ``dtype``, or the smallest unsigned type that holds them and
    ``n_values`` values (other codes to pair them with).

    Coded a block of columns at a time (``_CODE_BLOCK_BYTES`` of codes) and transposed into
    place: the codes of all of X and their transposed copy took 50% of a float32 X's
    memory."""
    dtype = dtype or code_dtype(max(int(binning.n_bins.max()), n_values))
    n_samples, n_features = X.shape
    out = np.empty((n_features, n_samples), dtype=dtype)
    step = max(1, _CODE_BLOCK_BYTES // max(n_samples * out.itemsize, 1))
    for lo in range(0, n_features, step):
        block = slice(lo, min(lo + step, n_features))
        part = Binning(binning.edges[block], binning.discrete[block])
        out[block] = part.codes(X[:, block], dtype=dtype, backend=backend).T
    return out


def _block_step(bytes_per_row):
    """Rows of a block whose temporaries take a quarter of scikit-learn's working_memory."""
    return max(1, int(get_config()["working_memory"] * 2**18) // bytes_per_row)


def per_pair(func, plugin, cells, counts_x, counts_y):
    """``func(plugin, a, b, cells)`` for every pair, a block of rows at a time: each pair
    needs both margins, and spelling them out for all pairs at once would take pairs x bins
    memory (GiBs for thousands of columns). A block's margins take a quarter of
    scikit-learn's ``working_memory``, leaving the rest to the function's own temporaries."""
    n_x, n_y = plugin.shape
    width = counts_x.shape[1] + counts_y.shape[1]
    step = _block_step(8 * n_y * width)
    out = np.empty_like(plugin)
    for lo in range(0, n_x, step):
        hi = min(lo + step, n_x)
        a = np.repeat(counts_x[lo:hi], n_y, axis=0)
        b = np.tile(counts_y, (hi - lo, 1))
        out[lo:hi] = func(plugin[lo:hi].ravel(), a, b, cells[lo:hi].ravel()).reshape(hi - lo, n_y)
    return out


def corrected_pairs(parts, correction):
    """The corrected MI of every pair from ``PairParts``: the plug-in values as they are for
    no correction, Miller-Madow from broadcast margins (it reads them along their last
    axis), any other correction, and Miller-Madow on too few rows for its term (which then
    takes the chance level, ``small_sample``), a block of rows at a time (``per_pair``)."""
    if correction is None:
        return parts.plugin
    if correction == "miller-madow" and not small_sample(parts.counts_x):
        a, b = parts.counts_x[:, None], parts.counts_y[None]
        return _MI_CORRECTIONS[correction](parts.plugin, a, b, parts.cells)
    return per_pair(_MI_CORRECTIONS[correction], *parts)


class PairParts(NamedTuple):
    """What every statistic of the pairs needs: plug-in MI and occupied cells of each pair's
    table (n_features_x, n_features_y), and each column's histogram (n_features, B)."""

    plugin: np.ndarray
    cells: np.ndarray
    counts_x: np.ndarray
    counts_y: np.ndarray

    def block(self, n_x):
        """The parts of the first ``n_x`` columns with the others (of square parts)."""
        return PairParts(
            self.plugin[:n_x, n_x:],
            self.cells[:n_x, n_x:],
            self.counts_x[:n_x],
            self.counts_y[n_x:],
        )


def pair_statistics(parts, correction, normalize):
    """MI of every pair (corrected; in nats, or on the ``normalize`` scale), the corrected
    MI in nats, and each column's entropy, in nats, from ``PairParts``."""
    mi = corrected_pairs(parts, correction)
    h_x, h_y = entropy_from_counts(parts.counts_x), entropy_from_counts(parts.counts_y)
    scaled = mi if normalize is None else _NORMALIZATIONS[normalize](mi, h_x[:, None], h_y)
    return scaled, mi, h_x


def pair_pvalues(parts):
    """The mean-matched G-test p-value of every pair (``g_test_pvalues``)."""
    return per_pair(lambda plugin, a, b, cells: g_test_pvalues(plugin, a, b), *parts)


def pair_parts(source, other, *, n_bins, strategy, subsample, random_state, n_jobs):
    """``PairParts`` of every column of a source's rows with every column of ``other``'s
    (None: the same), and the first's binning (``source.plugin_pairs``). ``n_bins`` one int
    per column is for X alone (Y None)."""
    rows = sample_rows(source.shape[0], subsample, random_state)
    *parts, binning = source.plugin_pairs(other, n_bins, strategy, rows, n_jobs)
    return PairParts(*parts), binning


def coded_pairs(source, other, n_bins, strategy, rows, n_jobs):
    """Plug-in MI and occupied cells of every pair of columns of two sources of rows at hand
    (``other`` None: the source with itself), each pair's table counted from the columns'
    codes and reduced at once (``Backend.pair_mi``), the histograms of both, and the
    first's binning."""
    symmetric = other is None
    codes_x, counts_x, binning = _coded(source, n_bins, strategy, rows, n_jobs)
    codes_y, counts_y, _ = (
        (codes_x, counts_x, None) if symmetric else _coded(other, n_bins, strategy, rows, n_jobs)
    )
    n_pairs = codes_x.shape[0] * codes_y.shape[0]
    workers = n_threads(n_jobs, codes_x.shape[0], n_pairs * codes_x.shape[1])
    table_guard(workers, counts_x.shape[1], counts_y.shape[1], n_bins)
    log_x, log_y = log_or_zero(counts_x), log_or_zero(counts_y)
    pair_mi = source.backend.pair_mi
    plugin, cells = pair_mi(codes_x, codes_y, log_x, log_y, symmetric, n_jobs)
    return plugin, cells, counts_x, counts_y, binning


def estimate_pairwise(
    X, Y, *, n_bins, strategy, correction, normalize, subsample, random_state, n_jobs
):
    """MI (n_features_x, n_features_y) of every column of validated X with every column of
    validated Y (None: X, and the result is symmetric), in nats or on the ``normalize``
    scale. ``n_bins`` one int per column is for X alone (Y None)."""
    parts, _ = pair_parts(
        X,
        Y,
        n_bins=n_bins,
        strategy=strategy,
        subsample=subsample,
        random_state=random_state,
        n_jobs=n_jobs,
    )
    mi = corrected_pairs(parts, correction)
    if normalize is None:
        return mi
    h_x, h_y = entropy_from_counts(parts.counts_x), entropy_from_counts(parts.counts_y)
    return _NORMALIZATIONS[normalize](mi, h_x[:, None], h_y[None, :])


def pair_table_guard(n_features, n_b):
    """A clear error, naming the largest number of features that fits, when every pair's
    table (kept by ``partial_fit``) would pass the count tables' budget."""
    size = 8 * n_features * (n_features + 1) // 2 * n_b * n_b
    if size > _MAX_TABLE_BYTES:
        most = int((math.isqrt(1 + 8 * (_MAX_TABLE_BYTES // (8 * n_b * n_b))) - 1) // 2)
        raise ValueError(
            f"partial_fit keeps the table of every pair: {n_features} features at {n_b} bins "
            f"need {size / 2**30:.1f} GiB of count tables, over the budget of "
            f"{_MAX_TABLE_BYTES / 2**30:.0f} GiB; at most {most} features fit at {n_b} bins. "
            "Use fewer bins, blocks of features, or fit (which keeps no tables)"
        )


def add_pair_tables(tables, source, binning, n_jobs):
    """``tables`` (n_pairs, B, B) int64, or new ones when None, with the joint table of every
    pair of columns of a source's rows (binned by ``binning``) added in place, and the
    binning they were counted with: a column that holds missing values for the first time
    gains a bin for them (``with_missing_retry``), and the tables grow to hold it."""
    codes, binning = with_missing_retry(binning, source.X, source.pair_codes, source.backend)
    n_b = int(binning.n_bins.max())
    if tables is None:
        pair_table_guard(binning.n_features, n_b)
        tables = np.zeros((binning.n_features * (binning.n_features + 1) // 2, n_b, n_b), np.int64)
    else:
        tables = grown_pairs(tables, n_b)
    source.backend.pair_counts(codes, tables, n_jobs)
    return tables, binning


def grown_pairs(tables, n_b):
    """Every pair's tables (n_pairs, B, B) padded with empty bins to ``n_b`` a side (a column
    that gained a bin for missing values in a later batch)."""
    grow = n_b - tables.shape[1]
    return np.pad(tables, ((0, 0), (0, grow), (0, grow))) if grow > 0 else tables


def parts_of_tables(tables, n_features):
    """``PairParts`` of every pair's table (``add_pair_tables``), a block of pairs at a time
    (each pair's temporaries take about four of its tables in float64)."""
    n_b = tables.shape[2]
    step = _block_step(32 * n_b * n_b)
    plugin = np.empty(len(tables))
    cells = np.empty(len(tables), dtype=np.int64)
    for lo in range(0, len(tables), step):
        block = tables[lo : lo + step]
        plugin[lo : lo + step] = mutual_info_from_counts(block)
        cells[lo : lo + step] = np.count_nonzero(block, axis=(1, 2))
    upper = np.triu_indices(n_features)
    diagonal = np.cumsum(np.r_[0, np.arange(n_features, 1, -1)])  # pair (i, i)
    counts = tables[diagonal].sum(axis=2)
    matrices = []
    for values in (plugin, cells):
        matrix = np.zeros((n_features, n_features), dtype=values.dtype)
        matrix[upper] = values
        matrix.T[upper] = values
        matrices.append(matrix)
    return PairParts(*matrices, counts, counts)


def fit_pairs(source, other, *, n_bins, strategy, subsample, random_state, n_jobs):
    """``fit``'s tables of every pair of a source's columns (with those of ``other``, or
    among themselves: None): reduced at once where the rows are at hand (``pair_parts``:
    one table per thread, whatever the number of columns), or counted where they live and
    summed (a dask array, as one batch). Returns the ``PairParts`` (None: to make from the
    tables), the binning of the source's columns, and the ``Accumulator`` that
    ``partial_fit`` continues from (None: fit kept no tables)."""
    params = dict(strategy=strategy, subsample=subsample, random_state=random_state)
    if source.one_pass:
        parts, binning = pair_parts(source, other, n_bins=n_bins, n_jobs=n_jobs, **params)
        return parts, binning, None
    accumulator = start_pairs(source, n_bins=n_bins, n_jobs=n_jobs, **params)
    return None, accumulator.binning, accumulator
