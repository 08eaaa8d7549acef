"""The CSV reader of the ``skmi`` command: numbers, true/false, missing cells and columns of
categories, with errors that name the line and column to fix."""

import csv

import numpy as np


class UserError(Exception):
    """An input or parameter the user can fix: reported in one line, exit status 2."""


# Cells read as missing values, compared after stripping and lowercasing; "nan" with a sign
# too, which float() would read as NaN.
_MISSING = frozenset({"", "na", "n/a", "#n/a", "<na>", "null", "nan"})

# Cells read as numbers besides those float() reads, compared after stripping and lowercasing.
_BOOLEANS = {"true": 1.0, "false": 0.0}


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
