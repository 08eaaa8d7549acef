"""Scale: rows in batches (partial_fit), a dataset larger than memory (dask), and the memory
of partial_fit as N grows.

Usage::

    python benchmarks/scale.py [--batches 16] [--dask-gb 40] [--skip-dask]

(a) Throughput in rows/s of ``partial_fit`` over batches of 4,096 tokens by 384 units, for
    MI with a target (``HistogramMI``) and for all pairs (``PairwiseHistogramMI``), beside
    one in-memory ``fit`` on the same rows.
(b) A float64 array of ``--dask-gb`` GB generated chunk by chunk from a seed on a
    ``LocalCluster`` of 2 single-threaded worker processes, never held anywhere whole:
    ``HistogramMI(n_bins=16).fit`` on it, rows/s and the peak memory of each worker
    (polled every 0.5 s). The default 40 GB is larger than this machine's 24 GiB.
(c) The memory ``partial_fit`` allocates beyond the batch it is given (tracemalloc's peak
    during the call) as N grows: bounded by the tables, not N.

Needs the ``dask`` extra for (b). Writes ``benchmarks/results/scale.md``.
"""

import argparse
import platform
import threading
import time
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np

import skmi
from skmi import HistogramMI, PairwiseHistogramMI

RESULTS = Path(__file__).parent / "results" / "scale.md"
TOKENS, UNITS = 4096, 384


