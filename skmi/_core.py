"""The private core behind every public function and estimator: validated arrays in, counts and
scores out. Nothing here validates parameters; the public entry points do that once.
"""

import itertools
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.parallel import Parallel, delayed

from skmi._binning import _BIN_RULES, _STRATEGIES, fit_edges, pad_inner_edges
from skmi._information import (
    _ENTROPY_CORRECTIONS,
    _MI_CORRECTIONS,
    _NORMALIZATIONS,
    corrected_mi,
    delta_method_se,
    entropy_from_counts,
    g_test_pvalues,
    margins,
    mutual_info_from_counts,
)
from skmi._kernels import bin_codes, code_counts, joint_counts

DEFAULT_N_BINS = "hacine-gharbi"
DEFAULT_CORRECTION = "chance"

# Count tables are the output, so they get a budget of their own rather than sharing
# scikit-learn's working_memory: past it, the bin counts asked for are not sensible.
_MAX_TABLE_BYTES = 2**31

# Rows per thread below which starting threads costs more than it saves.
_MIN_ROWS_PER_CHUNK = 20_000

# G-test p-values are used where every occupied cell expects this many samples (THEORY.md:
# false-positive rate 0.050 at N / B^2 = 44, 0.164 at 4.4); permutations below it.
_G_TEST_MIN_PER_CELL = 40

BINNING_CONSTRAINTS = {
    "n_bins": [
        Interval(Integral, 2, None, closed="left"),
        StrOptions(set(_BIN_RULES)),
        "array-like",
    ],
    "strategy": [StrOptions(set(_STRATEGIES))],
    "subsample": [Interval(Integral, 2, None, closed="left"), None],
    "random_state": ["random_state"],
}

MI_CONSTRAINTS = {
    **BINNING_CONSTRAINTS,
    "correction": [StrOptions({k for k in _MI_CORRECTIONS if k}), None],
    "discrete_features": ["boolean", "array-like", StrOptions({"auto"})],
    "normalize": [StrOptions({k for k in _NORMALIZATIONS if k}), None],
    "base": [Interval(Real, 0, None, closed="neither"), None],
    "n_permutations": [Interval(Integral, 0, None, closed="left")],
    "n_jobs": [Integral, None],
}

ENTROPY_CONSTRAINTS = {
    **BINNING_CONSTRAINTS,
    "correction": [StrOptions({k for k in _ENTROPY_CORRECTIONS if k}), None],
    "base": MI_CONSTRAINTS["base"],
}


def check_n_bins(n_bins, n_features):
    """An int, a rule name, or one int >= 2 per feature (returned as an int array)."""
    if isinstance(n_bins, (str, Integral)):
        return n_bins
    per_feature = np.asarray(n_bins)
    if per_feature.shape != (n_features,) or per_feature.dtype.kind not in "iu":
        raise ValueError(
            f"n_bins must be an int, a rule name or {n_features} ints (one per feature), "
            f"got {n_bins!r}"
        )
    if (per_feature < 2).any():
        raise ValueError(f"n_bins must be >= 2 for every feature, got {n_bins!r}")
    return per_feature


def check_base(base):
    """log(base) to divide nats by; base=1 would divide by zero."""
    if base is None:
        return 1.0
    if base == 1:
        raise ValueError("base must be positive and not 1, got 1")
    return np.log(base)


