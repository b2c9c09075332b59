"""`python -m flows <command>`: the same CLI as the `summitry` console script."""

import sys

from flows.cli import main

sys.exit(main())
