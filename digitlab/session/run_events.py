"""What a training run reports: its phase, how it ended, and each snapshot for the views."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Protocol

from digitlab.core.network import Network
from digitlab.core.protocol import RunState, Snapshot, SnapshotStatus, TrainJob
from digitlab.session.models import ModelEntry


class Trainer(Protocol):
    """What runs the steps: `core.remote.TrainerProcess` or `core.training.LocalTrainer`."""

    def train(self, job: TrainJob, state: RunState) -> Any: ...

    def prepare(self, data: Any) -> None: ...

    def close(self, timeout_s: float = 1.0) -> None: ...


class RunPhase(enum.Enum):
    IDLE = "idle"  # no run going (there may be a model from an earlier one)
    STARTING = "starting"  # trainer starting or data loading
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"  # the last run ended (see RunOutcome)

    @property
    def busy(self) -> bool:
        return self in (RunPhase.STARTING, RunPhase.RUNNING, RunPhase.PAUSED)


class RunEnd(enum.Enum):
    DONE = "done"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"


@dataclass(frozen=True)
class RunOutcome:
    end: RunEnd
    message: str
    test_accuracy: float | None
    epochs_trained: float

    @classmethod
    def of(cls, last: Snapshot, epochs: float, test_accuracy: float | None) -> RunOutcome:
        """How a run ended, from its last snapshot and the model's totals."""
        shown = f"{epochs:.0f}" if math.isclose(epochs, round(epochs)) else f"{epochs:.2f}"
        plural = "" if shown == "1" else "s"
        accuracy = f"{test_accuracy:.2%}" if test_accuracy is not None else "–"
        if last.status is SnapshotStatus.DONE:
            message = f"Finished: test accuracy {accuracy} after {shown} epoch{plural}"
            return cls(RunEnd.DONE, message, test_accuracy, epochs)
        if last.status is SnapshotStatus.DIVERGED:
            kept = "the weights of the last good snapshot are kept"  # the window holds them
            return cls(RunEnd.DIVERGED, f"Diverged: {last.message}; {kept}", None, epochs)
        message = f"Stopped after {shown} epoch{plural} (test accuracy {accuracy})"
        return cls(RunEnd.STOPPED, message, test_accuracy, epochs)


@dataclass(frozen=True, eq=False)
class RunUpdate:
    """One snapshot as the views need it: the run's model at this version (the very entry the
    model library answers with), and where it sits on the curves."""

    snapshot: Snapshot
    model: ModelEntry
    epoch: float  # epochs trained by this model so far (across continued runs)
    course_epoch: float = 0.0  # epochs trained towards the epochs set (see session.course)
    course_epochs: int = 0  # the epochs set

    @property
    def network(self) -> Network:
        return self.model.network

    @property
    def classes(self) -> tuple[int, ...]:
        return self.model.classes
