"""Experiment 5, memorisation: a net big enough fits random labels too, but it takes longer
than fitting the true ones (Zhang et al., 2017). On Gaussian blobs in 6-D: epochs until the
training set is fitted, true labels against shuffled ones."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import (
    Experiment,
    ExperimentResult,
    Line,
    Panel,
    Settings,
    Table,
)
from digitlab.core.experiments.toy import mlp, train

DIMENSIONS, CLASSES = 6, 4


def gaussian_blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` points in 6-D around four random centres (σ 1, centres σ 2 apart)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 2.0, (CLASSES, DIMENSIONS))
    labels = rng.integers(0, CLASSES, n)
    return (centres[labels] + rng.normal(0.0, 1.0, (n, DIMENSIONS))).astype(np.float32), labels


def epochs_to_fit(
    x: np.ndarray, y: np.ndarray, epochs: int, seed: int, cancelled
) -> tuple[int | None, list[float]]:
    """Train a 6→256→256→4 net with Adam (batch 32); the first epoch at which it classifies the
    whole training set right (None if never), and the training accuracy after each epoch."""
    torch.manual_seed(seed)
    net = mlp((DIMENSIONS, 256, 256, CLASSES))
    curve = train(net, x, y, epochs, lr=2e-3, seed=seed, cancelled=cancelled, until_fitted=True)
    return (len(curve) if curve[-1] == 1.0 else None), curve


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    n, epochs = (200, 150) if settings.quick else (1000, 400)
    x, y = gaussian_blobs(n, settings.seed)
    shuffled = np.random.default_rng(settings.seed + 1).permutation(y)
    panel = Panel("training accuracy", "epoch", "accuracy")
    rows, found = [], {}
    for step, (name, labels) in enumerate((("true labels", y), ("random labels", shuffled))):
        progress(step / 2, name)
        epoch, curve = epochs_to_fit(x, labels, epochs, settings.seed, cancelled)
        found[name] = epoch
        panel.lines.append(Line(name, list(range(1, len(curve) + 1)), curve, dashed=step == 1))
        rows.append([name, n, epoch if epoch is not None else f"> {epochs}", curve[-1]])
    true, random = found["true labels"], found["random labels"]
    agrees = true is not None and (random is None or random > true)
    random_text = f"{random} epochs" if random is not None else f"not within {epochs} epochs"
    conclusion = (
        f"The net fits {n} points with their true labels in {true} epochs and with random labels "
        f"in {random_text}: " + ("random labels take longer to memorise, as the folklore says."
                                 if agrees else "the folklore did not hold here.")
    )  # fmt: skip
    return ExperimentResult(
        "memorisation", settings,
        [Table(["labels", "points", "epochs to fit", "final training accuracy"], rows)],
        [panel], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    5,
    "memorisation",
    "Memorisation",
    "A net big enough fits random labels too, but it takes longer than fitting true labels.",
    "6→256→256→4 ReLU net, Adam, batch 32, on Gaussian blobs in 6-D (4 classes); epochs until "
    "every training point is classified right, with the true labels and with them shuffled.",
    run,
)
