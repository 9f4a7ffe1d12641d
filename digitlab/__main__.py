"""`python -m digitlab` is the same as the `digitlab` command."""

import sys

from digitlab.cli import main

if __name__ == "__main__":  # the trainer's spawned child imports this module too
    sys.exit(main())
