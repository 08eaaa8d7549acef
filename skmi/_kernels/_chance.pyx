# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The exact chance level of MI for given margins (Vinh et al. 2010), compiled."""

from libc.math cimport exp, lgamma, log
from libc.stdint cimport int64_t
from libc.stdlib cimport calloc, free


# The largest N whose logs are kept (``expected_mi_rows``): 128 MiB of address space, of
# which only the pages of the counts reached are touched.
cdef int64_t _MAX_KEPT_LOGS = 1 << 24


cdef inline double _log(int64_t k, double* logs) noexcept nogil:
    """ln k, kept in ``logs`` (NULL: none kept; ln 1 = 0 is computed every time, as cheap as
    the look-up): the tails of many tables with the same N reach the same counts, and libc's
    log is the one called either way, so a kept value is the value computed."""
    if logs == NULL:
        return log(<double> k)
    if logs[k] == 0.0:
        logs[k] = log(<double> k)
    return logs[k]


cdef double _expected_mi(
    const int64_t* a, Py_ssize_t n_a, const int64_t* b, Py_ssize_t n_b, double* logs
) noexcept nogil:
    """E[I] in nats under random pairing with margins ``a[:n_a]`` and ``b[:n_b]`` fixed
    (Vinh et al. 2010).

    Each cell's count is hypergeometric. Its pmf is evaluated once at the mode with lgamma and
    then by the ratio recurrence outwards, stopping once it falls below 1e-17 of its peak (the
    pmf is unimodal and its tails fall faster than geometrically, so what is left is below
    double precision); the cost is the spread of the pmf rather than min(a, b). ``logs``
    (N + 1 values, zero where not yet computed, or NULL) keeps the ln k of the counts it
    reaches.
    """
    cdef int64_t n = 0, ai, bj, lo, hi, mode, k
    cdef Py_ssize_t i, j
    cdef double emi = 0.0, log_n, log_p, p_mode, log_ab, total, p
    for i in range(n_a):
        n += a[i]
    log_n = _log(n, logs)
    for i in range(n_a):
        ai = a[i]
        if ai == 0:
            continue
        for j in range(n_b):
            bj = b[j]
            if bj == 0:
                continue
            lo = max(0, ai + bj - n)
            hi = min(ai, bj)
            mode = min(max((ai + 1) * (bj + 1) // (n + 2), lo), hi)
            log_p = (
                lgamma(ai + 1.0)
                + lgamma(bj + 1.0)
                + lgamma(n - ai + 1.0)
                + lgamma(n - bj + 1.0)
                - lgamma(n + 1.0)
                - lgamma(mode + 1.0)
                - lgamma(ai - mode + 1.0)
                - lgamma(bj - mode + 1.0)
                - lgamma(n - ai - bj + mode + 1.0)
            )
            p_mode = exp(log_p)
            log_ab = _log(ai, logs) + _log(bj, logs)
            total = 0.0
            if mode > 0:
                total += p_mode * mode * (log_n + _log(mode, logs) - log_ab)
            p, k = p_mode, mode
            while k < hi and p > 1e-17 * p_mode:
                p *= (ai - k) * (bj - k) / ((k + 1.0) * (n - ai - bj + k + 1.0))
                k += 1
                total += p * k * (log_n + _log(k, logs) - log_ab)
            p, k = p_mode, mode
            while k > max(lo, 1) and p > 1e-17 * p_mode:
                p *= k * (n - ai - bj + k) / ((ai - k + 1.0) * (bj - k + 1.0))
                k -= 1
                total += p * k * (log_n + _log(k, logs) - log_ab)
            emi += total / n
    return emi


def expected_mi_rows(
    const int64_t[:, ::1] a,
    const int64_t[:, ::1] b,
    const int64_t[::1] rows_a,
    const int64_t[::1] rows_b,
    double[::1] out,
):
    """``out[k]`` = E[I] of the margins ``a[rows_a[k]]`` and ``b[rows_b[k]]`` for every k
    (``_expected_mi``): the chance level of many tables in one call, the logs of the counts
    they reach computed once."""
    cdef Py_ssize_t k, i
    cdef int64_t n, largest = 0
    for k in range(out.shape[0]):
        n = 0
        for i in range(a.shape[1]):
            n += a[rows_a[k], i]
        largest = max(largest, n)
    # Zeroed lazily by the system: only the pages of the counts reached are ever touched.
    cdef double* logs = NULL
    if largest < _MAX_KEPT_LOGS:
        logs = <double*> calloc(largest + 1, sizeof(double))
        if logs == NULL:
            raise MemoryError()
    with nogil:
        for k in range(out.shape[0]):
            out[k] = _expected_mi(
                &a[rows_a[k], 0], a.shape[1], &b[rows_b[k], 0], b.shape[1], logs
            )
    free(logs)
