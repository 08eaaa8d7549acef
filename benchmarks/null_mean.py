"""The G-test's null mean: the exact chance level against its closed form, and what the rule
that picks between them does to the p-values' calibration and speed.

Usage::

    python benchmarks/null_mean.py [--draws 3]

(a) Accuracy: the relative error of the second-order expansion of E[I] (``null_mean``)
    against the exact chance level (``chance_level``) on random margins (2 to 40 bins a
    side, N from 100 to 30,000, Dirichlet margins from even to very uneven), by the least
    expected count of a cell, a_min b_min / N. The rule's threshold,
    ``ASYMPTOTIC_MIN_EXPECTED``, is chosen from this table.
(b) Calibration: the level of the mean-matched G-test on independent columns, at nominal
    0.05, 0.01 and 0.001, with the exact chance level everywhere and with the rule, on the
    same tables: continuous columns in quantile bins (every cell expects N / B^2 rows) and
    integer columns of uneven levels (geometric), pairs of 64 columns, ``--draws`` draws.
    Also the largest change of a p-value the rule made.
(c) Speed: reading ``PairwiseHistogramMI().pvalues_`` where the columns' margins differ
    (each distinct pair of margins has its own exact chance level): after ``fit`` on
    20,000 x 384 activations with a point mass, and after 5 batches of 4,096 rows, with the
    exact chance level everywhere and with the rule.

Writes ``benchmarks/results/null_mean.md``.
"""

import argparse
import itertools
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np

import skmi
import skmi._scoring as scoring
from skmi import PairwiseHistogramMI
from skmi._scoring import chance_level, chi2_tail, margins, mutual_info_from_counts, null_mean

RESULTS = Path(__file__).parent / "results" / "null_mean.md"
ALPHAS = (0.05, 0.01, 0.001)
BUCKETS = [(0.5, 1), (1, 2), (2, 5), (5, 10), (10, 20), (20, 50), (50, np.inf)]


def random_margins(rng, n, size):
    """Occupied margins of ``n`` rows over up to ``size`` bins, from a random Dirichlet."""
    counts = rng.multinomial(n, rng.dirichlet(np.full(size, rng.choice([0.5, 2, 10, 1000]))))
    return counts[counts > 0]


def accuracy(n_tables=4000, seed=0):
    """(a): rows (bucket, tables, largest and median |relative error|)."""
    rng = np.random.default_rng(seed)
    least, error = [], []
    while len(error) < n_tables:
        n = int(rng.choice([100, 300, 1_000, 3_000, 10_000, 30_000]))
        a, b = (random_margins(rng, n, int(rng.integers(2, 41))) for _ in range(2))
        if a.size < 2 or b.size < 2:
            continue
        exact = chance_level(a[None], b[None])[0]
        # The expansion itself, whatever the rule would pick: the threshold at infinity's
        # opposite, every table in closed form.
        closed = _with_threshold(0, lambda a=a, b=b: null_mean(a[None], b[None])[0])
        least.append(a.min() * b.min() / n)
        error.append(abs(closed - exact) / exact)
    least, error = np.array(least), np.array(error)
    rows = []
    for lo, hi in BUCKETS:
        inside = (least >= lo) & (least < hi)
        if inside.any():
            rows.append((lo, hi, inside.sum(), error[inside].max(), np.median(error[inside])))
    return rows


def _with_threshold(threshold, func):
    """``func()`` with the rule's threshold set to ``threshold`` (inf: exact everywhere)."""
    kept = scoring.ASYMPTOTIC_MIN_EXPECTED
    scoring.ASYMPTOTIC_MIN_EXPECTED = threshold
    try:
        return func()
    finally:
        scoring.ASYMPTOTIC_MIN_EXPECTED = kept


def null_columns(kind, n, d, rng):
    """Integer codes of ``d`` independent columns of ``n`` rows: quantile bins of continuous
    values ("quantile B"), or geometric integers (p = 0.3) with the levels from L - 1 on
    pooled ("L levels": uneven margins, from 30% of the rows to 4% for L = 10)."""
    size = int(kind.split()[-2 if kind.endswith("levels") else -1])
    if kind.startswith("quantile"):
        ranks = np.argsort(np.argsort(rng.standard_normal((n, d)), axis=0), axis=0)
        return ranks * size // n
    return np.minimum(rng.geometric(0.3, size=(n, d)) - 1, size - 1)


def g_test(tables, exact):
    """Mean-matched G-test p-values of ``tables`` with the exact chance level or the rule."""
    a, b = margins(tables)
    mi = mutual_info_from_counts(tables)
    df = (np.count_nonzero(a, axis=1) - 1) * (np.count_nonzero(b, axis=1) - 1)
    mean = chance_level(a, b) if exact else null_mean(a, b)
    return chi2_tail(df, df * mi / mean), a.min(axis=1) * b.min(axis=1) / a.sum(axis=1)


