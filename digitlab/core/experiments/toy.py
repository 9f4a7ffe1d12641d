"""What the experiments share: toy data, a small training loop, the cancel check, decision
regions and the verdict on the folklore (numpy and torch only).

The experiments' nets are tiny and their data fit in one tensor, so the loop is index slices of
one shuffled order per epoch, as the core's trainer does, with whatever loss and optimizer the
experiment varies.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import torch

from digitlab.core.experiments import ExperimentCancelled, Heatmap

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (logits, integer targets) → loss


def stop_if(cancelled: Callable[[], bool]) -> None:
    """Raise ExperimentCancelled if the user has cancelled: every experiment checks between
    steps, so a cancel takes effect within one step."""
    if cancelled():
        raise ExperimentCancelled


def judge(claims: dict[str, bool]) -> tuple[bool | None, str]:
    """Whether the folklore held, over its separate `claims` (True: all of them, False: none,
    None: some), and the words that say which."""
    held = list(claims.values())
    if all(held):
        return True, "as the folklore says, " + "; ".join(claims) + "."
    if not any(held):
        return False, "the folklore did not hold here."
    kept = "; ".join(claim for claim, ok in claims.items() if ok)
    failed = "; ".join(claim for claim, ok in claims.items() if not ok)
    return None, f"the folklore held in part: {kept}, but not: {failed}."


def two_moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The classic two interleaved half circles in 2-D, `n` points, Gaussian noise σ `noise`."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    angle = rng.uniform(0.0, np.pi, n)
    x = np.where(labels == 0, np.cos(angle), 1.0 - np.cos(angle))
    y = np.where(labels == 0, np.sin(angle), 0.5 - np.sin(angle))
    points = np.stack([x, y], axis=1) + rng.normal(0.0, noise, (n, 2))
    return points.astype(np.float32), labels


def gaussian_classes(
    n: int, dims: int, classes: int, seed: int, spread: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """`n` points in `dims`-D around `classes` random centres (σ 1; centres drawn with σ
    `spread`, so a smaller spread overlaps the classes more), labels uniform. The centres depend
    on `seed` only, so two calls with one seed and different `n` share them."""
    centres = np.random.default_rng(seed).normal(0.0, spread, (classes, dims))
    rng = np.random.default_rng((seed, n))
    labels = rng.integers(0, classes, n)
    points = centres[labels] + rng.normal(0.0, 1.0, (n, dims))
    return points.astype(np.float32), labels


@lru_cache(maxsize=2)
def _mnist(classes: tuple[int, ...] | None, root: str):
    from digitlab.core.data import load_dataset

    return load_dataset("mnist", root=root, classes=classes)


def mnist(
    train_size: int | None = None,
    test_size: int | None = None,
    classes: tuple[int, ...] | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST from the usual data root (DIGITLAB_DATA; downloaded if missing and allowed) as
    float32 (N, 784) in [0, 1] and labels 0..k-1 (`classes` renumbered in order): a random
    `train_size` of the training split and `test_size` of the test split (all if None)."""
    from digitlab.core.data import data_root

    # by folder too: another DIGITLAB_DATA (`experiment --data-dir`) is other data
    dataset = _mnist(tuple(sorted(classes)) if classes else None, str(data_root()))
    rng = np.random.default_rng(seed)
    parts = []
    for split, size in ((dataset.train, train_size), (dataset.test, test_size)):
        index = np.arange(len(split.labels))
        if size is not None and size < len(index):
            index = np.sort(rng.choice(len(index), size, replace=False))
        images = split.images[index].reshape(len(index), 28 * 28).astype(np.float32) / 255.0
        parts += [images, split.labels[index].astype(np.int64)]
    return tuple(parts)  # type: ignore[return-value]


def mlp(sizes: tuple[int, ...], activation: Callable[[], torch.nn.Module] = torch.nn.ReLU):
    """Linear layers of `sizes` with `activation` between them."""
    layers: list[torch.nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
    return torch.nn.Sequential(*layers)


def train(
    net: torch.nn.Module,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    *,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    penalty: Callable[[torch.nn.Module], torch.Tensor] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    until_fitted: bool = False,
    loss: Loss = torch.nn.functional.cross_entropy,
    optimizer: torch.optim.Optimizer | None = None,
    after_epoch: Callable[[int], None] = lambda epoch: None,
) -> list[float]:
    """Adam (or `optimizer`) on `loss` (cross-entropy unless given) plus `penalty(net)`; the
    training accuracy after each epoch. With `until_fitted`, stops at the first epoch that
    classifies every point right. `after_epoch(i)` runs after epoch i (0-based), e.g. to
    measure the weights or the test accuracy."""
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y).long()
    optimizer = optimizer or torch.optim.Adam(net.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    curve: list[float] = []
    for _ in range(epochs):
        stop_if(cancelled)
        order = torch.randperm(len(targets), generator=generator)
        for start in range(0, len(targets), batch_size):
            index = order[start : start + batch_size]
            value = loss(net(inputs[index]), targets[index])
            if penalty is not None:
                value = value + penalty(net)
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
        curve.append(accuracy(net, x, y))
        after_epoch(len(curve) - 1)
        if until_fitted and curve[-1] == 1.0:
            break
    return curve


@torch.no_grad()
def layer_outputs(net: torch.nn.Sequential, x: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's output after its activation, then the output layer's logits, for a
    net of `mlp`."""
    current, found = torch.from_numpy(x), []
    for index, module in enumerate(net):
        current = module(current)
        if not isinstance(module, torch.nn.Linear) or index == len(net) - 1:
            found.append(current.numpy().copy())
    return found


@torch.no_grad()
def accuracy(net: torch.nn.Module, x: np.ndarray, y: np.ndarray, chunk: int = 8192) -> float:
    inputs = torch.from_numpy(x)
    predicted = torch.cat([net(inputs[i : i + chunk]).argmax(1) for i in range(0, len(x), chunk)])
    return float((predicted.numpy() == y).mean())


@torch.no_grad()
def decision_regions(
    net: torch.nn.Module,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    size: int,
    decimals: int | None = None,
) -> Heatmap:
    """A 2-D classifier's probability of class 1 on a size × size grid over the plane (rows
    along y), drawn under the points it was trained on; `decimals` keeps a result file small."""
    rows, columns = torch.meshgrid(
        torch.linspace(*y_range, size), torch.linspace(*x_range, size), indexing="ij"
    )
    plane = torch.stack([columns.reshape(-1), rows.reshape(-1)], 1)
    chance = torch.softmax(net(plane), 1)[:, 1].reshape(size, size).double().numpy()
    values = chance if decimals is None else chance.round(decimals)
    return Heatmap(values.tolist(), x_range, y_range)