def discrete_mask(discrete_features, n_features):
    """Boolean mask of discrete columns from scikit-learn's ``discrete_features`` forms."""
    if isinstance(discrete_features, str):  # "auto": dense input is continuous, as in sklearn
        return np.zeros(n_features, dtype=bool)
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(n_features, bool(discrete_features))
    given = np.asarray(discrete_features)
    if given.dtype == bool:
        if given.shape != (n_features,):
            raise ValueError(
                f"discrete_features as a mask must have {n_features} entries, got {given.shape[0]}"
            )
        return given
    if given.ndim != 1 or given.dtype.kind not in "iu":
        raise ValueError(
            f"discrete_features must be 'auto', a bool, a boolean mask or column indices, "
            f"got {discrete_features!r}"
        )
    if given.size and (given.min() < -n_features or given.max() >= n_features):
        raise ValueError(
            f"discrete_features indices must be in [-{n_features}, {n_features}), "
            f"got {discrete_features!r}"
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[given] = True
    return mask


def is_discrete_target(y):
    """'auto' rule: categories if y is not numeric, or is integer-like with at most sqrt(N)
    distinct values; otherwise continuous and binned."""
    y = np.asarray(y)
    if y.dtype.kind not in "iufb":
        return True
    if y.dtype.kind == "b":
        return True
    kind = type_of_target(y)
    return kind in ("binary", "multiclass") and np.unique(y).size <= max(2, np.sqrt(y.size))


def subsample_rows(n_samples, subsample, random_state):
    """Sorted row indices to learn edges from, or None for all rows."""
    if subsample is None or n_samples <= subsample:
        return None
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n_samples, subsample, replace=False))


def _table_guard(n_features, n_x, n_y, n_bins):
    size = 8 * n_features * n_x * n_y
    if size > _MAX_TABLE_BYTES:
        raise ValueError(
            f"n_bins={n_bins!r} needs count tables of {size / 2**30:.1f} GiB "
            f"({n_features} features x {n_x} x {n_y} bins); use fewer bins"
        )


