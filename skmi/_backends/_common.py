"""What every counting backend shares: the error for non-finite values and the count type."""

import numpy as np


class NonFiniteError(ValueError):
    """A value to bin was NaN or infinite: the callers that skipped scikit-learn's finiteness
    check (``_validation.finite_checked_by_binning``) turn it into that check's own error."""

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


def n_x_of(edges):
    """Rows of a count table that holds every column's bins: the most bins of any column."""
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
