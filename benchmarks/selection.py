"""Feature selection by MISelector's methods beside scikit-learn's and other libraries'.

Usage::

    python benchmarks/selection.py            # every dataset, k = 5
    python benchmarks/selection.py --anchors  # also feature-engine's MRMR, mrmr-selection and
                                              # fast-select (pip install "skmi[bench]")
    python benchmarks/selection.py --times    # also one-thread fit times on larger data
    python benchmarks/selection.py --k 5 10 --datasets wine digits --selectors cmim \
        --output /tmp/sel.md                  # a part (case-blind substrings of the names)

For each dataset and k: the accuracy, fold by fold, of a logistic regression (on standardised
features) and of ``HistGradientBoostingClassifier`` on the features each selector keeps,
the selector refitted on the training rows of each of 15 folds (stratified 5-fold,
repeated 3 times with other shuffles; the same folds for every selector, so that two
selectors can be compared fold by fold). On the ``make_classification`` data, whose columns
are known (0-4 informative, 5-9 their combinations, 10-19 copies, 20-39 noise), also how many
of the 5 informative directions the k columns span and the largest |r| between two of them;
on the interaction data, in how many folds both halves of the interaction were kept.
Writes markdown tables to ``benchmarks/results/selection.md`` (``--output``).
"""

import argparse
import os
import platform
import time
from contextlib import contextmanager
from datetime import date
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_selection import SelectKBest, SelectorMixin, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, StandardScaler
from threadpoolctl import threadpool_limits

from skmi import MISelector
from skmi._scoring._greedy import CRITERIA

RESULTS = Path(__file__).parent / "results" / "selection.md"
MODELS = {
    "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
    "HGB": HistGradientBoostingClassifier(random_state=0),
}
# The pair compared on its own: the same criterion, I(X_k; Y) / mean_j I(X_k; X_j), in both.
QUOTIENTS = ("skmi mrmr-quotient", "fast-select mRMR (MIQ)")
# A fit time past this many seconds is not measured (feature-engine's MRMR would take hours).
LIMIT_S = 60


def interaction(n=2000, d=30):
    """y from x0 * x1 (seen only together: XOR) and x2 squared, with five near-copies of x2
    (columns 3-7) that a selector blind to redundancy fills its k with."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    X[:, 3:8] = X[:, [2]] + 0.1 * rng.normal(size=(n, 5))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] ** 2 > 1).astype(int)
    return X, y


def datasets():
    for seed in (0, 1, 2):
        X, y = make_classification(
            3000,
            40,
            n_informative=5,
            n_redundant=5,
            n_repeated=10,
            shuffle=False,
            class_sep=0.8,
            random_state=seed,
        )
        yield f"make_classification 3000 x 40, seed {seed}", X, y
    for name, load in [
        ("breast cancer", load_breast_cancer),
        ("digits", load_digits),
        ("wine", load_wine),
    ]:
        yield name, *load(return_X_y=True)
    yield "interaction 2000 x 30", *interaction()


class MrmrSelection(SelectorMixin, BaseEstimator):
    """mrmr-selection's ``mrmr_classif`` (a function) as a selector, for cross-validation."""

    def __init__(self, k=5):
        self.k = k

    def fit(self, X, y):
        import pandas as pd
        from mrmr import mrmr_classif

        picked = mrmr_classif(
            pd.DataFrame(X), pd.Series(y), K=self.k, n_jobs=1, show_progress=False
        )
        self.support_ = np.isin(np.arange(X.shape[1]), picked)
        return self

    def _get_support_mask(self):
        return self.support_


class TopFeatures(SelectorMixin, BaseEstimator):
    """A fast-select estimator that ends with ``top_features_`` (mRMR, ReliefF) as a
    selector, for cross-validation. ``bins``: quantile bins, fitted on the rows given, that
    X is coded into first (fast-select's mRMR counts distinct values, so asks for discrete
    input); the models still see X itself."""

    def __init__(self, estimator, bins=None):
        self.estimator = estimator
        self.bins = bins

    def fit(self, X, y):
        if self.bins is not None:
            coder = KBinsDiscretizer(n_bins=self.bins, encode="ordinal", strategy="quantile")
            X = coder.fit_transform(X)
        picked = clone(self.estimator).fit(X, y).top_features_
        self.support_ = np.isin(np.arange(X.shape[1]), picked)
        return self

    def _get_support_mask(self):
        return self.support_


