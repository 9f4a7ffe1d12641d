"""A trainer that trains nothing: it hands a saved run's moments back as snapshots.

It has the interface of `LocalTrainer` and `TrainerProcess`, so a session given one replays a
run file through the very path a live run takes: the curves grow, the weights and their change
since the previous moment show, the drawing's answer follows, pause, cancel and pace work.
`digitlab record` renders a view frame by frame this way. The run's start (its untrained
weights, with no loss yet) is the baseline of the first change; the replay begins at the
first moment after it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

from digitlab.core.protocol import (
    InProcessTrainer,
    RunState,
    Snapshot,
    SnapshotStatus,
    Stage,
    TrainJob,
)
from digitlab.core.run_file import RunFile, RunMoment


class ReplayTrainer(InProcessTrainer):
    def __init__(self, run: RunFile) -> None:
        self.run = run

    def train(self, job: TrainJob, state: RunState) -> Iterator[Stage | Snapshot]:
        if job.spec != self.run.spec:
            raise ValueError(f"the run file is a {self.run.spec.describe()}, not the "
                             f"{job.spec.describe()} asked for")  # fmt: skip
        yield Stage.TRAINING
        yield from replay(self.run, state)


def replay(run: RunFile, state: RunState | None = None) -> Iterator[Snapshot]:
    """The run's moments after its start, as snapshots (each with its change since the one
    before), honouring pause, cancel and pace."""
    state = state or RunState()
    moments = run.moments
    first = 1 if len(moments) > 1 and math.isnan(moments[0].loss) else 0
    last = moments[-1]
    epochs = max(1, math.ceil(last.epoch - 1e-9))
    train_size = _train_size(moments)
    previous = moments[first - 1] if first else moments[0]
    step_began = 0.0
    for index in range(first, len(moments)):
        state.wait_while_paused()
        if index > first:
            state.wait_for_pace(step_began)
        if state.cancelled:
            return
        step_began = time.perf_counter()
        moment = moments[index]
        status = (SnapshotStatus.DONE if index == len(moments) - 1 else
                  SnapshotStatus.EPOCH if moment.epoch_end else SnapshotStatus.RUNNING)  # fmt: skip
        yield _snapshot(moment, previous, status, epochs, last.samples, train_size)
        previous = moment


def _train_size(moments: tuple[RunMoment, ...]) -> int:
    for moment in moments:
        if moment.epoch > 0 and moment.samples > 0:
            return max(1, round(moment.samples / moment.epoch))
    return 1


def _snapshot(
    moment: RunMoment, before: RunMoment, status: SnapshotStatus, epochs: int, total: int,
    train_size: int,
) -> Snapshot:  # fmt: skip
    weights = [w.copy() for w in moment.network.weights]
    return Snapshot(
        step=moment.step,
        epoch=min(int(moment.epoch - 1e-9) if moment.epoch_end else int(moment.epoch), epochs - 1),
        epochs=epochs,
        samples_seen=moment.samples,
        total_samples=total,
        loss=moment.loss,
        accuracy=moment.accuracy,
        samples_per_s=0.0,
        weights=weights,
        biases=[b.copy() for b in moment.network.biases],
        deltas=[w - p for w, p in zip(weights, before.network.weights)],
        status=status,
        test_accuracy=moment.test_accuracy,
        train_size=train_size,
    )
