"""`digitlab record RUN --view ID --out FILE`: a view across a saved run, as an animation."""

from __future__ import annotations

import argparse

from digitlab.cli.args import window_size


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text[:40]!r}") from None
    if not 0.1 <= value <= 60:
        raise argparse.ArgumentTypeError("frames a second are from 0.1 to 60")
    return value


def _frames(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 2000:
        raise argparse.ArgumentTypeError(f"a number of frames from 1 to 2000: {text[:40]!r}")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN", help="a run file (digitlab train --history RUN)")
    parser.add_argument(
        "--view",
        required=True,
        metavar="ID",
        help="the view to record (digitlab screenshot --list-views)",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the animation: .gif, .webp, .png (APNG) or .mp4 (video extra)",
    )
    parser.add_argument("--size", type=window_size, default=(640, 480), metavar="WxH")
    parser.add_argument(
        "--fps",
        type=_fps,
        default=10.0,
        metavar="N",
        help="frames a second (default 10): a frame a moment of the run",
    )
    parser.add_argument(
        "--frames",
        type=_frames,
        metavar="N",
        help="at most N frames, spread over the run (default: every moment)",
    )


def run(args: argparse.Namespace) -> int:
    from digitlab.ui.views import VIEWS

    ids = [spec.id for spec in VIEWS]
    if args.view not in ids:  # a bad argument: exit 2, before anything is read or rendered
        raise ValueError(f"no view {args.view[:40]!r}; the views are {', '.join(ids)}")
    from digitlab.core.animation import check_recording_path
    from digitlab.ui.recorder import record_run

    check_recording_path(args.out)
    path, frames = record_run(args.run, args.view, args.out, args.size, args.fps, args.frames)
    print(f"wrote {path} ({frames} frames at {args.fps:g} a second)")
    return 0
