"""Speed of the array-API path on a GPU: all pairs, and MI with a target, beside the
compiled CPU path and beside one float32 product of the one-hot matrix on the same GPU.

Usage (one command; needs torch with CUDA)::

    python benchmarks/gpu.py                  # the issue's grid on the first CUDA device
    python benchmarks/gpu.py --device cpu     # the same code on torch's CPU, small shapes
    python benchmarks/gpu.py --out benchmarks/results/gpu.md

Cases: all pairs of D in {1,024, 4,096} columns over N in {16,384, 65,536} rows, 16 quantile
bins, binning included (``pairwise_histogram_mi`` on a float32 tensor, plug-in and
Miller-Madow); MI of 4,096 columns with a target over 1e6 rows (16 bins and "adaptive").
Each time is the median of ``--repeat`` calls after one warm-up call, synchronised with the
device; the compiled CPU path (numpy, all cores) is timed once. Exactness: the device result
of every case that the CPU path also runs is compared with it, and must agree to 1e-12.
Without a CUDA device (and no ``--device cpu``) it says so and exits 0.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from functools import partial

import numpy as np

import skmi
from skmi import histogram_mi_regression, pairwise_histogram_mi

N_BINS = 16


def timed(func, repeat, sync):
    """Median seconds of ``repeat`` calls after one warm-up call, and the last result."""
    result = func()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def one_hot_gemm(torch, X):
    """One float32 product of the (N, D * 16) one-hot matrix with itself, the reference
    figure for the hardware: codes from 16 equal-width bins, to build it."""
    low, high = X.min(dim=0).values, X.max(dim=0).values
    codes = ((X - low) / (high - low) * N_BINS).long().clamp_(0, N_BINS - 1)
    hot = torch.nn.functional.one_hot(codes, N_BINS).reshape(X.shape[0], -1).float()
    return hot.T @ hot


def pairs(torch, dev, d, n, repeat, cpu_max_d, rows):
    """Rows of the all-pairs table for D = d, N = n."""
    sync = torch.cuda.synchronize if dev == "cuda" else lambda: None
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d)).astype(np.float32)
    X[:, 1::2] += X[:, ::2]  # dependent pairs
    X_dev = torch.asarray(X, device=dev)
    for correction in (None, "miller-madow"):
        params = dict(n_bins=N_BINS, correction=correction)
        seconds, got = timed(partial(pairwise_histogram_mi, X_dev, **params), repeat, sync)
        check = "not compared"
        cpu = ""
        if d <= cpu_max_d:
            start = time.perf_counter()
            expected = pairwise_histogram_mi(X, n_jobs=-1, **params)
            cpu = f"{time.perf_counter() - start:.2f} s"
            diff = float(np.abs(got.cpu().numpy() - expected).max())
            check = f"max diff {diff:.1e}" + ("" if diff <= 1e-12 else " (NOT EXACT)")
        label = f"pairwise_histogram_mi, correction={correction}"
        rows.append((f"{d:,}", f"{n:,}", label, f"{seconds:.3f} s", cpu, check))
    if dev == "cuda" or d * n <= 2**22:
        seconds, _ = timed(partial(one_hot_gemm, torch, X_dev), max(1, repeat // 2), sync)
        rows.append((f"{d:,}", f"{n:,}", "one float32 GEMM of the one-hot", f"{seconds:.3f} s"))


def target(torch, dev, d, n, repeat, rows):
    """Rows for MI of d columns with a target over n rows."""
    sync = torch.cuda.synchronize if dev == "cuda" else lambda: None
    gen = torch.Generator(device=dev).manual_seed(0)
    X = torch.randn(n, d, device=dev, generator=gen)
    y = X[:, 0] + torch.randn(n, device=dev, generator=gen)
    X_np, y_np = X.cpu().numpy(), y.cpu().numpy()
    for n_bins in (N_BINS, "adaptive"):
        call = partial(histogram_mi_regression, X, y, n_bins=n_bins)
        seconds, got = timed(call, repeat, sync)
        start = time.perf_counter()
        expected = histogram_mi_regression(X_np, y_np, n_bins=n_bins, n_jobs=-1)
        cpu = f"{time.perf_counter() - start:.2f} s"
        diff = float(np.abs(got.cpu().numpy() - expected).max())
        check = f"max diff {diff:.1e}" + ("" if diff <= 1e-12 else " (NOT EXACT)")
        label = f"histogram_mi_regression, n_bins={n_bins!r}"
        rows.append((f"{d:,}", f"{n:,}", label, f"{seconds:.3f} s", cpu, check))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cpu-max-d", type=int, default=1024, help="largest D also run on the compiled CPU path"
    )
    parser.add_argument("--out", help="also write the table (markdown) to this file")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed: no device to benchmark")
        return 0
    if args.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device: nothing to benchmark (run with --device cpu for torch's CPU)")
        return 0
    if args.device == "cuda":
        grid = [(d, n) for d in (1024, 4096) for n in (16_384, 65_536)]
        target_shape = (4096, 1_000_000)
        name = torch.cuda.get_device_name()
    else:
        grid = [(d, n) for d in (64, 256) for n in (4096, 16_384)]
        target_shape = (256, 100_000)
        name = f"torch CPU ({os.cpu_count()} cores, {torch.get_num_threads()} threads)"
    rows = []
    for d, n in grid:
        pairs(torch, args.device, d, n, args.repeat, args.cpu_max_d, rows)
        if args.device == "cuda":
            torch.cuda.empty_cache()
    target(torch, args.device, *target_shape, args.repeat, rows)
    header = [
        "# GPU benchmark",
        "",
        f"Measured {date.today()} on {name} ({platform.machine()}); skmi {skmi.__version__}, "
        f"torch {torch.__version__}, numpy {np.__version__}. {N_BINS} quantile bins, float32 "
        f"input, binning included; medians of {args.repeat} calls after a warm-up. CPU: the "
        "compiled path on numpy, one call, all cores.",
        "",
        "| D | N | what | device time | compiled CPU time | against the CPU path |",
        "|---|---|---|---|---|---|",
    ]
    table = "\n".join(header + ["| " + " | ".join(r + ("",) * (6 - len(r))) + " |" for r in rows])
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
