"""The ``skmi`` command: rank the features of a dataset or a CSV file by histogram MI, beside
scikit-learn's KSG estimate and its run time, as a table, CSV or JSON.

A CSV column is numbers when every cell is a number, true/false (read as 1/0) or missing
(NaN, which skmi counts in a bin of its own); otherwise it is a column of categories, given to
skmi as strings (discrete, a missing cell a category of its own) and to scikit-learn's KSG,
which takes numbers only, as integer codes. KSG takes no missing values either: where a
numeric column holds some, its comparison is left out, with a note.
"""

import argparse
import csv
import io
import json
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

# Rows of the table without --top; csv and json hold every feature.
DEFAULT_TOP = 10

_MAX_NAME = 30

# Cells read as missing values, compared after stripping and lowercasing; "nan" with a sign
# too, which float() would read as NaN.
_MISSING = frozenset({"", "na", "n/a", "#n/a", "<na>", "null", "nan"})

# Cells read as numbers besides those float() reads, compared after stripping and lowercasing.
_BOOLEANS = {"true": 1.0, "false": 0.0}

_FORMATS = ("table", "csv", "json")


class UserError(Exception):
    """An input or parameter the user can fix: reported in one line, exit status 2."""


def _n_bins(text):
    """An int when the text is one, else a rule name that skmi itself validates."""
    try:
        return int(text)
    except ValueError:
        return text


def _column_names(text):
    """The comma-separated column names of ``--discrete``."""
    return [name.strip() for name in text.split(",") if name.strip()]


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
    source.add_argument(
        "--csv",
        metavar="FILE",
        help="CSV file with a header row; a column of numbers (true/false read as 1/0) is "
        "binned, any other column is categories",
    )
    parser.add_argument("--target", metavar="COLUMN", help="target column of the CSV file")
    parser.add_argument(
        "--sep",
        default=",",
        help="field separator of the CSV file: one character, or 'tab' or '\\t' for a tab "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--discrete",
        type=_column_names,
        action="extend",
        default=[],
        metavar="COLUMN[,COLUMN...]",
        help="feature columns to take as discrete (one bin per value) rather than binned, in "
        "skmi and scikit-learn alike; columns of categories are discrete anyway",
    )
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
    parser.add_argument(
        "--top",
        type=_positive_int,
        help=f"features to show (default: {DEFAULT_TOP} in the table, all in csv and json)",
    )
    parser.add_argument(
        "--format",
        choices=_FORMATS,
        default="table",
        help="table (aligned text), csv (one row per feature) or json (the ranking with the "
        "dataset and the times in seconds); MI in the unit of --base, unrounded in csv and "
        "json (default: %(default)s)",
    )
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
        help="drop the CSV's feature columns of categories (named on stderr) instead of "
        "ranking them",
    )
    return parser


def read_csv(path, target, *, sep=",", numeric_target=False, skip_non_numeric=False):
    """Read a CSV file with a header row for ranking its features against ``target``.

    Returns the features X, the target column y (numbers when every cell parses, else
    labels), the features' names, which features are categories, and the columns of
    categories left out (only with ``skip_non_numeric``) as ``(name, first non-numeric
    cell, its line)``. A feature column with a cell that is neither a number, true/false
    nor missing is categories: X is then an object array, whose columns of categories hold
    the stripped cells, with None for a missing one. Missing values (empty, "NA", "N/A",
    "NaN"... cells) in the other feature columns are NaN; in the target, they and infinite
    numbers anywhere are errors that name the column and the line.
    """
    lines, rows = _read_rows(path, sep)
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
        """Infinities are errors, and so are missing values (NaN once parsed) in the
        target."""
        if values is None:
            i = next((i for i, cell in enumerate(cells) if _is_missing(cell)), None)
        else:
            bad = np.isinf(values) if kind == "feature" else ~np.isfinite(values)
            i = next(iter(np.flatnonzero(bad)), None)
        if i is None:
            return
        if values is None or np.isnan(values[i]):
            raise UserError(f"{kind} column {name!r} has a missing value {where(i)}")
        raise UserError(
            f"{kind} column {name!r} has an infinite value {cells[i].strip()!r} {where(i)}"
        )

    j = names.index(target)
    features, kept, categorical, skipped = [], [], [], []
    for k, name in enumerate(names):
        if k == j:
            continue
        cells = [row[k] for row in rows]
        values, bad = _parse(cells)
        if bad is None:
            check("feature", name, cells, values)
        elif skip_non_numeric:
            skipped.append((name, cells[bad].strip(), lines[bad]))
            continue
        else:
            values = _categories(cells)
        features.append(values)
        kept.append(name)
        categorical.append(bad is not None)
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
    categorical = np.array(categorical)
    return _stack(features, categorical), y, kept, categorical, skipped


