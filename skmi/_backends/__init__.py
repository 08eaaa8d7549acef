"""Counting backends: each turns validated arrays and bin edges into codes and integer count
tables, the one stage that touches every value. A backend is an entry of ``BACKENDS``, the
only list of their names; every entry has the same functions (``Backend``) and gives the same
codes and counts, which the test suite checks against the plain numpy reference.

This package is the only importer of the compiled kernels (``skmi._kernels``). Besides the
counting backends it hands scoring the compiled routines that work on tables, whatever
backend counted them: the exact chance level of MI, the adaptive merge of fine tables and the
summary of tables at a fixed resolution.
"""

from collections.abc import Callable
from typing import NamedTuple

from skmi._backends import _array_api, _compiled, _numpy, _sparse
from skmi._backends._common import (
    EdgeRows,
    NonFiniteError,
    add_into,
    count_dtype,
    log_or_zero,
    log_table,
    missing_bins,
    stacked,
    target_dtype,
)
from skmi._kernels._chance import expected_mi_rows
from skmi._kernels._merging import BY_INDEX, BY_RANK, KEEP, adaptive_tables, table_summaries


class Backend(NamedTuple):
    """The functions of a counting backend; none validates its input.

    sample_columns(X, rows, lo, hi) -> (hi - lo, n_rows)
        Columns lo..hi-1 of the sample ``rows`` of X (all rows if None), transposed.
    codes(X, edges, dtype) -> (n_samples, n_features)
        Bin of each value under ``edges`` (one array ``[min, inner..., max]`` a column):
        #{inner edges <= value}.
    count(X, edges, y_codes, n_y, n_jobs, out=None) -> (n_features, n_x, n_y)
        Joint counts of each binned column of X with the target codes, in ``count_dtype``;
        or added into ``out`` (numpy, of that shape, in a type that holds the sums), in
        place, and ``out`` returned: batches accumulate without a table of their own.
        ``NonFiniteError`` leaves ``out`` as it was.
    count_codes(codes, y_codes, n_x, n_y) -> (n_features, n_x, n_y), int64
        The same from codes (n_samples, n_features).
    count_codes_3(codes, z_codes, y_codes, n_x, n_z, n_y) -> (n_features, n_x, n_z, n_y)
        Three-way counts of each column of codes with two coded variables, int64.
    pair_mi(codes_x, codes_y, log_x, log_y, symmetric, n_jobs) -> (mi, cells)
        Plug-in MI and occupied cells (n_features_x, n_features_y) of the joint table of
        every column of codes_x with every column of codes_y (codes per column, contiguous;
        ``log_x``/``log_y`` the logs of each column's counts, 0 for empty bins), each table
        counted and reduced at once so that no pair's table is kept. With ``symmetric``
        (codes_y is codes_x) each pair is computed once.
    pair_counts(codes, out, n_jobs) -> None
        Adds the joint table of every pair (i, j >= i) of columns of ``codes`` (per column,
        contiguous, each code below B) into ``out`` (n_pairs, B, B) int64, in place, the
        pairs in row-major order of the upper triangle: batches of rows accumulate.
    code_histograms(codes, n_x) -> (n_features, n_x), numpy
        Histogram of each row of ``codes`` (n_features, n_samples), codes below n_x.
    permuted(rng, codes) -> codes
        ``rng.permutation(codes)`` where the codes live: the same draws for every backend.
    nonfinite(X) -> (bool, (n_features,) bool)
        Whether X holds an infinite value, and which of its columns hold a missing one
        (numpy): what a binning learnt without missing values needs to count X.

    ``codes`` and ``count`` raise ``NonFiniteError`` when X holds NaN or infinity.
    """

    sample_columns: Callable
    codes: Callable
    count: Callable
    count_codes: Callable
    count_codes_3: Callable
    pair_mi: Callable
    pair_counts: Callable
    code_histograms: Callable
    permuted: Callable
    nonfinite: Callable


def _backend(module):
    """The backend whose functions are the module's functions of the same names."""
    return Backend(**{name: getattr(module, name) for name in Backend._fields})


BACKENDS = {
    "compiled": _backend(_compiled),
    "numpy": _backend(_numpy),
    "array_api": _backend(_array_api),
}

# What every entry point counts numpy arrays with.
BACKEND = BACKENDS["compiled"]

# What counts SciPy sparse columns: the compiled backend, reading the stored values alone
# where it reads values (``_sparse``). Not an entry of ``BACKENDS``, whose entries all take
# the same dense arrays.
SPARSE_BACKEND = BACKEND._replace(
    sample_columns=_sparse.sample_columns,
    codes=_sparse.codes,
    count=_sparse.count,
    nonfinite=_sparse.nonfinite,
)


__all__ = [
    "BACKEND",
    "BACKENDS",
    "BY_INDEX",
    "BY_RANK",
    "KEEP",
    "SPARSE_BACKEND",
    "Backend",
    "EdgeRows",
    "NonFiniteError",
    "adaptive_tables",
    "add_into",
    "count_dtype",
    "expected_mi_rows",
    "log_or_zero",
    "log_table",
    "missing_bins",
    "stacked",
    "table_summaries",
    "target_dtype",
]
