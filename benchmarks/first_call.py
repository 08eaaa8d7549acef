"""What a new process pays before its first result: importing skmi, and each entry point's
first call beside its second.

Usage::

    python benchmarks/first_call.py [--repeat R]

Each measurement runs in a fresh interpreter (``R`` of them, default 5; the table shows the
median), so nothing is warm but the operating system's file cache, as for a new worker of
``GridSearchCV(n_jobs=...)``. The kernels are compiled when skmi is installed, so a first call
costs what any call costs plus the first touch of its code. Writes the table to
``benchmarks/results/first_call.md``.
"""

import argparse
import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np

import skmi

RESULTS = Path(__file__).parent / "results" / "first_call.md"

_IMPORTS = """
import json, time
start = time.perf_counter()
import sklearn, sklearn.base, sklearn.utils
middle = time.perf_counter()
import skmi
end = time.perf_counter()
print(json.dumps([middle - start, end - middle]))
"""

# Each case: the data it builds (untimed) and the call it times. The paths are those where a
# just-in-time compiler would meet a new type or layout: a frame, float32, class labels,
# pairs, past 2^16 rows (wider count tables), Fortran order.
_SETUP = """
import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes
from skmi import (EntropyBinner, HistogramMI, MISelector, histogram_entropy,
                  histogram_mi_classif, histogram_mi_regression, pairwise_histogram_mi)
rng = np.random.default_rng(0)
X = rng.normal(size=(1000, 10))
y = X[:, 0] + rng.normal(size=1000)
labels = (y > 0).astype(int)
frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(10)])
tall = rng.normal(size=(70_000, 4))
diabetes_X, diabetes_y = load_diabetes(return_X_y=True)
"""

CASES = {
    "histogram_mi_regression": "histogram_mi_regression(X, y)",
    "histogram_mi_classif": "histogram_mi_classif(X, labels)",
    "histogram_entropy": "histogram_entropy(X)",
    "pairwise_histogram_mi": "pairwise_histogram_mi(X)",
    "HistogramMI().fit": "HistogramMI().fit(X, y)",
    "MISelector().fit": "MISelector().fit(X, y)",
    "EntropyBinner().fit(X).transform(X)": "EntropyBinner().fit(X).transform(X)",
    "pandas frame": "histogram_mi_regression(frame, y)",
    "float32": "histogram_mi_regression(X.astype(np.float32), y)",
    "70,000 rows": "histogram_mi_regression(tall, tall[:, 0])",
    "diabetes data, as the skmi command runs it": (
        "histogram_mi_regression(diabetes_X, diabetes_y)"
    ),
}

_CALL = """
import json, time
{setup}
start = time.perf_counter()
{call}
first = time.perf_counter() - start
start = time.perf_counter()
{call}
print(json.dumps([first, time.perf_counter() - start]))
"""

_ALL_PATHS = """
import json, time
{setup}
start = time.perf_counter()
{calls}
print(json.dumps(time.perf_counter() - start))
"""


def run(code):
    """The JSON a fresh interpreter prints for ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def median(runs):
    """The median of each figure over the runs (a float, or a list of floats)."""
    return np.median(np.asarray(runs, dtype=float), axis=0).tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per figure")
    args = parser.parse_args()
    sklearn_time, skmi_time = median([run(_IMPORTS) for _ in range(args.repeat)])
    lines = [
        "# First call in a new process",
        "",
        f"Measured {date.today()} on {platform.machine()} with {platform.python_version()}, "
        f"skmi {skmi.__version__}; medians of {args.repeat} fresh processes each.",
        "",
        "| import | time |",
        "|---|---|",
        f"| scikit-learn (`sklearn`, `sklearn.base`, `sklearn.utils`) | {sklearn_time:.3f} s |",
        f"| `import skmi` after it | {skmi_time:.3f} s |",
        "",
        "| first call (1,000 x 10 unless named) | first call | second call |",
        "|---|---|---|",
    ]
    for name, call in CASES.items():
        first, second = median(
            [run(_CALL.format(setup=_SETUP, call=call)) for _ in range(args.repeat)]
        )
        lines.append(f"| {name} | {1e3 * first:.1f} ms | {1e3 * second:.1f} ms |")
    together = median(
        [
            run(_ALL_PATHS.format(setup=_SETUP, calls="\n".join(CASES.values())))
            for _ in range(args.repeat)
        ]
    )
    lines += ["", f"All of these first calls in one new process: {together:.3f} s.", ""]
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
