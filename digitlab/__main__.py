"""`python -m digitlab` is the same as the `digitlab` command."""

from digitlab.cli import run

if __name__ == "__main__":  # the trainer's spawned child imports this module too
    run()
