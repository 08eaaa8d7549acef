"""Threads for the compiled kernels, which release the GIL.

joblib's threading backend costs about 12 ms a call on this project's 2-core machines
(measured: a call of two empty tasks), as long as the whole count of 10,000 x 100; a new
pool of the standard library costs 0.36 ms, and one kept between calls much less. ``n_jobs``
keeps joblib's meaning (``effective_n_jobs``: None is 1 unless a ``parallel_config`` says
otherwise, -1 is every core).
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from joblib import effective_n_jobs

# Values a thread must have to read for starting it to pay (``n_threads``).
_MIN_VALUES_PER_THREAD = 2**16

_POOLS = {}
_POOLS_LOCK = threading.Lock()


def n_threads(n_jobs, n_tasks, n_values):
    """Threads for ``n_tasks`` independent tasks that together read ``n_values`` values:
    at most ``n_jobs``, and one per ``_MIN_VALUES_PER_THREAD`` values, since waking a
    thread costs about as much as binning that many (a 500 x 4 call took 1.6 ms on two
    threads and 0.6 ms on one)."""
    limit = min(n_tasks, n_values // _MIN_VALUES_PER_THREAD)
    # Asked only when it matters: joblib's count of the cores for n_jobs=-1 takes 28 us.
    return 1 if limit <= 1 else max(1, min(effective_n_jobs(n_jobs), limit))


def even_slices(n, parts):
    """``parts`` consecutive slices of range(n) whose lengths differ by at most one."""
    return [slice(p * n // parts, (p + 1) * n // parts) for p in range(parts)]


def _pool(workers):
    """A pool of ``workers`` threads kept for the next calls. Keyed by process too: a child
    made by fork inherits the pool object but not its threads, and would wait on it forever."""
    key = (os.getpid(), workers)
    with _POOLS_LOCK:
        if key not in _POOLS:
            _POOLS[key] = ThreadPoolExecutor(workers, thread_name_prefix="skmi")
        return _POOLS[key]


def thread_map(func, tasks, workers):
    """``[func(*task) for task in tasks]``, the tasks spread over ``workers`` threads."""
    tasks = list(tasks)
    if workers <= 1 or len(tasks) <= 1:
        return [func(*task) for task in tasks]
    return list(_pool(workers).map(lambda task: func(*task), tasks))
