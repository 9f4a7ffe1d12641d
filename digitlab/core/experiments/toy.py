"""Toy data and a small training loop shared by the experiments (numpy and torch only).

The experiments' nets are tiny and their data fit in one tensor, so the loop is index slices of
one shuffled order per epoch, as the core's trainer does, with whatever loss and optimizer the
experiment varies.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from digitlab.core.experiments import ExperimentCancelled


def two_moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The classic two interleaved half circles in 2-D, `n` points, Gaussian noise σ `noise`."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    angle = rng.uniform(0.0, np.pi, n)
    x = np.where(labels == 0, np.cos(angle), 1.0 - np.cos(angle))
    y = np.where(labels == 0, np.sin(angle), 0.5 - np.sin(angle))
    points = np.stack([x, y], axis=1) + rng.normal(0.0, noise, (n, 2))
    return points.astype(np.float32), labels


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
) -> list[float]:
    """Adam with cross-entropy (plus `penalty(net)`); the training accuracy after each epoch.
    With `until_fitted`, stops at the first epoch that classifies every point right."""
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y).long()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    curve: list[float] = []
    for _ in range(epochs):
        if cancelled():
            raise ExperimentCancelled
        order = torch.randperm(len(targets), generator=generator)
        for start in range(0, len(targets), batch_size):
            index = order[start : start + batch_size]
            loss = torch.nn.functional.cross_entropy(net(inputs[index]), targets[index])
            if penalty is not None:
                loss = loss + penalty(net)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        curve.append(accuracy(net, x, y))
        if until_fitted and curve[-1] == 1.0:
            break
    return curve


@torch.no_grad()
def accuracy(net: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    predicted = net(torch.from_numpy(x)).argmax(1).numpy()
    return float((predicted == y).mean())
