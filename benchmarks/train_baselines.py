"""The trainers digitlab's is timed against (benchmarks/train_speed.py), on the same data and net.

- scikit-learn's `MLPClassifier` (Adam, the same batch and epochs, one BLAS thread): what a user who
  wants a small MLP on MNIST without a GUI reaches for. Only in the `bench` extra: without it the
  row prints "skipped".
- a bare torch loop: tensors ready, `x[idx]`, autograd and fused Adam, nothing else (no snapshots,
  no live settings): the step digitlab's loop started from.
- digitlab's `core.training.train` as the app and `digitlab train` run it (snapshots at the
  window's 10 a second, the split made floats inside, the test split measured every epoch), once
  with its fast step and once with autograd (`train(autograd=True)`), the reference.

Each returns (seconds, test accuracy); sklearn and the bare loop get their float arrays made
before the clock starts, digitlab converts its own.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from digitlab.core.data import Dataset
from digitlab.core.model import new_model
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import TrainConfig
from digitlab.core.training import accuracy, make_optimizer, train


def digitlab_fit(
    dataset: Dataset, hidden: tuple[int, ...], epochs: int, batch: int, autograd: bool = False
) -> tuple[float, float]:
    model = new_model(ModelSpec(hidden=hidden), seed=0)
    config = TrainConfig(epochs=epochs, batch_size=batch, snapshot_seconds=0.1)
    start = time.perf_counter()
    *_, last = train(model, dataset, config, autograd=autograd)
    return time.perf_counter() - start, last.test_accuracy or 0.0


def bare_torch_fit(
    dataset: Dataset, hidden: tuple[int, ...], epochs: int, batch: int
) -> tuple[float, float]:
    x, y = (torch.from_numpy(dataset.train.as_float()), torch.from_numpy(dataset.train.labels))
    model = new_model(ModelSpec(hidden=hidden), seed=0)
    optimizer = make_optimizer(model, TrainConfig())  # Adam 1e-3, fused
    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator)
        for i in range(0, len(y), batch):
            index = order[i : i + batch]
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    test = dataset.test
    return seconds, accuracy(model, torch.from_numpy(test.as_float()), torch.tensor(test.labels))


def sklearn_fit(
    dataset: Dataset, hidden: tuple[int, ...], epochs: int, batch: int
) -> tuple[float, float] | None:
    """None where scikit-learn is not installed (`pip install digitlab[bench]`)."""
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    x, y = dataset.train.as_float(), dataset.train.labels
    classifier = MLPClassifier(
        hidden_layer_sizes=hidden, solver="adam", batch_size=batch, max_iter=epochs,
        learning_rate_init=1e-3, alpha=0.0, tol=0.0, random_state=0, shuffle=True,
    )  # fmt: skip  # alpha=0: no L2, as digitlab's default; tol=0: all `epochs` epochs
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter ends it on purpose
        start = time.perf_counter()
        classifier.fit(x, y)
        seconds = time.perf_counter() - start
    predicted = classifier.predict(dataset.test.as_float())
    return seconds, float(np.mean(predicted == dataset.test.labels))
