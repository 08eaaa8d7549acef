"""Split-half stability of MI rankings on real data, where no ground truth exists.

For each dataset that ships with scikit-learn, the samples are split at random into two
disjoint halves; features are scored against the target on each half, and the Spearman
correlation between the two halves' scores says how reproducible the ranking is. The same
splits serve skmi's defaults (partition trees), its adaptive merges (the default before
them) and scikit-learn's KSG (``mutual_info_regression`` / ``mutual_info_classif``,
n_neighbors=3). Pairwise rankings (all pairs of features, the activation-analysis
workload) are compared the same way: ``pairwise_histogram_mi``'s default
(``"fourth-root"`` bins), partition trees and adaptive merges pair by pair, and KSG on
every pair.

Usage::

    python benchmarks/stability.py [--splits 20]

Prints a markdown table and writes it to ``benchmarks/results/stability.md``.
"""

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn import datasets
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

import skmi
from skmi import histogram_mi_classif, histogram_mi_regression, pairwise_histogram_mi

RESULTS = Path(__file__).parent / "results" / "stability.md"

DATASETS = {
    "diabetes (442 x 10, regression)": (datasets.load_diabetes, False),
    "breast_cancer (569 x 30, classes)": (datasets.load_breast_cancer, True),
    "wine (178 x 13, classes)": (datasets.load_wine, True),
    "digits (1797 x 64, classes)": (datasets.load_digits, True),
}


COLUMNS = ("skmi", "partition", "adaptive", "KSG")


def target_scores(X, y, discrete):
    """Features against the target: the default (partition trees) twice, as the table has
    one column for the default and one for the trees, adaptive merges, KSG."""
    score = histogram_mi_classif if discrete else histogram_mi_regression
    ksg = (mutual_info_classif if discrete else mutual_info_regression)(X, y, random_state=0)
    default = score(X, y)
    return default, default, score(X, y, n_bins="adaptive"), ksg


def pair_scores(X):
    """Upper-triangle pair scores: skmi's pairwise matrix; partition trees, adaptive merges
    and KSG on every pair (each column against the columns after it)."""
    upper = np.triu_indices(X.shape[1], 1)
    per_pair = {name: np.zeros((X.shape[1], X.shape[1])) for name in COLUMNS[1:]}
    for j in range(X.shape[1] - 1):
        rest, column = X[:, j + 1 :], X[:, j]
        for n_bins in ("partition", "adaptive"):
            per_pair[n_bins][j, j + 1 :] = histogram_mi_regression(rest, column, n_bins=n_bins)
        per_pair["KSG"][j, j + 1 :] = mutual_info_regression(rest, column, random_state=0)
    return pairwise_histogram_mi(X)[upper], *(per_pair[name][upper] for name in COLUMNS[1:])


def split_half(X, y, discrete, splits, rng, score):
    agreement = {name: [] for name in COLUMNS}
    for _ in range(splits):
        order = rng.permutation(X.shape[0])
        first, second = order[: X.shape[0] // 2], order[X.shape[0] // 2 :]
        a = score(X[first], y[first], discrete) if y is not None else score(X[first])
        b = score(X[second], y[second], discrete) if y is not None else score(X[second])
        for name, left, right in zip(COLUMNS, a, b, strict=True):
            agreement[name].append(spearmanr(left, right).statistic)
    return {name: (np.mean(v), np.std(v) / np.sqrt(len(v))) for name, v in agreement.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=20)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    for name, (load, discrete) in DATASETS.items():
        X, y = load(return_X_y=True)
        X = X[:, np.ptp(X, axis=0) > 0]  # digits has blank pixels: no ranking to compare
        result = split_half(X, y, discrete, args.splits, rng, target_scores)
        rows.append((f"{name}: features vs target", result))
        if X.shape[1] <= 30:
            result = split_half(X, None, None, args.splits, rng, pair_scores)
            rows.append((f"{name}: all feature pairs", result))
    lines = [
        f"Measured {date.today()}, skmi {skmi.__version__}, {args.splits} random half splits; "
        "Spearman correlation of the two halves' scores, mean ± SE.",
        "",
        "| ranking | skmi defaults | partition trees | adaptive merges | scikit-learn KSG |",
        "|---|---|---|---|---|",
    ]
    for label, result in rows:
        cells = [f"{result[k][0]:.3f} ± {result[k][1]:.3f}" for k in COLUMNS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("# Split-half stability\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
