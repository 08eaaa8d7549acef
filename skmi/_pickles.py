"""Pickles of fitted estimators: what a fitted skmi estimator holds is private state in
skmi's own modules, which move between versions, so a pickle is loaded by the layout that
wrote it or refused with a clear message, never half-loaded.

``STATE_LAYOUT`` numbers that layout; it changes whenever a fitted estimator's private
state does (this one: the sources and the accumulator). A pickle whose private state
names a module that is gone fails on that import (``_RemovedModules``); one whose modules
still exist but whose layout differs fails in ``__setstate__``.
"""

import sys
from importlib.abc import MetaPathFinder

STATE_LAYOUT = 2

_REFIT = (
    "this pickle of a fitted skmi estimator was written by an earlier version, whose "
    "private state this version does not hold: refit the estimator (or load the pickle "
    "with the skmi version that wrote it)"
)

# Modules that held pickled state and are gone, with what replaced them.
_REMOVED = {
    "skmi._core": "_one_pass, _scoring._results and _accumulate",
    "skmi._batches": "_accumulate",
    "skmi._dask": "_sources",
    "skmi._device_validation": "_sources",
    "skmi._adaptive": "_scoring._adaptive",
    "skmi._pvalues": "_scoring._pvalues",
    "skmi._greedy": "_scoring._greedy",
    "skmi._rules": "_binning._rules",
    "skmi._integers": "_binning._integers",
    "skmi._categories": "_binning._categories",
}


class _RemovedModules(MetaPathFinder):
    """Asked last, after every other finder failed: the removed modules fail with the
    reason rather than a bare ModuleNotFoundError."""

    def find_spec(self, name, path=None, target=None):
        if name in _REMOVED:
            raise ModuleNotFoundError(
                f"{name} is gone from skmi (now {_REMOVED[name]}): {_REFIT}", name=name
            )
        return None


if not any(isinstance(finder, _RemovedModules) for finder in sys.meta_path):
    sys.meta_path.append(_RemovedModules())


class PickledState:
    """Mixin of the estimators whose fitted state is private: pickled with
    ``STATE_LAYOUT``, and loaded only by the same layout (an unfitted estimator, which holds
    parameters alone, loads whatever wrote it)."""

    def __getstate__(self):
        state = super().__getstate__()
        if "n_features_in_" in state:
            state["_skmi_state_layout"] = STATE_LAYOUT
        return state

    def __setstate__(self, state):
        fitted = "n_features_in_" in state
        if fitted and state.get("_skmi_state_layout") != STATE_LAYOUT:
            raise ValueError(f"Cannot load this {type(self).__name__}: {_REFIT}")
        super().__setstate__(state)
