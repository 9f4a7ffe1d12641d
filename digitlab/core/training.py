"""The training loop, as a generator of snapshots.

No Qt here: the window runs it in its trainer process (`core.remote`) and the CLI in a plain loop.
The loop checks a `RunState` every step (cancel, pause, pace, new settings: `core.live_run`) and
yields a `Snapshot` — numpy copies of the weights and what changed since the previous snapshot —
every N steps or every few tens of ms, so whoever draws them never slows training much. A paced
run (at most so many steps a second) waits before each step, and at a slow pace
(`EVERY_STEP_PACE`) reports every step. The types it speaks are in `core.protocol`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from digitlab.core.data import Dataset, DatasetCache, Split, is_downloaded
from digitlab.core.errors import DataError
from digitlab.core.fast_step import FastStep, covers, predicted_classes
from digitlab.core.live_run import LiveRun
from digitlab.core.model import MLP, from_network, new_model
from digitlab.core.protocol import (
    ExtraSamples,
    InProcessTrainer,
    RunState,
    Snapshot,
    SnapshotStatus,
    Stage,
    TrainConfig,
    TrainJob,
    check_masks,
)
from digitlab.core.train_batches import Batches
from digitlab.core.train_window import Window

# A cross-entropy this many times the loss of a uniform guess (ln k) means the run blew up, even
# while the numbers are still finite (a too-high learning rate rarely reaches NaN at once).
DIVERGED_LOSS_FACTOR = 100.0


def make_optimizer(model: MLP, config: TrainConfig) -> torch.optim.Optimizer:
    """Adam or SGD as configured; fused kernels where torch has them (~30 % faster per step on a
    CPU for these small nets, and the ones `core.fast_step` calls directly)."""
    if config.optimizer == "sgd":
        options = dict(lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
        kind: type[torch.optim.Optimizer] = torch.optim.SGD
    else:
        options, kind = dict(lr=config.lr, weight_decay=config.weight_decay), torch.optim.Adam
    try:
        return kind(model.parameters(), **options, fused=True)
    except (RuntimeError, TypeError):
        return kind(model.parameters(), **options)


def warm_up() -> None:
    """Take one optimizer step on a tiny net: the first step imports torch._dynamo (~2 s on a
    slow CPU), which the trainer process pays before the user presses Start, not after."""
    from digitlab.core.network import ModelSpec

    model = MLP(ModelSpec(hidden=(2,), num_classes=2, input_size=2))
    optimizer = make_optimizer(model, TrainConfig())
    model(torch.zeros(1, 2)).sum().backward()
    optimizer.step()


@torch.no_grad()
def accuracy(model: MLP, images: torch.Tensor, labels: torch.Tensor, chunk: int = 2048) -> float:
    """Fraction of images classified right. `images`: (N, inputs) floats in [0, 1], or a split's
    bytes (0–255), made floats a chunk at a time in one buffer (all 10 000 MNIST test digits at
    once took 19 ms a run, mostly fresh pages); on the model's device."""
    if len(labels) == 0:
        return float("nan")
    was_training = model.training
    model.eval()
    scale, buffer = 1.0, None
    if not images.is_floating_point():
        dtype = model.layers[0].weight.dtype
        buffer = images.new_empty((min(chunk, len(labels)), images.shape[1]), dtype=dtype)
        scale = Batches.SCALE  # rides in the first matmul, as in the step
    fast, correct = covers(model), 0
    for i in range(0, len(labels), chunk):
        batch = images[i : i + chunk]
        if buffer is not None:
            batch = buffer[: len(batch)].copy_(batch)
        if fast:
            answers = predicted_classes(model, batch, scale)
        else:
            answers = model(batch * scale if scale != 1.0 else batch).argmax(1)
        correct += int((answers == labels[i : i + chunk]).sum())
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


def _mask_tensors(
    model: MLP, masks: Sequence[np.ndarray] | None, device: torch.device
) -> list[torch.Tensor] | None:
    if masks is None:
        return None
    check_masks(model.spec, list(masks))
    return [torch.as_tensor(np.asarray(m, np.float32), device=device) for m in masks]


@torch.no_grad()
def _apply_masks(model: MLP, keep: list[torch.Tensor] | None) -> None:
    """Pruned weights back to exactly zero (an optimiser step, momentum or decay moves them)."""
    for weight, mask in zip(_weights(model), keep or ()):
        weight.mul_(mask)