def _read_rows(path, sep):
    """The non-blank rows of a CSV file, and the line each starts on."""
    lines, rows = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=sep)
            for row in reader:
                if row:  # blank lines
                    lines.append(reader.line_num)
                    rows.append(row)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    return lines, rows


def _separator(text):
    """The field separator ``--sep`` names: one character, or "tab" or "\\t" for a tab."""
    sep = "\t" if text in ("tab", "\\t") else text
    if len(sep) != 1 or sep in '"\r\n':
        raise UserError(
            f"--sep must be one character (not a quote or a line break), 'tab' or '\\t', "
            f"got {text!r}"
        )
    return sep


def _is_missing(cell):
    cell = cell.strip().lower()
    return cell in _MISSING or cell.lstrip("+-") == "nan"


def _parse(cells):
    """(float array, None) when every cell is a number, true/false (1/0) or missing (NaN),
    else (None, the index of the first cell that is none of these)."""
    try:
        return np.array(cells, dtype=np.float64), None  # numbers only: numpy parses them
    except ValueError:
        pass
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        if _is_missing(cell):
            values[i] = np.nan
        elif cell.strip().lower() in _BOOLEANS:
            values[i] = _BOOLEANS[cell.strip().lower()]
        else:
            try:
                values[i] = float(cell)
            except ValueError:
                return None, i
    return values, None


def _categories(cells):
    """A column of categories as skmi takes it: the stripped cells, None for a missing one."""
    return np.array([None if _is_missing(cell) else cell.strip() for cell in cells], dtype=object)


def _stack(features, categorical):
    """The feature columns as X: floats, or an object array when some hold categories."""
    if not categorical.any():
        return np.column_stack(features)
    X = np.empty((len(features[0]), len(features)), dtype=object)
    for j, column in enumerate(features):
        X[:, j] = column
    return X


def _skipped_list(skipped):
    return ", ".join(f"{name!r} (line {line}: {value!r})" for name, value, line in skipped)


def load(args):
    """(title, X, y, feature names, which features are categories, skipped columns) from the
    dataset or CSV file asked for."""
    if args.csv is None:
        bunch = _DATASETS[args.dataset]()
        names = list(bunch.feature_names)
        categorical = np.zeros(len(names), dtype=bool)
        return args.dataset, bunch.data, bunch.target, names, categorical, []
    X, y, names, categorical, skipped = read_csv(
        args.csv,
        args.target,
        sep=_separator(args.sep),
        numeric_target=_TASKS[args.task] is False,
        skip_non_numeric=args.skip_non_numeric,
    )
    return f"{Path(args.csv).name} ({args.target})", X, y, names, categorical, skipped


def discrete_mask(names, categorical, discrete):
    """Which features are discrete: the columns of categories and those named in
    ``discrete`` (``--discrete``), where a name that is no feature is an error."""
    mask = categorical.copy()
    for name in discrete:
        if name not in names:
            raise UserError(
                f"--discrete names no feature column {name!r}; feature columns: {', '.join(names)}"
            )
        mask[names.index(name)] = True
    return mask


