"""Two nets side by side (issue 25): each trainer's speed beside the other against alone.

The session as the window drives it (without the window): the run (A, 784→10) and its partner
(B, 784→100→10) each in their own trainer process, the same data, batches and settings. A
trains alone, then B alone (as the run), then both at once; each speed is the samples of its
last snapshot over its steps' compute time. Prints, with its target and ok / not ok:
- A beside B as a share of A alone (target ≥ 80 %),
- B beside A as a share of B alone (target ≥ 80 %).
Each speed is the best of `--repeat` interleaved rounds (an epoch of 784→10 takes a fifth of a
second here, so one busy moment of this shared machine moves a single round by a third).

    DIGITLAB_DATA=/path/to/data python benchmarks/side_by_side.py [--epochs 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import matmul_gflops, verdict  # noqa: E402

from digitlab.session import QueueDispatcher, Session  # noqa: E402
from digitlab.session.run import RunPhase, TrainingRun  # noqa: E402

TARGET = 0.80


def speed(run: TrainingRun) -> float:
    snap = run.latest.snapshot
    return snap.samples_seen / max(snap.elapsed_s, 1e-9)


def train(session: Session, dispatcher: QueueDispatcher, hidden: tuple[int, ...],
          partner: str | None, epochs: int) -> tuple[float, float | None]:  # fmt: skip
    """Samples/s of the run (and of B when `partner` gives its hidden layers)."""
    session.run.reset()
    session.side_by_side.set_enabled(partner is not None)
    if partner is not None:
        session.side_by_side.set_hidden(partner)
    session.run.set_settings(session.run.settings.replaced(hidden=hidden, epochs=epochs))
    runs = [session.run] + ([session.partner_run] if partner is not None else [])
    for run in runs:  # the processes started and the data loaded before the clock starts
        run.prepare()
    dispatcher.drain(120, lambda: all(run.trainer_ready for run in runs))
    cpu, wall = time.process_time(), time.perf_counter()
    assert session.run.start()
    done = dispatcher.drain(600, lambda: all(run.phase is RunPhase.FINISHED for run in runs))
    assert done, "the runs did not finish in 10 minutes"
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"  ({'both' if partner else 'alone'}, hidden {hidden}: the session's own process used "
          f"{cpu:.2f} s of CPU in {wall:.2f} s)")  # fmt: skip
    return speed(session.run), speed(session.partner_run) if partner is not None else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each speed's best counts")
    args = parser.parse_args()
    print(f"matmul: {matmul_gflops():.0f} GFLOP/s · {os.cpu_count()} cores")
    dispatcher = QueueDispatcher()
    session = Session(dispatcher)
    rounds = []
    try:
        for _ in range(args.repeat):  # interleaved: a slow minute of the machine hits all three
            a_alone, _ = train(session, dispatcher, (), None, args.epochs)
            b_alone, _ = train(session, dispatcher, (100,), None, args.epochs)
            a_beside, b_beside = train(session, dispatcher, (), "100", args.epochs)
            rounds.append((a_alone, b_alone, a_beside, b_beside))
    finally:
        session.close()
    a_alone, b_alone, a_beside, b_beside = (max(values) for values in zip(*rounds))
    print(f"A 784→10 alone: {a_alone:,.0f} samples/s; beside B: {a_beside:,.0f} samples/s")
    print(f"B 784→100→10 alone: {b_alone:,.0f} samples/s; beside A: {b_beside:,.0f} samples/s")
    failed = False
    for name, share in (("A", a_beside / a_alone), ("B", b_beside / b_alone)):
        ok = share >= TARGET
        failed |= not ok
        print(f"{name} beside the other: {share:.0%} of its speed alone "
              f"(target ≥ {TARGET:.0%}): {verdict(ok)}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
