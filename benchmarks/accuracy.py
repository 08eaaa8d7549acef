"""Accuracy benchmark: skmi's histogram MI beside scikit-learn's KSG on known-MI families.

For each family of known MI (``DEPENDENT`` and ``INDEPENDENT`` below, with their closed-form
truths in nats, as listed in the user guide's "Choosing the defaults") and N in {1e3, 1e4,
1e5, 1e6}, every estimator sees the *same* samples; the table reports bias (mean - truth),
RMSE, MAE and mean time per call, the overall MAE over the dependence families with its
ratio to KSG's, and, for the two independence families, the mean estimate with its standard
error. The default's reported standard error (``HistogramMI.standard_errors_``) is set
beside the spread of its estimates over the replicates.

Estimators: skmi's defaults (partition trees); the adaptive merges (the default before
them) with correction None, "miller-madow" and "chance"; fixed 16 quantile bins with
Miller-Madow; and scikit-learn's ``mutual_info_regression`` / ``mutual_info_classif`` (KSG,
n_neighbors=3, random_state=0).

Usage::

    python benchmarks/accuracy.py [--reps-1e3 R] [--reps-1e4 R] [--reps-1e5 R]
                                  [--reps-1e6 R] [--quick] [--output-dir DIR]

writes ``accuracy.md`` and ``accuracy.png`` to ``benchmarks/results/`` (``accuracy_quick.*``
with ``--quick``, a smoke test of a few seconds that no one should quote).
"""

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

import skmi
from skmi import HistogramMI, histogram_mi_classif, histogram_mi_regression

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend

SIZES = (1_000, 10_000, 100_000, 1_000_000)
DEFAULT_REPS = {1_000: 200, 10_000: 50, 100_000: 10, 1_000_000: 3}
QUICK_REPS = {1_000: 10, 10_000: 3, 100_000: 1, 1_000_000: 1}
RESULTS_DIR = Path(__file__).resolve().parent / "results"


# ---------------------------------------------------------------- families
# Each generator returns (x, y); "dc" families have a discrete x (the class label).


def _gaussian(rho):
    def sample(rng, n):
        z = rng.standard_normal((2, n))
        return z[0], rho * z[0] + np.sqrt(1 - rho**2) * z[1]

    return sample


def _monotone_gaussian(rho):
    def sample(rng, n):
        x, y = _gaussian(rho)(rng, n)
        return np.exp(x), y**3

    return sample


def _uniform_noise(eps):
    def sample(rng, n):
        x = rng.random(n)
        return x, x + rng.uniform(-eps, eps, n)

    return sample


def _student(nu):
    def sample(rng, n):
        z = rng.standard_normal((2, n))
        w = np.sqrt(rng.chisquare(nu, n) / nu)
        return z[0] / w, z[1] / w

    return sample


def _discrete_uniform(m):
    def sample(rng, n):
        x = rng.integers(0, m, n)
        return x, x + 2.0 * rng.random(n)

    return sample


def _bernoulli_uniform(rng, n):
    x = rng.integers(0, 2, n)
    return x, x + rng.uniform(-1.0, 1.0, n)


def _independent_gaussian(rng, n):
    z = rng.standard_normal((2, n))
    return z[0], z[1]


def _independent_classes(rng, n):
    return rng.integers(0, 3, n), rng.standard_normal(n)


def _gaussian_mi(rho):
    return -0.5 * np.log(1 - rho**2)


def _uniform_noise_mi(eps):
    return eps - np.log(2 * eps) if eps <= 0.5 else 1 / (4 * eps)


def _student_mi(nu):
    """Uncorrelated bivariate t: 2 H(t_nu) - H(bivariate t_nu), exact entropies from scipy."""
    joint = stats.multivariate_t(shape=np.eye(2), df=nu).entropy()
    return 2 * stats.t(nu).entropy() - joint


def _discrete_uniform_mi(m):
    return np.log(m) - (m - 1) / m * np.log(2)


# name -> (sampler, kind, true MI in nats)
DEPENDENT = {
    "gauss rho=0.3": (_gaussian(0.3), "cc", _gaussian_mi(0.3)),
    "gauss rho=0.5": (_gaussian(0.5), "cc", _gaussian_mi(0.5)),
    "gauss rho=0.9": (_gaussian(0.9), "cc", _gaussian_mi(0.9)),
    "exp/cube rho=0.5": (_monotone_gaussian(0.5), "cc", _gaussian_mi(0.5)),
    "exp/cube rho=0.9": (_monotone_gaussian(0.9), "cc", _gaussian_mi(0.9)),
    "unif+unif eps=0.1": (_uniform_noise(0.1), "cc", _uniform_noise_mi(0.1)),
    "unif+unif eps=0.25": (_uniform_noise(0.25), "cc", _uniform_noise_mi(0.25)),
    "unif+unif eps=1": (_uniform_noise(1.0), "cc", _uniform_noise_mi(1.0)),
    "student nu=1": (_student(1), "cc", _student_mi(1)),
    "student nu=2": (_student(2), "cc", _student_mi(2)),
    "student nu=3": (_student(3), "cc", _student_mi(3)),
    "student nu=10": (_student(10), "cc", _student_mi(10)),
    "disc m=2": (_discrete_uniform(2), "dc", _discrete_uniform_mi(2)),
    "disc m=5": (_discrete_uniform(5), "dc", _discrete_uniform_mi(5)),
    "bernoulli-unif": (_bernoulli_uniform, "dc", np.log(2) / 2),
}
INDEPENDENT = {
    "indep gauss": (_independent_gaussian, "cc", 0.0),
    "indep 3 classes": (_independent_classes, "dc", 0.0),
}
FAMILIES = {**DEPENDENT, **INDEPENDENT}


