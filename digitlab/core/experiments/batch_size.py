"""Experiment 8, batch size: for the same number of epochs, very large batches end with a worse
net (they take far fewer steps), while very small ones take far more wall time (one Python step
per handful of points). A 784→128→10 ReLU net trained by plain SGD at one learning rate for the
same number of epochs with batch sizes from 1 to the whole training set, on an MNIST subset:
test accuracy and the wall time of training. The subset is small enough for batch size 1 (one
optimizer step per point) to stay within the run's budget."""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, mlp, mnist, train

BATCH_SIZES = (1, 8, 32, 128, 1024, None)  # None: the whole training set (full batch)
LEARNING_RATE = 0.05


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    seed = settings.seed
    train_size, test_size, epochs = (1000, 1000, 2) if settings.quick else (8000, 2000, 5)
    x, y, test_x, test_y = mnist(train_size, test_size, seed=seed)
    sizes = [size for size in BATCH_SIZES if size is None or size < train_size]
    rows, timings = [], []
    test_score, train_score, seconds = {}, {}, {}
    for index, size in enumerate(sizes):
        batch = size or train_size
        label = f"{batch} (full)" if size is None else str(batch)
        progress(index / len(sizes), f"batch size {label}")
        torch.manual_seed(seed)
        net = mlp((784, 128, 10))
        optimizer = torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)
        started = time.perf_counter()
        curve = train(net, x, y, epochs, batch_size=batch, seed=seed, optimizer=optimizer,
                      cancelled=cancelled)  # fmt: skip
        seconds[batch] = time.perf_counter() - started
        test_score[batch], train_score[batch] = accuracy(net, test_x, test_y), curve[-1]
        steps = epochs * math.ceil(train_size / batch)
        rows.append([label, steps, train_score[batch], test_score[batch]])
        timings.append([label, steps, seconds[batch], 1000 * seconds[batch] / steps])
    batches = [size or train_size for size in sizes]
    xs = [float(np.log2(b)) for b in batches]
    panels = [
        Panel("accuracy after equal epochs", "log2 batch size", "accuracy",
              [Line("test", xs, [test_score[b] for b in batches]),
               Line("training", xs, [train_score[b] for b in batches], dashed=True)]),
        Panel("wall time of training", "log2 batch size", "seconds",
              [Line("seconds", xs, [seconds[b] for b in batches])], log_y=True),
    ]  # fmt: skip
    full, smallest = train_size, batches[0]
    best = max(batches, key=lambda b: test_score[b])
    fastest = min(seconds.values())
    large_worse = test_score[full] < test_score[best] - 0.02
    small_slow = seconds[smallest] > 5 * fastest
    agrees = True if large_worse and small_slow else False if not (
        large_worse or small_slow) else None  # fmt: skip
    conclusion = (
        f"After {epochs} epochs on {train_size} digits the full batch ({epochs} steps) reaches "
        f"{test_score[full]:.1%} test accuracy (training {train_score[full]:.1%}) against "
        f"{test_score[best]:.1%} at batch {best}, and batch 1 takes {seconds[smallest]:.1f} s "
        f"against {fastest:.2f} s for the fastest: "
        + ("large batches end worse at equal epochs — by underfitting in fewer steps, not by "
           "overfitting — and small ones cost far more time, as the folklore says."
           if agrees else "the folklore did not hold here." if agrees is False else
           "the folklore held only in part ("
           + ("large batches end worse" if large_worse else "small batches cost more time")
           + ").")
    )  # fmt: skip
    return ExperimentResult(
        "batch_size", settings,
        [Table(["batch size", "steps", "training accuracy", "test accuracy"], rows),
         Table(["batch size", "steps", "seconds (wall time)", "ms per step"], timings)],
        panels, conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    8,
    "batch_size",
    "Batch size",
    "At equal epochs very large batches generalise worse; small batches cost far more wall time.",
    "A 784→128→10 ReLU net, plain SGD at learning rate 0.05, the same number of epochs (full: 5 "
    "on 8 000 MNIST digits, tested on 2 000; quick: 2 on 1 000) with batches of 1, 8, 32, 128, "
    "1024 (full run only) and the whole set; test accuracy and wall time of training.",
    run,
)