def skmi_selectors():
    """(label, factory of k) for every method of MISelector, and for the pair search and
    k="auto" on two of them: the list to extend as MISelector grows."""
    entries = [
        (f"skmi {method}", lambda k, method=method: MISelector(k=k, method=method))
        for method in ["univariate", *CRITERIA]
    ]
    return [
        *entries,
        ("skmi jmi interactions", lambda k: MISelector(k=k, method="jmi", interactions=True)),
        ("skmi mrmr interactions", lambda k: MISelector(k=k, method="mrmr", interactions=True)),
        ("skmi cmim k=auto", lambda k: MISelector(k="auto", method="cmim")),
        ("skmi mrmr k=auto", lambda k: MISelector(k="auto", method="mrmr")),
    ]


def mutual_info(X, y):
    """scikit-learn's KSG estimate, seeded (a named function: the fit times pickle it)."""
    return mutual_info_classif(X, y, random_state=0)


def installed(module):
    """Whether ``module`` imports; a note where it does not (fast-select needs numba, which
    is not built for every Python)."""
    try:
        import_module(module)
    except ImportError as error:
        print(f"skipping {module}: {error}", flush=True)
        return False
    return True


def peers(anchors):
    """(label, factory of k) for the other libraries' selectors; with ``anchors``, those of
    feature-engine, mrmr-selection and fast-select that are installed."""
    entries = [("SelectKBest(mutual_info_classif)", lambda k: SelectKBest(mutual_info, k=k))]
    if anchors and installed("feature_engine"):
        from feature_engine.selection import MRMR

        entries.append(
            (
                "feature-engine MRMR (MIQ)",
                lambda k: MRMR(method="MIQ", max_features=k, regression=False),
            )
        )
    if anchors and installed("mrmr"):
        entries.append(("mrmr-selection (F/Pearson)", MrmrSelection))
    if anchors and installed("fast_select"):
        from fast_select import CFS, ReliefF, mRMR

        # backend="cpu": "auto" would take a GPU where there is one; n_jobs=1: one thread.
        entries += [
            (
                "fast-select mRMR (MID)",
                lambda k: TopFeatures(mRMR(k, method="MID", backend="cpu"), bins=10),
            ),
            (QUOTIENTS[1], lambda k: TopFeatures(mRMR(k, method="MIQ", backend="cpu"), bins=10)),
            ("fast-select CFS", lambda k: CFS(backend="cpu", n_jobs=1)),
            ("fast-select ReliefF", lambda k: TopFeatures(ReliefF(k, backend="cpu", n_jobs=1))),
        ]
    return entries


def chooses_size(factory):
    """Whether the selector ignores k (CFS, k="auto"): run once per dataset, its k "own"."""
    return repr(factory(1)) == repr(factory(2))


def cross_validate(selector, X, y, splits):
    """Accuracy of each model in each fold on the columns ``selector`` (None: all), refitted
    on the fold's training rows, keeps; and the support of each fold."""
    scores = {name: [] for name in MODELS}
    supports = []
    for train, test in splits:
        support = np.ones(X.shape[1], dtype=bool)
        if selector is not None:
            support = np.asarray(clone(selector).fit(X[train], y[train]).get_support())
        supports.append(support)
        for name, model in MODELS.items():
            fitted = clone(model).fit(X[np.ix_(train, support)], y[train])
            scores[name].append(fitted.score(X[np.ix_(test, support)], y[test]))
    return {name: np.array(s) for name, s in scores.items()}, np.array(supports)


