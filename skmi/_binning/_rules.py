"""Bin-count rules: how many bins a column gets when ``n_bins`` names a rule.

Each rule is an entry of ``_BIN_RULES``, a dict of same-signature functions ``(x, n)`` of the
sorted sample ``x`` and the full sample size ``n``, and that dict is the only list of their
names (parameter constraints, docs and tests read its keys).
"""

import math

import numpy as np
from scipy.special import gammaln

from skmi._scoring._adaptive import samples_per_cell


def _rule_sqrt(x, n):
    """k = ceil(sqrt(N))."""
    return math.ceil(math.sqrt(n))


def _rule_sturges(x, n):
    """k = ceil(log2 N) + 1 (Sturges 1926)."""
    return math.ceil(math.log2(n)) + 1


def _rule_rice(x, n):
    """k = ceil(2 N^(1/3))."""
    return math.ceil(2 * n ** (1 / 3))


def _width_to_count(x, h, n):
    """k = range / h rounded up, at most N; a zero width (ties) falls back to Sturges, as
    numpy does, on the full N like every rule (``x`` may be a subsample). A width below
    range / N (a denormal IQR) would overflow the division, and gives N, which
    ``n_bins_for`` would cap it to anyway."""
    if not h > 0:
        return _rule_sturges(x, n)
    span = x[-1] - x[0]
    return n if span / n >= h else math.ceil(span / h)


def _scott_width(x, n):
    return 3.49 * np.std(x) * n ** (-1 / 3)


def _fd_width(x, n):
    q75, q25 = x[int(0.75 * (x.size - 1))], x[int(0.25 * (x.size - 1))]
    return 2 * (q75 - q25) * n ** (-1 / 3)


def _rule_scott(x, n):
    """h = 3.49 sigma N^(-1/3) (Scott 1979)."""
    return _width_to_count(x, _scott_width(x, n), n)


def _rule_fd(x, n):
    """h = 2 IQR N^(-1/3) (Freedman & Diaconis 1981)."""
    return _width_to_count(x, _fd_width(x, n), n)


def _rule_doane(x, n):
    """k = 1 + log2 N + log2(1 + |g1| / sigma_g1) (Doane 1976)."""
    sd = np.std(x)
    if n < 3 or sd == 0:
        return _rule_sturges(x, n)
    g1 = np.mean(((x - np.mean(x)) / sd) ** 3)
    sigma_g1 = math.sqrt(6 * (n - 2) / ((n + 1) * (n + 3)))
    return math.ceil(1 + math.log2(n) + math.log2(1 + abs(g1) / sigma_g1))


def _rule_auto(x, n):
    """h = min(max(h_FD, h_sqrt / 2), h_Sturges), numpy's 'auto'."""
    span = x[-1] - x[0]
    h_sqrt = span / math.sqrt(n)
    h_sturges = span / (math.log2(n) + 1)
    return _width_to_count(x, min(max(_fd_width(x, n), h_sqrt / 2), h_sturges), n)


def _rule_knuth(x, n):
    """Maximise Knuth's (2006) posterior over equal-width bin counts 1..ceil(2 sqrt N)."""
    span = x[-1] - x[0]
    if span == 0:
        return 1
    best_k, best = 1, -np.inf
    for k in range(1, math.ceil(2 * math.sqrt(x.size)) + 1):
        counts = np.bincount(
            np.minimum(((x - x[0]) * (k / span)).astype(np.intp), k - 1), minlength=k
        )
        logp = (
            x.size * math.log(k)
            + gammaln(k / 2)
            - k * gammaln(0.5)
            - gammaln(x.size + k / 2)
            + gammaln(counts + 0.5).sum()
        )
        if logp > best:
            best_k, best = k, logp
    return best_k


def _rule_hacine_gharbi(x, n):
    """Entropy-optimal count of Hacine-Gharbi et al. (2012)."""
    xi = (8 + 324 * n + 12 * math.sqrt(36 * n + 729 * n**2)) ** (1 / 3)
    return round(xi / 6 + 2 / (3 * xi) + 1 / 3)


def _rule_balanced(x, n):
    """k = floor(sqrt(N / c(N))): c(N) samples in every cell of a k x k table (``_adaptive``).

    The resolution the adaptive MI rule picks for independent variables.
    """
    return max(2, math.isqrt(int(n / samples_per_cell(n))))


def _rule_fourth_root(x, n):
    """k = max(4, round(N^(1/4))): 10 bins at N = 1e4, 18 at 1e5, 32 at 1e6.

    The resolution of the adaptive rule's test tables, where the G test has the most power;
    a pair ranking computed at it is more reproducible than at finer ones (measured on
    transformer activations by ``benchmarks/frontier.py``).
    """
    return max(4, round(n**0.25))


_BIN_RULES = {
    "sqrt": _rule_sqrt,
    "sturges": _rule_sturges,
    "rice": _rule_rice,
    "scott": _rule_scott,
    "fd": _rule_fd,
    "doane": _rule_doane,
    "auto": _rule_auto,
    "knuth": _rule_knuth,
    "hacine-gharbi": _rule_hacine_gharbi,
    "balanced": _rule_balanced,
    "fourth-root": _rule_fourth_root,
}


# The rules that read only the sample size N, not the values: a device computes them without
# copying its sample to numpy (``_binning``).
_SIZE_RULES = frozenset({"sqrt", "sturges", "rice", "hacine-gharbi", "balanced"})


def n_bins_for(x_sorted, n, n_bins):
    """The bin count asked for ``x``: an int as given, or a rule's count in [1, N].

    Every rule is scale-free, so ``x`` is first divided by its largest magnitude: variances
    and ranges of values near 1e308 (or of denormals) then neither overflow nor underflow.
    More bins than samples never helps a data-driven rule, so the count is capped at N.
    """
    if not isinstance(n_bins, str):
        return int(n_bins)
    if x_sorted[-1] == x_sorted[0]:
        return 1
    scaled = x_sorted / max(abs(x_sorted[0]), abs(x_sorted[-1]))
    k = _BIN_RULES[n_bins](scaled, n)
    return int(min(max(k, 1), n))
