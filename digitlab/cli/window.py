"""`digitlab` with no command: the window (Qt is imported only when it opens)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options of its own: `--data-dir` is the top-level one."""


def run(args: argparse.Namespace) -> int:
    lesson = getattr(args, "window_lesson", None)
    if lesson is not None:  # a wrong name is told before any window opens (exit 2)
        from digitlab.session.lessons import LessonError, find_lesson

        try:
            find_lesson(lesson)
        except LessonError as exc:
            raise ValueError(str(exc)) from None
    from digitlab.ui.app import run_app

    return run_app(data_dir=args.data_dir, lesson=lesson)
