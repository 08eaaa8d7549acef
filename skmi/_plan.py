"""The plan: every decision that the parameters and N make before a row is counted, in one
place for every entry point and source.

With ``n_bins="adaptive"`` X is counted at a fine bin count and each feature's table merged
to its resolution when scored (``_adaptive``). Where N is known before counting (``fit`` on
rows at hand), the fine bin count is the one ``resolution_plan`` chooses for N; where it is
not (``partial_fit``, whose batches add up to an N known only at scoring time, and a dask
array, counted as one batch), it is the finest, ``BATCH_FINE_N_BINS``, so that the resolution
can grow with N as far as fit's would. Either way the merge is chosen at scoring time from
the tables and their N.

With ``n_bins="partition"`` every ordered axis is counted at the quantile bins
``partition_n_bins`` gives N (128 at N = 1,000, 512 from 10,486 rows on), or at 512 for
batches, and each feature's partition tree is grown on its table at scoring time
(``_adaptive``).
"""

from typing import NamedTuple

import numpy as np

from skmi._params import DEFAULT_ENTROPY_N_BINS
from skmi._scoring._adaptive import (
    _FINE_RESOLUTIONS,
    PARTITION_N_BINS,
    partition_n_bins,
    resolution_plan,
)

# The fine bin count of tables whose N is not known when they are counted: the finest, the
# one fit counts at from about 1.2e5 rows on.
BATCH_FINE_N_BINS = _FINE_RESOLUTIONS[-1]


class Plan(NamedTuple):
    """How the tables of MI with a target are counted (``mi_plan``)."""

    n_bins: object  # X's bin count as counted: the fine one with "adaptive", else as asked
    target_n_bins: object  # the target's: X's where that is one count, else the default rule
    fine_n_bins: int | None  # the fine bin count merged at scoring time (None: not adaptive)


def is_adaptive(n_bins):
    """Whether ``n_bins`` counts a fine table to reduce per feature when scored: "adaptive"
    (merges) or "partition" (trees)."""
    return isinstance(n_bins, str) and n_bins in ("adaptive", "partition")


def is_partition(n_bins):
    return isinstance(n_bins, str) and n_bins == "partition"


def mi_plan(n_bins, n_samples=None):
    """The ``Plan`` of ``n_bins`` (validated, ``check_n_bins``) for N rows known before
    counting, or for batches (``n_samples`` None)."""
    fine = None
    if is_partition(n_bins):
        fine = PARTITION_N_BINS if n_samples is None else partition_n_bins(n_samples)
        n_bins = fine
    elif is_adaptive(n_bins):
        fine = BATCH_FINE_N_BINS if n_samples is None else resolution_plan(n_samples).fines[0]
        n_bins = fine
    target_n_bins = n_bins if np.ndim(n_bins) == 0 else DEFAULT_ENTROPY_N_BINS
    return Plan(n_bins, target_n_bins, fine)
