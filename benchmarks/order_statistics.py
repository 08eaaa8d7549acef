"""The order statistics that edges are made of: selected (``order_statistics``) against
numpy's sort, which they replace in long columns.

    python benchmarks/order_statistics.py     # about a minute on 2 cores

Quantile edges at k bins need each sample column's minimum, maximum and k - 1 inner order
statistics, and whether some value holds a point mass (``has_point_mass``). Timed on one
thread, in nanoseconds a value, for columns of a transposed sample as ``fit_edges`` gathers
them: numpy's sort of every column then the point-mass check, against the selection, which
answers both. The selection serves columns of at least ``_SELECT_FROM`` values and
``_SELECT_PER_BIN`` a bin; this table is where those thresholds come from. Writes
``benchmarks/results/order_statistics.md``.
"""

import platform
from datetime import date
from pathlib import Path

import numpy as np
from speed import median_time

from skmi._binning import (
    _SELECT_FROM,
    _SELECT_PER_BIN,
    has_point_mass,
    point_mass_size,
    quantile_ranks,
)
from skmi._kernels._binning import order_statistics

RESULTS = Path(__file__).parent / "results" / "order_statistics.md"

# (sample values a column, columns): 2e6 values in all, as a block of fit_edges holds.
SIZES = [(500, 4_000), (5_000, 400), (20_000, 100), (50_000, 40), (200_000, 10)]
# 360: the adaptive merges' finest; 512: the partition trees' from 10,486 rows on.
BINS = [16, 32, 360, 512]
DATA = {
    "normal": lambda rng, shape: rng.standard_normal(shape),
    "lognormal (sigma 5)": lambda rng, shape: rng.lognormal(0.0, 5.0, shape),
    "normal float32": lambda rng, shape: rng.standard_normal(shape).astype(np.float32),
}


def timings(n, m, k, make):
    """ns a value of the sort (with the point-mass check) and of the selection."""
    part = make(np.random.default_rng(0), (m, n))
    ranks = np.r_[0, quantile_ranks(n, k), n - 1].astype(np.int64)
    work = np.empty_like(part)

    def by_sort():
        np.copyto(work, part)
        work.sort(axis=1)
        has_point_mass(work, k)

    def by_selection():
        order_statistics(part, ranks, point_mass_size(n, k))

    per_value = 1e9 / part.size
    return median_time(by_sort, 5) * per_value, median_time(by_selection, 5) * per_value


def main():
    from threadpoolctl import threadpool_limits

    rows = []
    with threadpool_limits(1):
        for n, m in SIZES:
            for k in BINS:
                for name, make in DATA.items():
                    ordered, selected = timings(n, m, k, make)
                    rows.append(
                        f"| {n:,} | {k} | {name} | {ordered:.1f} | {selected:.1f} | "
                        f"{ordered / selected:.2f} |"
                    )
                    print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# Order statistics: selected against sorted",
            "",
            f"Measured {date.today().isoformat()} on {platform.machine()} with one thread; "
            f"numpy {np.__version__}. Medians of 5; nanoseconds a sample value, for the "
            "minimum, the maximum and the k - 1 quantile order statistics of every column "
            "with the point-mass check. The selection serves columns of at least "
            f"{_SELECT_FROM:,} values and {_SELECT_PER_BIN} a bin.",
            "",
            "| values a column | k | data | sort (ns) | selection (ns) | sort / selection |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    RESULTS.write_text(text)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
