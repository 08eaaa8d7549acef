"""Tests of what importing skmi and a first call need from the machine."""

import os
import subprocess
import sys
from pathlib import Path

import skmi

_FIRST_CALL = """
import sys
import numpy as np
import skmi
rng = np.random.default_rng(0)
X = rng.normal(size=(500, 3))
skmi.histogram_mi_regression(X, X[:, 0] + rng.normal(size=500))
skmi.pairwise_histogram_mi(X)
assert "numba" not in sys.modules and "llvmlite" not in sys.modules, sorted(sys.modules)
"""


def _files(root):
    return {p for p in Path(root).rglob("*") if p.is_file()}


def test_import_and_first_call_write_nothing(tmp_path):
    """Check that importing skmi and its first calls write no file, in its package or in a
    home directory, and load no just-in-time compiler: a read-only container (no writable
    HOME, package or cache directory) runs skmi as it is."""
    package = Path(skmi.__file__).parent
    home = tmp_path / "home"
    home.mkdir()
    before = _files(package), _files(home)
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    subprocess.run([sys.executable, "-c", _FIRST_CALL], env=env, check=True, cwd=tmp_path)
    assert (_files(package), _files(home)) == before
