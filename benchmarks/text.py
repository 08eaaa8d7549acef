"""Text selection on sparse matrices: skmi beside chi2 and scikit-learn's MI, and the speed
and memory of a large sparse count matrix.

Usage::

    python benchmarks/text.py          # the corpus study and the 100,000 x 30,000 matrix
    python benchmarks/text.py --quick  # the corpus study on one repeat, a 20,000-row matrix

The corpus is available offline everywhere Python is: the docstrings of 20 modules of the
standard library, cut into paragraphs of at least 12 words, each labelled by its module.
Each fold fits the vectoriser (TF-IDF, or raw counts) on its training paragraphs, scores
every term once with each score function, keeps the k best, and fits a logistic regression;
accuracy is cross-validated (5 folds, repeated 3 times), and skmi's is paired with each
other method's fold by fold (mean difference and its standard error).

The speed matrix is synthetic: Zipfian term counts (exponent 1.1) over 30,000 terms in
100,000 documents, about 1.4e7 stored values, and a binary target. One thread, least CPU
time of 5: chi2's scores and p-values and skmi's (``HistogramMI().fit(X, y)`` and its
``pvalues_``), each on the CSR matrix and on its CSC copy, and ``mutual_info_classif`` on 300
columns, scaled to all of them; the extra memory of skmi's fit (its peak, traced) against
the matrix's own storage. Writes ``benchmarks/results/text.md``.
"""

import argparse
import importlib
import inspect
import platform
import time
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.feature_selection import chi2, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold
from threadpoolctl import threadpool_limits

import skmi
from skmi import HistogramMI, histogram_mi_classif

RESULTS = Path(__file__).parent / "results" / "text.md"
MODULES = [
    "argparse", "asyncio", "collections", "csv", "datetime", "decimal", "email", "functools",
    "http.client", "inspect", "itertools", "json", "logging", "os", "pathlib", "re",
    "subprocess", "threading", "typing", "unittest",
]  # fmt: skip
KS = [100, 300, 1000]


def corpus(min_words=12):
    """Paragraphs of the docstrings of ``MODULES`` (their own, their classes', functions'
    and methods'), each labelled by its module; a paragraph seen twice is kept once."""
    texts, labels, seen = [], [], set()
    for label, name in enumerate(MODULES):
        module = importlib.import_module(name)
        objects = [module] + [v for _, v in inspect.getmembers(module)]
        for obj in list(objects):
            if inspect.isclass(obj):
                objects += [v for _, v in vars(obj).items() if callable(v)]
        for obj in objects:
            if str(getattr(obj, "__module__", name)).partition(".")[0] != name.partition(".")[0]:
                continue
            for paragraph in (inspect.getdoc(obj) or "").split("\n\n"):
                text = " ".join(paragraph.split())
                if len(text.split()) >= min_words and text not in seen:
                    seen.add(text)
                    texts.append(text)
                    labels.append(label)
    return np.array(texts, dtype=object), np.array(labels)


def _skmi(X, y):
    return histogram_mi_classif(X, y)


def _skmi_discrete(X, y):
    return histogram_mi_classif(X, y, discrete_features=True)


def _mi(X, y):
    return mutual_info_classif(X, y, random_state=0)


def _chi2(X, y):
    return np.nan_to_num(chi2(X, y)[0])


SCORES = {"skmi": _skmi, "chi2": _chi2, "sklearn MI": _mi, "skmi discrete": _skmi_discrete}


def corpus_study(n_repeats):
    """Accuracy at each k of each method, over the folds, with the score functions' times."""
    texts, labels = corpus()
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=n_repeats, random_state=0)
    rows = []
    for vectorizer in (TfidfVectorizer(min_df=2), CountVectorizer(min_df=2)):
        accuracy = {(m, k): [] for m in [*SCORES, "none"] for k in KS}
        seconds = {m: [] for m in SCORES}
        for train, test in folds.split(texts, labels):
            X_train = vectorizer.fit_transform(texts[train])
            X_test = vectorizer.transform(texts[test])
            for method, score in [*SCORES.items(), ("none", None)]:
                if score is not None:
                    start = time.perf_counter()
                    scores = score(X_train, labels[train])
                    seconds[method].append(time.perf_counter() - start)
                    order = np.argsort(-scores, kind="stable")
                for k in KS:
                    keep = order[:k] if score is not None else slice(None)
                    model = LogisticRegression(max_iter=2000).fit(X_train[:, keep], labels[train])
                    accuracy[method, k].append(model.score(X_test[:, keep], labels[test]))
        rows.append((type(vectorizer).__name__, X_train.shape, accuracy, seconds))
    return texts.size, rows


def _paired(a, b):
    d = np.asarray(a) - np.asarray(b)
    return f"{d.mean():+.3f} ± {d.std(ddof=1) / np.sqrt(d.size):.3f}"


