"""Start → first snapshot in a lesson: opening a lesson warms the trainer up (its process
started, torch imported, the lesson's data loaded), so Start shows the net at once.

For each lesson that trains: open it (`session.lessons.apply`), give the trainer the few seconds
a teacher spends reading the first step, press Start, and time until the first snapshot reaches
the session. Target ≤ 1 s each, printed with ok / not ok.

    DIGITLAB_DATA=/path/to/data python benchmarks/lesson_start.py
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import verdict  # noqa: E402

from digitlab.session import Session  # noqa: E402
from digitlab.session.jobs import QueueDispatcher  # noqa: E402
from digitlab.session.lessons import apply, load_lessons  # noqa: E402

TARGET_S = 1.0
READING_S = 4.0  # a teacher reads the first step before pressing Start


def start_to_first_snapshot(lesson) -> float:
    """Seconds from Start to the first snapshot, in a fresh session opened in the lesson."""
    dispatcher = QueueDispatcher()
    session = Session(dispatcher)
    try:
        apply(session, lesson)
        dispatcher.drain(60.0, until=lambda: session.run.trainer_ready)
        dispatcher.drain(READING_S, until=lambda: False)
        updates = []
        session.run.updated.connect(updates.append)
        started = time.perf_counter()
        session.run.start()
        dispatcher.drain(60.0, until=lambda: bool(updates))
        return time.perf_counter() - started
    finally:
        session.close()


def main() -> int:
    worst = 0.0
    for lesson in [each for each in load_lessons() if each.trains]:
        took = start_to_first_snapshot(lesson)
        worst = max(worst, took)
        print(f"{lesson.id:<14} Start → first snapshot {took * 1000:6.0f} ms "
              f"(target ≤ {TARGET_S * 1000:.0f} ms) {verdict(took <= TARGET_S)}")  # fmt: skip
    print(f"worst: {worst * 1000:.0f} ms (target ≤ {TARGET_S * 1000:.0f} ms) "
          f"{verdict(worst <= TARGET_S)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
