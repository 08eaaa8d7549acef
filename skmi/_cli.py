"""The ``skmi`` command: rank the features of a dataset or a CSV file by histogram MI, beside
scikit-learn's KSG estimate and its run time."""

import argparse
import csv
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import rankdata, spearmanr
from sklearn import datasets
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from skmi._binning import _STRATEGIES
from skmi._histogram_mi import HistogramMI
from skmi._params import DEFAULT_CORRECTION, DEFAULT_N_BINS
from skmi._rules import _BIN_RULES
from skmi._scoring import _MI_CORRECTIONS

_DATASETS = {
    "diabetes": datasets.load_diabetes,
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "digits": datasets.load_digits,
}

_TASKS = {"auto": "auto", "regression": False, "classification": True}

# The warm-up fit compiles (or loads from numba's cache) the kernels, a one-off cost per
# process that would otherwise swamp a millisecond timing.
_WARM_UP_ROWS = 100

_MAX_NAME = 30


class UserError(Exception):
    """An input or parameter the user can fix: reported in one line, exit status 2."""


def _n_bins(text):
    """An int when the text is one, else a rule name that skmi itself validates."""
    try:
        return int(text)
    except ValueError:
        return text


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an int >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an int >= 1, got {value}")
    return value


def build_parser():
    """The argument parser of the ``skmi`` command."""
    parser = argparse.ArgumentParser(
        prog="skmi",
        description="Rank features by histogram mutual information with a target, beside "
        "scikit-learn's KSG estimate.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=list(_DATASETS),
        default="diabetes",
        help="bundled scikit-learn dataset to rank (default: %(default)s)",
    )
    source.add_argument("--csv", metavar="FILE", help="CSV file with a header row")
    parser.add_argument("--target", metavar="COLUMN", help="target column of the CSV file")
    parser.add_argument(
        "--task",
        choices=list(_TASKS),
        default="auto",
        help="regression bins the target, classification takes it as labels "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--n-bins",
        type=_n_bins,
        default=DEFAULT_N_BINS,
        metavar="N_BINS",
        help=f"an int >= 2 or a rule: {', '.join(_BIN_RULES)} (default: %(default)s)",
    )
    parser.add_argument("--strategy", choices=list(_STRATEGIES), default="quantile")
    parser.add_argument(
        "--correction", choices=[k or "none" for k in _MI_CORRECTIONS], default=DEFAULT_CORRECTION
    )
    parser.add_argument("--base", type=float, help="logarithm base: 2 for bits (default: nats)")
    parser.add_argument("--top", type=_positive_int, default=10, help="rows to show (default: 10)")
    parser.add_argument(
        "--no-compare", action="store_true", help="skip scikit-learn's slower KSG estimate"
    )
    return parser


def read_csv(path, target):
    """Numeric features, the target column (numbers when it parses, else labels) and names."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if row]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if not rows:
        raise UserError(f"{path} is empty")
    names = [name.strip() for name in rows[0]]
    if target not in names:
        raise UserError(f"no column {target!r} in {path}; columns: {', '.join(names)}")
    if len(rows) == 1:
        raise UserError(f"{path} has a header but no data rows")
    if len(names) == 1:
        raise UserError(f"{path} has no feature columns besides the target {target!r}")
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(names):
            raise UserError(f"row {line} of {path} has {len(row)} fields, expected {len(names)}")
    table = np.array(rows[1:], dtype=str)
    j = names.index(target)
    columns = [k for k in range(len(names)) if k != j]
    X = np.column_stack([_numeric(table[:, k], names[k]) for k in columns])
    try:
        y = table[:, j].astype(np.float64)
    except ValueError:
        y = np.char.strip(table[:, j])
    return X, y, [names[k] for k in columns]


def _numeric(column, name):
    try:
        return column.astype(np.float64)
    except ValueError:
        bad = next(v for v in column if not _is_float(v))
        if not bad.strip():
            raise UserError(f"feature column {name!r} has an empty cell") from None
        raise UserError(f"feature column {name!r} is not numeric: {bad!r}") from None


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def load(args):
    """(title, X, y, feature names) from the bundled dataset or the CSV file asked for."""
    if args.csv is None:
        bunch = _DATASETS[args.dataset]()
        return args.dataset, bunch.data, bunch.target, list(bunch.feature_names)
    X, y, names = read_csv(args.csv, args.target)
    if _TASKS[args.task] is False and y.dtype.kind != "f":
        bad = next(v for v in y if not _is_float(v))
        raise UserError(
            f"--task regression needs a numeric target, column {args.target!r} holds {bad!r}"
        )
    return f"{Path(args.csv).name} ({args.target})", X, y, names


def _skmi_estimator(args):
    return HistogramMI(
        n_bins=args.n_bins,
        strategy=args.strategy,
        correction=None if args.correction == "none" else args.correction,
        discrete_target=_TASKS[args.task],
        base=args.base,
    )


def _ksg(X, y, discrete_target):
    score = mutual_info_classif if discrete_target else mutual_info_regression
    return score(X, y, random_state=0)


def score(args, X, y):
    """Fitted HistogramMI, its time, and scikit-learn's KSG MI (in nats) and time, or None."""
    try:
        estimator = _skmi_estimator(args)
        estimator.fit(X[:_WARM_UP_ROWS], y[:_WARM_UP_ROWS])
        start = time.perf_counter()
        estimator.fit(X, y)
        skmi_time = time.perf_counter() - start
        if args.no_compare:
            return estimator, skmi_time, None, None
        discrete = estimator.discrete_target_
        _ksg(X[:_WARM_UP_ROWS], y[:_WARM_UP_ROWS], discrete)
        start = time.perf_counter()
        ksg = _ksg(X, y, discrete)
        return estimator, skmi_time, ksg, time.perf_counter() - start
    except (ValueError, TypeError) as exc:
        raise UserError(" ".join(str(exc).split())) from exc


