# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The exact chance level of MI for given margins (Vinh et al. 2010), compiled."""

from libc.math cimport exp, lgamma, log
from libc.stdint cimport int64_t


def expected_mi(const int64_t[:] a, const int64_t[:] b):
    """E[I] in nats under random pairing with margins ``a`` and ``b`` fixed (Vinh et al. 2010).

    Each cell's count is hypergeometric. Its pmf is evaluated once at the mode with lgamma and
    then by the ratio recurrence outwards, stopping once it falls below 1e-17 of its peak (the
    pmf is unimodal and its tails fall faster than geometrically, so what is left is below
    double precision); the cost is the spread of the pmf rather than min(a, b).
    """
    cdef int64_t n = 0, ai, bj, lo, hi, mode, k
    cdef Py_ssize_t i, j
    cdef double emi = 0.0, log_n, log_p, p_mode, log_ab, total, p
    for i in range(a.shape[0]):
        n += a[i]
    log_n = log(<double> n)
    with nogil:
        for i in range(a.shape[0]):
            ai = a[i]
            if ai == 0:
                continue
            for j in range(b.shape[0]):
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
