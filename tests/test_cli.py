import csv
import io
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

import skmi._cli
from skmi import HistogramMI
from skmi._cli import _median_time, main


def write_csv(path, header, rows, sep=","):
    lines = [sep.join(header)] + [sep.join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def ranked(capsys, argv):
    """The ranking ``main(argv)`` writes with ``--format csv``, one dict per feature."""
    assert main([*argv, "--format", "csv", "--repeat", "1"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


@pytest.fixture
def colors(tmp_path):
    """Header and rows of 200 samples whose class is exactly their colour, beside noise."""
    rng = np.random.default_rng(0)
    color = rng.choice(["red", "blue"], size=200)
    rows = zip(rng.normal(size=200).round(4), color, (color == "red").astype(int), strict=True)
    return ["noise", "color", "y"], [list(row) for row in rows]


@pytest.fixture
def regression_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    y = x[:, 0] + 0.1 * rng.normal(size=300)
    return write_csv(tmp_path / "data.csv", ["signal", "noise", "y"], np.column_stack([x, y]))


def test_main_default_ranks_diabetes(capsys):
    """Check that the default run ranks the diabetes features beside scikit-learn's KSG."""
    assert main([]) == 0
    out = capsys.readouterr().out
    for name in load_diabetes().feature_names:
        assert f"  {name} " in out
    assert "sklearn MI (nats)" in out
    assert "scikit-learn" in out and "Spearman" in out
    table = out.splitlines()[3:13]
    assert table[0].split()[1] in ("bmi", "s5")


def test_main_classification_dataset(capsys):
    """Check that a bundled classification dataset is ranked with a discrete target, in bits."""
    assert main(["--dataset", "wine", "--no-compare", "--base", "2", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "classification (3 classes)" in out
    assert "skmi MI (bits)" in out and "sklearn" not in out
    assert "... 10 more features" in out


def test_main_csv_regression(regression_csv, capsys):
    """Check that a CSV with a numeric target ranks the informative column first."""
    assert main(["--csv", regression_csv, "--target", "y", "--no-compare"]) == 0
    out = capsys.readouterr().out
    assert "regression" in out
    rows = [line.split() for line in out.splitlines() if line.lstrip()[:1].isdigit()]
    assert [row[1] for row in rows] == ["signal", "noise"]


def test_main_csv_string_labels(tmp_path, capsys):
    """Check that string class labels in the target column make a classification task."""
    rng = np.random.default_rng(0)
    labels = rng.choice(["cat", "dog"], size=200)
    x = np.where(labels == "cat", 0.0, 1.0) + 0.3 * rng.normal(size=200)
    rows = zip(x.round(4), rng.normal(size=200).round(4), labels, strict=True)
    path = write_csv(tmp_path / "pets.csv", ["weight", "noise", "species"], rows)
    assert main(["--csv", path, "--target", "species"]) == 0
    out = capsys.readouterr().out
    assert "classification (2 classes)" in out
    assert out.splitlines()[3].split()[1] == "weight"


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_main_task_is_forced(regression_csv, task, capsys):
    """Check that --task overrides the automatic choice of target type."""
    status = main(["--csv", regression_csv, "--target", "y", "--no-compare", "--task", task])
    out, err = capsys.readouterr()
    if task == "regression":
        assert status == 0 and "regression" in out
    else:
        # A continuous target is not a set of class labels: skmi says so, in one line.
        assert status == 2 and err.startswith("skmi: error: ") and err.count("\n") == 1


def assert_one_line_error(capsys, status, *fragments):
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("skmi: error: ") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err


def test_main_missing_file(tmp_path, capsys):
    """Check that a missing file is a one-line error naming the file."""
    path = str(tmp_path / "absent.csv")
    assert_one_line_error(capsys, main(["--csv", path, "--target", "y"]), path)


def test_main_unknown_target(regression_csv, capsys):
    """Check that an unknown target column is named and the available columns listed."""
    status = main(["--csv", regression_csv, "--target", "price"])
    assert_one_line_error(capsys, status, "'price'", "signal, noise, y")


def test_main_string_column_is_categories(tmp_path, colors, capsys):
    """Check that a column of strings is ranked as categories, by skmi and scikit-learn."""
    path = write_csv(tmp_path / "d.csv", *colors)
    first, second = ranked(capsys, ["--csv", path, "--target", "y"])
    assert first["feature"] == "color" and second["feature"] == "noise"
    assert float(first["skmi_mi"]) > 0.6 and float(first["sklearn_mi"]) > 0.6  # ln 2 = 0.69
    assert first["sklearn_rank"] == "1"


def test_main_missing_cell_in_string_column(tmp_path, capsys):
    """Check that the missing cells of a column of strings, however spelled, are one category
    of their own: ranked as if they were one more value."""
    rng = np.random.default_rng(0)
    grade = rng.choice(["a", "b", "z"], size=120)
    rows = [[g, float(g == "b") + 2 * (g == "z")] for g in grade]
    argv = ["--target", "y", "--task", "classification"]
    spelled = write_csv(tmp_path / "z.csv", ["grade", "y"], rows)
    expected = ranked(capsys, ["--csv", spelled, *argv])
    for i, cell in zip(np.flatnonzero(grade == "z"), itertools.cycle(MISSING_CELLS)):
        rows[i][0] = cell
    missing = write_csv(tmp_path / "missing.csv", ["grade", "y"], rows)
    assert ranked(capsys, ["--csv", missing, *argv]) == expected
    assert float(expected[0]["skmi_mi"]) > 1.0  # three classes told apart: ln 3 = 1.10


def test_main_regression_on_labels_names_value_and_line(tmp_path, capsys):
    """Check that a label in a forced regression target is quoted as plain text with its line."""
    path = write_csv(tmp_path / "d.csv", ["a", "y"], [[1.0, 2.0], [2.0, "cat"], [3.0, 1.0]])
    status = main(["--csv", path, "--target", "y", "--task", "regression"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "column 'y' holds 'cat' on line 3" in err
    assert "np." not in err


@pytest.mark.parametrize(
    "content, message",
    [("", "is empty"), ("a,y\n", "no data rows"), ("a,y\n1,2\n3\n", "line 3 of")],
)
def test_main_malformed_csv(tmp_path, content, message, capsys):
    """Check that an empty, header-only or ragged CSV is a one-line error."""
    path = tmp_path / "bad.csv"
    path.write_text(content)
    status = main(["--csv", str(path), "--target", "y", "--no-compare"])
    assert_one_line_error(capsys, status, message)


MISSING_CELLS = ["", "nan", "NaN", "NA", "N/A", " n/a "]


def test_main_missing_feature_values(tmp_path, capsys):
    """Check that every spelling of a missing value in a numeric feature is counted as
    skmi counts NaN, in a bin of its own (a class marked by missingness is found), and that
    the KSG comparison, which takes no missing values, is left out with a note naming the
    column."""
    rng = np.random.default_rng(1)
    label = rng.integers(0, 2, size=200)
    values = rng.normal(size=(200, 2)).round(4)
    rows = [[*pair, c] for pair, c in zip(values.tolist(), label, strict=True)]
    rankings = []
    for cell in MISSING_CELLS:
        for i in np.flatnonzero(label == 1):
            rows[i][1] = cell
        path = write_csv(tmp_path / "d.csv", ["a", "b", "y"], rows)
        rankings.append(ranked(capsys, ["--csv", path, "--target", "y"]))
        err = capsys.readouterr().err
    assert all(ranking == rankings[0] for ranking in rankings)
    first = rankings[0][0]
    assert first["feature"] == "b" and float(first["skmi_mi"]) > 0.6  # ln 2 = 0.69
    assert "sklearn_mi" not in first
    rows = [[1.0, 0.5, 2.0], [2.0, "NA", 3.0], [3.0, 1.5, 1.0]]
    path = write_csv(tmp_path / "d.csv", ["a", "b", "y"], rows)
    assert main(["--csv", path, "--target", "y", "--repeat", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'b'" in err and "KSG takes no missing values" in err


def test_main_missing_value_line_counts_blank_lines(tmp_path, capsys):
    """Check that the line named for a missing value is the file's line, blank lines included."""
    path = tmp_path / "d.csv"
    path.write_text("a,y\n1,2\n\n3,4\n5,NA\n")
    status = main(["--csv", str(path), "--target", "y"])
    assert_one_line_error(capsys, status, "column 'y' has a missing value on line 5 of")


@pytest.mark.parametrize("cell", MISSING_CELLS)
def test_main_missing_target_value(tmp_path, cell, capsys):
    """Check that a missing target value is an error, not a class label or a NaN target."""
    rows = [[1.0, "cat"], [2.0, "dog"], [3.0, cell], [4.0, "cat"]]
    path = write_csv(tmp_path / "d.csv", ["a", "y"], rows)
    status = main(["--csv", path, "--target", "y", "--no-compare"])
    assert_one_line_error(capsys, status, "target column 'y' has a missing value on line 4 of")


@pytest.mark.parametrize("column", ["a", "y"])
def test_main_infinite_value(tmp_path, column, capsys):
    """Check that an infinite number is a one-line error naming column, value and line."""
    rows = [[1.0, 2.0], [2.0, 3.0], [3.0, 1.0]]
    rows[1][["a", "y"].index(column)] = "-inf"
    path = write_csv(tmp_path / "d.csv", ["a", "y"], rows)
    status = main(["--csv", path, "--target", "y"])
    assert_one_line_error(
        capsys, status, f"column '{column}' has an infinite value '-inf' on line 3"
    )


def test_main_skip_non_numeric(tmp_path, capsys):
    """Check that --skip-non-numeric names the dropped columns on stderr and ranks the rest."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    y = x[:, 0] + 0.1 * rng.normal(size=300)
    city = rng.choice(["Paris", "Rome"], size=300)
    rows = zip(city, x[:, 0].round(4), x[:, 1].round(4), city, y.round(4), strict=True)
    path = write_csv(tmp_path / "d.csv", ["city", "signal", "noise", "town", "y"], rows)
    argv = ["--csv", path, "--target", "y", "--no-compare", "--repeat", "1"]

    assert main([*argv, "--skip-non-numeric"]) == 0
    out, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert err.startswith("skmi: left out 2 non-numeric feature columns: 'city'")
    assert "'town'" in err and f"'{city[0]}'" in err
    assert "2 features" in out
    rows = [line.split() for line in out.splitlines() if line.lstrip()[:1].isdigit()]
    assert [row[1] for row in rows] == ["signal", "noise"]

    assert main(argv) == 0  # without the option, they are ranked as categories
    out, err = capsys.readouterr()
    assert "4 features" in out and "city" in out and "town" in out and err == ""


def test_main_skip_non_numeric_keeps_a_numeric_column_with_missing_values(tmp_path, capsys):
    """Check that --skip-non-numeric does not drop a numeric column with a missing value."""
    rows = [[1.0, "x", 2.0], ["NA", "y", 3.0], [2.0, "z", 1.0], [4.0, "x", 0.5]]
    path = write_csv(tmp_path / "d.csv", ["a", "b", "y"], rows)
    got = ranked(capsys, ["--csv", path, "--target", "y", "--skip-non-numeric"])
    assert [row["feature"] for row in got] == ["a"]


def test_main_skip_non_numeric_with_nothing_left(tmp_path, capsys):
    """Check that a CSV with no numeric feature column is one error line naming the columns."""
    rows = [["x", "u", 2.0], ["y", "v", 3.0]]
    path = write_csv(tmp_path / "d.csv", ["a", "b", "y"], rows)
    status = main(["--csv", path, "--target", "y", "--skip-non-numeric"])
    assert_one_line_error(capsys, status, "no numeric feature columns", "'a'", "'b'")


def test_main_too_few_rows(tmp_path, capsys):
    """Check that a single data row is a one-line error from skmi's own validation."""
    path = write_csv(tmp_path / "one.csv", ["a", "y"], [[1.0, 2.0]])
    status = main(["--csv", path, "--target", "y", "--no-compare"])
    assert_one_line_error(capsys, status, "1 sample")


@pytest.mark.parametrize("n_bins", ["1", "bogus"])
def test_main_bad_n_bins(n_bins, capsys):
    """Check that an invalid --n-bins is a one-line error echoing the value."""
    status = main(["--n-bins", n_bins, "--no-compare"])
    assert_one_line_error(capsys, status, "n_bins", n_bins)


def test_main_bad_base(capsys):
    """Check that base 1, which has no logarithm, is a one-line error."""
    assert_one_line_error(capsys, main(["--base", "1", "--no-compare"]), "base")


def test_main_target_without_csv(capsys):
    """Check that --target without --csv is refused."""
    assert_one_line_error(capsys, main(["--target", "y"]), "--csv")


def test_main_true_false_are_numbers(tmp_path, colors, capsys):
    """Check that true/false cells, in any case, read as 1/0: a column of numbers, which
    scikit-learn takes as continuous, where a column of categories would be discrete."""
    header, rows = colors
    rows = [[noise, int(color == "red"), y] for noise, color, y in rows]
    expected = ranked(
        capsys, ["--csv", write_csv(tmp_path / "01.csv", header, rows), "--target", "y"]
    )
    for i, row in enumerate(rows):
        row[1] = ["false", "True"][row[1]] if i % 2 else ["FALSE", "true"][row[1]]
    path = write_csv(tmp_path / "tf.csv", header, rows)
    assert ranked(capsys, ["--csv", path, "--target", "y", "--skip-non-numeric"]) == expected
    assert capsys.readouterr().err == ""  # nothing left out


@pytest.mark.parametrize("sep, written", [("tab", "\t"), ("\\t", "\t"), (";", ";")])
def test_main_sep(tmp_path, colors, sep, written, capsys):
    """Check that --sep reads a table separated by tabs or semicolons as commas read it."""
    argv = ["--target", "y", "--no-compare"]
    expected = ranked(capsys, ["--csv", write_csv(tmp_path / "c.csv", *colors), *argv])
    path = write_csv(tmp_path / "s.csv", *colors, sep=written)
    assert ranked(capsys, ["--csv", path, *argv, "--sep", sep]) == expected
    assert main(["--csv", path, *argv]) == 2  # one column "noise\tcolor\ty": no target y


@pytest.mark.parametrize("sep", ["", "ab", '"', "\n"])
def test_main_bad_sep(regression_csv, sep, capsys):
    """Check that a separator that is not one character (or a quote) is a one-line error."""
    status = main(["--csv", regression_csv, "--target", "y", "--sep", sep])
    assert_one_line_error(capsys, status, "--sep must be one character", repr(sep))


def test_main_discrete(tmp_path, capsys):
    """Check that --discrete gives each value of an integer column a bin of its own, in skmi
    and scikit-learn: 50 values whose parity is the class, which bins would mix."""
    rng = np.random.default_rng(0)
    count = rng.integers(0, 50, size=200)
    rows = zip(count, rng.integers(1, 7, size=200), count % 2, strict=True)
    argv = ["--csv", write_csv(tmp_path / "d.csv", ["count", "dice", "y"], rows), "--target", "y"]
    binned = {row["feature"]: row for row in ranked(capsys, argv)}
    argv += ["--discrete", "dice, count"]
    discrete = {row["feature"]: row for row in ranked(capsys, argv)}
    for key in ("skmi_mi", "sklearn_mi"):
        assert float(discrete["count"][key]) > 0.6 > 0.4 > float(binned["count"][key])


def test_main_discrete_unknown_column(regression_csv, capsys):
    """Check that --discrete naming no feature column is a one-line error listing them."""
    status = main(["--csv", regression_csv, "--target", "y", "--discrete", "signal,price"])
    assert_one_line_error(capsys, status, "--discrete", "'price'", "signal, noise")


def test_main_format_csv(tmp_path, capsys):
    """Check that --format csv holds every feature, beyond the table's 10 rows, unrounded."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 12))
    names = [f"x{j}" for j in range(12)]
    path = write_csv(tmp_path / "d.csv", [*names, "y"], np.column_stack([x, x[:, 3]]))
    rows = ranked(capsys, ["--csv", path, "--target", "y"])
    assert list(rows[0]) == ["rank", "feature", "skmi_mi", "p_value", "sklearn_mi", "sklearn_rank"]
    assert sorted(row["feature"] for row in rows) == sorted(names)
    assert [row["rank"] for row in rows] == [str(rank) for rank in range(1, 13)]
    assert rows[0]["feature"] == "x3" and len(rows[0]["skmi_mi"]) > 8
    assert len(ranked(capsys, ["--csv", path, "--target", "y", "--top", "2"])) == 2


def test_main_format_json(tmp_path, colors, capsys):
    """Check that --format json holds the csv's ranking, with the data and the times."""
    argv = ["--csv", write_csv(tmp_path / "d.csv", *colors), "--target", "y", "--base", "2"]
    rows = ranked(capsys, argv)
    assert main([*argv, "--format", "json", "--repeat", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["features"] == [
        {key: value if key == "feature" else float(value) for key, value in row.items()}
        for row in rows
    ]
    assert result["unit"] == "bits" and result["task"] == "classification"
    assert (result["n_samples"], result["n_features"], result["target"]) == (200, 2, "y")
    assert set(result["timings"]) == {"repeat", "skmi_seconds", "sklearn_seconds"}
    assert result["spearman"] == pytest.approx(1.0)


def _option_help(help_text, option, next_option):
    """The help of ``option``, whitespace-normalised, up to the next option's entry."""
    text = " ".join(help_text.split())
    return text[text.index(f" {option} ") : text.index(f" {next_option} ")]


def test_main_help_states_choices_and_defaults(capsys):
    """Check that --n-bins, --strategy and --correction state their choices and defaults."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    n_bins = _option_help(out, "--n-bins", "--strategy")
    assert "adaptive" in n_bins and "(default: partition)" in n_bins
    assert "an int >= 2" in n_bins and "hacine-gharbi" in n_bins
    strategy = _option_help(out, "--strategy", "--correction")
    assert "quantile (" in strategy and "uniform (" in strategy
    assert "(default: quantile)" in strategy
    correction = _option_help(out, "--correction", "--base")
    for choice in ("miller-madow (", "chance (", "none ("):
        assert choice in correction
    assert "(default: miller-madow)" in correction
    repeat = _option_help(out, "--repeat", "--no-compare")
    assert "median" in repeat and "(default: 5)" in repeat


def test_median_time_warms_up_then_takes_the_median():
    """Check that the time is the median of the timed calls, after one untimed warm-up call."""
    calls = []
    # Timed calls of 6, 2 and 1 seconds: the median, 2, is neither the first, the last, the
    # mean nor the minimum.
    ticks = iter([0.0, 6.0, 10.0, 12.0, 20.0, 21.0])

    def call():
        calls.append(len(calls))
        return len(calls)

    result, seconds = _median_time(call, 3, clock=lambda: next(ticks))
    assert calls == [0, 1, 2, 3]  # the warm-up and 3 timed calls
    assert result == 4 and seconds == 2.0


def test_main_warms_up_on_the_timed_call(monkeypatch, capsys):
    """Check that each warm-up call gets the very X, y and parameters of the timed calls.

    A warm-up on a slice of X (fewer rows, another memory order) can compile or take another
    code path than the timed call, which then pays for it.
    """
    fits, ksgs = [], []
    fit, ksg = HistogramMI.fit, skmi._cli._ksg

    def recording_fit(self, X, y):
        fits.append((X, y, repr(self.get_params())))
        return fit(self, X, y)

    def recording_ksg(X, y, discrete_target, discrete_features):
        ksgs.append((X, y, (discrete_target, discrete_features.tolist())))
        return ksg(X, y, discrete_target, discrete_features)

    monkeypatch.setattr(HistogramMI, "fit", recording_fit)
    monkeypatch.setattr(skmi._cli, "_ksg", recording_ksg)
    assert main(["--repeat", "3", "--n-bins", "8"]) == 0
    for records in (fits, ksgs):
        assert len(records) == 4  # one warm-up and three timed calls
        for X, y, rest in records:
            assert X is records[0][0] and y is records[0][1] and rest == records[0][2]
    assert fits[0][0].shape == (442, 10)
    out = capsys.readouterr().out
    assert "medians of 3 calls after a warm-up call" in out


def test_main_timing_line_says_how_many_calls(capsys):
    """Check that the timing line counts the calls its times are medians of."""
    assert main(["--no-compare", "--repeat", "2"]) == 0
    timing = [line for line in capsys.readouterr().out.splitlines() if line.startswith("time:")]
    assert len(timing) == 1 and timing[0].endswith(", median of 2 calls after a warm-up call")
    assert main(["--no-compare", "--repeat", "1"]) == 0
    assert "one call after a warm-up call" in capsys.readouterr().out


@pytest.mark.parametrize("repeat", ["0", "-1", "two"])
def test_main_bad_repeat(repeat, capsys):
    """Check that --repeat below 1 or not an int is refused, echoing the value."""
    assert main(["--repeat", repeat]) == 2
    err = capsys.readouterr().err
    assert "--repeat" in err and repeat in err


def test_module_help(tmp_path):
    """Check that ``python -m skmi --help`` exits 0 and documents the options (run outside
    the checkout, whose source directory has no compiled kernels)."""
    result = subprocess.run(
        [sys.executable, "-m", "skmi", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "--csv" in result.stdout and "--no-compare" in result.stdout


def test_console_script_help():
    """Check the installed ``skmi`` command (README's first line), where pip installed it."""
    command = shutil.which("skmi", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("skmi is not installed as a console script in this environment")
    result = subprocess.run([command, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "--dataset" in result.stdout
