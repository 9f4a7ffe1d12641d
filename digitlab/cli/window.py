"""`digitlab` (the window) and `digitlab screenshot`: the commands that need Qt."""

from __future__ import annotations

import argparse
import sys


def cmd_app(args: argparse.Namespace) -> int:
    from digitlab.ui.app import run_app

    return run_app(data_dir=args.data_dir)


def cmd_screenshot(args: argparse.Namespace) -> int:
    if args.list_views:
        from digitlab.ui.views import VIEWS

        for spec in VIEWS:
            print(f"{spec.id:<16} {spec.title}")
        return 0
    # Bad arguments (ValueError: exit 2, as argparse's own), before any window is made.
    if not args.path:
        raise ValueError("give the picture file to write, e.g. digitlab screenshot out.png")
    if args.view is not None:
        from digitlab.ui.views import VIEWS

        ids = [spec.id for spec in VIEWS]
        if args.view not in ids:
            raise ValueError(f"no view {args.view[:40]!r}; the views are {', '.join(ids)}")
    from digitlab.ui.screenshot import Interrupted, save_screenshot

    try:
        path = save_screenshot(
            args.path, args.size, view=args.view, data_dir=args.data_dir, train=not args.no_train
        )
    except Interrupted as stopped:  # Ctrl+C or SIGTERM: nothing written, nothing left behind
        print("digitlab screenshot: interrupted", file=sys.stderr)
        return 128 + stopped.number  # 130 for Ctrl+C, 143 for SIGTERM, as a shell reports them
    print(f"wrote {path}")
    return 0
