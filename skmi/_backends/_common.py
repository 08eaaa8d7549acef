"""What every counting backend shares: the error for non-finite values, the count type and
packed edges."""

from collections.abc import Sequence

import numpy as np


class NonFiniteError(ValueError):
    """A value to bin was infinite, or missing (NaN) in a column without a bin for missing
    values: the callers that skipped scikit-learn's finiteness check
    (``_validation.finite_checked_by_binning``) turn it into an error that says which."""

    def __init__(self):
        super().__init__("Input contains NaN or infinity")


def count_dtype(n_samples):
    """The smallest integer type no count of ``n_samples`` can overflow: small tables take
    less cache (a 120 x 120 table of uint16 fits the first-level cache, one of int32 does
    not; measured 5.3 -> 4.7 ms for the count of 10k x 100). Widen before numpy arithmetic,
    in which uint16 would wrap."""
    if n_samples < 2**16:
        return np.uint16
    return np.int32 if n_samples < 2**31 else np.int64


def add_into(out, counts):
    """``counts``, or ``out`` with them added in place where given (``Backend.count``): out's
    type holds the sums by the caller's choice, so the narrower counts are cast unchecked."""
    if out is None:
        return counts
    np.add(out, counts, out=out, casting="unsafe")
    return out


def counted_into(add, n_samples, shape, out):
    """The tables into which ``add(counts)`` added a batch's ``n_samples`` rows: new ones
    (``count_dtype``), or ``out``, in place. ``NonFiniteError`` where ``add`` reports a
    non-finite value, which leaves ``out`` as it was: the rows, added all the same, are
    counted alone and taken back out (the one case where a batch takes a table of its own:
    a column's first missing value, in a batch after the one that learnt its bins)."""
    counts = np.zeros(shape, dtype=count_dtype(n_samples)) if out is None else out
    if add(counts):
        return counts
    if out is not None:
        alone = np.zeros(shape, dtype=count_dtype(n_samples))
        add(alone)
        np.subtract(out, alone, out=out, casting="unsafe")
    raise NonFiniteError


def target_dtype(n_codes):
    """The unsigned type of target codes 0..n_codes - 1 that the counting kernels take."""
    return np.uint16 if n_codes <= 2**16 else np.uint32


def missing_bins(edges):
    """Whether each feature's edges end in NaN, the mark of a last bin that holds its missing
    values (``Binning``), (n_features,) bool."""
    if isinstance(edges, EdgeRows):
        return np.isnan(edges.full[np.arange(len(edges)), edges.sizes - 1])
    return np.array([bool(np.isnan(e[-1])) for e in edges], dtype=bool)


def value_edges_of(e):
    """A feature's edges ``[min, inner..., max]`` without the NaN that marks a bin for missing
    values, and the code of its missing values (None: it has no such bin)."""
    if np.isnan(e[-1]):
        return e[:-1], e.size - 2
    return e, None


def n_x_of(edges):
    """Rows of a count table that holds every column's bins: the most bins of any column."""
    if isinstance(edges, EdgeRows):
        return int(edges.sizes.max()) - 1
    return max(e.size for e in edges) - 1


# Counts whose logs the kernels look up rather than compute: a table of 512 KiB, where one
# up to N took 8 bytes a sample (80 MB at 1e7 rows, half of a 1e7 x 2 X).
LOG_TABLE_SIZE = 2**16


def log_table(n_samples):
    """ln m for m = 0 .. min(N, LOG_TABLE_SIZE - 1) (0 for m = 0): the kernels look counts up
    here and compute the logs of larger ones (``_kernels._inline.log_count``)."""
    return log_or_zero(np.arange(min(n_samples + 1, LOG_TABLE_SIZE)))


def log_or_zero(counts):
    """ln of each count, and 0 for empty ones (they contribute 0 ln 0 = 0)."""
    out = np.zeros(np.shape(counts))
    np.log(counts, out=out, where=np.asarray(counts) > 0)
    return out


def stacked(arrays):
    """Per-feature arrays (n, a, ...) stacked along the features, each padded with zeros
    (empty bins) to the widest on the second axis (padded tables score as if unpadded):
    written once into the output, not padded and then copied again."""
    width = max(a.shape[1] for a in arrays)
    if all(a.shape[1] == width for a in arrays):
        return np.concatenate(arrays)
    shape = (sum(len(a) for a in arrays), width, *arrays[0].shape[2:])
    out = np.zeros(shape, dtype=np.result_type(*arrays))
    start = 0
    for a in arrays:
        out[start : start + len(a), : a.shape[1]] = a
        start += len(a)
    return out


class EdgeRows(Sequence):
    """Edges of many features packed in one array: feature j's are ``full[j, :sizes[j]]``.

    A sequence of those arrays, made as they are read, as ``Binning.edges``: learning the
    edges of many columns at one bin count fills the rows of one array, and the backends
    index them from it directly, with no Python object per feature (200,000 features: 0.1 s
    a pass over the per-feature arrays, to pad them for the bin search or to count them).
    """

    def __init__(self, full, sizes):
        self.full = full
        self.sizes = sizes

    def __len__(self):
        return len(self.sizes)

    def __getitem__(self, j):
        if isinstance(j, slice):
            return EdgeRows(self.full[j], self.sizes[j])
        return self.full[j, : self.sizes[j]]

    @classmethod
    def joined(cls, parts):
        """The features of consecutive parts (each ``EdgeRows`` or a sequence of arrays) as
        one: packed where every part is (the narrower padded to the widest), a tuple
        otherwise."""
        if all(isinstance(part, EdgeRows) for part in parts):
            full = stacked([part.full for part in parts])
            return cls(full, np.concatenate([part.sizes for part in parts]))
        return tuple(e for part in parts for e in part)