def calibration(draws, d=64):
    """(b): rows (kind, N, share of tables under the rule, levels exact, levels rule,
    largest |p change|)."""
    rows = []
    for kind, n in itertools.product(
        ["quantile 4", "quantile 8", "quantile 16", "quantile 32", "5 levels", "10 levels"],
        [1_000, 16_384],
    ):
        p_exact, p_rule, filled = [], [], []
        for draw in range(draws):
            codes = null_columns(kind, n, d, np.random.default_rng(draw))
            width = int(codes.max()) + 1
            tables = np.stack(
                [
                    np.bincount(codes[:, i] * width + codes[:, j], minlength=width * width)
                    for i, j in itertools.combinations(range(d), 2)
                ]
            ).reshape(-1, width, width)
            exact, _ = g_test(tables, exact=True)
            rule, least = g_test(tables, exact=False)
            p_exact.append(exact)
            p_rule.append(rule)
            filled.append(least >= scoring.ASYMPTOTIC_MIN_EXPECTED)
        p_exact, p_rule, filled = map(np.concatenate, (p_exact, p_rule, filled))
        rows.append(
            (
                kind,
                n,
                p_exact.size,
                filled.mean(),
                [np.mean(p_exact < alpha) for alpha in ALPHAS],
                [np.mean(p_rule < alpha) for alpha in ALPHAS],
                np.abs(p_exact - p_rule).max(),
            )
        )
        print(rows[-1], flush=True)
    return rows


def activations(n_tokens, n_units=384, seed=0, relu=False):
    """Units mixing a few shared factors through a GELU-like nonlinearity, or a ReLU whose
    exact zeros are a point mass of a share that differs by unit."""
    rng = np.random.default_rng(seed)
    mixing = np.random.default_rng(12345).normal(size=(8, n_units)) / 3
    z = rng.normal(size=(n_tokens, 8)) @ mixing + rng.normal(size=(n_tokens, n_units))
    return z * (z > 0) + (0.0 if relu else 0.1) * z


def _fitted(case):
    """A fitted ``PairwiseHistogramMI`` of a (c) case, and the seconds of fit and scores_."""
    start = time.perf_counter()
    if case == "fit":
        est = PairwiseHistogramMI().fit(activations(20_000, relu=True))
    else:
        est = PairwiseHistogramMI()
        for seed in range(5):
            est.partial_fit(activations(4_096, seed=seed))
    _ = est.scores_
    return est, time.perf_counter() - start


SPEED_CASES = {
    "fit": "`fit` on 20,000 x 384 ReLU activations (a point mass at 0 in each unit)",
    "batches": "`partial_fit`, 5 batches of 4,096 x 384 (binned by the first batch's edges)",
}


def speed():
    """(c): rows (case, pairs, seconds of fit and scores_, of pvalues_ exact everywhere, of
    pvalues_ under the rule, largest change of a p-value)."""
    rows = []
    for case, label in SPEED_CASES.items():
        p, seconds = {}, {}
        for name, threshold in [("exact", np.inf), ("rule", scoring.ASYMPTOTIC_MIN_EXPECTED)]:
            est, scored = _fitted(case)
            start = time.perf_counter()
            p[name] = _with_threshold(threshold, lambda e=est: e.pvalues_)
            seconds[name] = time.perf_counter() - start
        pairs = p["rule"].size
        change = np.abs(p["exact"] - p["rule"]).max()
        rows.append((label, pairs, scored, seconds["exact"], seconds["rule"], change))
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=3)
    args = parser.parse_args(argv)
    threshold = scoring.ASYMPTOTIC_MIN_EXPECTED
    lines = [
        "# The G-test's null mean: exact chance level or closed form",
        "",
        f"Measured {date.today()} on {platform.machine()}; skmi {skmi.__version__}, "
        f"numpy {np.__version__}. The rule: closed form where a_min b_min / N >= {threshold}.",
        "",
        "## (a) Relative error of the closed form against the exact chance level",
        "",
        "| least expected count a_min b_min / N | tables | largest | median |",
        "|---|---|---|---|",
    ]
    for lo, hi, count, largest, median in accuracy():
        lines.append(f"| [{lo:g}, {hi:g}) | {count} | {largest:.1e} | {median:.1e} |")
    print("\n".join(lines), flush=True)
    alphas = " / ".join(f"{a:g}" for a in ALPHAS)
    lines += [
        "",
        f"## (b) Level of the G-test on independent columns at {alphas}",
        "",
        "| columns | N | tables | under the rule | exact everywhere | the rule "
        "| largest change of p |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, n, count, share, exact, rule, change in calibration(args.draws):
        lines.append(
            f"| {kind} | {n:,} | {count:,} | {share:.0%} | "
            + " / ".join(f"{v:.4f}" for v in exact)
            + " | "
            + " / ".join(f"{v:.4f}" for v in rule)
            + f" | {change:.1e} |"
        )
    lines += [
        "",
        "## (c) Reading `PairwiseHistogramMI().pvalues_`, one thread",
        "",
        "| case | entries | fit and `scores_` | `pvalues_` exact everywhere | `pvalues_` "
        "under the rule | largest change of p |",
        "|---|---|---|---|---|---|",
    ]
    for label, pairs, scored, exact, rule, change in speed():
        lines.append(
            f"| {label} | {pairs:,} | {scored:.2f} s | {exact:.2f} s | {rule:.2f} s "
            f"| {change:.1e} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
