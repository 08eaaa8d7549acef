"""``python -m skmi``: the ``skmi`` command."""

import sys

from skmi._cli import main

# pytest's --doctest-modules imports this module; running the command then would exit pytest.
if __name__ == "__main__":
    sys.exit(main())
