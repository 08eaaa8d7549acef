# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The exact chance level of MI for given margins (Vinh et al. 2010), compiled."""

from libc.math cimport exp, lgamma, log
from libc.stdint cimport int64_t


cdef double _expected_mi(
    const int64_t* a, Py_ssize_t n_a, const int64_t* b, Py_ssize_t n_b
) noexcept nogil:
    """E[I] in nats under random pairing with margins ``a[:n_a]`` and ``b[:n_b]`` fixed
    (Vinh et al. 2010).

    Each cell's count is hypergeometric. Its pmf is evaluated once at the mode with lgamma and
    then by the ratio recurrence outwards, stopping once it falls below 1e-17 of its peak (the
    pmf is unimodal and its tails fall faster than geometrically, so what is left is below
    double precision); the cost is the spread of the pmf rather than min(a, b).
    """
    cdef int64_t n = 0, ai, bj, lo, hi, mode, k
    cdef Py_ssize_t i, j
    cdef double emi = 0.0, log_n, log_p, p_mode, log_ab, total, p
    for i in range(n_a):
        n += a[i]
    log_n = log(<double> n)
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
            log_ab = log(<double> ai) + log(<double> bj)
            total = 0.0
            if mode > 0:
                total += p_mode * mode * (log_n + log(<double> mode) - log_ab)
            p, k = p_mode, mode
            while k < hi and p > 1e-17 * p_mode:
                p *= (ai - k) * (bj - k) / ((k + 1.0) * (n - ai - bj + k + 1.0))
                k += 1
                total += p * k * (log_n + log(<double> k) - log_ab)
            p, k = p_mode, mode
            while k > max(lo, 1) and p > 1e-17 * p_mode:
                p *= k * (n - ai - bj + k) / ((ai - k + 1.0) * (bj - k + 1.0))
                k -= 1
                total += p * k * (log_n + log(<double> k) - log_ab)
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
    (``_expected_mi``): the chance level of many tables in one call."""
    cdef Py_ssize_t k
    with nogil:
        for k in range(out.shape[0]):
            out[k] = _expected_mi(&a[rows_a[k], 0], a.shape[1], &b[rows_b[k], 0], b.shape[1])
