"""Blocks of features: how many columns of X go through learning, counting and scoring at
once, on which threads and read how.

A feature's scores depend on its own table only, so blocks change no result; they bound the
memory of a call (the tables of a block are scored before the next is counted) and let a
wide C-ordered X be read a transposed block at a time.
"""

import numpy as np

from skmi._backends import BACKEND
from skmi._binning._rules import n_bins_for
from skmi._plan import is_adaptive
from skmi._threads import n_threads

# Bytes that one block of features takes through the stages at once, at most: its count
# tables and, where the edges are learnt from every row, its transposed copy of X; an eighth
# of X where that is less, but no less than _MIN_BLOCK_BYTES (blocks of 1 MiB took 10,000 x
# 100 from 11 to 15 ms). The tables of a block are summarised before the next is counted,
# so the score functions hold summaries only.
_BLOCK_BYTES = 2**24
_MIN_BLOCK_BYTES = 2**23
# Blocks per thread from which threads take blocks rather than share each one.
_BLOCKS_PER_THREAD = 8

# Rows up to which a C-ordered X is transposed a block at a time (``feature_blocks``).
# Measured on one thread, with the copy against without: 500 x 200,000 at 16 bins 1.09
# against 1.22 s (1.32 against 1.43 by default), 5,000 x 20,000 0.98 against 1.03 s, but
# 20,000 x 5,000 1.12 against 1.00 s and 200,000 x 50 0.17 against 0.16 s: the strided
# count streams long columns well, and the copy then costs more than it saves.
_TRANSPOSED_ROWS = 2**13


def table_cells(n_bins, n_x, n_y, n_samples):
    """Cells of a feature's count table, an estimate for the size of blocks: ``n_x`` rows
    for "adaptive" and "partition" (the first fine resolution), otherwise the most bins asked
    for (a rule's count on two points), by the target's ``n_y`` codes."""
    if not isinstance(n_bins, str):
        n_x = int(np.max(n_bins))
    elif not is_adaptive(n_bins):
        n_x = n_bins_for(np.array([0.0, 1.0]), n_samples, n_bins)
    return n_x * n_y


def feature_blocks(X, rows, table_cells):
    """Slices of X's columns to take through the stages one at a time, each within
    ``_BLOCK_BYTES`` of tables (``table_cells`` cells a feature, an estimate) and of X's
    transposed copy; and whether to make that copy.

    Where the edges are learnt from every row (``rows`` None) of few rows
    (``_TRANSPOSED_ROWS``), learning gathers each column's values contiguously anyway: a
    C-ordered X is then transposed once, a block at a time, and both learning and counting
    read the copy, not the strided columns.
    """
    n_rows, n_features = X.shape
    transpose = (
        rows is None and n_rows <= _TRANSPOSED_ROWS and n_features > 1 and not X.flags.f_contiguous
    )
    per_feature = 4 * table_cells + (n_rows * X.itemsize if transpose else 0)
    budget = min(_BLOCK_BYTES, max(X.nbytes // 8, _MIN_BLOCK_BYTES))
    size = max(1, budget // per_feature)
    # Strided, whole cache lines of each row: no line is read by two blocks.
    line = 64 // X.itemsize
    size = size if transpose or size < line else size - size % line
    return _slices(n_features, size), transpose


def table_blocks(n_features, table_cells):
    """Slices of the columns of a sparse X, each within ``_BLOCK_BYTES`` of count tables
    (``table_cells`` cells a feature): its columns are read where they are stored."""
    return _slices(n_features, max(1, _BLOCK_BYTES // (4 * table_cells)))


def _slices(n_features, size):
    return [slice(lo, min(lo + size, n_features)) for lo in range(0, n_features, size)]


def block_threads(n_jobs, blocks, shape):
    """Threads that take the blocks, one each, or 1 where they are few and each block takes
    every thread in turn (4 blocks on 2 threads shared 64 and 36 of 1e6 x 100's columns:
    0.45 s against 0.40 in turn)."""
    return n_threads(n_jobs, len(blocks) // _BLOCKS_PER_THREAD, shape[0] * shape[1])


def block_of(X, block, transpose):
    """Columns ``block`` (a slice) of X as the stages read them: an F-ordered copy (the
    transposed gather, ``sample_columns``, seen transposed back), or a view."""
    if transpose:
        return BACKEND.sample_columns(X, None, block.start, block.stop).T
    return X[:, block]
