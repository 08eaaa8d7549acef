"""MI of every pair of columns: the stages of ``_core`` with all-pairs tables.

Each column is binned once (``Binning``) and coded; every pair's joint table is then counted
and reduced to its plug-in MI and occupied cells at once by the backend (``pair_mi``), so
memory stays at one table per thread whatever the number of columns, and the corrections and
normalisations are those of every other entry point, from the columns' histograms.
"""

import numpy as np
from sklearn import get_config

from skmi._backends import BACKENDS, backend_for, is_device_array, log_or_zero
from skmi._binning import Binning
from skmi._scoring import _MI_CORRECTIONS, _NORMALIZATIONS, entropy_from_counts
from skmi._tables import sample_rows, table_guard
from skmi._threads import n_threads


def _coded(X, n_bins, strategy, rows, n_jobs):
    """Codes (n_features, n_samples) in the smallest unsigned type, and histograms
    (n_features, B)."""
    binning = Binning.learn(X, n_bins, strategy, np.zeros(X.shape[1], dtype=bool), rows, n_jobs)
    n_bins_max = int(binning.n_bins.max())
    dtype = np.uint8 if n_bins_max <= 2**8 else np.uint16 if n_bins_max <= 2**16 else np.int64
    codes = binning.codes(X, dtype=dtype)
    if is_device_array(codes):  # feature-major already (``_array_api.codes``)
        counts = BACKENDS["array_api"].count_codes(codes, None, n_bins_max, 1)[:, :, 0]
        return codes.T, counts
    codes = np.ascontiguousarray(codes.T)
    counts = np.stack([np.bincount(c, minlength=n_bins_max) for c in codes])
    return codes, counts


def _corrected(plugin, cells, counts_x, counts_y, correction):
    """The correction applied a block of rows at a time: each pair needs both margins, and
    spelling them out for all pairs at once would take pairs x bins memory (GiBs for
    thousands of columns). A block's margins take a quarter of scikit-learn's
    ``working_memory``, leaving the rest to the correction's own temporaries."""
    if correction is None:  # nothing to spell out: the plug-in values as they are
        return plugin
    if correction == "miller-madow":  # reads margins along their last axis: broadcast them
        return _MI_CORRECTIONS[correction](plugin, counts_x[:, None], counts_y[None], cells)
    n_x, n_y = plugin.shape
    width = counts_x.shape[1] + counts_y.shape[1]
    step = max(1, int(get_config()["working_memory"] * 2**18) // (8 * n_y * width))
    out = np.empty_like(plugin)
    for lo in range(0, n_x, step):
        hi = min(lo + step, n_x)
        a = np.repeat(counts_x[lo:hi], n_y, axis=0)
        b = np.tile(counts_y, (hi - lo, 1))
        out[lo:hi] = _MI_CORRECTIONS[correction](
            plugin[lo:hi].ravel(), a, b, cells[lo:hi].ravel()
        ).reshape(hi - lo, n_y)
    return out


def estimate_pairwise(
    X, Y, *, n_bins, strategy, correction, normalize, subsample, random_state, n_jobs
):
    """MI (n_features_x, n_features_y) of every column of validated X with every column of
    validated Y (None: X, and the result is symmetric), in nats or on the ``normalize``
    scale. ``n_bins`` one int per column is for X alone (Y None)."""
    symmetric = Y is None
    rows = sample_rows(X.shape[0], subsample, random_state)
    codes_x, counts_x = _coded(X, n_bins, strategy, rows, n_jobs)
    codes_y, counts_y = (
        (codes_x, counts_x) if symmetric else _coded(Y, n_bins, strategy, rows, n_jobs)
    )
    n_pairs = codes_x.shape[0] * codes_y.shape[0]
    workers = n_threads(n_jobs, codes_x.shape[0], n_pairs * codes_x.shape[1])
    table_guard(workers, counts_x.shape[1], counts_y.shape[1], n_bins)
    log_x, log_y = log_or_zero(counts_x), log_or_zero(counts_y)
    plugin, cells = backend_for(codes_x).pair_mi(codes_x, codes_y, log_x, log_y, symmetric, n_jobs)
    mi = _corrected(plugin, cells, counts_x, counts_y, correction)
    if normalize is None:
        return mi
    h_x, h_y = entropy_from_counts(counts_x), entropy_from_counts(counts_y)
    return _NORMALIZATIONS[normalize](mi, h_x[:, None], h_y[None, :])
