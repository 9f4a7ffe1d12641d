"""`digitlab screenshot`: the window (in a workspace or a lesson), or one view, in a demo state,
rendered offscreen to a PNG."""

from __future__ import annotations

import argparse
import sys

from digitlab.cli.args import window_size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", nargs="?", help="the picture file to write (.png)")
    parser.add_argument("--size", type=window_size, default=(1400, 860), metavar="WxH")
    parser.add_argument("--view", metavar="ID", help="render one view alone (see --list-views)")
    parser.add_argument("--list-views", action="store_true", help="print the view ids and exit")
    parser.add_argument(
        "--workspace", metavar="NAME", help="the window in this workspace (see --list-workspaces)"
    )
    parser.add_argument(
        "--list-workspaces", action="store_true", help="print the workspaces and exit"
    )
    parser.add_argument(
        "--lesson", metavar="NAME", help="the window in this lesson (digitlab lessons lists them)"
    )
    parser.add_argument(
        "--model",
        metavar="MODEL",
        help="this model reads the drawing: a file, or robust, mlp, linear",
    )
    parser.add_argument(
        "--no-train", action="store_true", help="skip the short demo run (needs no MNIST)"
    )


def run(args: argparse.Namespace) -> int:
    if args.list_views:
        from digitlab.ui.views import VIEWS

        for spec in VIEWS:
            print(f"{spec.id:<16} {spec.title}")
        return 0
    if args.list_workspaces:
        from digitlab.ui.workspaces import WORKSPACES

        for number, plan in enumerate(WORKSPACES, start=1):
            print(f"{plan.id:<12} Ctrl+{number}  {plan.title}: {plan.tip}")
        return 0
    # Bad arguments (ValueError: exit 2, as argparse's own), before any window is made.
    if not args.path:
        raise ValueError("give the picture file to write, e.g. digitlab screenshot out.png")
    if args.view is not None:
        from digitlab.ui.views import VIEWS

        ids = [spec.id for spec in VIEWS]
        if args.view not in ids:
            raise ValueError(f"no view {args.view[:40]!r}; the views are {', '.join(ids)}")
    shown = [o for o in ("view", "workspace", "lesson") if getattr(args, o) is not None]
    if len(shown) > 1:
        both = " and ".join("--" + option for option in shown)
        raise ValueError(f"give one of --view, --workspace and --lesson, not {both}")
    if args.workspace is not None:
        from digitlab.ui.workspaces import WORKSPACES

        ids = [plan.id for plan in WORKSPACES]
        if args.workspace not in ids:
            raise ValueError(
                f"no workspace {args.workspace[:40]!r}; the workspaces are {', '.join(ids)}"
            )
    if args.lesson is not None:
        from digitlab.session.lessons import LessonError, find_lesson

        try:
            find_lesson(args.lesson)
        except LessonError as exc:
            raise ValueError(str(exc)) from None
    from digitlab.ui.screenshot import Interrupted, save_screenshot

    try:
        path = save_screenshot(
            args.path,
            args.size,
            view=args.view,
            data_dir=args.data_dir,
            train=not args.no_train,
            workspace=args.workspace,
            lesson=args.lesson,
            model=args.model,
        )
    except Interrupted as stopped:  # Ctrl+C or SIGTERM: nothing written, nothing left behind
        print("digitlab screenshot: interrupted", file=sys.stderr)
        return 128 + stopped.number  # 130 for Ctrl+C, 143 for SIGTERM, as a shell reports them
    print(f"wrote {path}")
    return 0