def directions(X, columns):
    """Informative directions (of columns 0-4) that the columns span, and their largest |r|."""
    coef, *_ = np.linalg.lstsq(X[:, :5], X[:, columns], rcond=None)
    fitted = X[:, :5] @ coef
    explained = np.isclose(fitted, X[:, columns], atol=1e-8).all(axis=0)
    span = np.linalg.matrix_rank(coef[:, explained], tol=1e-6) if explained.any() else 0
    r = np.corrcoef(X[:, columns], rowvar=False).reshape(len(columns), -1)  # one: a scalar
    return int(span), float(np.abs(r[np.triu_indices(len(columns), 1)]).max(initial=0.0))


def evaluate(name, X, y, k, label, selector, splits):
    start = time.perf_counter()
    scores, supports = cross_validate(selector, X, y, splits)
    row = {"data": name, "k": k, "selector": label, "scores": scores}
    row["features"] = supports.sum(axis=1).mean()
    if name.startswith("make_classification") and selector is not None:
        columns = np.flatnonzero(clone(selector).fit(X, y).get_support())
        row["span"], row["max_r"] = directions(X, columns)
    if name.startswith("interaction"):
        row["pair"] = int(supports[:, :2].all(axis=1).sum())
    means = " ".join(f"{m} {s.mean():.3f}" for m, s in scores.items())
    print(f"{name} | {k} | {label} | {means} | {time.perf_counter() - start:.1f} s", flush=True)
    return row


def matches(name, parts):
    """Whether ``name`` contains one of ``parts`` (None: every name), ignoring case."""
    return parts is None or any(part.lower() in name.lower() for part in parts)


def run(ks, entries, names):
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)
    rows = []
    for name, X, y in datasets():
        if not matches(name, names):
            continue
        splits = list(cv.split(X, y))
        for k in ks:
            for label, factory in entries:
                own = chooses_size(factory)
                if own and k != ks[0]:
                    continue
                rows.append(evaluate(name, X, y, "own" if own else k, label, factory(k), splits))
        rows.append(evaluate(name, X, y, "all", "all features", None, splits))
    return rows


def mean_se(values):
    """Mean and its standard error over the folds (which share rows, so the error is low)."""
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


def cell(values, sign=""):
    mean, se = mean_se(values)
    return f"{mean:{sign}.3f} ± {se:.3f}"


