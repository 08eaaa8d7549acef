"""The exact chance level of MI for given margins (Vinh et al. 2010), compiled."""

import math

from numba import njit


@njit(cache=True, nogil=True)
def expected_mi(a, b):
    """E[I] in nats under random pairing with margins ``a`` and ``b`` fixed (Vinh et al. 2010).

    Each cell's count is hypergeometric. Its pmf is evaluated once at the mode with lgamma and
    then by the ratio recurrence outwards, stopping once it falls below 1e-17 of its peak (the pmf
    is unimodal and its tails fall faster than geometrically, so what is left is below double
    precision); the cost is the spread of the pmf rather than min(a, b).
    """
    n = 0
    for v in a:
        n += v
    emi = 0.0
    log_n = math.log(n)
    for ai in a:
        if ai == 0:
            continue
        for bj in b:
            if bj == 0:
                continue
            lo = max(0, ai + bj - n)
            hi = min(ai, bj)
            mode = min(max((ai + 1) * (bj + 1) // (n + 2), lo), hi)
            log_p = (
                math.lgamma(ai + 1)
                + math.lgamma(bj + 1)
                + math.lgamma(n - ai + 1)
                + math.lgamma(n - bj + 1)
                - math.lgamma(n + 1)
                - math.lgamma(mode + 1)
                - math.lgamma(ai - mode + 1)
                - math.lgamma(bj - mode + 1)
                - math.lgamma(n - ai - bj + mode + 1)
            )
            p_mode = math.exp(log_p)
            log_ab = math.log(ai) + math.log(bj)
            total = 0.0
            if mode > 0:
                total += p_mode * mode * (log_n + math.log(mode) - log_ab)
            p, k = p_mode, mode
            while k < hi and p > 1e-17 * p_mode:
                p *= (ai - k) * (bj - k) / ((k + 1.0) * (n - ai - bj + k + 1.0))
                k += 1
                total += p * k * (log_n + math.log(k) - log_ab)
            p, k = p_mode, mode
            while k > max(lo, 1) and p > 1e-17 * p_mode:
                p *= k * (n - ai - bj + k) / ((ai - k + 1.0) * (bj - k + 1.0))
                k -= 1
                total += p * k * (log_n + math.log(k) - log_ab)
            emi += total / n
    return emi
