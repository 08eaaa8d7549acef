"""The array-API backend: codes and counts where the data live (torch on CPU or CUDA, cupy,
any namespace of the array API standard), so that only count tables come back to numpy.

Written against the standard (``xp`` is the input's namespace, through the copy of
array-api-compat that scikit-learn vendors, so no dependency is added), with two faster
routes where a namespace offers them: ``bincount`` (torch, cupy) for tables against a target,
and torch's int8 matrix product with int32 output for the tables of all pairs. Every count
is exact: integer accumulation, or float32 products over tiles of at most 2^24 rows, below
which float32 holds every integer; never a bfloat16 output, which rounds counts above 256.

Codes are those of comparing values with the edges in float64, as the other backends do,
whatever the input's float type (float32 data are searched in float32, against edges
rounded up exactly: ``float32_edges``). ``n_jobs`` is accepted and ignored: the
device schedules its own work.
"""

import math

import numpy as np
from sklearn.externals.array_api_compat import (
    array_namespace,
    device,
    is_cupy_namespace,
    is_torch_namespace,
)

from skmi._backends._common import (
    NonFiniteError,
    add_into,
    count_dtype,
    n_x_of,
    value_edges_of,
)

# Values of X per block of columns binned at once: 2^26 float64 copies take 512 MiB.
_BLOCK_VALUES = 2**26
# Float32 holds every integer up to 2^24: a product of one-hot tiles of at most that many
# rows is an exact count.
_FLOAT32_EXACT_ROWS = 2**24
# One-hot rows (columns x bins) per tile of the all-pairs product: large enough for the
# matrix units, small enough that a tile's float64 reduction stays within a few GiB.
_PAIR_TILE_ROWS = 8192


def namespace(a):
    """The array-API namespace of ``a`` and its device."""
    return array_namespace(a), device(a)


def to_numpy(a):
    """A numpy copy of ``a`` (from any device)."""
    # Imported here: the sources, whose _kinds asks what an input is, import the backends.
    from skmi._sources._kinds import is_numpy

    if is_numpy(a):
        return a
    xp = array_namespace(a)
    if is_torch_namespace(xp):
        return a.detach().cpu().numpy()
    if is_cupy_namespace(xp):
        return a.get()
    return np.from_dlpack(a).copy()


def like(a, reference):
    """``a`` (numpy or of the reference's namespace) as an array beside ``reference``."""
    xp, dev = namespace(reference)
    return xp.asarray(a, device=dev)


def _dtype(xp, dtype):
    """The namespace's dtype of the numpy ``dtype``'s name."""
    return getattr(xp, np.dtype(dtype).name)


