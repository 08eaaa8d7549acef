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

_POOLS = {}
_POOLS_LOCK = threading.Lock()


def n_threads(n_jobs, n_tasks):
    """Threads to use for ``n_tasks`` independent tasks."""
    return max(1, min(effective_n_jobs(n_jobs), n_tasks))


def _pool(workers):
    """A pool of ``workers`` threads kept for the next calls. Keyed by process too: a child
    made by fork inherits the pool object but not its threads, and would wait on it forever."""
    key = (os.getpid(), workers)
    with _POOLS_LOCK:
        if key not in _POOLS:
            _POOLS[key] = ThreadPoolExecutor(workers, thread_name_prefix="skmi")
        return _POOLS[key]


def thread_map(func, tasks, n_jobs):
    """``[func(*task) for task in tasks]``, the tasks spread over ``n_jobs`` threads."""
    tasks = list(tasks)
    workers = n_threads(n_jobs, len(tasks))
    if workers == 1:
        return [func(*task) for task in tasks]
    return list(_pool(workers).map(lambda task: func(*task), tasks))