def activations(seed, n_tokens=TOKENS, n_units=UNITS):
    """A batch of synthetic activations with a target: units mixing a few shared factors
    through a GELU-like nonlinearity, and y reading the first units."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n_tokens, 8))
    mixing = np.random.default_rng(12345).normal(size=(8, n_units)) / 3
    z = factors @ mixing + rng.normal(size=(n_tokens, n_units))
    X = z * (z > 0) + 0.1 * z
    y = X[:, 0] - X[:, 1] + rng.normal(size=n_tokens)
    return X, y


def timed(func):
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


def throughput(n_batches):
    """(a): rows/s of partial_fit over batches and of one fit on their concatenation."""
    batches = [activations(seed) for seed in range(n_batches)]
    X = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    n = X.shape[0]
    rows = []

    def in_batches(est, with_y):
        for Xb, yb in batches:
            est.partial_fit(Xb, yb) if with_y else est.partial_fit(Xb)
        return est

    for label, params in [("adaptive", {}), ("n_bins=16", {"n_bins": 16})]:
        est, seconds = timed(lambda p=params: in_batches(HistogramMI(**p), True))
        rows.append((f"HistogramMI({label}).partial_fit, {n_batches} batches", n, seconds))
        _, read = timed(lambda e=est: e.pvalues_)
        rows.append(("then reading pvalues_ (G-test of the summed tables)", n, read))
        _, seconds = timed(lambda p=params: HistogramMI(n_permutations=0, **p).fit(X, y))
        rows.append((f"HistogramMI({label}, n_permutations=0).fit, one array", n, seconds))
    est, seconds = timed(lambda: in_batches(PairwiseHistogramMI(), False))
    rows.append((f"PairwiseHistogramMI().partial_fit, {n_batches} batches", n, seconds))
    _, read = timed(lambda: est.scores_)
    rows.append(("then reading scores_ (all pairs scored once)", n, read))
    _, seconds = timed(lambda: PairwiseHistogramMI().fit(X).scores_)
    rows.append(("PairwiseHistogramMI().fit(X).scores_, one array", n, seconds))
    # The p-values' null mean: measured on the pairs of the first 64 units.
    small = PairwiseHistogramMI().partial_fit(batches[0][0][:, :64])
    for Xb, _ in batches[1:]:
        small.partial_fit(Xb[:, :64])
    _, p_seconds = timed(lambda: small.pvalues_)
    n_bins = int(est.n_bins_.max())
    return rows, n_bins, p_seconds


def _rss():
    import psutil

    return psutil.Process().memory_info().rss


def beyond_memory(gb, chunk_rows):
    """(b): HistogramMI(n_bins=16).fit on a generated dask array of ``gb`` GB."""
    import dask.array as da
    from distributed import Client, LocalCluster

    n = int(gb * 1e9 / (8 * UNITS))
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        rng = da.random.default_rng(0)
        X = rng.standard_normal(size=(n, UNITS), chunks=(chunk_rows, UNITS))
        y = X[:, 0] - X[:, 1] + rng.standard_normal(size=n, chunks=chunk_rows)
        peaks = {}
        done = threading.Event()

        def poll():
            while not done.is_set():
                for worker, rss in client.run(_rss).items():
                    peaks[worker] = max(peaks.get(worker, 0), rss)
                done.wait(0.5)

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            est, seconds = timed(lambda: HistogramMI(n_bins=16).fit(X, y))
        finally:
            done.set()
            poller.join()
        limit = cluster.workers[next(iter(cluster.workers))].memory_manager.memory_limit
    return n, seconds, sorted(peaks.values()), limit, est


def bounded_memory(n_batch_counts):
    """(c): tracemalloc's peak during one partial_fit call, beyond what was allocated
    before it, after each number of batches seen."""
    out = []
    for name, make, width in [
        ("HistogramMI(n_bins=16)", lambda: HistogramMI(n_bins=16), UNITS),
        ("PairwiseHistogramMI(n_bins=16), 64 units", lambda: PairwiseHistogramMI(16), 64),
    ]:
        est, seen = make(), 0
        for target in n_batch_counts:
            while seen < target:
                X, y = activations(1000 + seen)
                X = X[:, :width]
                tracemalloc.start()
                before = tracemalloc.get_traced_memory()[0]
                est.partial_fit(X, y) if width == UNITS else est.partial_fit(X)
                peak = tracemalloc.get_traced_memory()[1] - before
                tracemalloc.stop()
                seen += 1
            tables = est._accumulator.tables.counts
            out.append((name, seen * TOKENS, peak, tables.nbytes))
    return out


def _mb(n_bytes):
    if n_bytes < 2**20:
        return f"{n_bytes / 2**10:,.0f} KiB"
    return f"{n_bytes / 2**20:,.0f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=16)
    parser.add_argument("--dask-gb", type=float, default=40.0)
    parser.add_argument("--chunk-rows", type=int, default=65_536)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()

    lines = [
        "# Scale: batches, clusters, memory",
        "",
        f"Measured {date.today()} on {platform.machine()} ({platform.python_version()}), "
        f"skmi {skmi.__version__}; 2 cores, 24 GiB. Synthetic activations: batches of "
        f"{TOKENS:,} tokens x {UNITS} units (`python benchmarks/scale.py`). The machine "
        "is shared with other jobs: the same in-memory fit has measured up to 3x slower "
        "from one run to the next, so compare rows of one run only.",
        "",
        "## (a) partial_fit over batches beside one in-memory fit",
        "",
        "| what | rows | time | rows/s |",
        "|---|---|---|---|",
    ]
    rows, n_bins, p_seconds = throughput(args.batches)
    for what, n, seconds in rows:
        # Reading a statistic is a one-off cost, not a rate over the rows.
        rate = "—" if what.startswith("then") else f"{n / seconds:,.0f}"
        lines.append(f"| {what} | {n:,} | {seconds:.2f} s | {rate} |")
    n_pairs = 64 * 65 // 2
    lines += [
        "",
        f"All pairs: {UNITS * (UNITS + 1) // 2:,} pairs at {n_bins} bins (`balanced` on the "
        "first batch). Reading `pvalues_` computes the G-test's null mean of each distinct "
        "pair of margins (exact where cells expect fewer than 20 rows): "
        f"{p_seconds:.1f} s for the {n_pairs:,} pairs of 64 units at "
        f"N = {args.batches * TOKENS:,} ({1e3 * p_seconds / n_pairs:.2f} ms a pair).",
        "",
    ]
    print("\n".join(lines))
    if not args.skip_dask:
        n, seconds, peaks, limit, _ = beyond_memory(args.dask_gb, args.chunk_rows)
        lines += [
            "## (b) Larger than memory: dask on a LocalCluster",
            "",
            f"`HistogramMI(n_bins=16).fit(X, y)`, X a float64 dask array of {n:,} x {UNITS} "
            f"({n * UNITS * 8 / 1e9:.0f} GB) generated from a seed in chunks of "
            f"{args.chunk_rows:,} rows; 2 worker processes of 1 thread "
            f"(memory limit {_mb(limit)} each).",
            "",
            "| rows | time | rows/s | peak memory per worker |",
            "|---|---|---|---|",
            f"| {n:,} | {seconds:.1f} s | {n / seconds:,.0f} | "
            f"{', '.join(_mb(p) for p in peaks)} |",
            "",
            "The time includes generating every value (twice: once for the sample rows the "
            "edges are learnt from, once to count).",
            "",
        ]
        print("\n".join(lines[-9:]))
    lines += [
        "## (c) Memory of partial_fit as N grows",
        "",
        "tracemalloc's peak during one more call, beyond what was allocated before it "
        f"(the batch of {TOKENS:,} rows is allocated before the call), and the tables kept "
        "(their counts widen from 16 to 32 bits past 2^16 rows).",
        "",
        "| estimator | N after the call | peak during the call | tables kept |",
        "|---|---|---|---|",
    ]
    for name, n, peak, tables in bounded_memory([1, 4, 16, 64]):
        lines.append(f"| {name} | {n:,} | {_mb(peak)} | {_mb(tables)} |")
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-8:]))


if __name__ == "__main__":
    main()
