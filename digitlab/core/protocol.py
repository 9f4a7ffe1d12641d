"""What a training run takes and what it reports, without torch.

The window's process imports only this module to talk to the trainer process: the job it sends
(`TrainJob`), the pause/cancel flags and the pace it shares (`RunState`) and what comes back
(`Stage` while the data loads, then `Snapshot`s holding numpy copies of the weights). The loop
that fills them is `core.training` (torch), run in the trainer process or, headless, in-process.
"""

from __future__ import annotations

import enum
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from digitlab.core.choices import input_size
from digitlab.core.hyperparams import HYPERPARAMS
from digitlab.core.live import LiveBox, LiveChange, LiveSettings
from digitlab.core.network import ModelSpec, Network


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one run. snapshot_every=0 throttles by time (snapshot_seconds).

    Defaults and choices come from `core.hyperparams`; the numeric checks here are the loop's own
    (wider than the window's bounds: experiments and scripts may go beyond them)."""

    epochs: int = HYPERPARAMS["epochs"].default
    batch_size: int = HYPERPARAMS["batch_size"].default
    lr: float = HYPERPARAMS["lr"].default
    optimizer: str = HYPERPARAMS["optimizer"].default
    momentum: float = HYPERPARAMS["momentum"].default
    weight_decay: float = HYPERPARAMS["weight_decay"].default
    l1: float = HYPERPARAMS["l1"].default
    seed: int = HYPERPARAMS["seed"].default
    augment: str = HYPERPARAMS["augment"].default  # "" (none) or a core.distort.AUGMENTATIONS name
    schedule: str = HYPERPARAMS["schedule"].default
    snapshot_every: int = HYPERPARAMS["refresh_every"].default
    snapshot_seconds: float = 0.05
    device: str = HYPERPARAMS["device"].default
    # Stop after this many samples (0: `epochs` whole epochs): Continue after a Stop trains only
    # what the stopped run had left of its epochs.
    samples: int = 0

    def recorded(self) -> dict[str, Any]:
        """The hyper-parameters a model file records under "train" (enough to train it again)."""
        names = ("optimizer", "lr", "batch_size", "momentum", "weight_decay", "l1", "augment")
        return {name: getattr(self, name) for name in (*names, "schedule", "seed")}

    def __post_init__(self) -> None:
        if isinstance(self.augment, bool):  # settings and model files of earlier versions
            object.__setattr__(self, "augment", "light" if self.augment else "")
        for name in ("augment", "optimizer", "schedule"):  # the table's choices and messages
            HYPERPARAMS[name].check_choice(getattr(self, name))
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch size must be at least 1")
        if self.samples < 0:
            raise ValueError(f"samples must be ≥ 0 (0: whole epochs), got {self.samples}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"learning rate must be a positive number, got {self.lr}")
        for name in ("momentum", "weight_decay", "l1"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name.replace('_', ' ')} must be a number ≥ 0, got {value}")


@dataclass(frozen=True)
class DataRequest:
    """Which data to train on; the trainer loads (and caches) it itself."""

    name: str = "mnist"
    root: str | None = None
    classes: tuple[int, ...] | None = None

    @property
    def num_classes(self) -> int:
        return len(self.classes) if self.classes else 10


EXTRA_SHARE = 0.1  # extra samples: about this fraction of each epoch's samples


@dataclass(frozen=True, eq=False)
class ExtraSamples:
    """Images to train on besides the dataset's (the user's own digits): (N, 28, 28) uint8 light
    on black, labels (N,) digits 0–9. The loop appends them to the training split, repeated so
    they make about `share` of an epoch's samples (at least once each): a fine-tune on a few
    dozen digits mixed with MNIST, so the net learns them without forgetting MNIST."""

    images: np.ndarray
    labels: np.ndarray
    share: float = EXTRA_SHARE

    def __post_init__(self) -> None:
        images, labels = np.asarray(self.images), np.asarray(self.labels)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise ValueError(f"extra images must be (N, 28, 28) uint8, not {images.shape} "
                             f"{images.dtype}")  # fmt: skip
        if labels.shape != (len(images),):
            raise ValueError(f"{len(images)} extra images but labels of shape {labels.shape}")
        if not 0 < self.share < 1:
            raise ValueError(f"the extra samples' share must be between 0 and 1, not {self.share}")

    def __len__(self) -> int:
        return len(self.labels)

    def copies(self, train_size: int) -> int:
        """How many times each extra image goes into an epoch of `train_size` other samples."""
        if not len(self):
            return 0
        wanted = self.share / (1 - self.share) * train_size
        return max(1, round(wanted / len(self)))


@dataclass(frozen=True)
class TrainJob:
    """One run: a net of `spec`, starting from `start` (None: fresh weights drawn with
    config.seed, exactly as `digitlab train` draws them), trained on `data` with `config`.
    `masks` (one (out, in) array per layer, 0 or False: pruned) keep pruned weights at zero;
    `extra` samples join the training split (`ExtraSamples`)."""

    spec: ModelSpec
    data: DataRequest
    config: TrainConfig
    start: Network | None = None
    masks: tuple[np.ndarray, ...] | None = field(default=None, compare=False)
    extra: ExtraSamples | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.spec.num_classes != self.data.num_classes:
            raise ValueError(
                f"a net with {self.spec.num_classes} outputs cannot learn "
                f"{self.data.num_classes} classes"
            )
        if self.spec.input_size != input_size(self.data.name):  # 784, or 3072 for CIFAR-10
            raise ValueError(
                f"a net of {self.spec.input_size} inputs cannot read {self.data.name}'s "
                f"{input_size(self.data.name)}"
            )
        if self.start is not None and self.start.spec != self.spec:
            raise ValueError("the starting weights are for another architecture")
        if self.masks is not None:
            check_masks(self.spec, self.masks)


def check_masks(spec: ModelSpec, masks: tuple[np.ndarray, ...] | list[np.ndarray]) -> None:
    """Masks must match the layers' weight shapes, or a retrain would fail steps in."""
    shapes = [np.shape(mask) for mask in masks]
    if shapes != [tuple(shape) for shape in spec.layer_shapes]:
        raise ValueError(f"weight masks of shapes {shapes} do not fit a {spec.describe()} net")


class Stage(enum.Enum):
    """What a run is doing before its first snapshot."""

    STARTING_TRAINER = "starting the trainer"
    LOADING_DATA = "loading the data"
    DOWNLOADING = "downloading the data"
    TRAINING = "training"


# At this pace (steps a second) or slower every step is shown: a snapshot follows each step, so
# one sees each update imprint its batch. Faster, the usual refresh (`snapshot_seconds`) holds.
EVERY_STEP_PACE = 20.0
PACE_POLL_S = 0.05  # a paced wait rereads the pace this often: a change takes effect at once


class _Number:
    """A float holder with the interface of multiprocessing's `RawValue('d')` (in-process)."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value


class InProcessTrainer:
    """The lifecycle of a trainer that runs its jobs in the calling thread (`LocalTrainer`,
    `ReplayTrainer`): nothing to start, warm up or end, unlike `remote.TrainerProcess`."""

    def start(self, wait_s: float = 0.0) -> bool:
        return True

    def is_ready(self) -> bool:
        return True

    def prepare(self, data: DataRequest) -> None:
        """Nothing to warm up in-process: the first run loads what it needs."""

    def close(self, timeout_s: float = 1.0) -> None:
        pass


class RunState:
    """Cancel and pause flags, the pace and the live settings, shared between the loop and
    whoever controls it (any thread, or the parent of the trainer process); the loop reads them
    every step."""

    def __init__(
        self, cancelled: Any = None, running: Any = None, pace: Any = None, live: Any = None
    ) -> None:
        """Events default to threading ones, the pace to a plain holder, the live settings to an
        in-process box; pass multiprocessing Events, a `RawValue('d')` and an
        `Array('d', live.SLOTS)` to share them with a child."""
        self._cancelled = cancelled if cancelled is not None else threading.Event()
        self._running = running if running is not None else threading.Event()
        self._pace = pace if pace is not None else _Number()
        self.live = LiveBox(live)
        self._running.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def pace(self) -> float:
        """At most this many steps a second; 0: full speed."""
        return float(self._pace.value)

    @property
    def shows_every_step(self) -> bool:
        """Slow enough to show every step (a snapshot after each)."""
        return 0.0 < self.pace <= EVERY_STEP_PACE

    def set_pace(self, steps_per_second: float) -> None:
        """Change the pace; a going run follows from its next step (0: full speed)."""
        pace = float(steps_per_second)
        if not (math.isfinite(pace) and pace >= 0):
            raise ValueError(f"the pace must be a number of steps a second ≥ 0, got {pace}")
        self._pace.value = pace

    def set_live(self, live: LiveSettings) -> None:
        """New learning rate, batch size, … (and epochs added): a going run takes them at its
        next step, a run about to begin at its first."""
        self.live.put(live)

    def cancel(self) -> None:
        self._cancelled.set()
        self._running.set()  # wake a paused loop so it can see the cancel

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def wait_while_paused(self) -> float:
        """Block while paused; returns the seconds spent waiting."""
        if self._running.is_set():
            return 0.0
        start = time.perf_counter()
        self._running.wait()
        return time.perf_counter() - start

    def wait_for_pace(self, last_step: float) -> float:
        """Block until a step begun at `last_step` (perf_counter) is 1/pace seconds old; returns
        the seconds waited. A cancel ends the wait at once, and the pace is reread every
        `PACE_POLL_S`, so a change (to full speed, say) takes effect within the wait."""
        start = now = time.perf_counter()
        while (pace := self.pace) > 0 and not self._cancelled.is_set():
            left = last_step + 1.0 / pace - now
            if left <= 0:
                break
            self._cancelled.wait(min(left, PACE_POLL_S))
            now = time.perf_counter()
        return now - start


class SnapshotStatus(str, enum.Enum):
    """What a snapshot marks. A `str` enum: it pickles to the window process by value."""

    RUNNING = "running"
    EPOCH = "epoch"  # an epoch ended; test_accuracy is set
    DONE = "done"  # the run reached its end; test_accuracy is set
    CANCELLED = "cancelled"
    DIVERGED = "diverged"  # the loss blew up; the weights are those of the last good snapshot

    @property
    def finished(self) -> bool:
        """The last snapshot of a run."""
        return self in (SnapshotStatus.DONE, SnapshotStatus.CANCELLED, SnapshotStatus.DIVERGED)

    @property
    def evaluated(self) -> bool:
        """The snapshot comes with a test evaluation (an epoch's end, or the run's)."""
        return self in (SnapshotStatus.EPOCH, SnapshotStatus.DONE)


@dataclass
class Snapshot:
    """What the loop reports. Arrays are copies: the receiver may keep them.

    weights[i] is layer i's (out, in) matrix, deltas[i] its change since the previous snapshot.
    status is a `SnapshotStatus` (a plain string given here is converted). samples_per_s is the
    rate the run goes at since the previous snapshot (the clock, pauses left out): a paced run
    shows its pace, and the time left follows from it; elapsed_s counts the steps' compute only.
    live: the settings in force at the last step (None from a trainer that trains nothing);
    changes: each change of them since the previous snapshot, where it took effect.
    """

    step: int
    epoch: int
    epochs: int
    samples_seen: int
    total_samples: int
    loss: float
    accuracy: float
    samples_per_s: float
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]
    status: SnapshotStatus = SnapshotStatus.RUNNING
    test_accuracy: float | None = None
    message: str = ""
    elapsed_s: float = 0.0
    train_size: int = 0
    live: LiveSettings | None = None
    changes: tuple[LiveChange, ...] = ()

    def __post_init__(self) -> None:
        self.status = SnapshotStatus(self.status)

    @property
    def progress(self) -> float:
        return self.samples_seen / self.total_samples if self.total_samples else 1.0

    @property
    def finished(self) -> bool:
        return self.status.finished

    def network(self, spec: ModelSpec) -> Network:
        return Network.from_arrays(spec, self.weights, self.biases)
