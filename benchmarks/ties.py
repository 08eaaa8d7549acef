"""Calibration and power of skmi's p-values on tied and zero-inflated columns.

    python benchmarks/ties.py            # writes benchmarks/results/ties.md
    python benchmarks/ties.py --quick    # fewer replicates, to try it

Calibration: columns independent of the target, each with a point mass (zeros on 50-95% of
the rows, the rest lognormal), few integer levels (Poisson counts) or a rare 0/1 flag; the
false-positive rate of ``HistogramMI().pvalues_`` at 0.05 over many columns and several draws
of the target (a classification and a regression target). Its binomial standard error is
printed beside it.

Tails: the same null columns where the test tables are sparse (60 and 150 rows, a continuous
target and one of 4 classes), so that permutations decide; the share of p-values below
1e-3 and 1e-4, which no permutation p-value reaches (199 permutations: floor 0.005) and the
chi-square matched to the permutations' mean and variance resolves. They are what
false-discovery control over thousands of columns reads.

Power: columns whose zeros are less frequent in class 1 than in class 0 (the presence of a
term that one class uses more), at the same zero shares; the share of columns found at 0.05
by skmi, by scikit-learn's chi2 and by a permutation test of scikit-learn's KSG estimate
(``mutual_info_classif``, 99 permutations, fewer columns: it is slow), on the same columns.
"""

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_selection import chi2, mutual_info_classif

from skmi import HistogramMI

ALPHA = 0.05


def zero_inflated(rng, n, d, zeros):
    """n x d columns, zero with probability ``zeros``, lognormal otherwise."""
    return np.where(rng.random((n, d)) < zeros, 0.0, rng.lognormal(size=(n, d)))


def null_columns(rng, kind, n, d):
    if kind.startswith("zeros"):
        return zero_inflated(rng, n, d, float(kind.split()[1]))
    if kind == "normal, 30% missing":
        X = rng.normal(size=(n, d))
        X[rng.random((n, d)) < 0.3] = np.nan  # missing completely at random
        return X
    if kind == "Poisson(0.5) counts":
        return rng.poisson(0.5, size=(n, d)).astype(float)
    return (rng.random((n, d)) < 0.03).astype(float)  # a 0/1 flag in 3% of rows


def false_positive_rate(kinds, sizes, n_columns, n_targets, seed=0):
    rows = []
    for kind in kinds:
        for n in sizes:
            for target in ("classes", "continuous"):
                rng = np.random.default_rng(seed)
                found = 0
                for _ in range(n_targets):
                    X = null_columns(rng, kind, n, n_columns)
                    y = rng.integers(0, 2, n) if target == "classes" else rng.normal(size=n)
                    found += int((HistogramMI().fit(X, y).pvalues_ < ALPHA).sum())
                total = n_columns * n_targets
                rate = found / total
                se = np.sqrt(ALPHA * (1 - ALPHA) / total)
                rows.append((kind, n, target, rate, se))
                print(f"{kind:>22} N={n:>5} {target:>10}: {rate:.3f} (SE {se:.3f})", flush=True)
    return rows


def tail_rates(kinds, sizes, n_columns, seed=2):
    rows = []
    for kind in kinds:
        for n in sizes:
            for target in ("4 classes", "continuous"):
                rng = np.random.default_rng(seed)
                X = null_columns(rng, kind, n, n_columns)
                y = rng.integers(0, 4, n) if target == "4 classes" else rng.normal(size=n)
                p = HistogramMI().fit(X, y).pvalues_
                rates = [float(np.mean(p < a)) for a in TAILS]
                rows.append((kind, n, target, *rates))
                print(f"{kind:>22} N={n:>4} {target:>10}: {rates}", flush=True)
    return rows


TAILS = (0.05, 1e-3, 1e-4)


