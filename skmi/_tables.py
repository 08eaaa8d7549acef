"""Count tables: the stage between binning and scoring.

Counts are the sufficient statistic of every score skmi computes, and they add up: the tables
of two sets of rows sum to the tables of their union, so batches, chunks and devices each
count their rows and the sums are scored once. ``CountTables`` is that sum; the functions
below count validated arrays with a backend (``skmi._backends``).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from skmi._backends import BACKEND, add_into, count_dtype, target_dtype
from skmi._backends._array_api import like, namespace
from skmi._binning import Binning, with_missing_retry

# Count tables are the output, so they get a budget of their own rather than sharing
# scikit-learn's working_memory: past it, the bin counts asked for are not sensible.
_MAX_TABLE_BYTES = 2**30


@dataclass(frozen=True)
class CountTables:
    """A stack of integer count tables over the same samples, one per feature:
    ``counts`` of shape (n_tables, n_x) for histograms, (n_tables, n_x, n_y) for joint
    tables with a target, (n_tables, n_x, n_z, n_y) for three-way tables. Tables padded with
    empty bins (features with fewer bins than the widest) score as if unpadded.

    ``a + b`` is the tables of the rows of both: same shapes required, summed in a type that
    holds the total (``count_dtype``: int64 once it may pass 2^31).
    """

    counts: np.ndarray

    def __post_init__(self):
        if self.counts.dtype.kind not in "iu" or self.counts.ndim < 2:
            raise TypeError(
                f"counts must be an integer array of shape (n_tables, ...), got "
                f"{self.counts.dtype} of shape {self.counts.shape}"
            )

    @property
    def n_samples(self):
        """Samples counted (every table counts the same ones)."""
        return int(self.counts[0].sum(dtype=np.int64)) if len(self.counts) else 0

    def __add__(self, other):
        if not isinstance(other, CountTables):
            return NotImplemented
        if other.counts.shape != self.counts.shape:
            raise ValueError(
                "count tables must have the same shape to add up, got "
                f"{self.counts.shape} and {other.counts.shape}: count both with one binning"
            )
        dtype = count_dtype(self.n_samples + other.n_samples)
        return CountTables(np.add(self.counts, other.counts, dtype=dtype))

    def widened(self):
        """The counts as int64, for numpy arithmetic (in which uint16 would wrap)."""
        return self.counts.astype(np.int64)


def table_guard(n_tables, n_x, n_y, n_bins):
    """A clear error instead of a MemoryError when the tables asked for cannot be sensible."""
    size = 4 * n_tables * n_x * n_y
    if size > _MAX_TABLE_BYTES:
        raise ValueError(
            f"n_bins={n_bins!r} needs {size / 2**30:.1f} GiB of count tables ({n_tables} "
            f"tables of {n_x} x {n_y} bins or classes); use fewer bins, fewer columns at a "
            "time, or a target with fewer classes"
        )


def sample_rows(n_samples, subsample, random_state):
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


def learn_target(y, discrete, n_bins, strategy, rows):
    """The target's bins, learnt once: its sorted categories (an array) when ``discrete``,
    otherwise a one-column ``Binning`` learnt like a feature's (``n_bins`` an int or a rule
    name)."""
    if discrete:
        return np.unique(y)
    column = y.reshape(-1, 1)
    return Binning.learn(column, n_bins, strategy, np.zeros(1, dtype=bool), rows)


def target_n_bins(target):
    """Columns of the joint tables with a target binned by ``target`` (``learn_target``)."""
    return int(target.n_bins[0]) if isinstance(target, Binning) else len(target)


def coded_target(y, target):
    """Codes of y under ``target`` (``learn_target``): the index of its category, or its
    bin. Unsigned, in 16 bits where they fit (``target_dtype``), as the counting kernels
    index them: int64 codes and the copy the count made of them took 75% of X's memory at
    1e7 x 2. A label that is not one of the categories is an error, as it would be for a
    classifier's ``partial_fit``."""
    dtype = target_dtype(target_n_bins(target))
    if isinstance(target, Binning):
        return target.codes(y.reshape(-1, 1), dtype=dtype)[:, 0]
    codes = np.searchsorted(target, y)
    unseen = (codes == len(target)) | (target[np.minimum(codes, len(target) - 1)] != y)
    if unseen.any():
        raise ValueError(
            f"y holds the label {y[unseen].tolist()[0]!r}, which is not one of the classes "
            f"{target.tolist()!r} learnt on the first call to partial_fit; give every class "
            "on that call (classes=...)"
        )
    return codes.astype(dtype)


