"""`digitlab lessons`: the lessons, one a line (open one with `digitlab --lesson NAME`)."""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object a lesson")


def run(args: argparse.Namespace) -> int:
    import sys

    from digitlab.session.lessons import read_lessons

    found, broken = read_lessons()
    for error in broken:  # said, and the others listed all the same
        print(f"digitlab lessons: {error}", file=sys.stderr)
    width = max((len(lesson.id) for lesson in found), default=0)
    for lesson in found:
        if args.json:
            print(json.dumps({"name": lesson.id, "title": lesson.title,
                              "summary": lesson.summary, "workspace": lesson.workspace,
                              "steps": len(lesson.steps)}))  # fmt: skip
        else:
            print(f"{lesson.id:<{width}}  {lesson.title}: {lesson.summary}")
    if not args.json:
        print("\nopen one with: digitlab --lesson NAME")
    return 1 if broken else 0
