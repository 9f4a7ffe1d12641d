"""`digitlab` with no command: the window (Qt is imported only when it opens)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options of its own: `--data-dir` is the top-level one."""


def run(args: argparse.Namespace) -> int:
    from digitlab.ui.app import run_app

    return run_app(data_dir=args.data_dir)
