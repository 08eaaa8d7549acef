"""Tests of the thread pool the kernels run on."""

import multiprocessing
import sys

import numpy as np
import pytest

from skmi import histogram_mi_regression
from skmi._threads import n_threads, thread_map


def test_thread_map_keeps_the_order_of_the_tasks():
    """Check that results come back in task order, on one thread and on several."""
    tasks = [(i, i + 1) for i in range(7)]
    for workers in (1, 2, 3):
        assert thread_map(lambda a, b: a * b, tasks, workers) == [a * b for a, b in tasks]


def test_n_threads_never_exceeds_the_tasks_nor_the_work():
    """Check that there are never more threads than n_jobs, than tasks, or than blocks of
    2^16 values, nor fewer than one."""
    many = 2**30
    assert n_threads(-1, 1, many) == 1
    assert n_threads(None, 5, many) == 1
    assert n_threads(2, 5, many) == 2
    assert n_threads(2, 0, many) == 1
    assert n_threads(2, 5, 2**16) == 1
    assert n_threads(2, 5, 2**17) == 2


# Enough values for two threads (``n_threads``).
SHAPE = (40_000, 8)


def _score_in_child(queue):
    rng = np.random.default_rng(0)
    X = rng.normal(size=SHAPE)
    queue.put(histogram_mi_regression(X, X[:, 0], n_jobs=2))


@pytest.mark.skipif(sys.platform != "linux", reason="fork is the default start only on Linux")
def test_a_forked_child_gets_threads_of_its_own():
    """Check that a child made by fork after the pool was used can still use threads (it
    inherits the pool object but not its threads), and gets the parent's result."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=SHAPE)
    expected = histogram_mi_regression(X, X[:, 0], n_jobs=2)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_score_in_child, args=(queue,))
    child.start()
    try:
        result = queue.get(timeout=120)
        child.join(timeout=120)
    finally:
        if child.is_alive():
            child.terminate()
    assert child.exitcode == 0
    np.testing.assert_array_equal(result, expected)
