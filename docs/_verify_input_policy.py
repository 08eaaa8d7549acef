"""Print what skmi does with each class of awkward input; docs/input_policy.rst reports it.

Run with skmi installed: ``python docs/_verify_input_policy.py``.
Each case prints its result, or the exception type and the first line of its message, and
any warning raised on the way, so a silent NaN or a RuntimeWarning shows as plainly as an
exception. Cases that ask for huge tables run under a cap on the address space, so that
they fail with MemoryError rather than take the machine's memory.
"""

import resource
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import mutual_info_score

from skmi import (
    EntropyBinner,
    HistogramMI,
    MISelector,
    histogram_entropy,
    histogram_mi_classif,
    histogram_mi_regression,
    pairwise_histogram_mi,
)

_ADDRESS_SPACE_CAP = 8 * 2**30

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 3))
y = X[:, 0] + rng.normal(size=200)
labels = (y > 0).astype(int)
const = np.c_[np.ones(200), X[:, 0]]
ties = np.c_[rng.integers(0, 3, size=200), (rng.random(200) < 0.95).astype(float)]
three_values = np.repeat([[0.0], [1.0], [2.0]], 50, axis=0)
sparse = sp.random(200, 3, density=0.3, format="csr", random_state=0)


def with_value(value):
    """X with its first entry replaced by ``value``."""
    bad = X.copy()
    bad[0, 0] = value
    return bad


def with_first(values, first):
    out = values.copy()
    out[0] = first
    return out


