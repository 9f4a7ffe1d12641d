"""The training loop, as a generator of snapshots.

No Qt here: the window runs `train` in a worker thread and the CLI runs it in a plain loop. The
loop checks a `RunState` every step (cancel, pause) and yields a `Snapshot` — numpy copies of the
weights and what changed since the previous snapshot — every N steps or every few tens of ms, so
whoever draws them never slows training much.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from digitlab.core.data import Dataset, Split
from digitlab.core.model import MLP
from digitlab.core.preprocess import Augmentation

OPTIMIZERS = ("adam", "sgd")
# Learning rates that work out of the box for these nets (the CLI's and the window's defaults).
DEFAULT_LR = {"adam": 1e-3, "sgd": 0.1}
SCHEDULES = ("constant", "cosine")
# A cross-entropy this many times the loss of a uniform guess (ln k) means the run blew up, even
# while the numbers are still finite (a too-high learning rate rarely reaches NaN at once).
DIVERGED_LOSS_FACTOR = 100.0


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one run. snapshot_every=0 throttles by time (snapshot_seconds)."""

    epochs: int = 3
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.9
    weight_decay: float = 0.0
    l1: float = 0.0
    seed: int = 0
    augment: bool = False
    schedule: str = "constant"
    snapshot_every: int = 0
    snapshot_seconds: float = 0.05
    device: str = "cpu"

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch size must be at least 1")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"learning rate must be a positive number, got {self.lr}")
        if self.weight_decay < 0 or self.l1 < 0:
            raise ValueError("weight decay and L1 must not be negative")


class RunState:
    """Cancel and pause flags shared between the loop and whoever controls it (any thread)."""

    def __init__(self, cancelled: Any = None, running: Any = None) -> None:
        """Events default to threading ones; pass multiprocessing Events to share with a child."""
        self._cancelled = cancelled if cancelled is not None else threading.Event()
        self._running = running if running is not None else threading.Event()
        self._running.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

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


@dataclass
class Snapshot:
    """What the loop reports. Arrays are copies: the receiver may keep or modify them.

    weights[i] is layer i's (out, in) matrix, deltas[i] its change since the previous snapshot.
    status is 'running', 'epoch' (an epoch ended; test_accuracy is set), 'done', 'cancelled' or
    'diverged' (the loss became NaN/inf; the model holds the last good weights again).
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
    status: str = "running"
    test_accuracy: float | None = None
    message: str = ""
    elapsed_s: float = 0.0

    @property
    def progress(self) -> float:
        return self.samples_seen / self.total_samples if self.total_samples else 1.0

    @property
    def finished(self) -> bool:
        return self.status in ("done", "cancelled", "diverged")


@dataclass
class _Window:
    """Running sums since the last snapshot."""

    loss: torch.Tensor | float = 0.0  # tensors: no sync with the device on every step
    correct: torch.Tensor | int = 0
    seen: int = 0
    steps: int = 0
    started: float = field(default_factory=time.perf_counter)

    def reset(self) -> None:
        self.loss, self.correct, self.seen, self.steps = 0.0, 0, 0, 0
        self.started = time.perf_counter()


def make_optimizer(model: MLP, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            model.parameters(),
            lr=config.lr,
            momentum=config.momentum,
            weight_decay=config.weight_decay,
        )
    try:  # the fused kernel is ~30 % faster per step on a CPU for these small nets
        return torch.optim.Adam(
            model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=True
        )
    except (RuntimeError, TypeError):
        return torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)


@torch.no_grad()
def accuracy(model: MLP, images: torch.Tensor, labels: torch.Tensor, chunk: int = 8192) -> float:
    """Fraction of images classified right; images are (N, 784) floats on the model's device."""
    if len(labels) == 0:
        return float("nan")
    was_training = model.training
    model.eval()
    correct = sum(
        int((model(images[i : i + chunk]).argmax(1) == labels[i : i + chunk]).sum())
        for i in range(0, len(labels), chunk)
    )
    model.train(was_training)
    return correct / len(labels)


def _weights(model: MLP) -> list[torch.Tensor]:
    return [layer.weight for layer in model.layers]


def _healthy(model: MLP, mean_loss: float) -> bool:
    """Checked at snapshots, not every step: a blow-up costs at most one snapshot interval."""
    limit = DIVERGED_LOSS_FACTOR * math.log(model.spec.num_classes)
    return (
        math.isfinite(mean_loss)
        and mean_loss < limit
        and all(bool(torch.isfinite(p).all()) for p in model.parameters())
    )


