"""Parameter constraints and defaults, shared by every entry point: one place for each rule.
The checks that ``validate_params`` cannot express are in ``_validation``."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from skmi._binning import _STRATEGIES
from skmi._binning._rules import _BIN_RULES
from skmi._scoring import _ENTROPY_CORRECTIONS, _MI_CORRECTIONS, _NORMALIZATIONS

# MI chooses its resolution from the joint table (``_adaptive``); entropy has no joint table,
# so it defaults to the entropy-optimal marginal rule.
DEFAULT_N_BINS = "partition"
DEFAULT_ENTROPY_N_BINS = "hacine-gharbi"
DEFAULT_CORRECTION = "miller-madow"
DEFAULT_N_PERMUTATIONS = 199

_BINNING_CONSTRAINTS = {
    "strategy": [StrOptions(set(_STRATEGIES))],
    "subsample": [Interval(Integral, 2, None, closed="left"), None],
    "random_state": ["random_state"],
    # Missing values in X: a bin of their own in each column that holds them, or an error.
    "handle_missing": [StrOptions({"bin", "error"})],
}
# A bound on any one bin count keeps edge arrays small; the count tables, whose size is the
# product of two counts and the features, are checked against a budget of their own
# (``_counting``).
MAX_N_BINS = 2**16
_N_BINS = [Interval(Integral, 2, MAX_N_BINS, closed="both"), "array-like"]

MI_CONSTRAINTS = {
    "n_bins": [*_N_BINS, StrOptions({*_BIN_RULES, "adaptive", "partition"})],
    **_BINNING_CONSTRAINTS,
    "correction": [StrOptions({k for k in _MI_CORRECTIONS if k}), None],
    "discrete_features": ["boolean", "array-like", StrOptions({"auto"})],
    "normalize": [StrOptions({k for k in _NORMALIZATIONS if k}), None],
    # Bases at or below 1 would divide by zero or flip the sign of every information.
    "base": [Interval(Real, 1, None, closed="neither"), None],
    "n_permutations": [Interval(Integral, 0, None, closed="left")],
    # joblib's meaning: None, a positive count, or -1 for all cores, -2 for all but one...
    "n_jobs": [
        Interval(Integral, 1, None, closed="left"),
        Interval(Integral, None, -1, closed="right"),
        None,
    ],
}

ENTROPY_CONSTRAINTS = {
    "n_bins": [*_N_BINS, StrOptions(set(_BIN_RULES))],
    **_BINNING_CONSTRAINTS,
    "correction": [StrOptions({k for k in _ENTROPY_CORRECTIONS if k}), None],
    "base": MI_CONSTRAINTS["base"],
}
