"""``python -m skmi``: the ``skmi`` command."""

import sys

from skmi._cli import main

sys.exit(main())