# ---------------------------------------------------------------- estimators
# A continuous pair is (feature x, target y); a discrete x is the class label and the
# continuous y the feature, which is how scikit-learn's own Bernoulli-uniform test poses it.


def _skmi(**params):
    def estimate(x, y, kind):
        if kind == "dc":
            return histogram_mi_classif(y[:, None], x, **params)[0]
        return histogram_mi_regression(x[:, None], y, **params)[0]

    return estimate


def _ksg(x, y, kind):
    if kind == "dc":
        return mutual_info_classif(y[:, None], x, n_neighbors=3, random_state=0)[0]
    return mutual_info_regression(x[:, None], y, n_neighbors=3, random_state=0)[0]


def _default_se(x, y, kind):
    """The default's reported standard error of the estimate (nats)."""
    if kind == "dc":
        return HistogramMI(discrete_target=True).fit(y[:, None], x).standard_errors_[0]
    return HistogramMI(discrete_target=False).fit(x[:, None], y).standard_errors_[0]


ESTIMATORS = {
    "skmi default": _skmi(),
    "adaptive, no corr.": _skmi(n_bins="adaptive", correction=None),
    "adaptive, MM": _skmi(n_bins="adaptive", correction="miller-madow"),
    "adaptive, chance": _skmi(n_bins="adaptive", correction="chance"),
    "16 bins, MM": _skmi(n_bins=16, correction="miller-madow"),
    "KSG (sklearn)": _ksg,
}
DEFAULT, PREVIOUS, KSG = "skmi default", "adaptive, MM", "KSG (sklearn)"


# ---------------------------------------------------------------- running


def run(reps):
    """Estimates and times, ``{(family, n): {estimator: (values, seconds)}}``."""
    # Compile skmi's kernels outside the timings, for both integer types of the count
    # tables (uint16 below 2^16 samples, int32 above): compiling the second inside the
    # first timed call at N=1e5 read as 20 ms a call instead of 5.
    for n in (200, 2**16 + 1):
        for estimate in ESTIMATORS.values():
            estimate(*_bernoulli_uniform(np.random.default_rng(0), n), "dc")
            estimate(*_independent_gaussian(np.random.default_rng(0), n), "cc")
    results = {}
    for i, (family, (sample, kind, _)) in enumerate(FAMILIES.items()):
        for n in SIZES:
            rng = np.random.default_rng([i, n])
            values = {name: np.empty(reps[n]) for name in ESTIMATORS}
            seconds = {name: np.empty(reps[n]) for name in ESTIMATORS}
            errors = np.empty(reps[n])
            for r in range(reps[n]):
                x, y = sample(rng, n)
                for name, estimate in ESTIMATORS.items():
                    start = time.perf_counter()
                    values[name][r] = estimate(x, y, kind)
                    seconds[name][r] = time.perf_counter() - start
                errors[r] = _default_se(x, y, kind)
            results[family, n] = {name: (values[name], seconds[name]) for name in ESTIMATORS}
            results[family, n]["reported SE"] = errors
            print(f"  {family:<20} N={n:<7,} done", file=sys.stderr, flush=True)
    return results


def summarize(results):
    """Bias, RMSE, MAE, mean estimate, its standard error and mean seconds per call."""
    summary = {}
    for (family, n), by_estimator in results.items():
        truth = FAMILIES[family][2]
        summary[family, n, "reported SE"] = by_estimator["reported SE"].mean()
        for name in ESTIMATORS:
            values, seconds = by_estimator[name]
            error = values - truth
            summary[family, n, name] = {
                "bias": error.mean(),
                "rmse": np.sqrt((error**2).mean()),
                "mae": np.abs(error).mean(),
                "mean": values.mean(),
                "se": values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else np.nan,
                "ms": 1e3 * seconds.mean(),
            }
    return summary


def overall_mae(summary, n, name):
    return np.mean([summary[family, n, name]["mae"] for family in DEPENDENT])


