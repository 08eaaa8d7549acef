"""What any exact quantile binning of a wide X must do, timed against one pass over X.

    python benchmarks/floors.py     # about a minute on 2 cores

Edges at exact quantiles are order statistics: each column's values must be brought
together (a C-ordered X stores each row's values together) and ordered. This times both
with numpy on the wide shapes of the shape matrix (``speed.py --shapes``), one thread: the
transposed copy of X (``np.copyto`` of ``X.T``) and the sort of every column of that copy
(numpy's vectorised sort, without the copy it sorts), each as a multiple of ``X.sum()``;
beside the sort, numpy's selection of just the order statistics that 16 quantile bins need
(``np.partition`` at the minimum, the 15 inner ranks and the maximum). The shape matrix's
goal of 10 times one pass must fit under what these leave.
Writes ``benchmarks/results/floors.md``.
"""

import platform
from datetime import date
from pathlib import Path

import numpy as np
from speed import median_time

RESULTS = Path(__file__).parent / "results" / "floors.md"

SHAPES = [(500, 200_000, np.float64), (500, 200_000, np.float32), (5_000, 20_000, np.float64)]


def floors(n, d, dtype):
    """One pass, the transposed copy and the sort of the columns of a (n, d) X, seconds."""
    X = np.random.default_rng(0).normal(size=(n, d)).astype(dtype)
    transposed = np.empty((d, n), dtype=dtype)
    one_pass = median_time(X.sum, 5)
    transpose = median_time(lambda: np.copyto(transposed, X.T), 5)
    np.copyto(transposed, X.T)
    work = np.empty_like(transposed)

    def copy_and_sort():
        np.copyto(work, transposed)
        work.sort(axis=1)

    copy = median_time(lambda: np.copyto(work, transposed), 5)
    sort = median_time(copy_and_sort, 5) - copy
    ranks = np.unique(np.r_[0, (np.arange(1, 16) * n + 15) // 16, n - 1])
    partition = median_time(lambda: np.partition(transposed, ranks, axis=1), 3)
    return one_pass, transpose, sort, partition


def main():
    rows = []  # numpy's sum, copy and sort run on one thread
    for n, d, dtype in SHAPES:
        one_pass, transpose, sort, partition = floors(n, d, dtype)
        label = f"{n:,} x {d:,} {np.dtype(dtype).name}"
        rows.append(
            f"| {label} | {one_pass * 1e3:.0f} ms | {transpose / one_pass:.1f}x | "
            f"{sort / one_pass:.1f}x | {(transpose + sort) / one_pass:.1f}x | "
            f"{partition / one_pass:.1f}x |"
        )
        print(rows[-1], flush=True)
    header = (
        f"Measured {date.today()} on {platform.machine()} with one thread; numpy "
        f"{np.__version__}. Medians of 5 after a warm-up (3 for the partition); each step "
        "as a multiple of one pass over X.\n\n"
        "| X | one pass (X.sum()) | transposed copy | sort of the columns | both "
        "| partition of the columns |\n"
        "|---|---|---|---|---|---|\n"
    )
    text = header + "\n".join(rows) + "\n"
    RESULTS.write_text("# Floors of exact quantile binning on wide X\n\n" + text)


if __name__ == "__main__":
    main()