def train(
    model: MLP,
    dataset: Dataset,
    config: TrainConfig | None = None,
    state: RunState | None = None,
    test: Split | None = None,
    masks: Sequence[np.ndarray] | None = None,
    autograd: bool = False,
) -> Iterator[Snapshot]:
    """Train `model` in place on `dataset.train`, yielding snapshots; the last one is finished.

    Test accuracy (on `test`, default `dataset.test`) is measured at every epoch end. With
    `masks` (one per layer, 0: pruned) the pruned weights are zero from the start and after
    every step: only the surviving weights train. The step is `core.fast_step`'s for the nets it
    covers; `autograd=True` takes torch's autograd instead (its reference).
    """
    config = config or TrainConfig()
    state = state or RunState()
    device = torch.device(config.device)
    model.to(device).train()
    keep = _mask_tensors(model, masks, device)
    _apply_masks(model, keep)
    generator = torch.Generator().manual_seed(config.seed)
    dtype = model.layers[0].weight.dtype  # float32, or float64 where tests compare the paths
    data = Batches(dataset.train, device, dtype)
    tested = Batches(dataset.test if test is None else test, device, dtype)  # bytes: `accuracy`
    n = len(data)
    if n == 0:
        raise ValueError("the training split is empty")
    optimizer = make_optimizer(model, config)
    fast = FastStep(model, optimizer) if covers(model) and not autograd else None
    total = min(n * config.epochs, config.samples) if config.samples else n * config.epochs
    live = LiveRun(config, optimizer, n, total)  # the settings, and the end, as they change

    previous = [w.detach().clone() for w in _weights(model)]
    last_good = {k: v.detach().clone() for k, v in model.state_dict().items()}
    window, step, seen, busy_s = Window(model.spec.num_classes, n, device, dtype), 0, 0, 0.0
    last_report = last_step = time.perf_counter()
    test_acc: float | None = None

    def snapshot(epoch: int, status: SnapshotStatus, message: str = "") -> Snapshot:
        nonlocal previous, last_good, last_report
        now = time.perf_counter()
        current = [w.detach().clone() for w in _weights(model)]
        deltas = [(c - p).cpu().numpy() for c, p in zip(current, previous)]
        previous = current
        if status is not SnapshotStatus.DIVERGED:
            last_good = {k: v.detach().clone() for k, v in model.state_dict().items()}
        elapsed = max(now - window.started, 1e-9)
        snap = Snapshot(
            step=step,
            epoch=epoch,
            epochs=live.epochs,
            samples_seen=seen,
            total_samples=live.total,
            loss=window.loss,
            accuracy=window.accuracy,
            samples_per_s=window.seen / elapsed if window.seen else 0.0,
            weights=[w.cpu().numpy().copy() for w in current],
            biases=[layer.bias.detach().cpu().numpy().copy() for layer in model.layers],
            deltas=deltas,
            status=status,
            test_accuracy=test_acc,
            message=message,
            elapsed_s=busy_s,
            train_size=n,
            live=live.settings,
            changes=live.take_changes(),
        )
        window.reset()
        last_report = now
        return snap

    epoch = 0
    while epoch < live.epochs and seen < live.total:
        order = torch.randperm(n, generator=generator).to(device)
        targets = data.labels[order]  # the epoch's labels in the order they train
        window.begin_epoch(targets)
        if fast is not None:
            fast.begin_epoch(targets)
        start = 0  # into `order`: the batch size may change within an epoch
        while True:
            if step:  # a paced wait: the clock runs on (samples_per_s shows the pace), busy_s not
                state.wait_for_pace(last_step)
            paused_for = state.wait_while_paused()
            if paused_for:
                window.started += paused_for
            if state.cancelled:
                yield snapshot(epoch, SnapshotStatus.CANCELLED, f"stopped at step {step}")
                return
            live.follow(state, seen, step)
            t0 = last_step = time.perf_counter()
            size = min(live.batch_size, live.total - seen, n - start)  # ints: len(tensor) is slow
            index = order[start : start + size]
            logits = window.slot(size)  # this step's (classes, size) logits go there
            if fast is not None and live.augment is None:  # bytes, scaled in the first matmul
                fast.step(data.take_bytes(index), logits, start, live.l1, Batches.SCALE)
            else:
                batch = data.take(index)
                if live.augment is not None:
                    batch = live.augment(batch, generator).reshape(size, -1)
                if fast is not None:
                    fast.step(batch, logits, start, live.l1)
                else:
                    _autograd_step(model, optimizer, batch, targets[start : start + size],
                                   logits, live.l1)  # fmt: skip
            if keep is not None:
                _apply_masks(model, keep)
            if live.scheduler is not None:
                live.scheduler.step()
            step += 1
            seen += size
            start += size
            window.add(size)
            busy_s += time.perf_counter() - t0
            due = state.shows_every_step or (
                step % config.snapshot_every == 0
                if config.snapshot_every
                else time.perf_counter() - last_report >= config.snapshot_seconds
            )
            last_of_epoch = start >= n or seen >= live.total
            if (due or last_of_epoch) and not _healthy(model, window.loss):
                mean_loss = window.loss
                model.load_state_dict(last_good)
                yield snapshot(
                    epoch,
                    SnapshotStatus.DIVERGED,
                    f"the loss reached {mean_loss:.4g} by step {step}: the run diverged "
                    f"(is the learning rate {live.settings.lr:g} too high?)",
                )
                return
            if last_of_epoch:
                break
            if due:
                yield snapshot(epoch, SnapshotStatus.RUNNING)
        test_acc = accuracy(model, tested.images, tested.labels)
        live.follow(state, seen, step)  # "+1 epoch" asked during the last step still counts
        last = epoch == live.epochs - 1 or seen >= live.total
        yield snapshot(epoch, SnapshotStatus.DONE if last else SnapshotStatus.EPOCH)
        epoch += 1
    model.eval()


