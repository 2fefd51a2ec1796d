"""``python -m chump_typed``: the command line."""

import sys

from chump_typed.cli import main

sys.exit(main())
