"""The ``skmi`` command: rank the features of a dataset or a CSV file by histogram MI, beside
scikit-learn's KSG estimate and its run time."""

import argparse
import csv
import math
import statistics
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

# Each timing is the median of ``--repeat`` calls after one warm-up call with the same X, y and
# parameters, so that the warm-up pays the one-off costs (loading or compiling kernels, first
# touches of memory) of exactly the code path the timed calls take; they would otherwise
# swamp a millisecond timing. A warm-up on other data (a slice of X, or X in another memory
# order) can take another path.
DEFAULT_REPEAT = 5

_MAX_NAME = 30

# Cells read as missing values, compared after stripping and lowercasing; "nan" with a sign
# too, which float() would read as NaN.
_MISSING = frozenset({"", "na", "n/a", "#n/a", "<na>", "null", "nan"})


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
        help="resolution of each feature's joint table with the target: adaptive (the "
        "finest table its own data support), an int >= 2, or a rule: "
        f"{', '.join(_BIN_RULES)} (default: %(default)s)",
    )
    parser.add_argument(
        "--strategy",
        choices=list(_STRATEGIES),
        default="quantile",
        help="bin edges: quantile (equal counts) or uniform (equal widths) (default: %(default)s)",
    )
    parser.add_argument(
        "--correction",
        choices=[k or "none" for k in _MI_CORRECTIONS],
        default=DEFAULT_CORRECTION,
        help="bias correction of the MI: miller-madow (first-order bias from the table), "
        "chance (expected MI of the margins under independence) or none (plug-in) "
        "(default: %(default)s)",
    )
    parser.add_argument("--base", type=float, help="logarithm base: 2 for bits (default: nats)")
    parser.add_argument("--top", type=_positive_int, default=10, help="rows to show (default: 10)")
    parser.add_argument(
        "--repeat",
        type=_positive_int,
        default=DEFAULT_REPEAT,
        help="timed calls of each estimator, after one identical warm-up call; the times "
        "shown are their medians (default: %(default)s)",
    )
    parser.add_argument(
        "--no-compare", action="store_true", help="skip scikit-learn's slower KSG estimate"
    )
    parser.add_argument(
        "--skip-non-numeric",
        action="store_true",
        help="drop the CSV's non-numeric feature columns (named on stderr) and rank the rest, "
        "instead of failing; missing values remain an error",
    )
    return parser


def read_csv(path, target, *, numeric_target=False, skip_non_numeric=False):
    """Read a CSV file with a header row for ranking its features against ``target``.

    Returns the numeric features X, the target column y (numbers when every cell parses,
    else labels), the features' names, and the non-numeric feature columns left out (only
    with ``skip_non_numeric``, else they are an error) as ``(name, first non-numeric cell,
    its line)``. Missing values (empty, "NA", "N/A", "NaN"... cells) and infinite numbers
    are errors that name the column and the line.
    """
    lines, rows = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            for row in reader:
                if row:  # blank lines
                    lines.append(reader.line_num)
                    rows.append(row)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if not rows:
        raise UserError(f"{path} is empty")
    names = [name.strip() for name in rows[0]]
    if target not in names:
        raise UserError(f"no column {target!r} in {path}; columns: {', '.join(names)}")
    lines, rows = lines[1:], rows[1:]
    if not rows:
        raise UserError(f"{path} has a header but no data rows")
    if len(names) == 1:
        raise UserError(f"{path} has no feature columns besides the target {target!r}")
    for line, row in zip(lines, rows, strict=True):
        if len(row) != len(names):
            fields = f"{len(row)} field{'s' * (len(row) != 1)}"
            raise UserError(f"line {line} of {path} has {fields}, expected {len(names)}")

    def where(i):
        return f"on line {lines[i]} of {path}"

    def check(kind, name, cells, values=None):
        """Missing values (NaN once parsed) and infinities are errors."""
        if values is None:
            i = next((i for i, cell in enumerate(cells) if _is_missing(cell)), None)
        else:
            i = next(iter(np.flatnonzero(~np.isfinite(values))), None)
        if i is None:
            return
        if values is None or np.isnan(values[i]):
            raise UserError(f"{kind} column {name!r} has a missing value {where(i)}")
        raise UserError(
            f"{kind} column {name!r} has an infinite value {cells[i].strip()!r} {where(i)}"
        )

    j = names.index(target)
    features, kept, skipped = [], [], []
    for k, name in enumerate(names):
        if k == j:
            continue
        cells = [row[k] for row in rows]
        values, bad = _parse(cells)
        if bad is not None:
            if not skip_non_numeric:
                raise UserError(
                    f"feature column {name!r} is not numeric: {cells[bad].strip()!r} "
                    f"{where(bad)} (--skip-non-numeric leaves such columns out)"
                )
            skipped.append((name, cells[bad].strip(), lines[bad]))
            continue
        check("feature", name, cells, values)
        features.append(values)
        kept.append(name)
    if not features:
        raise UserError(
            f"no numeric feature columns in {path}; non-numeric: {_skipped_list(skipped)}"
        )

    cells = [row[j] for row in rows]
    y, bad = _parse(cells)
    check("target", target, cells, y)
    if bad is not None:
        if numeric_target:
            raise UserError(
                f"--task regression needs a numeric target, column {target!r} holds "
                f"{cells[bad].strip()!r} {where(bad)}"
            )
        y = np.array([cell.strip() for cell in cells])
    return np.column_stack(features), y, kept, skipped