def signal_columns(rng, n, d, zeros, effect):
    """Columns whose nonzero share is (1 - zeros)(1 + effect) in class 1, (1 - zeros) in
    class 0; the nonzero values have the same lognormal law in both."""
    y = rng.integers(0, 2, n)
    present = 1 - zeros
    p = np.where(y == 1, min(1.0, present * (1 + effect)), present)[:, None]
    X = np.where(rng.random((n, d)) < p, rng.lognormal(size=(n, d)), 0.0)
    return X, y


def ksg_permutation_pvalues(X, y, n_permutations, rng):
    observed = mutual_info_classif(X, y, random_state=0)
    exceed = np.zeros(X.shape[1])
    for _ in range(n_permutations):
        exceed += mutual_info_classif(X, rng.permutation(y), random_state=0) >= observed
    return (1 + exceed) / (1 + n_permutations)


def power(zero_shares, n, effect, n_columns, n_ksg, seed=1):
    rows = []
    for zeros in zero_shares:
        rng = np.random.default_rng(seed)
        X, y = signal_columns(rng, n, n_columns, zeros, effect)
        skmi_power = np.mean(HistogramMI().fit(X, y).pvalues_ < ALPHA)
        chi2_power = np.mean(chi2(X, y)[1] < ALPHA)
        start = time.perf_counter()
        ksg = ksg_permutation_pvalues(X[:, :n_ksg], y, 99, rng)
        ksg_power = np.mean(ksg < ALPHA)
        print(
            f"zeros {zeros}: skmi {skmi_power:.3f}, chi2 {chi2_power:.3f}, KSG {ksg_power:.3f}"
            f" ({n_ksg} columns, {time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        rows.append((zeros, skmi_power, chi2_power, ksg_power))
    return rows


def main(quick):
    kinds = [
        "zeros 0.5",
        "zeros 0.8",
        "zeros 0.95",
        "Poisson(0.5) counts",
        "0/1 flag, 3% ones",
        "normal, 30% missing",
    ]
    sizes = (300, 2000)
    n_columns, n_targets = (100, 2) if quick else (500, 8)
    calibration = false_positive_rate(kinds, sizes, n_columns, n_targets)
    tail_columns = 20_000 if quick else 100_000
    tails = tail_rates(kinds[1:4], (60, 150), tail_columns)
    n, effect = 2000, 0.5
    powers = power((0.5, 0.8, 0.95), n, effect, 100 if quick else 400, 10 if quick else 40)
    lines = [
        "# p-values on tied and zero-inflated columns",
        "",
        "`python benchmarks/ties.py` (`HistogramMI()` defaults). False-positive rate at "
        f"{ALPHA} for columns independent of the target, over {n_columns} columns x "
        f"{n_targets} targets per row, with its binomial standard error:",
        "",
        "| column | N | target | false-positive rate | SE |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {k} | {n_} | {t} | {r:.3f} | {s:.3f} |" for k, n_, t, r, s in calibration]
    lines += [
        "",
        f"Tails where permutations decide: the share of p-values below each level over "
        f"{tail_columns:,} independent columns per row (the floor of the first 199 "
        "permutations is 0.005; a feature at it gets 1,990 more):",
        "",
        "| column | N | target | below 0.05 | below 1e-3 | below 1e-4 |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {k} | {n_} | {t} | {a:.4f} | {b:.5f} | {c:.6f} |" for k, n_, t, a, b, c in tails]
    lines += [
        "",
        f"Power at {ALPHA}, N = {n}: the nonzero share is {1 + effect:g} times larger in class 1 "
        "(same columns for every method; KSG by 99 permutations of `mutual_info_classif`, "
        "on the first columns only):",
        "",
        "| zeros | skmi | chi2 | KSG |",
        "|---|---|---|---|",
    ]
    lines += [f"| {z} | {a:.3f} | {b:.3f} | {c:.3f} |" for z, a, b, c in powers]
    if not quick:
        out = Path(__file__).parent / "results" / "ties.md"
        out.write_text("\n".join(lines) + "\n")
        print(f"written to {out}")
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    main("--quick" in sys.argv[1:])
