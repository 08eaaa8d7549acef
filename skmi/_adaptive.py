"""The default resolution of MI: chosen per feature from its own joint table.

A fixed bin count cannot serve both ends: near independence a fine table is all noise, while
a strong dependence needs fine bins to be seen at all. Measured on THEORY.md's families (see
``benchmarks/accuracy.py``), the count that estimates best keeps about c samples in each
*occupied* cell, c(N) = max(6, 2 log10 N): k = sqrt(N / c) at independence, more as the data
concentrate. Testing wants the opposite, few bins (power at rho = 0.1, N = 1e4 fell from 1.00
at 10 bins to 0.46 at 45), so p-values come from a coarser table of k_test = N^(1/4) bins.

Quantile bins nest, so all of these tables are merges of a fine table counted once: a fine
bin goes to the coarse bin of its last sample. The fine count is a highly composite number,
so that many resolutions are whole fine bins. A first fine table has room for features near
independence; only those whose resolution reaches half of it are counted again, finer.
"""

import math

import numpy as np

# Highly composite fine resolutions: their divisors step by at most 1.5 in the range used.
_FINE_RESOLUTIONS = (12, 24, 36, 60, 120, 180, 240, 360)


def samples_per_cell(n_samples):
    """c(N) = max(6, 2 log10 N): 6 at N = 1e3, 8 at 1e4, 10 at 1e5."""
    return max(6.0, 2 * math.log10(n_samples))


def candidates_for(fine, k_max):
    """Resolutions a fine table of ``fine`` bins can merge to, ascending, up to k_max.

    Every k leaving at least two fine bins per coarse one, and the divisors of ``fine`` above
    that: a merged bin is then whole fine bins, within one fine bin of an exact quantile.
    """
    divisors = np.array([k for k in range(2, fine + 1) if fine % k == 0], dtype=np.int64)
    candidates = np.union1d(np.arange(2, fine // 2 + 1), divisors)
    candidates = candidates[candidates <= k_max]
    return candidates if candidates.size else divisors[:1]


def resolution_plan(n_samples):
    """c(N), the largest resolution k_max, the fine resolutions to count, and the test one.

    k_max = min(2 sqrt(N), N / c). Two fine resolutions from ``_FINE_RESOLUTIONS``: the
    first is the smallest reaching 2.2 sqrt(N / c), room enough for near-independent
    features (about sqrt(N / c)); the second the smallest reaching k_max (the largest caps
    it), counted only for features whose resolution reached half the first. The test resolution is
    the divisor of the first nearest N^(1/4), at least 4.
    """
    c = samples_per_cell(n_samples)
    k_max = max(2, int(min(2 * math.sqrt(n_samples), n_samples / c)))
    top = next((k for k in _FINE_RESOLUTIONS if k >= k_max), _FINE_RESOLUTIONS[-1])
    first = next(k for k in _FINE_RESOLUTIONS if k >= min(2.2 * math.sqrt(n_samples / c), top))
    divisors = np.array([k for k in range(2, first + 1) if first % k == 0])
    target = max(4.0, n_samples**0.25)
    test_k = int(divisors[np.argmin(np.abs(np.log(divisors / target)))])
    return c, k_max, (first,) if first == top else (first, top), test_k