def _is_missing(cell):
    cell = cell.strip().lower()
    return cell in _MISSING or cell.lstrip("+-") == "nan"


def _parse(cells):
    """(float array, None) when every cell is a number or missing (NaN), else (None, the
    index of the first cell that is neither)."""
    try:
        return np.array(cells, dtype=np.float64), None  # numbers only: numpy parses them
    except ValueError:
        pass
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        if _is_missing(cell):
            values[i] = np.nan
            continue
        try:
            values[i] = float(cell)
        except ValueError:
            return None, i
    return values, None


def _skipped_list(skipped):
    return ", ".join(f"{name!r} (line {line}: {value!r})" for name, value, line in skipped)


def load(args):
    """(title, X, y, feature names, skipped columns) from the dataset or CSV file asked for."""
    if args.csv is None:
        bunch = _DATASETS[args.dataset]()
        return args.dataset, bunch.data, bunch.target, list(bunch.feature_names), []
    X, y, names, skipped = read_csv(
        args.csv,
        args.target,
        numeric_target=_TASKS[args.task] is False,
        skip_non_numeric=args.skip_non_numeric,
    )
    return f"{Path(args.csv).name} ({args.target})", X, y, names, skipped


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


def _median_time(call, repeat, clock=time.perf_counter):
    """``call()``'s result and the median time of ``repeat`` calls, after one warm-up call.

    The warm-up is the very call that is timed, so that it compiles or loads the same
    kernels, takes the same code path and touches the same memory as the timed calls.
    """
    result = call()
    times = []
    for _ in range(repeat):
        start = clock()
        result = call()
        times.append(clock() - start)
    return result, statistics.median(times)


def score(args, X, y):
    """Fitted HistogramMI, its time, and scikit-learn's KSG MI (in nats) and time, or None.

    Each time is the median of ``args.repeat`` calls after a warm-up call (`_median_time`).
    """
    try:
        estimator = _skmi_estimator(args)
        estimator, skmi_time = _median_time(lambda: estimator.fit(X, y), args.repeat)
        if args.no_compare:
            return estimator, skmi_time, None, None
        discrete = estimator.discrete_target_
        ksg, ksg_time = _median_time(lambda: _ksg(X, y, discrete), args.repeat)
        return estimator, skmi_time, ksg, ksg_time
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


def _calls(repeat, medians):
    """How the times were taken, for the timing line."""
    if repeat == 1:
        return "one call after a warm-up call"
    return f"{'medians' if medians else 'median'} of {repeat} calls after a warm-up call"


def report(title, y, names, estimator, skmi_time, ksg, ksg_time, top, repeat=1):
    """The text printed by the command; the times are medians of ``repeat`` calls."""
    unit = _unit(estimator.base)
    scores, pvalues = estimator.scores_, estimator.pvalues_
    if estimator.discrete_target_:
        task = f"classification ({np.unique(y).size} classes)"
    else:
        task = f"regression ({_span(estimator.target_n_bins_)} target bins)"
    features = f"{len(names)} feature{'s' * (len(names) != 1)}"
    lines = [f"{title}: {len(y)} samples, {features}, {task}", ""]
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
    lines.append(f"time: {timing}, {_calls(repeat, medians=ksg is not None)}")
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
        title, X, y, names, skipped = load(args)
        if skipped:
            count = f"{len(skipped)} non-numeric feature column{'s' * (len(skipped) > 1)}"
            print(f"skmi: left out {count}: {_skipped_list(skipped)}", file=sys.stderr)
        estimator, skmi_time, ksg, ksg_time = score(args, X, y)
    except UserError as exc:
        return _fail(str(exc))
    print(report(title, y, names, estimator, skmi_time, ksg, ksg_time, args.top, args.repeat))
    return 0


def _fail(message):
    print(f"skmi: error: {message}", file=sys.stderr)
    return 2