def _autograd_step(
    model: MLP,
    optimizer: torch.optim.Optimizer,
    batch: torch.Tensor,
    target: torch.Tensor,
    logits_out: torch.Tensor,
    l1: float,
) -> None:
    """One step by autograd (the reference of `core.fast_step`): mean cross-entropy plus
    `l1` · Σ|W|, the optimiser's weight decay; the logits go to `logits_out` (classes, B)."""
    logits = model(batch)
    loss = F.cross_entropy(logits, target)
    if l1:
        loss = loss + l1 * sum(w.abs().sum() for w in _weights(model))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    logits_out.copy_(logits.detach().t())


def with_extra(dataset: Dataset, extra: ExtraSamples | None) -> Dataset:
    """`dataset` with `extra`'s images appended to its training split, each repeated
    `extra.copies` times; extras of digits the dataset has no class for are left out."""
    if extra is None or not len(extra):
        return dataset
    output = {digit: i for i, digit in enumerate(dataset.classes)}
    known = np.array([int(label) in output for label in extra.labels], bool)
    if not known.any():
        return dataset
    images = np.asarray(extra.images)[known]
    labels = np.array([output[int(label)] for label in np.asarray(extra.labels)[known]], np.int64)
    copies = ExtraSamples(images, labels, extra.share).copies(len(dataset.train))
    train = Split(np.concatenate([dataset.train.images, np.tile(images, (copies, 1, 1))]),
                  np.concatenate([dataset.train.labels, np.tile(labels, copies)]))  # fmt: skip
    return Dataset(dataset.name, train, dataset.test, dataset.classes)


def run_job(job: TrainJob, state: RunState, datasets: DatasetCache) -> Iterator[Stage | Snapshot]:
    """Load the job's data (cached), build its model and train it, yielding the stages before
    the first snapshot and then the snapshots: the trainer process's work, also usable
    in-process (`LocalTrainer`)."""
    request = job.data
    if not is_downloaded(request.name, request.root):
        yield Stage.DOWNLOADING
    else:
        yield Stage.LOADING_DATA
    dataset = datasets.get(request.name, request.root, request.classes)
    if dataset.num_classes != job.spec.num_classes:
        raise ValueError("the data and the net disagree on the number of classes")
    if len(dataset.image_shape) == 3 and job.config.augment:  # CIFAR-10: distort bends digits
        raise DataError("augmentation distorts 28×28 digits; colour pictures train without it: "
                        "set Augment to none")  # fmt: skip
    model = (
        from_network(job.start) if job.start is not None else new_model(job.spec, job.config.seed)
    )
    yield Stage.TRAINING
    yield from train(model, with_extra(dataset, job.extra), job.config, state, masks=job.masks)


class LocalTrainer(InProcessTrainer):
    """Runs jobs in the calling thread: the interface of `core.remote.TrainerProcess`, without
    the process (tests, headless tools)."""

    def __init__(self, datasets: DatasetCache | None = None) -> None:
        self.datasets = datasets or DatasetCache()

    def train(self, job: TrainJob, state: RunState) -> Iterator[Stage | Snapshot]:
        return run_job(job, state, self.datasets)
