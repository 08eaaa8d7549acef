"""Every output of every public entry point on a varied set of inputs, saved to compare two
versions of skmi bit for bit (a restructuring must not move any result).

    python benchmarks/outputs.py capture before.npz     # on the old version
    python benchmarks/outputs.py capture after.npz      # on the new one
    python benchmarks/outputs.py compare before.npz after.npz

``compare`` lists every output that differs, with its largest absolute and relative
difference and where it differs (the entries of a 1-D output, the columns of a 2-D one: the
features, for per-feature outputs and codes), and exits 1 if any does (or if one version has
outputs the other lacks).
"""

import sys

import numpy as np

from skmi import (
    EntropyBinner,
    HistogramMI,
    MISelector,
    PairwiseHistogramMI,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)


def _datasets():
    """Inputs that reach every path: ties, heavy tails, float32, categories, the second
    adaptive pass, subsampled edges, int32 tables past 2^16 rows, sparse test tables, missing
    values."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3000, 6))
    X = np.c_[
        z[:, 0],
        z[:, 0] + 0.3 * z[:, 1],
        np.round(z[:, 2] * 2),  # ties
        rng.standard_cauchy(3000),  # heavy tails
        np.exp(3 * z[:, 4]),  # lognormal
        np.full(3000, 2.5),  # constant
    ]
    y = z[:, 0] + 0.5 * z[:, 1] + 0.2 * rng.normal(size=3000)
    labels = np.array(["a", "b", "c"])[(z[:, 0] > 0).astype(int) + (z[:, 1] > 1)]
    yield "base", X, y, labels
    yield "float32", X[:, :5].astype(np.float32), y.astype(np.float32), labels
    small = rng.normal(size=(60, 3))
    yield "small", small, small[:, 0] + rng.normal(size=60), labels[:60]
    big = rng.normal(size=(70_000, 4))
    big[:, 1] = big[:, 0] + 0.05 * big[:, 1]  # strong: the second adaptive pass
    holes = X.copy()
    holes[rng.random(3000) < 0.1, 1] = np.nan
    holes[rng.random(3000) < 0.3, 3] = np.nan
    yield "missing", holes, y, labels
    yield "big", big, big[:, 0] + big[:, 2], np.where(big[:, 3] > 0, 1, 0)


def _mi_outputs(name, X, y, labels):
    out = {}
    discrete = np.zeros(X.shape[1], dtype=bool)
    discrete[2 % X.shape[1]] = True
    for n_bins in ["adaptive", 8, "fd", "sturges", "knuth", np.arange(3, 3 + X.shape[1])]:
        for strategy in ["quantile", "uniform"]:
            if isinstance(n_bins, str) and n_bins == "adaptive" and strategy == "uniform":
                key = f"{name}/adaptive-uniform"
            else:
                key = f"{name}/{n_bins if np.ndim(n_bins) == 0 else 'per-feature'}-{strategy}"
            for correction in [None, "miller-madow", "chance"]:
                params = dict(n_bins=n_bins, strategy=strategy, correction=correction)
                out[f"{key}/{correction}/reg"] = histogram_mi_regression(X, y, **params)
                out[f"{key}/{correction}/classif"] = histogram_mi_classif(X, labels, **params)
            params = dict(n_bins=n_bins, strategy=strategy)
            out[f"{key}/discrete-features"] = histogram_mi_regression(
                X, y, discrete_features=discrete, **params
            )
            for normalize in ["arithmetic", "geometric", "min", "max", "correlation"]:
                out[f"{key}/{normalize}"] = histogram_mi_classif(
                    X, labels, normalize=normalize, **params
                )
    out[f"{name}/subsample"] = histogram_mi_regression(X, y, subsample=50, random_state=3)
    out[f"{name}/bits"] = histogram_mi_regression(X, y, base=2)
    for target, kind in [(y, "reg"), (labels, "classif")]:
        for n_bins in ["adaptive", 6]:
            for n_permutations in [0, 49]:
                est = HistogramMI(n_bins, n_permutations=n_permutations, random_state=1)
                est.fit(X, target)
                key = f"{name}/HistogramMI/{kind}/{n_bins}/{n_permutations}"
                for attr in (
                    "scores_",
                    "pvalues_",
                    "standard_errors_",
                    "entropy_",
                    "target_entropy_",
                    "n_bins_",
                    "target_n_bins_",
                ):
                    out[f"{key}/{attr}"] = getattr(est, attr)
                out.update(_edges(key, est.bin_edges_))
        selector = MISelector(k=2).fit(X, target)
        out[f"{name}/MISelector/{kind}/ranking_"] = selector.ranking_
        out[f"{name}/MISelector/{kind}/support"] = selector.get_support()
    return out


def _edges(key, bin_edges):
    """Each feature's edges under a key of its own, so that ``compare`` names the features
    whose bins moved."""
    return {f"{key}/bin_edges_/{j}": edges for j, edges in enumerate(bin_edges)}


def _binning_outputs(name, X):
    out = {}
    for n_bins in ["hacine-gharbi", 5, "doane", "auto", "scott", "rice", "sqrt", "balanced"]:
        for strategy in ["quantile", "uniform"]:
            key = f"{name}/binner/{n_bins}-{strategy}"
            for correction in [None, "miller-madow"]:
                binner = EntropyBinner(n_bins, strategy=strategy, correction=correction).fit(X)
                out[f"{key}/{correction}/entropy_"] = binner.entropy_
                out[f"{key}/{correction}/function"] = histogram_entropy(
                    X, n_bins=n_bins, strategy=strategy, correction=correction
                )
            out[f"{key}/codes"] = binner.transform(X)
            out[f"{key}/n_bins_"] = binner.n_bins_
            out.update(_edges(key, binner.bin_edges_))
            out[f"{key}/inverse"] = binner.inverse_transform(binner.transform(X))
    onehot = EntropyBinner(4, encode="onehot-dense").fit(X)
    out[f"{name}/binner/onehot"] = onehot.transform(X)
    return out


def _pairwise_outputs(name, X):
    out = {}
    keep = X[:, np.ptp(X, axis=0) > 0]
    for n_bins in ["balanced", 6, "sturges"]:
        for correction in [None, "miller-madow", "chance"]:
            key = f"{name}/pairwise/{n_bins}/{correction}"
            out[key] = pairwise_histogram_mi(X, n_bins=n_bins, correction=correction)
            out[f"{key}/XY"] = pairwise_histogram_mi(
                keep[:, :2], keep[:, 1:], n_bins=n_bins, correction=correction
            )
        for normalize in ["arithmetic", "correlation"]:
            out[f"{name}/pairwise/{n_bins}/{normalize}"] = pairwise_histogram_mi(
                X, n_bins=n_bins, normalize=normalize, strategy="uniform"
            )
    out[f"{name}/pairwise/per-feature"] = pairwise_histogram_mi(
        X, n_bins=np.arange(3, 3 + X.shape[1])
    )
    return out


def _batch_outputs(name, X, y, labels):
    """``partial_fit`` over three batches, and (with dask installed) fit on dask chunks."""
    out = {}
    parts = np.array_split(np.arange(X.shape[0]), 3)
    estimators = {
        "mi-adaptive": lambda: HistogramMI(n_permutations=0),
        "mi-6": lambda: HistogramMI(6, n_permutations=0),
        "binner": lambda: EntropyBinner(5),
        "pairwise": lambda: PairwiseHistogramMI(6),
    }
    for key, make in estimators.items():
        supervised = key.startswith("mi")
        for kind, target in [("reg", y), ("classif", labels)] if supervised else [("", None)]:
            est = make()
            for rows in parts:
                args = (X[rows], target[rows]) if supervised else (X[rows],)
                est.partial_fit(*args)
            for attr in ("scores_", "pvalues_", "entropy_", "n_bins_", "correlation_"):
                if hasattr(est, attr):
                    out[f"{name}/partial_fit/{key}{kind}/{attr}"] = np.asarray(getattr(est, attr))
            out.update(_edges(f"{name}/partial_fit/{key}{kind}", est.bin_edges_))
    try:
        import dask.array as da
    except ImportError:
        return out
    Xd = da.from_array(X, chunks=(X.shape[0] // 4 + 1, -1))
    for key, make in estimators.items():
        supervised = key.startswith("mi")
        est = make().fit(Xd, y) if supervised else make().fit(Xd)
        for attr in ("scores_", "pvalues_", "entropy_", "n_bins_"):
            if hasattr(est, attr):
                out[f"{name}/dask/{key}/{attr}"] = np.asarray(getattr(est, attr))
    out[f"{name}/dask/regression"] = histogram_mi_regression(Xd, y)
    out[f"{name}/dask/entropy"] = histogram_entropy(Xd)
    return out


def capture(path):
    out = {}
    for name, X, y, labels in _datasets():
        out.update(_mi_outputs(name, X, y, labels))
        out.update(_binning_outputs(name, X))
        out.update(_pairwise_outputs(name, X))
        out.update(_batch_outputs(name, X, y, labels))
        for n_jobs in [1, 2]:
            out[f"{name}/n_jobs={n_jobs}"] = histogram_mi_regression(X, y, n_jobs=n_jobs)
    np.savez_compressed(path, **out)
    print(f"{len(out)} outputs written to {path}")


def compare(path_a, path_b):
    a, b = np.load(path_a), np.load(path_b)
    missing = sorted(set(a.files) ^ set(b.files))
    differ = 0
    for key in sorted(set(a.files) & set(b.files)):
        if a[key].shape != b[key].shape or not np.array_equal(a[key], b[key], equal_nan=True):
            differ += 1
            if a[key].shape != b[key].shape:
                print(f"{key}: shape {a[key].shape} -> {b[key].shape}")
                continue
            diff = np.abs(a[key].astype(float) - b[key].astype(float))
            scale = np.maximum(np.abs(a[key].astype(float)), 1e-300)
            # Features (the entries of a 1-D output, the columns of a 2-D one) that moved.
            moved = diff.reshape(-1, diff.shape[-1]).max(axis=0) if diff.ndim else diff
            where = np.flatnonzero(np.atleast_1d(moved != 0) | np.atleast_1d(np.isnan(moved)))
            print(
                f"{key}: max |diff| {np.nanmax(diff):.3g}, max relative "
                f"{np.nanmax(diff / scale):.3g}, at {where.tolist()}"
            )
    for key in missing:
        print(f"{key}: only in {path_a if key in a.files else path_b}")
    same = len(set(a.files) & set(b.files)) - differ
    print(f"{same} outputs identical, {differ} differ, {len(missing)} in one file only")
    return 1 if differ or missing else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["capture"] and len(sys.argv) == 3:
        capture(sys.argv[2])
    elif sys.argv[1:2] == ["compare"] and len(sys.argv) == 4:
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