def learn_target_codes(y, discrete, n_bins, strategy, rows):
    """Codes of the target under bins learnt from it (``learn_target``), and those bins:
    the one-column ``Binning`` of a binned y, None for categories."""
    target = learn_target(y, discrete, n_bins, strategy, rows)
    return coded_target(y, target), target if isinstance(target, Binning) else None


def target_single(target, n_y):
    """Whether each of the target's ``n_y`` bins is a single value (uint8), under
    ``target`` (``learn_target``'s, or None): the point masses that merges keep apart."""
    if isinstance(target, Binning):
        return target.single_bins(n_y)[0]
    return np.zeros(n_y, dtype=np.uint8)


def n_codes(codes):
    """Values 0..n-1 that the codes (of any namespace) can take: the largest, plus one."""
    xp, _ = namespace(codes)
    return int(xp.max(codes)) + 1


def take_codes(table, codes):
    """``table[codes]``: each code mapped through the numpy ``table``, in the codes'
    namespace."""
    xp, _ = namespace(codes)
    return xp.take(like(table, codes), xp.reshape(codes, (-1,)))


def count_joint(X, binning, y_codes, n_y, n_jobs, n_bins, backend=BACKEND, tables=None):
    """Joint tables of each column of X, binned by ``binning``, with the target codes (of
    ``n_y`` values: given, so that batches with fewer get tables of the same shape), added
    into ``tables`` in place where given (those of earlier batches: ``room_for``), and the
    binning they were counted with: ``binning``, with a bin for missing values added to each
    column whose missing values it had none for (``with_missing_retry``). ``n_bins`` is
    what was asked for, to name it in the error on tables too large. ``backend`` counts X
    where it lives (its source's); the tables are numpy either way."""

    def count(binning):
        width = int(binning.n_bins.max())
        table_guard(binning.n_features, width, n_y, n_bins)
        out = None if tables is None else room_for(tables, X.shape[0], width)
        return CountTables(backend.count(X, binning.edges, y_codes, n_y, n_jobs, out))

    return with_missing_retry(binning, X, count, backend)


def count_histograms(X, binning, n_jobs, n_bins, backend=BACKEND, tables=None):
    """Histograms (n_features, n_x) of each column of X binned by ``binning``, added into
    ``tables`` where given, and the binning they were counted with (``count_joint``)."""
    no_target = np.zeros(X.shape[0], dtype=target_dtype(1))
    joint = None if tables is None else CountTables(tables.counts[:, :, None])
    joint, binning = count_joint(X, binning, no_target, 1, n_jobs, n_bins, backend, joint)
    return CountTables(joint.counts[:, :, 0]), binning


def grown(tables, width):
    """``CountTables`` padded with empty bins to ``width`` rows a table (a column that gained a
    bin for missing values in a later batch: ``count_joint``)."""
    counts = tables.counts
    if counts.shape[1] >= width:
        return tables
    pad = [(0, 0), (0, width - counts.shape[1])] + [(0, 0)] * (counts.ndim - 2)
    return CountTables(np.pad(counts, pad))


def room_for(tables, n_more, width):
    """The counts of ``tables`` ready for ``n_more`` rows more to be added in place: padded
    to ``width`` rows a table (``grown``) and in a type that holds the sums
    (``count_dtype``), the same array where they already are, as they are from a batch's
    third on (a type widens at 2^16 and 2^31 rows)."""
    counts = grown(tables, width).counts
    dtype = count_dtype(tables.n_samples + n_more)
    return counts if np.can_cast(dtype, counts.dtype) else counts.astype(dtype)


def added(tables, more):
    """``more`` where ``tables`` is None, else ``tables`` with ``more`` added in place
    (``room_for``): what sources that count a batch as tables of its own return."""
    if tables is None:
        return more
    return CountTables(
        add_into(room_for(tables, more.n_samples, more.counts.shape[1]), more.counts)
    )


def count_three_way(codes, n_x, z_codes, n_z, y_codes, n_y, backend=BACKEND):
    """Three-way tables (n_features, n_x, n_z, n_y) of each column of ``codes`` (of n_x
    values) with the codes of a conditioning variable z and of the target y."""
    table_guard(codes.shape[1], n_x * n_z, n_y, (n_x, n_z, n_y))
    return CountTables(backend.count_codes_3(codes, z_codes, y_codes, n_x, n_z, n_y))