def _row_chunks(n_samples, n_jobs):
    n_chunks = max(1, min(effective_n_jobs(n_jobs), n_samples // _MIN_ROWS_PER_CHUNK))
    bounds = np.linspace(0, n_samples, n_chunks + 1).astype(np.intp)
    return list(itertools.pairwise(bounds))


def count_joint(X, edges, y_codes, n_y, n_jobs, n_bins):
    """Joint count tables (n_features, n_x, n_y) of binned X against y codes, threads over rows."""
    n_x = max(e.size for e in edges) - 1
    _table_guard(X.shape[1], n_x, n_y, n_bins)
    inner = pad_inner_edges(edges)
    chunks = _row_chunks(X.shape[0], n_jobs)
    if len(chunks) == 1:
        return joint_counts(X, inner, y_codes, n_x, n_y)
    parts = Parallel(n_jobs=len(chunks), backend="threading")(
        delayed(joint_counts)(X[lo:hi], inner, y_codes[lo:hi], n_x, n_y) for lo, hi in chunks
    )
    return np.sum(parts, axis=0)


def codes_of(X, edges, dtype=np.int64):
    """Bin codes (n_samples, n_features) of X under ``edges``."""
    return bin_codes(X, pad_inner_edges(edges), np.empty(X.shape, dtype=dtype))


def target_codes(y, discrete, n_bins, strategy, rows):
    """Codes of the target, its number of bins and its edges (None for categories).

    A continuous target is binned like a feature; with one bin count per feature, the target
    gets the default rule.
    """
    if discrete:
        _, codes = np.unique(y, return_inverse=True)
        return codes.reshape(-1).astype(np.int64), int(codes.max()) + 1, None
    column = y.reshape(-1, 1)
    n_bins = n_bins if np.ndim(n_bins) == 0 else DEFAULT_N_BINS
    edges = fit_edges(column, n_bins, strategy, np.zeros(1, dtype=bool), rows)[0]
    return codes_of(column, [edges])[:, 0], edges.size - 1, edges


def permutation_pvalues(X, edges, y_codes, n_y, mi, n_permutations, random_state):
    """p = (1 + #{I_perm >= I}) / (1 + n_permutations): y's codes shuffled, X never re-binned.

    The plug-in MI is the statistic: its corrections depend on margins only, which permuting
    leaves unchanged, so every correction would rank the permutations the same way.
    """
    codes = codes_of(X, edges, dtype=np.uint16 if max(e.size for e in edges) < 2**16 else np.int64)
    n_x = max(e.size for e in edges) - 1
    rng = check_random_state(random_state)
    # Ties between a permuted and the observed table are the rule for discrete data; the
    # tolerance keeps round-off from deciding them.
    threshold = mi - 1e-12 * np.maximum(mi, 1.0)
    exceed = np.zeros(mi.shape, dtype=np.int64)
    for _ in range(n_permutations):
        permuted = code_counts(codes, rng.permutation(y_codes), n_x, n_y)
        exceed += mutual_info_from_counts(permuted) >= threshold
    return (1 + exceed) / (1 + n_permutations)


@dataclass
class MIResult:
    """Everything the estimators expose, from one pass over the data (in nats)."""

    scores: np.ndarray
    pvalues: np.ndarray
    standard_errors: np.ndarray
    entropy: np.ndarray
    target_entropy: float
    bin_edges: list
    target_bin_edges: np.ndarray | None
    counts: np.ndarray

    @property
    def n_bins(self):
        return np.array([e.size - 1 for e in self.bin_edges])


def estimate_mi(
    X,
    y,
    *,
    discrete_target,
    n_bins,
    strategy,
    correction,
    discrete_features,
    subsample,
    random_state,
    n_permutations,
    n_jobs,
):
    """MI of each column of validated X (n_samples, n_features) with y, and its statistics."""
    n_samples, n_features = X.shape
    n_bins = check_n_bins(n_bins, n_features)
    rows = subsample_rows(n_samples, subsample, random_state)
    y_codes, n_y, y_edges = target_codes(y, discrete_target, n_bins, strategy, rows)
    edges = fit_edges(X, n_bins, strategy, discrete_mask(discrete_features, n_features), rows)
    joint = count_joint(X, edges, y_codes, n_y, n_jobs, n_bins)
    plugin = mutual_info_from_counts(joint)
    return MIResult(
        scores=corrected_mi(joint, correction, plugin),
        pvalues=pvalues(X, edges, y_codes, joint, plugin, n_permutations, random_state),
        standard_errors=delta_method_se(joint, plugin),
        entropy=entropy_from_counts(joint.sum(axis=2)),
        target_entropy=float(entropy_from_counts(joint[0].sum(axis=0))),
        bin_edges=edges,
        target_bin_edges=y_edges,
        counts=joint,
    )


def object_array(arrays):
    """A 1-D object array holding the given arrays (``np.array`` would stack equal lengths)."""
    out = np.empty(len(arrays), dtype=object)
    out[:] = arrays
    return out


def histogram_counts(X, n_bins, strategy, subsample, random_state, n_jobs):
    """Counts (n_features, max_bins) of each binned column of X, and the edges."""
    n_bins = check_n_bins(n_bins, X.shape[1])
    rows = subsample_rows(X.shape[0], subsample, random_state)
    edges = fit_edges(X, n_bins, strategy, np.zeros(X.shape[1], dtype=bool), rows)
    no_target = np.zeros(X.shape[0], dtype=np.int64)
    return count_joint(X, edges, no_target, 1, n_jobs, n_bins)[:, :, 0], edges


def normalized(result, normalize, log_base):
    """Scores on the scale asked for: MI in the log base, or a base-free normalisation."""
    if normalize is None:
        return result.scores / log_base
    return _NORMALIZATIONS[normalize](result.scores, result.entropy, result.target_entropy)


def pvalues(X, edges, y_codes, joint, plugin, n_permutations, random_state):
    """G-test p-values where every cell expects enough samples, permutations elsewhere."""
    a, b = margins(joint)
    out = g_test_pvalues(plugin, a, b)
    cells = np.count_nonzero(a, axis=1) * np.count_nonzero(b, axis=1)
    small = X.shape[0] < _G_TEST_MIN_PER_CELL * cells
    if n_permutations and small.any():
        out[small] = permutation_pvalues(
            X[:, small],
            [edges[j] for j in np.flatnonzero(small)],
            y_codes,
            joint.shape[2],
            plugin[small],
            n_permutations,
            random_state,
        )
    return out