CASES = {
    "non-finite values": {
        "NaN in X, histogram_mi_regression": lambda: histogram_mi_regression(
            with_value(np.nan), y
        ),
        "NaN in X, HistogramMI.fit": lambda: HistogramMI().fit(with_value(np.nan), y),
        "NaN in X, histogram_entropy": lambda: histogram_entropy(with_value(np.nan)),
        "NaN in X, pairwise_histogram_mi": lambda: pairwise_histogram_mi(with_value(np.nan)),
        "NaN in X, EntropyBinner.fit": lambda: EntropyBinner().fit(with_value(np.nan)),
        "NaN in X, EntropyBinner.bin_edges_[0][-1]": lambda: (
            EntropyBinner().fit(with_value(np.nan)).bin_edges_[0][-1]
        ),
        "NaN in X, handle_missing='error'": lambda: histogram_mi_regression(
            with_value(np.nan), y, handle_missing="error"
        ),
        "NaN in X, HistogramMI(handle_missing='error')": lambda: HistogramMI(
            handle_missing="error"
        ).fit(with_value(np.nan), y),
        "pd.NA in a Float64 column": lambda: histogram_mi_regression(
            pd.DataFrame({"a": pd.array([None, *X[1:, 0]], dtype="Float64")}), y
        ),
        "NaN in y, histogram_mi_regression": lambda: histogram_mi_regression(
            X, with_first(y, np.nan)
        ),
        "+inf in X, histogram_mi_regression": lambda: histogram_mi_regression(
            with_value(np.inf), y
        ),
        "-inf in X, histogram_entropy": lambda: histogram_entropy(with_value(-np.inf)),
        "inf in y, histogram_mi_regression": lambda: histogram_mi_regression(
            X, with_first(y, np.inf)
        ),
        "None in an object X": lambda: histogram_mi_regression(np.array([[None], [1.0]] * 100), y),
    },
    "constant features": {
        "constant column, default correction": lambda: histogram_mi_regression(const, y),
        "constant column, correction=None": lambda: histogram_mi_regression(
            const, y, correction=None
        ),
        "constant column, miller-madow": lambda: histogram_mi_regression(
            const, y, correction="miller-madow"
        ),
        "constant column, uniform": lambda: histogram_mi_regression(const, y, strategy="uniform"),
        "constant column: MI exactly 0 for every correction": lambda: all(
            histogram_mi_regression(const, y, correction=c, strategy=s)[0] == 0
            for c in (None, "miller-madow", "chance")
            for s in ("quantile", "uniform")
        ),
        "constant column, histogram_entropy": lambda: histogram_entropy(const),
        "constant column, HistogramMI.pvalues_": lambda: HistogramMI().fit(const, y).pvalues_,
        "constant column, HistogramMI.standard_errors_": lambda: (
            HistogramMI().fit(const, y).standard_errors_
        ),
        "constant column, normalize='arithmetic'": lambda: histogram_mi_regression(
            const, y, normalize="arithmetic"
        ),
        "constant column, normalize='correlation'": lambda: histogram_mi_regression(
            const, y, normalize="correlation"
        ),
        "constant column, pairwise_histogram_mi": lambda: pairwise_histogram_mi(const),
        "constant column, knuth rule": lambda: histogram_entropy(const, n_bins="knuth"),
        "constant target, histogram_mi_regression": lambda: histogram_mi_regression(
            X, np.ones(200)
        ),
        "constant target, histogram_mi_classif": lambda: histogram_mi_classif(
            X, np.zeros(200, dtype=int)
        ),
    },
    "very few samples": {
        "0 samples, histogram_mi_regression": lambda: histogram_mi_regression(X[:0], y[:0]),
        "0 features, histogram_mi_regression": lambda: histogram_mi_regression(X[:, :0], y),
        "1 sample, histogram_mi_regression": lambda: histogram_mi_regression(X[:1], y[:1]),
        "1 sample, HistogramMI.fit": lambda: HistogramMI().fit(X[:1], y[:1]),
        "1 sample, MISelector.fit": lambda: MISelector().fit(X[:1], y[:1]),
        "1 sample, histogram_entropy": lambda: histogram_entropy(X[:1]),
        "1 sample, pairwise_histogram_mi": lambda: pairwise_histogram_mi(X[:1]),
        "1 sample, EntropyBinner.fit": lambda: EntropyBinner().fit(X[:1]),
        "2 samples, histogram_mi_regression": lambda: histogram_mi_regression(X[:2], y[:2]),
        "2 samples, correction=None": lambda: histogram_mi_regression(
            X[:2], y[:2], correction=None
        ),
        "4 samples, two identical fair coins, correction=None": lambda: histogram_mi_regression(
            [[0], [1], [0], [1]], [0, 1, 0, 1], correction=None
        ),
        "2 samples, HistogramMI.pvalues_": lambda: HistogramMI().fit(X[:2], y[:2]).pvalues_,
        "2 samples, n_bins='rice'": lambda: histogram_mi_regression(X[:2], y[:2], n_bins="rice"),
        "2 samples, n_bins='auto'": lambda: histogram_mi_regression(X[:2], y[:2], n_bins="auto"),
        "3 samples, pairwise_histogram_mi": lambda: pairwise_histogram_mi(X[:3]),
        "20 samples, n_permutations=20 p-values": lambda: (
            HistogramMI(n_permutations=20).fit(X[:20], y[:20]).pvalues_
        ),
    },
    "more bins than samples": {
        "n_bins=50, 10 samples, histogram_mi_regression": lambda: histogram_mi_regression(
            X[:10], y[:10], n_bins=50
        ),
        "n_bins=50, 10 samples, correction=None": lambda: histogram_mi_regression(
            X[:10], y[:10], n_bins=50, correction=None
        ),
        "n_bins=50, 10 samples, HistogramMI.n_bins_": lambda: (
            HistogramMI(n_bins=50).fit(X[:10], y[:10]).n_bins_
        ),
        "n_bins=50, 10 samples, histogram_entropy": lambda: histogram_entropy(X[:10], n_bins=50),
        "n_bins=50, 10 samples, uniform": lambda: histogram_mi_regression(
            X[:10], y[:10], n_bins=50, strategy="uniform"
        ),
        "n_bins=50, 10 samples, pairwise_histogram_mi": lambda: pairwise_histogram_mi(
            X[:10], n_bins=50
        ),
        "n_bins=50, 10 samples, correction='chance'": lambda: histogram_mi_regression(
            X[:10], y[:10], n_bins=50, correction="chance"
        ),
        "n_bins=65537 (above the cap)": lambda: histogram_mi_regression(X, y, n_bins=65537),
        "n_bins=65536, uniform, histogram_mi_regression": lambda: histogram_mi_regression(
            X, y, n_bins=65536, strategy="uniform"
        ),
        "n_bins=65536, uniform, histogram_entropy": lambda: histogram_entropy(
            X, n_bins=65536, strategy="uniform"
        ),
        "n_bins=10**4, uniform, pairwise_histogram_mi": lambda: pairwise_histogram_mi(
            X, n_bins=10**4, strategy="uniform"
        ),
        "n_bins=65536, uniform, pairwise_histogram_mi": lambda: pairwise_histogram_mi(
            X, n_bins=65536, strategy="uniform"
        ),
    },
    "heavy ties": {
        "3 values / 95% one value, n_bins=10: n_bins_": lambda: (
            HistogramMI(n_bins=10).fit(ties, y).n_bins_
        ),
        "3 values / 95% one value, scores_": lambda: HistogramMI(n_bins=10).fit(ties, y).scores_,
        "3 values / 95% one value, histogram_entropy": lambda: histogram_entropy(ties, n_bins=10),
        "15% / 85% binary, n_bins=10, uniform: n_bins_": lambda: (
            HistogramMI(n_bins=10, strategy="uniform").fit(ties[:, 1:], y).n_bins_
        ),
        "3 equal-sized values: entropy == log 3": lambda: bool(
            np.isclose(histogram_entropy(three_values, n_bins=10)[0], np.log(3))
        ),
        "199 zeros and one 1, uniform, sturges": lambda: histogram_entropy(
            np.r_[np.zeros((199, 1)), [[1.0]]], n_bins="sturges", strategy="uniform"
        ),
    },
    "dtypes": {
        "float16 X": lambda: histogram_mi_regression(X.astype(np.float16), y),
        "float16 X equals X.astype(float64)": lambda: bool(
            np.array_equal(
                histogram_mi_regression(X.astype(np.float16), y),
                histogram_mi_regression(X.astype(np.float16).astype(np.float64), y),
            )
        ),
        "float32 X, result dtype": lambda: histogram_mi_regression(X.astype(np.float32), y).dtype,
        "float32 X equals float64 X": lambda: bool(
            np.allclose(
                histogram_mi_regression(X.astype(np.float32), y),
                histogram_mi_regression(X, y),
            )
        ),
        "int X": lambda: histogram_mi_regression(rng.integers(0, 5, size=(200, 2)), y),
        "int64 X near 2**62, uniform": lambda: histogram_mi_regression(
            np.array([[2**62], [-(2**62)]] * 100), y, strategy="uniform"
        ),
        "bool X, default n_bins": lambda: histogram_mi_classif(X > 0, labels),
        "bool X, n_bins=4": lambda: histogram_mi_classif(X > 0, labels, n_bins=4),
        "bool X, n_bins=4, correction=None == mutual_info_score": lambda: bool(
            np.isclose(
                histogram_mi_classif(X[:, :1] > 0, labels, n_bins=4, correction=None)[0],
                mutual_info_score(X[:, 0] > 0, labels),
            )
        ),
        "bool X, n_bins=4: n_bins_": lambda: HistogramMI(n_bins=4).fit(X > 0, labels).n_bins_,
        "bool X, default n_bins: n_bins_": lambda: HistogramMI().fit(X > 0, labels).n_bins_,
        "5-valued int X, default n_bins: n_bins_": lambda: (
            HistogramMI().fit(rng.integers(0, 5, size=(2000, 1)), np.arange(2000.0)).n_bins_
        ),
        "5-valued int X, n_bins=10: n_bins_": lambda: (
            HistogramMI(n_bins=10)
            .fit(rng.integers(0, 5, size=(2000, 1)), np.arange(2000.0))
            .n_bins_
        ),
        "bool y, HistogramMI.discrete_target_": lambda: (
            HistogramMI().fit(X, y > 0).discrete_target_
        ),
        "string y, histogram_mi_classif": lambda: histogram_mi_classif(
            X, np.where(labels, "a", "b")
        ),
        "string y, histogram_mi_regression": lambda: histogram_mi_regression(
            X, np.where(labels, "a", "b")
        ),
        "float y, histogram_mi_classif": lambda: histogram_mi_classif(X, y),
        "200 distinct labels, histogram_mi_classif": lambda: histogram_mi_classif(
            X, np.arange(200)
        ),
        "string X": lambda: histogram_mi_regression(np.array([["a"], ["b"]] * 100), y),
        "pandas categorical of strings": lambda: histogram_mi_regression(
            pd.DataFrame({"c": pd.Categorical(["x", "y"] * 100)}), y
        ),
        "numeric strings in X": lambda: histogram_mi_regression(X.astype(str), y),
        "complex X": lambda: histogram_mi_regression(X.astype(complex), y),
        "nested lists": lambda: histogram_mi_regression(X.tolist(), y.tolist()),
        "values near 1e308, n_bins='scott'": lambda: histogram_mi_regression(
            X * 1e307, y, n_bins="scott"
        ),
        "values near 1e308, n_bins='doane'": lambda: histogram_mi_regression(
            X * 1e307, y, n_bins="doane"
        ),
        "range 1e-17, uniform": lambda: histogram_mi_regression(
            1 + X * 1e-17, y, strategy="uniform"
        ),
    },
    "sparse X": {
        "CSR X, histogram_mi_regression": lambda: histogram_mi_regression(sparse, y),
        "CSR X, HistogramMI.fit": lambda: HistogramMI().fit(sparse, y),
        "CSR X, histogram_entropy": lambda: histogram_entropy(sparse),
        "CSR X, pairwise_histogram_mi": lambda: pairwise_histogram_mi(sparse),
        "CSR X, EntropyBinner.fit": lambda: EntropyBinner().fit(sparse),
    },
    "shapes": {
        "len(X) = 200, len(y) = 199": lambda: histogram_mi_regression(X, y[:-1]),
        "len(X) = 200, len(y) = 199, HistogramMI.fit": lambda: HistogramMI().fit(X, y[:-1]),
        "X, Y with different rows, pairwise": lambda: pairwise_histogram_mi(X, X[:-1]),
        "1-D X, histogram_mi_regression": lambda: histogram_mi_regression(X[:, 0], y),
        "1-D X, histogram_entropy": lambda: histogram_entropy(X[:, 0]),
        "1-D X, HistogramMI.fit": lambda: HistogramMI().fit(X[:, 0], y),
        "y of shape (n, 1)": lambda: histogram_mi_regression(X, y[:, None]),
        "y of shape (n, 2)": lambda: histogram_mi_regression(X, np.c_[y, y]),
        "3-D X": lambda: histogram_mi_regression(X[:, :, None], y),
    },
    "parameters": {
        "n_bins=1": lambda: histogram_mi_regression(X, y, n_bins=1),
        "n_bins=0, histogram_entropy": lambda: histogram_entropy(X, n_bins=0),
        "n_bins=2.5": lambda: histogram_mi_regression(X, y, n_bins=2.5),
        "n_bins=True": lambda: histogram_mi_regression(X, y, n_bins=True),
        "n_bins='nope'": lambda: histogram_mi_regression(X, y, n_bins="nope"),
        "n_bins=[5, 5] for 3 features": lambda: histogram_mi_regression(X, y, n_bins=[5, 5]),
        "n_bins=[5, 1, 5]": lambda: histogram_mi_regression(X, y, n_bins=[5, 1, 5]),
        "n_bins=[5.0, 5.0, 5.0]": lambda: histogram_mi_regression(X, y, n_bins=[5.0, 5.0, 5.0]),
        "n_bins=[5, 6, 7]": lambda: histogram_mi_regression(X, y, n_bins=[5, 6, 7]),
        "n_bins=np.int64(5)": lambda: histogram_mi_regression(X, y, n_bins=np.int64(5)),
        "base=1": lambda: histogram_mi_regression(X, y, base=1),
        "base=1, HistogramMI.fit": lambda: HistogramMI(base=1).fit(X, y),
        "base=1, histogram_entropy": lambda: histogram_entropy(X, base=1),
        "base=1, pairwise_histogram_mi": lambda: pairwise_histogram_mi(X, base=1),
        "base=0": lambda: histogram_mi_regression(X, y, base=0),
        "base=-2": lambda: histogram_mi_regression(X, y, base=-2),
        "base=inf": lambda: histogram_mi_regression(X, y, base=np.inf),
        "base=0.5": lambda: histogram_mi_regression(X, y, base=0.5),
        "strategy='kmeans'": lambda: histogram_mi_regression(X, y, strategy="kmeans"),
        "correction='jackknife'": lambda: histogram_mi_regression(X, y, correction="jackknife"),
        "correction='chance', histogram_entropy": lambda: histogram_entropy(
            X, correction="chance"
        ),
        "normalize='sum'": lambda: histogram_mi_regression(X, y, normalize="sum"),
        "n_permutations=-1": lambda: HistogramMI(n_permutations=-1).fit(X, y),
        "subsample=1": lambda: histogram_mi_regression(X, y, subsample=1),
        "subsample=2": lambda: histogram_mi_regression(X, y, subsample=2),
        "subsample=2, n_bins=4": lambda: histogram_mi_regression(X, y, subsample=2, n_bins=4),
        "n_jobs=0": lambda: histogram_mi_regression(X, y, n_jobs=0),
        "discrete_features=[5]": lambda: histogram_mi_regression(X, y, discrete_features=[5]),
    },
}


def describe(value):
    if isinstance(value, np.ndarray):
        return f"{value.dtype} {value.shape} " + np.array2string(
            value, precision=4, max_line_width=200
        ).replace("\n", "")
    if isinstance(value, HistogramMI):
        return "scores_ " + describe(value.scores_)
    if isinstance(value, EntropyBinner):
        return "entropy_ " + describe(value.entropy_)
    return repr(value)


def outcome(call):
    """The result or the exception of ``call()``, and the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            text = "-> " + describe(call())
        except Exception as exc:
            text = f"!! {type(exc).__name__}: {str(exc).splitlines()[0][:150]}"
    return text, sorted({f"{w.category.__name__}: {str(w.message)[:100]}" for w in caught})


def main():
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > _ADDRESS_SPACE_CAP:
        resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE_CAP, hard))
    for section, cases in CASES.items():
        print(f"== {section}")
        for label, call in cases.items():
            text, caught = outcome(call)
            print(f"{label:<48} {text}")
            for message in caught:
                print(f"{'':<48}    WARNING {message}")


if __name__ == "__main__":
    main()