def zipf_counts(n_docs, n_terms, stored, seed=0):
    """Term counts of ``n_docs`` documents over ``n_terms`` terms of Zipfian frequency
    (exponent 1.1), about ``stored`` stored values, as CSR."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_terms + 1) ** 1.1
    lengths = rng.poisson(1.6 * stored / n_docs, n_docs)
    rows = np.repeat(np.arange(n_docs), lengths)
    terms = rng.choice(n_terms, size=rows.size, p=p / p.sum())
    X = sp.csr_matrix((np.ones(rows.size), (rows, terms)), shape=(n_docs, n_terms))
    X.sum_duplicates()
    return X


def _best(func, repeats=5):
    """The least CPU seconds of ``repeats`` calls (one thread: CPU time is wall time, less
    the other processes of a shared machine)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return min(times)


def _peak(func):
    """The peak memory ``func`` allocates, traced."""
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def speed_study(n_docs):
    """CPU seconds of chi2, skmi (on the CSR matrix and on its CSC copy) and scikit-learn's
    MI on the Zipfian matrix, one thread, and skmi's extra memory."""
    X = zipf_counts(n_docs, 30_000, 1.4e7 * n_docs / 100_000)
    columns = X.tocsc()
    y = np.random.default_rng(1).integers(0, 2, n_docs)

    def fit(matrix):
        return lambda: HistogramMI(n_jobs=1).fit(matrix, y).pvalues_

    with threadpool_limits(1):
        seconds = {
            "chi2 CSR": _best(lambda: chi2(X, y)),
            "chi2 CSC": _best(lambda: chi2(columns, y)),
            "skmi CSR": _best(fit(X)),
            "skmi CSC": _best(fit(columns)),
            "mi": _best(lambda: mutual_info_classif(columns[:, :300], y, random_state=0), 1) * 100,
        }
    peaks = {"CSR": _peak(fit(X)), "CSC": _peak(fit(columns))}
    return X, seconds, peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, 20,000 rows")
    args = parser.parse_args()
    X, seconds, peaks = speed_study(20_000 if args.quick else 100_000)
    n_texts, rows = corpus_study(1 if args.quick else 3)
    lines = [
        f"# Text selection on sparse matrices ({date.today()})",
        "",
        f"skmi {skmi.__version__}, scikit-learn {sklearn.__version__}, Python "
        f"{platform.python_version()}, {platform.machine()}. Command: "
        f"`python benchmarks/text.py{' --quick' if args.quick else ''}`.",
        "",
        f"## Standard-library docstrings: {n_texts} paragraphs, {len(MODULES)} modules",
        "",
        "Logistic regression on the k terms each score function keeps (fitted in each fold: "
        "skmi with its defaults, and with `discrete_features=True`, every stored value a "
        "category, as scikit-learn's MI takes a sparse matrix); accuracy, mean over the "
        "folds; skmi's paired difference with each, ± its standard "
        "error; the score function's seconds a fold (median).",
        "",
        "| matrix | k | skmi | chi2 | sklearn MI | skmi, every value a category | none "
        "| skmi - chi2 | skmi - sklearn MI |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, shape, accuracy, fold_seconds in rows:
        for k in KS:
            means = [np.mean(accuracy[m, k]) for m in [*SCORES, "none"]]
            lines.append(
                f"| {name} {shape[0]} x {shape[1]} | {k} | "
                + " | ".join(f"{v:.3f}" for v in means)
                + f" | {_paired(accuracy['skmi', k], accuracy['chi2', k])}"
                + f" | {_paired(accuracy['skmi', k], accuracy['sklearn MI', k])} |"
            )
        lines.append(
            f"| {name}: seconds a fold | | "
            + " | ".join(f"{np.median(fold_seconds[m]):.4f}" for m in SCORES)
            + " | | | |"
        )
    lines += [
        "",
        f"## Zipfian counts {X.shape[0]:,} x {X.shape[1]:,}, {X.nnz:,} stored values, "
        "binary target, one thread",
        "",
        "| X as | chi2 (scores, p-values) | skmi `HistogramMI().fit(X, y).pvalues_` | ratio |",
        "|---|---|---|---|",
    ]
    for form in ("CSR", "CSC"):
        chi, ours = seconds[f"chi2 {form}"], seconds[f"skmi {form}"]
        lines.append(f"| {form} | {chi:.3f} | {ours:.3f} | {ours / chi:.1f} |")
    storage = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    lines += [
        "",
        f"mutual_info_classif, timed on 300 columns and scaled by 100: {seconds['mi']:.0f} s."
        f" skmi's fit is {seconds['mi'] / seconds['skmi CSR']:.0f}x faster (from CSR)."
        f" Its peak extra memory (traced), against the matrix's own "
        f"{storage / 2**20:.0f} MiB: "
        + ", ".join(f"{p / 2**20:.0f} MiB ({p / storage:.2f}x) from {f}" for f, p in peaks.items())
        + " (from CSR, each column's values are counted in one pass over the rows, with no"
        " copy to CSC).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
