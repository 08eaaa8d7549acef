"""The ``skmi`` command: rank the features of a dataset or a CSV file by histogram MI, beside
scikit-learn's KSG estimate and its run time, as a table, CSV or JSON.

A CSV column is numbers when every cell is a number, true/false (read as 1/0) or missing
(NaN, which skmi counts in a bin of its own); otherwise it is a column of categories, given to
skmi as strings (discrete, a missing cell a category of its own) and to scikit-learn's KSG,
which takes numbers only, as integer codes. KSG takes no missing values either: where a
numeric column holds some, its comparison is left out, with a note.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn import datasets
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

from skmi._binning import _STRATEGIES
from skmi._binning._rules import _BIN_RULES
from skmi._cli._reading import UserError, _codes, _incomplete, _separator, _skipped_list, read_csv
from skmi._cli._report import DEFAULT_TOP, ranking, report, report_csv, report_json
from skmi._histogram_mi import HistogramMI
from skmi._params import DEFAULT_CORRECTION, DEFAULT_N_BINS
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


_FORMATS = ("table", "csv", "json")


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
        help="resolution of each feature's joint table with the target: partition (cells "
        "split while the data are uneven), adaptive (the finest grid its own data "
        "support), an int >= 2, or a rule: "
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
        help="bias correction of MI on a grid of bins (partition trees take none): "
        "miller-madow (first-order bias from the table), chance (expected MI of the "
        "margins under independence; with --n-bins adaptive or a count) or none (plug-in) "
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
