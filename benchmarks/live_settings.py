"""A setting changed during a run: how soon the run trains with it.

A session trains 784→100→10 on MNIST (batch 64, the window's refresh of ~11 snapshots a second)
in the trainer's child process, as the window does. Every ~0.3 s the learning rate is set to
another value (`session.run.set_settings`, as the form does), and two times are taken: until the
first snapshot trained with it reaches the session, and until the step that took it (estimated
from where the snapshot says it took effect and the run's speed). Target: within one refresh
(the snapshot interval, 0.09 s), printed with ok / not ok.

    DIGITLAB_DATA=/path/to/data python benchmarks/live_settings.py [--changes 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import verdict  # noqa: E402

from digitlab.session import Session  # noqa: E402
from digitlab.session.jobs import QueueDispatcher  # noqa: E402
from digitlab.session.run import RunPhase  # noqa: E402
from digitlab.session.run_settings import SNAPSHOT_SECONDS, RunSettings  # noqa: E402

SETTINGS = RunSettings(hidden=(100,), epochs=50, batch_size=64, lr=1e-3)


def measure(changes: int) -> tuple[list[float], list[float]]:
    """(to the first snapshot trained with it, to the step that took it) per change, in s."""
    dispatcher = QueueDispatcher()
    session = Session(dispatcher)
    updates: list = []
    session.run.updated.connect(lambda u: updates.append((time.perf_counter(), u.snapshot)))
    try:
        session.run.set_settings(SETTINGS)
        session.run.start()
        dispatcher.drain(120.0, until=lambda: len(updates) >= 10)
        assert session.run.phase is RunPhase.RUNNING, session.notices
        to_snapshot, to_step = [], []
        for i in range(changes):
            lr = 2e-3 if i % 2 == 0 else 1e-3
            asked = time.perf_counter()
            seen = len(updates)
            session.run.set_settings(session.run.settings.replaced(lr=lr))

            def taken(seen: int = seen) -> bool:
                return any(snap.changes for _, snap in updates[seen:])

            assert dispatcher.drain(5.0, until=taken), "the change never arrived"
            arrived, snap = next((t, s) for t, s in updates[seen:] if s.changes)
            assert snap.live.lr == lr
            to_snapshot.append(arrived - asked)
            trained_since = (snap.samples_seen - snap.changes[-1].samples) / snap.samples_per_s
            to_step.append(max(arrived - trained_since - asked, 0.0))
            dispatcher.drain(0.3, until=lambda: False)  # the run goes on a while
        return to_snapshot, to_step
    finally:
        session.run.stop()
        dispatcher.drain(10.0, until=lambda: not session.run.phase.busy)
        session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    to_snapshot, to_step = measure(args.changes)
    # The step must come within one refresh every time; its snapshot, at the next refresh after
    # it, within one refresh as a rule.
    for name, times, limit in (("first snapshot with it", to_snapshot, statistics.median),
                               ("step that took it", to_step, max)):  # fmt: skip
        median, worst = statistics.median(times), max(times)
        ok = verdict(limit(times) <= SNAPSHOT_SECONDS)
        print(f"lr changed mid-run ({len(times)}×) → {name}: median "
              f"{1000 * median:.0f} ms, worst {1000 * worst:.0f} ms "
              f"(target ≤ one refresh, {1000 * SNAPSHOT_SECONDS:.0f} ms) {ok}")  # fmt: skip


if __name__ == "__main__":
    main()