def _column_blocks(n_samples, n_features):
    """(lo, hi) blocks of columns of about ``_BLOCK_VALUES`` values each."""
    step = max(1, _BLOCK_VALUES // max(n_samples, 1))
    return [(lo, min(lo + step, n_features)) for lo in range(0, n_features, step)]


def _contiguous(xp, a):
    """``a`` in row-major order where the namespace tells layouts apart: torch sorts a
    transposed view along its rows some twenty times slower than a copy (measured on CPU)."""
    if is_torch_namespace(xp):
        return a.contiguous()
    if is_cupy_namespace(xp):
        import cupy

        return cupy.ascontiguousarray(a)
    return a


def sample_columns(X, rows, lo, hi):
    """Columns lo..hi-1 of the sample ``rows`` of X (all rows if None), transposed into a
    copy of their own."""
    xp = array_namespace(X)
    block = X[:, lo:hi]
    if rows is not None:
        block = xp.take(block, like(np.asarray(rows, dtype=np.int64), X), axis=0)
    return _contiguous(xp, block.T)


def float32_edges(edges):
    """Float64 edges as float32 values that bin float32 data the same: the smallest float32
    at or above each edge, since a float32 x is >= e exactly when it is >= that value.
    Searching float32 data against them spares a float64 copy of every value."""
    with np.errstate(over="ignore"):  # edges beyond float32's range become +-inf
        rounded = edges.astype(np.float32)
    below = rounded.astype(np.float64) < edges
    rounded[below] = np.nextafter(rounded[below], np.float32(np.inf))
    return rounded


def _codes_t(X, edges, lo, hi):
    """Codes (hi - lo, n_samples), int64, of columns lo..hi-1 of X: #{inner edges <= value},
    the same as comparing in float64 (float32 data against ``float32_edges``); a missing
    value's is its column's last bin, where its edges end in NaN (``value_edges_of``)."""
    xp, dev = namespace(X)
    block = X[:, lo:hi]
    single = block.dtype == xp.float32
    if not single:
        block = xp.astype(block, xp.float64)
    if bool(xp.any(xp.isinf(block))):
        raise NonFiniteError
    parts = [value_edges_of(e) for e in edges[lo:hi]]
    inner = [float32_edges(e[1:-1]) if single else e[1:-1] for e, _ in parts]
    nan = xp.isnan(block.T)
    missing = np.array([-1 if m is None else m for _, m in parts], dtype=np.int64)
    unbinned = like(np.flatnonzero(missing < 0), X)
    if bool(xp.any(xp.take(nan, unbinned, axis=0))):
        raise NonFiniteError
    if is_torch_namespace(xp):
        # One batched search; +inf pads are above every (finite) value.
        width = max(max(e.size for e in inner), 1)
        padded = np.full((hi - lo, width), np.inf, dtype=np.float32 if single else np.float64)
        for j, e in enumerate(inner):
            padded[j, : e.size] = e
        table = xp.asarray(padded, device=dev)
        found = xp.searchsorted(table, block.T.contiguous(), right=True)
    else:
        found = xp.stack(
            [
                xp.searchsorted(xp.asarray(e, device=dev), block[:, j], side="right")
                if e.size
                else xp.zeros(block.shape[0], dtype=xp.int64, device=dev)
                for j, e in enumerate(inner)
            ]
        )
    return xp.where(nan, like(missing, X)[:, None], found)


def feature_codes(X, edges):
    """Codes (n_features, n_samples), int64, of every column of X: feature-major, as the
    all-pairs products read them."""
    xp = array_namespace(X)
    n_samples, n_features = X.shape
    blocks = [_codes_t(X, edges, lo, hi) for lo, hi in _column_blocks(n_samples, n_features)]
    return xp.concat(blocks, axis=0) if len(blocks) > 1 else blocks[0]


def codes(X, edges, dtype):
    """Bin codes (n_samples, n_features) of X under ``edges``, of ``dtype``."""
    xp = array_namespace(X)
    return xp.astype(feature_codes(X, edges).T, _dtype(xp, dtype))


def bincount(xp, index, minlength):
    """Occurrences of 0..minlength-1 in the int64 ``index``: the namespace's own bincount
    where it has one, else sort and search, which the standard offers."""
    if is_torch_namespace(xp):
        import torch

        return torch.bincount(index, minlength=minlength)
    if is_cupy_namespace(xp):
        import cupy

        return cupy.bincount(index, minlength=minlength)
    bounds = xp.arange(minlength + 1, dtype=xp.int64, device=device(index))
    position = xp.searchsorted(xp.sort(index), bounds, side="left")
    return position[1:] - position[:-1]


def _joint(codes_t, y_codes, n_x, n_y):
    """Counts (n_columns, n_x, n_y), numpy int64, of (codes_t[j, i], y_codes[i]); a target
    of one value (``n_y`` 1, a histogram) is not read."""
    xp = array_namespace(codes_t)
    n_columns = codes_t.shape[0]
    flat = xp.astype(codes_t, xp.int64)
    if n_y > 1:
        flat = flat * n_y + xp.astype(like(y_codes, codes_t), xp.int64)[None, :]
    offsets = xp.arange(n_columns, dtype=xp.int64, device=device(codes_t)) * (n_x * n_y)
    counts = bincount(xp, xp.reshape(flat + offsets[:, None], (-1,)), n_columns * n_x * n_y)
    return to_numpy(counts).astype(np.int64).reshape(n_columns, n_x, n_y)


def count(X, edges, y_codes, n_y, n_jobs, out=None):
    """Joint count tables (n_features, n_x, n_y) of binned X against y codes, numpy, in
    ``count_dtype``, or added into ``out``."""
    n_samples, n_features = X.shape
    n_x = n_x_of(edges)
    tables = [
        _joint(_codes_t(X, edges, lo, hi), y_codes, n_x, n_y)
        for lo, hi in _column_blocks(n_samples, n_features)
    ]
    return add_into(out, np.concatenate(tables).astype(count_dtype(n_samples)))


def count_codes(codes, y_codes, n_x, n_y):
    """Counts (n_features, n_x, n_y), numpy int64, of (codes[i, j], y_codes[i])."""
    n_samples, n_features = codes.shape
    return np.concatenate(
        [
            _joint(codes[:, lo:hi].T, y_codes, n_x, n_y)
            for lo, hi in _column_blocks(n_samples, n_features)
        ]
    )


def count_codes_3(codes, z_codes, y_codes, n_x, n_z, n_y):
    """Counts (n_features, n_x, n_z, n_y), numpy int64, of (codes[i, j], z_codes[i],
    y_codes[i])."""
    xp = array_namespace(codes)
    z = xp.astype(like(z_codes, codes), xp.int64)
    zy = z * n_y + xp.astype(like(y_codes, codes), xp.int64)
    return count_codes(codes, zy, n_x, n_z * n_y).reshape(codes.shape[1], n_x, n_z, n_y)


def _int8_products(xp):
    """Whether the namespace has torch's int8 product with int32 output."""
    if not is_torch_namespace(xp):
        return False
    import torch

    return hasattr(torch, "_int_mm")


def _round_up(n, m):
    return -(-n // m) * m


def one_hot(codes_t, n_bins, dtype):
    """One-hot rows (n_columns * n_bins, n_samples) of codes (n_columns, n_samples): row
    j * n_bins + b marks the samples of column j in bin b. For int8 products, rows and
    samples are padded with zeros to what the kernels require (a multiple of 8, at least 32
    rows), which counts nothing."""
    xp = array_namespace(codes_t)
    n_columns, n_samples = codes_t.shape
    bins = xp.arange(n_bins, dtype=codes_t.dtype, device=device(codes_t))
    hot = xp.reshape(codes_t[:, None, :] == bins[None, :, None], (n_columns * n_bins, n_samples))
    hot = xp.astype(hot, dtype)
    if dtype == xp.int8:
        import torch

        rows = max(_round_up(hot.shape[0], 8), 32)
        hot = torch.nn.functional.pad(
            hot, (0, _round_up(n_samples, 8) - n_samples, 0, rows - hot.shape[0])
        )
    return hot


def one_hot_products(hot_x, hot_y):
    """Exact counts (rows_x, rows_y), int64, of every pair of one-hot rows: hot_x @ hot_y.T.

    int8 one-hot with int32 output (torch), exact below 2^31 samples; otherwise float32
    products over tiles of at most 2^24 samples, each exact, summed in int64.
    """
    xp = array_namespace(hot_x)
    if hot_x.dtype == xp.int8:
        import torch

        # The right operand column-major, as the int8 kernels want it.
        return xp.astype(torch._int_mm(hot_x, hot_y.T), xp.int64)
    n_samples = hot_x.shape[1]
    total = None
    for lo in range(0, n_samples, _FLOAT32_EXACT_ROWS):
        hi = min(lo + _FLOAT32_EXACT_ROWS, n_samples)
        part = xp.astype(xp.matmul(hot_x[:, lo:hi], hot_y[:, lo:hi].T), xp.int64)
        total = part if total is None else total + part
    return total


def _pair_mi_tile(counts, log_x, log_y, n):
    """Plug-in MI and occupied cells (t_x, t_y) from pair tables (t_x * b_x, t_y * b_y),
    in float64: sum c (ln c - ln b + ln N - ln a) / N over the occupied cells."""
    xp = array_namespace(counts)
    t_x, b_x = log_x.shape
    t_y, b_y = log_y.shape
    c = xp.astype(xp.reshape(counts, (t_x, b_x, t_y, b_y)), xp.float64)
    log_c = xp.log(xp.where(c > 0, c, 1.0))  # empty cells: c ln 1 = 0
    terms = (log_c - log_y[None, None, :, :]) + (math.log(n) - log_x[:, :, None, None])
    mi = xp.sum(xp.sum(c * terms, axis=3), axis=1) / n
    cells = xp.astype(xp.count_nonzero(c, axis=(1, 3)), xp.int64)
    return xp.maximum(mi, xp.zeros_like(mi)), cells


def pair_mi(codes_x, codes_y, log_x, log_y, symmetric, n_jobs):
    """Plug-in MI and occupied cells (numpy) of every pair of columns of codes_x and
    codes_y (n_features, n_samples) on their device: the tables of a tile of columns
    against another are one matrix product of their one-hot rows, reduced to MI at once, so
    that only the (n_features_x, n_features_y) results come back. With ``symmetric`` the
    tiles below the diagonal are skipped and mirrored."""
    xp = array_namespace(codes_x)
    n = codes_x.shape[1]
    (d_x, b_x), (d_y, b_y) = log_x.shape, log_y.shape
    dtype = xp.int8 if _int8_products(xp) else xp.float32
    lx, ly = like(log_x, codes_x), like(log_y, codes_x)
    step_x = max(1, _PAIR_TILE_ROWS // b_x)
    step_y = max(1, _PAIR_TILE_ROWS // b_y)
    # Filled on the device and copied once: no wait for the device after each tile.
    mi = xp.zeros((d_x, d_y), dtype=xp.float64, device=device(codes_x))
    cells = xp.zeros((d_x, d_y), dtype=xp.int64, device=device(codes_x))
    for x0 in range(0, d_x, step_x):
        x1 = min(x0 + step_x, d_x)
        hot_x = one_hot(codes_x[x0:x1, :], b_x, dtype)
        for y0 in range(x0 if symmetric else 0, d_y, step_y):
            y1 = min(y0 + step_y, d_y)
            hot_y = hot_x if symmetric and y0 == x0 else one_hot(codes_y[y0:y1, :], b_y, dtype)
            tables = one_hot_products(hot_x, hot_y)[: (x1 - x0) * b_x, : (y1 - y0) * b_y]
            tile_mi, tile_cells = _pair_mi_tile(tables, lx[x0:x1, :], ly[y0:y1, :], n)
            mi[x0:x1, y0:y1] = tile_mi
            cells[x0:x1, y0:y1] = tile_cells
    mi, cells = to_numpy(mi), to_numpy(cells)
    if symmetric:
        upper = np.triu_indices(d_x, 1)
        mi.T[upper], cells.T[upper] = mi[upper], cells[upper]
    return mi, cells


def pair_counts(codes, out, n_jobs):
    """Add the joint table of every pair (i, j >= i) of columns of ``codes`` (n_features,
    n_samples, on their device) into the numpy ``out`` (n_pairs, B, B) int64, the pairs in
    row-major order of the upper triangle: the tables of a tile of columns against another
    are one product of their one-hot rows (``one_hot_products``), copied back a tile at a
    time."""
    xp = array_namespace(codes)
    n_features, n_b = codes.shape[0], out.shape[2]
    dtype = xp.int8 if _int8_products(xp) else xp.float32
    step = max(1, _PAIR_TILE_ROWS // n_b)
    # Index in ``out`` of pair (i, i): the pairs of the rows above come first.
    first = np.concatenate(([0], np.cumsum(np.arange(n_features, 0, -1))))
    for x0 in range(0, n_features, step):
        x1 = min(x0 + step, n_features)
        hot_x = one_hot(codes[x0:x1, :], n_b, dtype)
        for y0 in range(x0, n_features, step):
            y1 = min(y0 + step, n_features)
            hot_y = hot_x if y0 == x0 else one_hot(codes[y0:y1, :], n_b, dtype)
            tables = to_numpy(one_hot_products(hot_x, hot_y)[: (x1 - x0) * n_b, : (y1 - y0) * n_b])
            tables = tables.reshape(x1 - x0, n_b, y1 - y0, n_b).transpose(0, 2, 1, 3)
            for i in range(x0, x1):
                lo = max(i, y0)
                if lo < y1:
                    start = first[i] + lo - i
                    out[start : start + y1 - lo] += tables[i - x0, lo - y0 :]


def code_histograms(codes, n_x):
    """Histogram (n_features, n_x), numpy int64, of each row of ``codes``."""
    return count_codes(codes.T, None, n_x, 1)[:, :, 0]


def permuted(rng, codes):
    """``rng.permutation(codes)`` where the codes live: the same draws shuffle their
    indices, which index the codes there."""
    xp = array_namespace(codes)
    return xp.take(codes, like(rng.permutation(codes.shape[0]), codes))


def nonfinite(X):
    """Whether X holds an infinite value, and which of its columns hold a missing one
    (numpy), in X's namespace."""
    xp, _ = namespace(X)
    return bool(xp.any(xp.isinf(X))), to_numpy(xp.any(xp.isnan(X), axis=0))