def _skmi_estimator(args, discrete):
    return HistogramMI(
        n_bins=args.n_bins,
        strategy=args.strategy,
        correction=None if args.correction == "none" else args.correction,
        discrete_features=discrete,
        discrete_target=_TASKS[args.task],
        base=args.base,
    )


def _codes(X, categorical):
    """X as numbers for scikit-learn's KSG, which takes no strings: each column of
    categories as the index of its value among the sorted categories, a missing value
    (None) after them, as skmi encodes it."""
    if not categorical.any():
        return X
    X = X.copy()
    for j in np.flatnonzero(categorical):
        missing = np.array([value is None for value in X[:, j]])
        labels, codes = np.unique(X[~missing, j].astype(str), return_inverse=True)
        X[~missing, j] = codes
        X[missing, j] = labels.size
    return X.astype(np.float64)


def _incomplete(X, names, categorical):
    """The names of the numeric columns of X that hold a missing value (NaN)."""
    numeric = np.flatnonzero(~np.asarray(categorical, dtype=bool))
    values = np.asarray(X[:, numeric], dtype=np.float64)
    return [names[numeric[j]] for j in np.flatnonzero(np.isnan(values).any(axis=0))]


def _quoted(names):
    return ", ".join(repr(name) for name in names)


def _ksg(X, y, discrete_target, discrete_features):
    score = mutual_info_classif if discrete_target else mutual_info_regression
    return score(X, y, discrete_features=discrete_features, random_state=0)


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


def score(args, X, y, discrete, categorical):
    """Fitted HistogramMI, its time, and scikit-learn's KSG MI (in nats) and time, or None.

    Both take the features of the mask ``discrete`` as discrete; scikit-learn gets the
    columns of categories (the mask ``categorical``) as codes (`_codes`). Each time is the
    median of ``args.repeat`` calls after a warm-up call (`_median_time`).
    """
    try:
        estimator = _skmi_estimator(args, discrete)
        estimator, skmi_time = _median_time(lambda: estimator.fit(X, y), args.repeat)
        if args.no_compare:
            return estimator, skmi_time, None, None
        target, codes = estimator.discrete_target_, _codes(X, categorical)
        ksg, ksg_time = _median_time(lambda: _ksg(codes, y, target, discrete), args.repeat)
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


def ranking(names, estimator, ksg):
    """The features, best skmi score first, as dicts of the report's columns: rank,
    feature, skmi_mi and p_value and, given scikit-learn's KSG MI ``ksg`` (in nats),
    sklearn_mi (in the estimator's base, as skmi_mi) and sklearn_rank."""
    scores, pvalues = estimator.scores_, estimator.pvalues_
    if ksg is not None:
        ksg = ksg / (1.0 if _unit(estimator.base) == "nats" else math.log(estimator.base))
        ksg_rank = rankdata(-ksg, method="min").astype(int)
    rows = []
    for rank, j in enumerate(np.argsort(-scores, kind="stable"), start=1):
        row = {
            "rank": rank,
            "feature": names[j],
            "skmi_mi": float(scores[j]),
            "p_value": float(pvalues[j]),
        }
        if ksg is not None:
            row.update(sklearn_mi=float(ksg[j]), sklearn_rank=int(ksg_rank[j]))
        rows.append(row)
    return rows


def _agreement(rows):
    """Spearman correlation of the skmi and KSG scores of ``rows`` (`ranking`), or None
    where it is undefined: spearmanr warns and returns nan on a constant input."""
    skmi, ksg = ([row[key] for row in rows] for key in ("skmi_mi", "sklearn_mi"))
    if len(rows) < 2 or np.ptp(skmi) == 0 or np.ptp(ksg) == 0:
        return None
    return float(spearmanr(skmi, ksg).statistic)


