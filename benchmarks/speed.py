"""Speed of skmi beside scikit-learn and the memory-bandwidth floor, as ratios from one run.

Usage::

    python benchmarks/speed.py            # every case (about 2 minutes on 2 cores)
    python benchmarks/speed.py --quick    # small shapes only
    python benchmarks/speed.py --shapes   # the shape matrix (about 20 minutes)

Prints a markdown table and writes it to ``benchmarks/results/speed.md`` (the shape matrix
to ``benchmarks/results/shapes.md``). Each time is the
median of ``--repeat`` calls after one warm-up call on the same data. Ratios are taken
against numbers measured in the same run, so they survive a noisy, shared machine better
than the times do. Peak memory is measured in a fresh subprocess per case.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_selection import mutual_info_regression
from sklearn.metrics import mutual_info_score
from sklearn.preprocessing import KBinsDiscretizer

import skmi
from skmi import histogram_mi_classif, histogram_mi_regression, pairwise_histogram_mi

RESULTS = Path(__file__).parent / "results" / "speed.md"
SHAPES_RESULTS = Path(__file__).parent / "results" / "shapes.md"


def median_time(func, repeat):
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def regression_data(n, d, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=dtype)
    y = X[:, 0] + rng.standard_normal(n, dtype=dtype)
    return X, y


def kbins_mutual_info_score(X, y):
    """The scikit-learn way without KSG: quantile-bin, then mutual_info_score per column."""
    codes = KBinsDiscretizer(15, encode="ordinal", strategy="quantile").fit_transform(X)
    y_codes = KBinsDiscretizer(15, encode="ordinal", strategy="quantile").fit_transform(
        y[:, None]
    )[:, 0]
    return [mutual_info_score(codes[:, j], y_codes) for j in range(X.shape[1])]


def target_case(n, d, repeat, with_ksg):
    """skmi against KSG, KBinsDiscretizer + mutual_info_score and one pass over X."""
    X, y = regression_data(n, d)
    rows = [("one pass over X (X.sum())", median_time(X.sum, repeat))]
    if with_ksg:
        ksg = median_time(lambda: mutual_info_regression(X, y, random_state=0), 1)
        rows.append(("sklearn mutual_info_regression (n_jobs=1)", ksg))
    rows.append(
        (
            "sklearn KBinsDiscretizer + mutual_info_score",
            median_time(lambda: kbins_mutual_info_score(X, y), repeat),
        )
    )
    for label, kwargs in [
        ("skmi defaults (n_jobs=1)", {}),
        ("skmi defaults (n_jobs=-1)", {"n_jobs": -1}),
        ("skmi n_bins=16 (n_jobs=1)", {"n_bins": 16}),
        ("skmi n_bins=32 (n_jobs=-1)", {"n_bins": 32, "n_jobs": -1}),
    ]:
        rows.append(
            (label, median_time(lambda kw=kwargs: histogram_mi_regression(X, y, **kw), repeat))
        )
    return rows


def shape_data(task, n, d, dtype=np.float64):
    """X and y of a case: a continuous target, 1,000 classes ("classif") or 2 ("binary")."""
    X, y = regression_data(n, d, dtype=dtype)
    if task == "classif":
        y = np.digitize(y, np.quantile(y, np.linspace(0, 1, 1001)[1:-1]))
    if task == "binary":
        y = (y > np.median(y)).astype(np.int64)
    return X, y


# Each task's call on (X, y); "pairwise" scores all pairs of X's columns.
TASKS = {
    "regression": lambda X, y, **kw: histogram_mi_regression(X, y, **kw),
    "classif": lambda X, y, **kw: histogram_mi_classif(X, y, **kw),
    "binary": lambda X, y, **kw: histogram_mi_classif(X, y, **kw),
    "pairwise": lambda X, y, **kw: pairwise_histogram_mi(X, **kw),
}


def peak_extra_memory(n, d, dtype, kwargs, task="regression"):
    """Extra peak resident memory of one call, beyond X and y, in a fresh process (bytes)."""
    spec = json.dumps({"n": n, "d": d, "dtype": dtype, "kwargs": kwargs, "task": task})
    # glibc's allocator otherwise keeps freed blocks for reuse, in an arena per thread, and
    # the measured call would reuse what the warm-up call freed, unseen: with a fixed mmap
    # threshold every large block is mapped when allocated and unmapped when freed.
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_=str(2**16))
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", spec],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout)


def _status_kib(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))


def memory_child(spec):
    spec = json.loads(spec)
    X, y = shape_data(spec["task"], spec["n"], spec["d"], dtype=np.dtype(spec["dtype"]))
    call = TASKS[spec["task"]]
    # Warm up outside the peak and the timing, on the full data (the same code path).
    call(X, y, **spec["kwargs"])
    # Reset the peak to the current resident size (Linux): the warm-up's temporaries must not
    # count as the measured call's.
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _status_kib("VmRSS:")
    start = time.perf_counter()
    call(X, y, **spec["kwargs"])
    seconds = time.perf_counter() - start
    extra = (_status_kib("VmHWM:") - before) * 1024
    print(json.dumps({"extra": extra, "x_bytes": X.nbytes, "seconds": seconds}))


LARGE_CASES = [
    ("skmi n_bins=32 (n_jobs=-1)", {"n_bins": 32, "n_jobs": -1}),
    ("skmi defaults (n_jobs=-1)", {"n_jobs": -1}),
    ("skmi defaults (n_jobs=1)", {}),
]


# KSG at 1e6 x 100 would take about 15 minutes: it is timed on a few columns and scaled,
# which is exact up to noise, as scikit-learn estimates each column on its own.
KSG_COLUMNS = 2


def large_times(n, d, repeat):
    X, y = regression_data(n, d)
    floor = median_time(X.sum, repeat)
    ksg = (
        d
        / KSG_COLUMNS
        * median_time(lambda: mutual_info_regression(X[:, :KSG_COLUMNS], y, random_state=0), 1)
    )
    times = [
        median_time(lambda kw=kwargs: histogram_mi_regression(X, y, **kw), repeat)
        for _, kwargs in LARGE_CASES
    ]
    return floor, ksg, times


def large_case(repeat):
    """1e6 x 100 float64 (800 MB): time against one pass over X and KSG, extra peak memory."""
    n, d = 1_000_000, 100
    floor, ksg, times = large_times(n, d, repeat)
    rows = [
        ("one pass over X (X.sum())", floor, None),
        (
            f"sklearn mutual_info_regression (n_jobs=1), timed on {KSG_COLUMNS} columns "
            f"x {d // KSG_COLUMNS}",
            ksg,
            None,
        ),
    ]
    for (label, kwargs), seconds in zip(LARGE_CASES, times, strict=True):
        memory = peak_extra_memory(n, d, "float64", kwargs)
        rows.append((label, seconds, memory["extra"] / memory["x_bytes"]))
    memory = peak_extra_memory(n, d, "float32", {"n_jobs": -1})
    rows.append(
        (
            "skmi defaults, float32 X (n_jobs=-1), one call",
            memory["seconds"],
            memory["extra"] / memory["x_bytes"],
        )
    )
    return rows, floor, ksg


def one_hot(codes, n_bins):
    n, d = codes.shape
    out = np.zeros((n, d * n_bins), dtype=np.float32)
    out[np.arange(n)[:, None], codes + n_bins * np.arange(d)] = 1.0
    return out


def pairwise_case(repeat, d=384, n=10_000, n_bins=16):
    """All pairs against one general float32 GEMM of the one-hot matrix (counts = B^T B)."""
    X = np.random.default_rng(1).standard_normal((n, d)).astype(np.float32)
    codes = skmi.EntropyBinner(n_bins=n_bins).fit_transform(X)
    left = one_hot(codes, n_bins)
    right = left.copy()  # two buffers: not numpy's half-work symmetric product
    gemm = median_time(lambda: left.T @ right, repeat)
    rows = [(f"one float32 GEMM of the one-hot matrix ({n} x {d * n_bins})", gemm)]
    for label, jobs in [
        ("skmi pairwise_histogram_mi (n_jobs=1)", 1),
        ("skmi pairwise_histogram_mi (n_jobs=-1)", -1),
    ]:
        rows.append(
            (
                label,
                median_time(
                    lambda j=jobs: pairwise_histogram_mi(X, n_bins=n_bins, n_jobs=j), repeat
                ),
            )
        )
    return rows, gemm


# The shape matrix: (label, task, n, d, dtype, settings, wide). Wide data (genomics,
# bag-of-words), very tall data, many classes, the shape the kernels were first tuned on,
# float32, all pairs. Each setting is a label and keyword arguments.
DEFAULTS, BINS_16, BINS_32 = (
    ("defaults", {}),
    ("16 bins", {"n_bins": 16}),
    ("32 bins", {"n_bins": 32}),
)
SHAPES = [
    ("500 x 200,000 (wide)", "regression", 500, 200_000, "float64", [DEFAULTS, BINS_16], True),
    ("500 x 200,000, 2 classes", "binary", 500, 200_000, "float64", [DEFAULTS, BINS_16], True),
    ("500 x 200,000 float32", "regression", 500, 200_000, "float32", [DEFAULTS, BINS_16], True),
    ("5,000 x 20,000", "regression", 5_000, 20_000, "float64", [DEFAULTS, BINS_16], True),
    ("10,000,000 x 2 (tall)", "regression", 10_000_000, 2, "float64", [DEFAULTS, BINS_16], False),
    ("200,000 x 50, 1,000 classes", "classif", 200_000, 50, "float64", [DEFAULTS, BINS_16], False),
    ("1,000,000 x 100", "regression", 1_000_000, 100, "float64", [DEFAULTS, BINS_32], False),
    (
        "1,000,000 x 100 float32",
        "regression",
        1_000_000,
        100,
        "float32",
        [DEFAULTS, BINS_32],
        False,
    ),
    ("all pairs, 20,000 x 512", "pairwise", 20_000, 512, "float32", [BINS_16], False),
]


def shapes_case(repeat):
    """Each shape against its floor, on one thread and on all cores, with the extra peak
    memory of the one-thread call (in a fresh process). The floor of a tall shape is one
    pass over X (``X.sum()``); of a wide one (every row learns the edges), one pass plus
    numpy's sort of every column (``np.sort(X, axis=0)``), which exact quantile edges need.
    The sort is timed warm: its first call also faults in a fresh output as large as X."""
    rows = []
    for label, task, n, d, dtype, settings, wide in SHAPES:
        X, y = shape_data(task, n, d, dtype=np.dtype(dtype))
        one_pass = median_time(X.sum, repeat)
        column_sort = median_time(partial(np.sort, X, axis=0), 3)
        floor = one_pass + column_sort if wide else one_pass
        for setting, kwargs in settings:
            one, every = (
                median_time(partial(TASKS[task], X, y, **kwargs, n_jobs=j), repeat)
                for j in (1, -1)
            )
            memory = peak_extra_memory(n, d, dtype, dict(kwargs, n_jobs=1), task)
            pairs = n * d * (d - 1) / 2
            per_pair = f"{one / pairs * 1e9:.2f} ns" if task == "pairwise" else ""
            rows.append(
                (
                    label,
                    setting,
                    f"{one_pass:.3f} s",
                    f"{column_sort:.3f} s",
                    "pass + sort" if wide else "pass",
                    f"{one:.3f} s",
                    f"{one / floor:.1f}x",
                    f"{every:.3f} s",
                    f"{every / floor:.1f}x",
                    f"{memory['extra'] / memory['x_bytes']:.0%}",
                    per_pair,
                )
            )
            print(rows[-1], flush=True)
    return rows


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small shapes only")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--shapes", action="store_true", help="the shape matrix only")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    if args.shapes:
        text = (
            f"Measured {date.today()} on {platform.machine()} with {os.cpu_count()} cores; "
            f"skmi {skmi.__version__}, numpy {np.__version__}. Medians of {args.repeat} "
            "calls after a warm-up; one pass over X is X.sum() on the same array, the column "
            "sort np.sort(X, axis=0), warm (median of 3); the floor of a wide shape is both "
            "(its edges need every column's order statistics), of the others one pass; "
            "extra peak memory of a one-thread call beyond X and y, in a fresh process; all "
            "pairs also in ns per sample-pair on one thread.\n\n"
        ) + table(
            [
                "shape",
                "bins",
                "one pass",
                "column sort",
                "floor",
                "1 thread",
                "/ floor",
                "all cores",
                "/ floor",
                "extra memory / X",
                "per sample-pair",
            ],
            shapes_case(args.repeat),
        )
        print(text)
        SHAPES_RESULTS.write_text("# Speed at every shape\n\n" + text + "\n")
        return 0

    sections = [
        f"Measured {date.today()} on {platform.machine()} with {os.cpu_count()} cores; "
        f"skmi {skmi.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}. "
        f"Medians of {args.repeat} calls after a warm-up (KSG: one call)."
    ]
    shapes = [(2_000, 20)] if args.quick else [(10_000, 100), (100_000, 10)]
    for n, d in shapes:
        rows = target_case(n, d, args.repeat, with_ksg=True)
        ksg = dict(rows)["sklearn mutual_info_regression (n_jobs=1)"]
        floor = rows[0][1]
        sections.append(
            f"### MI against a target, {n:,} x {d} float64\n\n"
            + table(
                ["method", "time", "KSG time / time", "time / X.sum()"],
                [
                    (label, f"{t * 1e3:.1f} ms", f"{ksg / t:,.0f}x", f"{t / floor:,.1f}x")
                    for label, t in rows
                ],
            )
        )
    if not args.quick:
        rows, floor, ksg = large_case(args.repeat)
        sections.append(
            "### MI against a target, 1,000,000 x 100 (800 MB float64)\n\n"
            + table(
                ["method", "time", "KSG time / time", "time / X.sum()", "extra peak memory / X"],
                [
                    (
                        label,
                        f"{t:.3f} s",
                        f"{ksg / t:,.0f}x",
                        f"{t / floor:,.1f}x",
                        "" if mem is None else f"{mem:.0%}",
                    )
                    for label, t, mem in rows
                ],
            )
        )
    rows, gemm = pairwise_case(
        args.repeat, d=64 if args.quick else 384, n=2_000 if args.quick else 10_000
    )
    sections.append(
        "### All pairs\n\n"
        + table(
            ["method", "time", "time / GEMM"],
            [(label, f"{t:.3f} s", f"{t / gemm:.2f}x") for label, t in rows],
        )
    )
    text = "\n\n".join(sections) + "\n"
    print(text)
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text("# Speed benchmark\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
