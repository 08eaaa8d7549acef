import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from skmi._cli import main


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


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


def test_main_non_numeric_feature(tmp_path, capsys):
    """Check that a non-numeric feature column is a one-line error naming column and value."""
    path = write_csv(tmp_path / "d.csv", ["city", "y"], [["Paris", 1.0], ["Rome", 2.0]])
    assert_one_line_error(capsys, main(["--csv", path, "--target", "y"]), "'city'", "'Paris'")


@pytest.mark.parametrize(
    "content, message",
    [("", "is empty"), ("a,y\n", "no data rows"), ("a,y\n1,2\n3\n", "row 3")],
)
def test_main_malformed_csv(tmp_path, content, message, capsys):
    """Check that an empty, header-only or ragged CSV is a one-line error."""
    path = tmp_path / "bad.csv"
    path.write_text(content)
    status = main(["--csv", str(path), "--target", "y", "--no-compare"])
    assert_one_line_error(capsys, status, message)


def test_main_empty_cell(tmp_path, capsys):
    """Check that a missing value in a feature column is a one-line error naming the column."""
    path = write_csv(tmp_path / "d.csv", ["a", "y"], [[1.0, 2.0], ["", 3.0], [2.0, 1.0]])
    assert_one_line_error(capsys, main(["--csv", path, "--target", "y"]), "'a'", "empty cell")


def test_main_regression_on_labels(tmp_path, capsys):
    """Check that --task regression on string labels is a one-line error echoing a label."""
    path = write_csv(tmp_path / "d.csv", ["a", "y"], [[1.0, "cat"], [2.0, "dog"]])
    status = main(["--csv", path, "--target", "y", "--task", "regression"])
    assert_one_line_error(capsys, status, "'cat'")


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


def test_module_help():
    """Check that ``python -m skmi --help`` exits 0 and documents the options."""
    result = subprocess.run(
        [sys.executable, "-m", "skmi", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
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