def train(
    model: MLP,
    dataset: Dataset,
    config: TrainConfig = TrainConfig(),
    state: RunState | None = None,
    test: Split | None = None,
) -> Iterator[Snapshot]:
    """Train `model` in place on `dataset.train`, yielding snapshots; the last one is finished.

    Test accuracy (on `test`, default `dataset.test`) is measured at every epoch end.
    """
    state = state or RunState()
    device = torch.device(config.device)
    model.to(device).train()
    generator = torch.Generator().manual_seed(config.seed)
    augment = Augmentation() if config.augment else None
    x, y = dataset.train.as_float(device), dataset.train.labels.to(device)
    test_split = dataset.test if test is None else test
    tx, ty = test_split.as_float(device), test_split.labels.to(device)
    n = len(y)
    if n == 0:
        raise ValueError("the training split is empty")
    optimizer = make_optimizer(model, config)
    total = n * config.epochs
    total_steps = config.epochs * math.ceil(n / config.batch_size)
    scheduler = (
        torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda i: 0.5 * (1.0 + math.cos(math.pi * min(i, total_steps) / total_steps))
        )
        if config.schedule == "cosine"
        else None
    )

    previous = [w.detach().clone() for w in _weights(model)]
    last_good = {k: v.detach().clone() for k, v in model.state_dict().items()}
    window, step, seen, busy_s = _Window(), 0, 0, 0.0
    last_report = time.perf_counter()
    test_acc: float | None = None

    def snapshot(epoch: int, status: str, message: str = "") -> Snapshot:
        nonlocal previous, last_good, last_report
        now = time.perf_counter()
        current = [w.detach().clone() for w in _weights(model)]
        deltas = [(c - p).cpu().numpy() for c, p in zip(current, previous)]
        previous = current
        if status != "diverged":
            last_good = {k: v.detach().clone() for k, v in model.state_dict().items()}
        elapsed = max(now - window.started, 1e-9)
        snap = Snapshot(
            step=step,
            epoch=epoch,
            epochs=config.epochs,
            samples_seen=seen,
            total_samples=total,
            loss=float(window.loss) / window.steps if window.steps else float("nan"),
            accuracy=int(window.correct) / window.seen if window.seen else float("nan"),
            samples_per_s=window.seen / elapsed if window.seen else 0.0,
            weights=[w.cpu().numpy().copy() for w in current],
            biases=[layer.bias.detach().cpu().numpy().copy() for layer in model.layers],
            deltas=deltas,
            status=status,
            test_accuracy=test_acc,
            message=message,
            elapsed_s=busy_s,
        )
        window.reset()
        last_report = now
        return snap

    for epoch in range(config.epochs):
        order = torch.randperm(n, generator=generator).to(device)
        for start in range(0, n, config.batch_size):
            paused_for = state.wait_while_paused()
            if paused_for:
                window.started += paused_for
            if state.cancelled:
                yield snapshot(epoch, "cancelled", f"stopped at step {step}")
                return
            t0 = time.perf_counter()
            index = order[start : start + config.batch_size]
            batch, target = x[index], y[index]
            if augment is not None:
                batch = augment(batch, generator).reshape(len(index), -1)
            logits = model(batch)
            cross_entropy = F.cross_entropy(logits, target)
            loss = cross_entropy  # what is reported and checked for divergence, without L1
            if config.l1:
                loss = loss + config.l1 * sum(w.abs().sum() for w in _weights(model))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            step += 1
            seen += len(index)
            window.loss += cross_entropy.detach()
            window.steps += 1
            window.seen += len(index)
            window.correct += (logits.argmax(1) == target).sum()
            busy_s += time.perf_counter() - t0
            due = (
                step % config.snapshot_every == 0
                if config.snapshot_every
                else time.perf_counter() - last_report >= config.snapshot_seconds
            )
            last_of_epoch = start + config.batch_size >= n
            if (due or last_of_epoch) and not _healthy(model, float(window.loss) / window.steps):
                mean_loss = float(window.loss) / window.steps
                model.load_state_dict(last_good)
                yield snapshot(
                    epoch,
                    "diverged",
                    f"the loss reached {mean_loss:.4g} by step {step}: the run diverged "
                    f"(is the learning rate {config.lr:g} too high?); "
                    "the weights of the last good snapshot are kept",
                )
                return
            if due and not last_of_epoch:
                yield snapshot(epoch, "running")
        test_acc = accuracy(model, tx, ty)
        last = epoch == config.epochs - 1
        yield snapshot(epoch, "done" if last else "epoch")
    model.eval()
