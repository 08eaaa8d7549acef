"""The README's quickstart must run as written."""

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_quickstart_runs():
    """Check that every python block of README.md executes without error or warning."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def test_readme_setup_commands_match_ci():
    """Check that .ci/run installs and tests with the README's own commands."""
    ci = (README.parent / ".ci" / "run").read_text().splitlines()
    assert 'pip install ".[test]" && pytest' in README.read_text()
    assert 'pip install ".[test]"' in ci and "pytest" in ci