# ---------------------------------------------------------------- reporting


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(summary, reps):
    names = list(ESTIMATORS)
    parts = ["### Overall: MAE averaged over the dependence families (nats), ratio to KSG"]
    rows = []
    for name in names:
        row = [name]
        for n in SIZES:
            mae = overall_mae(summary, n, name)
            row.append(f"{mae:.4f} ({mae / overall_mae(summary, n, KSG):.2f}x)")
        rows.append(row)
    parts.append(_table(["estimator", *(f"N={n:,}" for n in SIZES)], rows))

    parts.append("### Mean time per call (ms), averaged over all families")
    rows = [
        [name, *(f"{np.mean([summary[f, n, name]['ms'] for f in FAMILIES]):.2f}" for n in SIZES)]
        for name in names
    ]
    parts.append(_table(["estimator", *(f"N={n:,}" for n in SIZES)], rows))

    parts.append("### Independence: mean estimate ± standard error (nats; truth 0)")
    rows = [
        [f"{family}, N={n:,}"]
        + [
            f"{summary[family, n, m]['mean']:+.4f} ± {summary[family, n, m]['se']:.4f}"
            for m in names
        ]
        for family in INDEPENDENT
        for n in SIZES
    ]
    parts.append(_table(["family", *names], rows))

    parts.append("### MAE per family (nats): skmi default (partition trees), adaptive merges, KSG")
    rows = [
        [family, f"{FAMILIES[family][2]:.4f}"]
        + [
            f"{summary[family, n, name]['mae']:.4f}"
            for n in SIZES
            for name in (DEFAULT, PREVIOUS, KSG)
        ]
        for family in FAMILIES
    ]
    header = ["family", "truth"] + [
        f"{label} {n:.0e}".replace("+0", "")
        for n in SIZES
        for label in ("default", "adaptive", "KSG")
    ]
    parts.append(_table(header, rows))

    parts.append(
        "### The default's standard error: mean reported (delta method on its leaves) / "
        "spread of its estimates over the replicates (nats)"
    )
    rows = [
        [family]
        + [
            f"{summary[family, n, 'reported SE']:.4f} / "
            f"{summary[family, n, DEFAULT]['se'] * np.sqrt(reps[n]):.4f}"
            if reps[n] > 1
            else "-"
            for n in SIZES
        ]
        for family in FAMILIES
    ]
    parts.append(_table(["family", *(f"N={n:,}" for n in SIZES)], rows))

    for n in SIZES:
        parts.append(
            f"### N = {n:,} ({reps[n]} replicates): bias / RMSE / MAE (nats) and ms per call"
        )
        rows = []
        for family in FAMILIES:
            row = [family, f"{FAMILIES[family][2]:.4f}"]
            for name in names:
                s = summary[family, n, name]
                row.append(
                    f"{s['bias']:+.4f} / {s['rmse']:.4f} / {s['mae']:.4f} ({s['ms']:.1f} ms)"
                )
            rows.append(row)
        parts.append(_table(["family", "truth", *names], rows))
    return "\n\n".join(parts) + "\n"


def machine_line(reps):
    versions = ", ".join(
        f"{module.__name__} {module.__version__}"
        for module in (skmi, sklearn, np, scipy, matplotlib)
    )
    processor = platform.processor() or platform.machine()
    return (
        f"{datetime.date.today().isoformat()}; {processor}, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}, {versions}; replicates "
        + ", ".join(f"{reps[n]} at N={n:,}" for n in SIZES)
    )


def figure(summary, path):
    fig, axes = plt.subplots(1, len(SIZES), figsize=(20, 5), sharey=True)
    positions = np.arange(len(FAMILIES))
    for ax, n in zip(axes, SIZES, strict=True):
        for offset, name in ((-0.2, DEFAULT), (0.2, KSG)):
            mae = [summary[family, n, name]["mae"] for family in FAMILIES]
            ax.bar(positions + offset, mae, width=0.4, label=name)
        ax.set_yscale("log")
        ax.set_xticks(positions, list(FAMILIES), rotation=75, ha="right", fontsize=8)
        ax.set_xlabel("family of known MI")
        ax.set_title(f"N = {n:,}")
        ax.grid(axis="y", which="both", alpha=0.3)
        # One y-axis shared by the panels: label each, since the later ones hide its ticks.
        ax.set_ylabel("MAE (nats); independence: mean |estimate|")
    axes[0].legend()
    fig.suptitle("Histogram MI (skmi defaults) vs KSG: mean absolute error per family")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for n in SIZES:
        parser.add_argument(
            f"--reps-{n:.0e}".replace("+0", ""),
            dest=f"reps_{n}",
            type=int,
            default=None,
            help=f"replicates at N={n:,} (default {DEFAULT_REPS[n]})",
        )
    parser.add_argument("--quick", action="store_true", help="a few replicates: a smoke test")
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)

    base = QUICK_REPS if args.quick else DEFAULT_REPS
    reps = {
        n: base[n] if getattr(args, f"reps_{n}") is None else getattr(args, f"reps_{n}")
        for n in SIZES
    }
    start = time.perf_counter()
    summary = summarize(run(reps))
    header = machine_line(reps)
    report = f"# skmi accuracy benchmark\n\n{header}\n\n{markdown(summary, reps)}"
    print(report)

    args.output_dir.mkdir(parents=True, exist_ok=True)
    stem = "accuracy_quick" if args.quick else "accuracy"
    (args.output_dir / f"{stem}.md").write_text(report)
    figure(summary, args.output_dir / f"{stem}.png")
    print(f"total {time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