def _span(counts):
    """'30' when every feature's table used 30 bins, else '12-30'."""
    low, high = int(min(counts)), int(max(counts))
    return str(low) if low == high else f"{low}-{high}"


def _unit(base):
    if base is None or math.isclose(base, math.e):
        return "nats"
    return "bits" if base == 2 else f"log{base:g}"


def _duration(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _speedup(ratio):
    if ratio < 1:
        return f"{1 / ratio:.1f}x slower"
    return f"{ratio:.0f}x faster" if ratio >= 10 else f"{ratio:.1f}x faster"


def _pvalue(p):
    return "<1e-300" if p < 1e-300 else f"{p:.2g}"


def _name(name):
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 3] + "..."


def format_table(header, rows):
    """Aligned plain-text table: the second column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            c.ljust(w) if i == 1 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def report(title, y, names, estimator, skmi_time, ksg, ksg_time, top):
    """The text printed by the command."""
    unit = _unit(estimator.base)
    scores, pvalues = estimator.scores_, estimator.pvalues_
    if estimator.discrete_target_:
        task = f"classification ({np.unique(y).size} classes)"
    else:
        task = f"regression ({_span(estimator.target_n_bins_)} target bins)"
    lines = [f"{title}: {len(y)} samples, {len(names)} features, {task}", ""]
    header = ["rank", "feature", f"skmi MI ({unit})", "p-value"]
    if ksg is not None:
        ksg = ksg / (1.0 if unit == "nats" else math.log(estimator.base))
        ksg_rank = rankdata(-ksg, method="min").astype(int)
        header += [f"sklearn MI ({unit})", "sklearn rank"]
    order = np.argsort(-scores, kind="stable")
    rows = []
    for rank, j in enumerate(order[:top], start=1):
        row = [str(rank), _name(names[j]), f"{scores[j]:.4f}", _pvalue(pvalues[j])]
        if ksg is not None:
            row += [f"{ksg[j]:.4f}", str(ksg_rank[j])]
        rows.append(row)
    lines.append(format_table(header, rows))
    if len(order) > top:
        lines.append(f"... {len(order) - top} more features (--top {len(order)} shows all)")
    lines.append("")
    timing = f"skmi {_duration(skmi_time)}"
    if ksg is not None:
        timing += f", scikit-learn {_duration(ksg_time)} ({_speedup(ksg_time / skmi_time)})"
    lines.append(f"time: {timing}, each after a warm-up call")
    if ksg is not None:
        # spearmanr warns and returns nan on a constant input; say so instead.
        constant = len(names) < 2 or np.ptp(scores) == 0 or np.ptp(ksg) == 0
        rho = "n/a" if constant else f"{spearmanr(scores, ksg).statistic:.2f}"
        lines.append(f"Spearman rank agreement with scikit-learn: {rho}")
    return "\n".join(lines)


def main(argv=None):
    """Run the ``skmi`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 on a usage or input error (reported in one line on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and argparse's own errors; main returns, never exits
        return exc.code
    if (args.csv is None) != (args.target is None):
        return _fail("--csv and --target go together")
    try:
        title, X, y, names = load(args)
        estimator, skmi_time, ksg, ksg_time = score(args, X, y)
    except UserError as exc:
        return _fail(str(exc))
    print(report(title, y, names, estimator, skmi_time, ksg, ksg_time, args.top))
    return 0


def _fail(message):
    print(f"skmi: error: {message}", file=sys.stderr)
    return 2
