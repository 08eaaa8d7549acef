"""The examples gallery and the documentation check themselves: every example runs, the API
page lists exactly the public names, and the user guide's doctests pass."""

import doctest
import re
import runpy
from pathlib import Path

import matplotlib
import pytest

import skmi
from skmi._binning._rules import _BIN_RULES
from skmi._selector import _SELECTION_METHODS

# Before pyplot is imported anywhere, so that no example opens a window.
matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
USER_GUIDE = ROOT / "docs" / "user_guide.rst"


def test_examples_found():
    """Check that the gallery is where the tests look for it."""
    assert EXAMPLES, f"no examples/plot_*.py under {ROOT}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_runs(path, tmp_path, monkeypatch):
    """Check that each example runs to the end without a warning."""
    monkeypatch.chdir(tmp_path)
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")


def _autosummary_entries(text):
    """Names listed under the ``.. autosummary::`` directives of an rst page."""
    names = []
    for block in re.findall(r"^\.\. autosummary::\n((?:[ \t]+.*\n|\n)+)", text, flags=re.M):
        for line in block.splitlines():
            entry = line.strip()
            if entry and not entry.startswith(":"):
                names.append(entry)
    return names


def test_api_page_lists_all():
    """Check that docs/api.rst documents each name of skmi.__all__ once, and nothing else."""
    entries = _autosummary_entries((ROOT / "docs" / "api.rst").read_text())
    assert sorted(entries) == sorted(skmi.__all__)


def test_user_guide_lists_every_bin_rule():
    """Check that the user guide's table of bin-count rules names every rule skmi accepts."""
    text = USER_GUIDE.read_text()
    missing = [rule for rule in _BIN_RULES if f'``"{rule}"``' not in text]
    assert not missing


def test_user_guide_lists_every_selection_method():
    """Check that the user guide's table of MISelector's methods names every method."""
    text = USER_GUIDE.read_text()
    missing = [method for method in _SELECTION_METHODS if f'"{method}"' not in text]
    assert not missing


@pytest.mark.parametrize("page", [USER_GUIDE, ROOT / "docs" / "batches.rst"], ids=str)
def test_user_guide_doctests(page):
    """Check that every example in the user guide's pages gives the output it shows."""
    result = doctest.testfile(str(page), module_relative=False, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