def report(title, y, estimator, rows, skmi_time, ksg_time, top=DEFAULT_TOP, repeat=1):
    """The table printed by the command: the first ``top`` of ``rows`` (`ranking`), and the
    times, medians of ``repeat`` calls."""
    unit = _unit(estimator.base)
    compare = "sklearn_mi" in rows[0]
    if estimator.discrete_target_:
        task = f"classification ({np.unique(y).size} classes)"
    else:
        task = f"regression ({_span(estimator.target_n_bins_)} target bins)"
    features = f"{len(rows)} feature{'s' * (len(rows) != 1)}"
    lines = [f"{title}: {len(y)} samples, {features}, {task}", ""]
    header = ["rank", "feature", f"skmi MI ({unit})", "p-value"]
    if compare:
        header += [f"sklearn MI ({unit})", "sklearn rank"]
    table = []
    for row in rows[:top]:
        cells = [str(row["rank"]), _name(row["feature"])]
        cells += [f"{row['skmi_mi']:.4f}", _pvalue(row["p_value"])]
        if compare:
            cells += [f"{row['sklearn_mi']:.4f}", str(row["sklearn_rank"])]
        table.append(cells)
    lines.append(format_table(header, table))
    if len(rows) > top:
        lines.append(f"... {len(rows) - top} more features (--top {len(rows)} shows all)")
    lines.append("")
    timing = f"skmi {_duration(skmi_time)}"
    if compare:
        timing += f", scikit-learn {_duration(ksg_time)} ({_speedup(ksg_time / skmi_time)})"
    lines.append(f"time: {timing}, {_calls(repeat, medians=compare)}")
    if compare:
        rho = _agreement(rows)
        rho = "n/a" if rho is None else f"{rho:.2f}"
        lines.append(f"Spearman rank agreement with scikit-learn: {rho}")
    return "\n".join(lines)


def report_csv(rows):
    """``rows`` (`ranking`) as CSV: a header row of their keys, then one row per feature."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def report_json(args, y, estimator, rows, skmi_time, ksg_time):
    """The run as a JSON object: what was ranked, the first ``--top`` of ``rows``
    (`ranking`), the times in seconds (medians of ``--repeat`` calls) and, beside
    scikit-learn, the Spearman agreement of the scores (null where undefined)."""
    result = {
        "dataset": args.csv or args.dataset,
        "target": args.target,
        "task": "classification" if estimator.discrete_target_ else "regression",
        "n_samples": len(y),
        "n_features": len(rows),
        "unit": _unit(estimator.base),
        "features": rows[: args.top],
        "timings": {"repeat": args.repeat, "skmi_seconds": skmi_time},
    }
    if "sklearn_mi" in rows[0]:
        result["timings"]["sklearn_seconds"] = ksg_time
        result["spearman"] = _agreement(rows)
    return json.dumps(result, indent=2)


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
        title, X, y, names, categorical, skipped = load(args)
        if skipped:
            count = f"{len(skipped)} non-numeric feature column{'s' * (len(skipped) > 1)}"
            print(f"skmi: left out {count}: {_skipped_list(skipped)}", file=sys.stderr)
        discrete = discrete_mask(names, categorical, args.discrete)
        incomplete = _incomplete(X, names, categorical)
        if incomplete and not args.no_compare:
            print(
                "skmi: scikit-learn's KSG takes no missing values, which "
                f"{_quoted(incomplete)} hold: comparison left out",
                file=sys.stderr,
            )
            args.no_compare = True
        estimator, skmi_time, ksg, ksg_time = score(args, X, y, discrete, categorical)
    except UserError as exc:
        return _fail(str(exc))
    rows = ranking(names, estimator, ksg)
    if args.format == "csv":
        print(report_csv(rows[: args.top]), end="")
    elif args.format == "json":
        print(report_json(args, y, estimator, rows, skmi_time, ksg_time))
    else:
        top = args.top or DEFAULT_TOP
        print(report(title, y, estimator, rows, skmi_time, ksg_time, top, args.repeat))
    return 0


def _fail(message):
    print(f"skmi: error: {message}", file=sys.stderr)
    return 2
