"""From validated arrays to count tables: subsampling rows for edges, coding, and the threaded
fused count."""

import math

import numpy as np
from sklearn.utils import check_random_state

from skmi._binning import NonFiniteError, edge_index, fit_edges
from skmi._kernels import bin_codes, joint_counts
from skmi._params import check_n_bins
from skmi._threads import even_slices, n_threads, thread_map

# Count tables are the output, so they get a budget of their own rather than sharing
# scikit-learn's working_memory: past it, the bin counts asked for are not sensible.
_MAX_TABLE_BYTES = 2**30

# Rows per table cell from which threads split a count by rows (``_chunks``).
_ROWS_PER_CELL = 16


def subsample_rows(n_samples, subsample, random_state):
    """Sorted row indices to learn edges from (unsigned, as the kernels index), or None for
    all rows.

    Drawn without replacement by numpy's Generator, seeded from scikit-learn's
    ``random_state``: it shuffles only the rows it draws, where ``RandomState.choice``
    permutes all N (2e5 of 1e6 rows: 3.0 against 12.5 ms, sorted).
    """
    if subsample is None or n_samples <= subsample:
        return None
    seed = check_random_state(random_state).randint(2**32, dtype=np.int64)
    rng = np.random.default_rng(seed)
    rows = rng.choice(n_samples, subsample, replace=False, shuffle=False)
    return np.sort(rows).astype(np.uintp)


def table_guard(n_tables, n_x, n_y, n_bins):
    """A clear error instead of a MemoryError when the tables asked for cannot be sensible."""
    size = 4 * n_tables * n_x * n_y
    if size > _MAX_TABLE_BYTES:
        raise ValueError(
            f"n_bins={n_bins!r} needs {size / 2**30:.1f} GiB of count tables ({n_tables} "
            f"tables of {n_x} x {n_y} bins or classes); use fewer bins, fewer columns at a "
            "time, or a target with fewer classes"
        )


def _chunks(n_samples, n_features, n_cells, n_jobs):
    """(rows, columns) slices for the threads of a count of tables of ``n_cells`` cells.

    Rows, when each thread has many rows per table cell: a thread then streams through
    whole rows of X, and its copies of small tables cost little to add up (measured at
    1e6 x 100 with 32 x 32 tables: 180 ms split by rows, 255 ms by columns). Columns
    otherwise: each thread fills tables of its own, with no copies (at 1e4 x 100 with
    120 x 120 tables: 3 ms by columns, 27 ms by rows).
    """
    by_rows = n_threads(n_jobs, n_samples, n_samples * n_features)
    by_columns = n_threads(n_jobs, n_features, n_samples * n_features)
    if by_rows > 1 and (by_columns < by_rows or n_samples // by_rows >= _ROWS_PER_CELL * n_cells):
        return [(rows, slice(None)) for rows in even_slices(n_samples, by_rows)]
    return [(slice(None), columns) for columns in even_slices(n_features, by_columns)]


def count_dtype(n_samples):
    """The smallest integer type no count can overflow: small tables take less cache (a
    120 x 120 table of uint16 fits the first-level cache, one of int32 does not; measured
    5.3 -> 4.7 ms for the count of 10k x 100)."""
    if n_samples < 2**16:
        return np.uint16
    return np.int32 if n_samples < 2**31 else np.int64


def _block_rows(n_cells):
    """Rows per block of the fused count: about a quarter of a table's cells, so that
    reading a large table into cache before a block's increments costs little beside
    them; from 256 (one tile, ``_kernels._TILE_ROWS``) to 65536 (2 MiB of codes a thread).
    Measured at 1e4 to 1e6 rows for tables of 16^2 to 360^2 cells: 1e6 x 40 at 360^2 took
    208 ms in blocks of 16384 rows, 185 in 32768 and 174 in 65536; up to 64^2, blocks of
    256 to 2048 rows are within 5% of each other and one tile is best, and 16384 is
    10-15% slower. A quarter rather than a half keeps 32^2 tables at one tile, for 6% on
    360^2 ones.
    """
    return int(np.clip(2 ** round(math.log2(max(n_cells, 1) / 4)), 256, 65_536))


def count_joint(X, edges, y_codes, n_y, n_jobs, n_bins):
    """Joint count tables (n_features, n_x, n_y) of binned X against y codes, in threads,
    of ``count_dtype``: widen them before numpy arithmetic, in which uint16 would wrap.
    Raises ``NonFiniteError`` if X holds a value that is not finite."""
    n_samples, n_features = X.shape
    n_x = max(e.size for e in edges) - 1
    table_guard(n_features, n_x, n_y, n_bins)
    index = edge_index(edges)
    counts = np.zeros((n_features, n_x, n_y), dtype=count_dtype(n_samples))
    chunks = _chunks(n_samples, n_features, n_x * n_y, n_jobs)
    by_rows = chunks[0][0] != slice(None)
    # Threads over columns fill their slices of the tables; over rows, copies to add up.
    if by_rows:
        outs = [counts] + [np.zeros_like(counts) for _ in chunks[1:]]
    else:
        outs = [counts[columns] for _, columns in chunks]
    block_rows = _block_rows(n_x * n_y)
    y_codes = y_codes.astype(np.uint32)  # unsigned, as the kernel indexes
    tasks = [
        (X[rows, columns], tuple(a[columns] for a in index), y_codes[rows], out, block_rows)
        for (rows, columns), out in zip(chunks, outs, strict=True)
    ]
    if not all(thread_map(joint_counts, tasks, len(tasks))):
        raise NonFiniteError
    if by_rows:
        for part in outs[1:]:
            counts += part  # in place: np.sum would stack every part into one more copy
    return counts


def codes_of(X, edges, dtype=np.int64):
    """Bin codes (n_samples, n_features) of X under ``edges``; ``NonFiniteError`` if X holds
    a value that is not finite."""
    codes = np.empty(X.shape, dtype=dtype)
    if not bin_codes(X, edge_index(edges), codes):
        raise NonFiniteError
    return codes


def target_codes(y, discrete, n_bins, strategy, rows):
    """Codes of the target: its categories, or its bins learnt like a feature's (``n_bins``
    an int or a rule name)."""
    if discrete:
        _, codes = np.unique(y, return_inverse=True)
        return codes.reshape(-1).astype(np.int64)
    column = y.reshape(-1, 1)
    edges = fit_edges(column, n_bins, strategy, np.zeros(1, dtype=bool), rows)
    return codes_of(column, edges)[:, 0]


def histogram_counts(X, n_bins, strategy, subsample, random_state, n_jobs):
    """Counts (n_features, max_bins) of each binned column of X, and the edges."""
    n_bins = check_n_bins(n_bins, X.shape[1])
    rows = subsample_rows(X.shape[0], subsample, random_state)
    edges = fit_edges(X, n_bins, strategy, np.zeros(X.shape[1], dtype=bool), rows)
    no_target = np.zeros(X.shape[0], dtype=np.int64)
    counts = count_joint(X, edges, no_target, 1, n_jobs, n_bins)[:, :, 0]
    return counts.astype(np.int64), edges


def object_array(arrays):
    """A 1-D object array holding the given arrays (``np.array`` would stack equal lengths)."""
    out = np.empty(len(arrays), dtype=object)
    out[:] = arrays
    return out