def table(rows):
    lines = [
        "| data | k | selector | features | logistic | HGB | directions | max r | x0, x1 kept |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        span = f"{row['span']}/5" if "span" in row else ""
        max_r = f"{row['max_r']:.2f}" if "max_r" in row else ""
        pair = f"{row['pair']}/15" if "pair" in row else ""
        scores = " | ".join(cell(s) for s in row["scores"].values())
        lines.append(
            f"| {row['data']} | {row['k']} | {row['selector']} | {row['features']:.1f} | "
            f"{scores} | {span} | {max_r} | {pair} |"
        )
    return "\n".join(lines)


def best(rows, model):
    return max(rows, key=lambda row: row["scores"][model].mean())


def comparisons(rows, ks):
    """Per dataset, k and model: the best skmi selector against the best other one at that
    k (and, apart, those that choose their own number of features), and skmi's quotient
    mRMR against fast-select's, by the mean of their differences fold by fold (which
    cancels the folds' own difficulty)."""
    lines = [
        "| data | k | model | best skmi | best peer | skmi - peer | "
        f"{QUOTIENTS[0]} - {QUOTIENTS[1]} |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(row["data"] for row in rows):
        for k in [*ks, "own"]:
            chosen = [r for r in rows if r["data"] == name and r["k"] == k]
            ours = [r for r in chosen if r["selector"].startswith("skmi ")]
            theirs = [r for r in chosen if not r["selector"].startswith("skmi ")]
            if not (ours and theirs):  # a run of a part
                continue
            by_label = {r["selector"]: r for r in chosen}
            for model in MODELS:
                a, b = best(ours, model), best(theirs, model)
                quotient = ""
                if all(label in by_label for label in QUOTIENTS):
                    q, f = (by_label[label]["scores"][model] for label in QUOTIENTS)
                    quotient = cell(q - f, "+")
                lines.append(
                    f"| {name} | {k} | {model} | {a['selector']} ({a['scores'][model].mean():.3f})"
                    f" | {b['selector']} ({b['scores'][model].mean():.3f}) | "
                    f"{cell(a['scores'][model] - b['scores'][model], '+')} | {quotient} |"
                )
    return "\n".join(lines)


@contextmanager
def one_thread():
    """BLAS, OpenMP and numba (whose threads fast-select's mRMR takes) on one thread."""
    with threadpool_limits(1):
        try:
            import numba
        except ImportError:
            yield
            return
        before = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            yield
        finally:
            numba.set_num_threads(before)


def timed_fits(selector, X, y, repeat, connection):
    """Send that the process has started, then the time of each of ``repeat + 1`` fits."""
    connection.send(None)
    with one_thread():
        for _ in range(repeat + 1):
            start = time.perf_counter()
            clone(selector).fit(X, y)
            connection.send(time.perf_counter() - start)


def fit_time(selector, X, y, repeat=3):
    """Median of ``repeat`` fits after a warm-up, in a fresh process, which is stopped
    where the warm-up takes over LIMIT_S (numba's kernels cannot be interrupted from
    Python): then None."""
    context = get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=timed_fits, args=(selector, X, y, repeat, sender))
    process.start()
    sender.close()
    try:
        receiver.recv()
        if not receiver.poll(LIMIT_S):
            return None
        times = [receiver.recv() for _ in range(repeat + 1)]
    finally:
        process.kill()
        process.join()
    return float(np.median(times[1:]))


def fit_times(entries, k=10):
    shapes = [(10_000, 400), (100_000, 50)]
    lines = [
        "| selector | " + " | ".join(f"{n:,} x {d} (s)" for n, d in shapes) + " |",
        "|---|" + "---|" * len(shapes),
    ]
    data = [
        make_classification(n, d, n_informative=10, n_redundant=10, random_state=0)
        for n, d in shapes
    ]
    for label, factory in entries:
        times = [fit_time(factory(k), X, y) for X, y in data]
        cells = [f"{t:.3f}" if t is not None else f"skipped (> {LIMIT_S} s)" for t in times]
        print(label, cells, flush=True)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def versions(anchors):
    names = ["skmi", "scikit-learn"]
    if anchors:
        names += ["feature-engine", "mrmr-selection", "fast-select", "numba"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return ", ".join(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchors", action="store_true", help="other libraries' selectors")
    parser.add_argument("--times", action="store_true", help="one-thread fit times")
    parser.add_argument("--k", type=int, nargs="+", default=[5])
    parser.add_argument("--datasets", nargs="+", help="substrings of the datasets' names")
    parser.add_argument("--selectors", nargs="+", help="substrings of the selectors' names")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    entries = [
        (label, factory)
        for label, factory in skmi_selectors() + peers(args.anchors)
        if matches(label, args.selectors)
    ]
    rows = run(args.k, entries, args.datasets)
    text = (
        f"# Feature selection: accuracy and fit time\n\n"
        f"{date.today()}, {versions(args.anchors)}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores.\n\n"
        "Accuracy in 15 folds (stratified 5-fold CV repeated 3 times, the same folds for "
        "every selector), the selector refitted inside each fold: mean ± standard error over "
        "the folds (std / sqrt(15); the folds share rows, so it is optimistic). 'features': "
        "mean number kept ('own' k: the selector chooses it). 'directions': informative "
        "directions (of 5) the columns kept on all rows span; 'max r': largest |correlation| "
        "between two of them. 'x0, x1 kept': folds in which both halves of the interaction "
        "were kept.\n\n" + table(rows) + "\n\n"
        "## Paired differences\n\n"
        "Best (highest mean) skmi selector against the best other one, and the same criterion "
        "in two libraries: mean ± standard error of the fold-by-fold differences of accuracy."
        "\n\n" + comparisons(rows, args.k) + "\n"
    )
    if args.times:
        text += (
            "\n## Fit times\n\n"
            "One thread (threadpoolctl, numba and n_jobs), k = 10, on make_classification "
            "(10 informative, 10 redundant columns): the median of 3 fits after a warm-up, in "
            f"a fresh process; one whose warm-up passes {LIMIT_S} s is stopped.\n\n"
            + fit_times(entries)
            + "\n"
        )
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
