"""Experiment 5, memorisation: a net big enough fits random labels too, but it takes longer
than fitting the true ones (Zhang et al., 2017), and a given net memorises only so many.

On Gaussian blobs in 6-D and on an MNIST subset: epochs until the training set is fitted, true
labels against shuffled ones. Then the capacity: a small fixed net, a fixed budget of epochs,
random labels on ever more points: the largest set it still fits."""

from __future__ import annotations

import math

import numpy as np
import torch

from digitlab.core.choices import plural
from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import gaussian_classes, mlp, mnist, train

DIMENSIONS, CLASSES = 6, 4
BATCH = 32
SMALL_NET = (DIMENSIONS, 8, 8, CLASSES)  # the net whose capacity is measured: 152 parameters


def epochs_to_fit(
    sizes: tuple[int, ...], x: np.ndarray, y: np.ndarray, epochs: int, seed: int, cancelled
) -> tuple[int | None, list[float]]:
    """Train a ReLU net of `sizes` with Adam (batch 32); the first epoch at which it classifies
    the whole training set right (None if never), and the training accuracy after each epoch."""
    torch.manual_seed(seed)
    net = mlp(sizes)
    curve = train(net, x, y, epochs, lr=2e-3, seed=seed, cancelled=cancelled, until_fitted=True)
    return (len(curve) if curve[-1] == 1.0 else None), curve


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    quick, seed = settings.quick, settings.seed
    n, n_mnist, epochs = (200, 100, 150) if quick else (1000, 1000, 400)
    x, y = gaussian_classes(n, DIMENSIONS, CLASSES, seed)
    mnist_x, mnist_y, _, _ = mnist(n_mnist, 0, seed=seed)
    cases = [("6-D Gaussians", (DIMENSIONS, 256, 256, CLASSES), x, y),
             ("MNIST", (784, 256, 256, 10), mnist_x, mnist_y)]  # fmt: skip
    panels = [Panel(f"{name}, {len(labels)} points: training accuracy", "epoch", "accuracy")
              for name, _, _, labels in cases]  # fmt: skip
    rows, slower = [], []
    for index, (name, sizes, inputs, labels) in enumerate(cases):
        shuffled = np.random.default_rng(seed + 1).permutation(labels)
        found = {}
        for kind, targets in (("true labels", labels), ("random labels", shuffled)):
            progress(len(rows) / 6, f"{name}, {kind}")
            epoch, curve = epochs_to_fit(sizes, inputs, targets, epochs, seed, cancelled)
            found[kind] = epoch
            panels[index].lines.append(Line(kind, list(range(1, len(curve) + 1)), curve,
                                            dashed=kind == "random labels"))  # fmt: skip
            rows.append([name, kind, len(labels), epoch if epoch is not None else f"> {epochs}",
                         curve[-1]])  # fmt: skip
        true, random = found["true labels"], found["random labels"]
        slower.append(true is not None and (random is None or random > true))
    capacity_table, capacity, capacity_panel = _capacity(settings, progress, cancelled)
    agrees = all(slower)
    conclusion = (
        f"True labels are fitted in {_epochs(rows[0][3])} on the Gaussians and {rows[2][3]} on "
        f"MNIST, random ones in {rows[1][3]} and {rows[3][3]}: "
        + ("random labels take longer to memorise, as the folklore says. " if agrees
           else "random labels were not always slower to fit here. ")
        + f"The {'→'.join(map(str, SMALL_NET))} net {capacity}."
    )  # fmt: skip
    return ExperimentResult(
        "memorisation", settings,
        [Table(["data", "labels", "points", "epochs to fit", "final training accuracy"], rows),
         capacity_table],
        [*panels, capacity_panel], conclusion, agrees,
    )  # fmt: skip


def _capacity(settings: Settings, progress, cancelled) -> tuple[Table, str, Panel]:
    """Random labels on more and more Gaussian points, the small net, a fixed epoch budget:
    its training accuracy per size, and the largest size it fits completely."""
    sizes = (25, 100, 1000) if settings.quick else (50, 100, 200, 400, 800, 1600)
    steps = 1500 if settings.quick else 8000  # the same number of updates for every size
    rows, accuracies = [], []
    for index, n in enumerate(sizes):
        progress(4 / 6 + 2 / 6 * index / len(sizes), f"capacity: {n} random labels")
        x, _ = gaussian_classes(n, DIMENSIONS, CLASSES, settings.seed)
        # a generator of its own: gaussian_classes draws its labels from (seed, n)
        labels = np.random.default_rng((settings.seed, n, 1)).integers(0, CLASSES, n)
        torch.manual_seed(settings.seed)
        net = mlp(SMALL_NET)
        epochs = math.ceil(steps / math.ceil(n / BATCH))
        curve = train(net, x, labels, epochs, batch_size=BATCH, lr=3e-3, seed=settings.seed,
                      cancelled=cancelled, until_fitted=True)  # fmt: skip
        accuracies.append(max(curve))
        rows.append([n, max(curve), len(curve)])
    failed = [(n, accuracy) for n, accuracy in zip(sizes, accuracies) if accuracy < 1.0]
    fitted = [n for n, accuracy in zip(sizes, accuracies) if accuracy == 1.0]
    if not failed:
        largest = f"fits all {sizes[-1]} random labels it was given"
    else:
        n, accuracy = failed[0]
        before = f"fits {max(fitted)} random labels completely but " if fitted else ""
        largest = f"{before}reproduces only {accuracy:.1%} of {n} in {steps} updates"
    panel = Panel(f"random labels, {'→'.join(map(str, SMALL_NET))}, {steps} updates",
                  "log10 points", "best training accuracy")  # fmt: skip
    panel.lines.append(Line("random labels", [float(np.log10(n)) for n in sizes], accuracies))
    table = Table(["random-label points", "best training accuracy", "epochs run"], rows)
    return table, largest, panel


EXPERIMENT = Experiment(
    5,
    "memorisation",
    "Memorisation",
    "A net big enough fits random labels too, but it takes longer than fitting true labels; "
    "a given net memorises only so many.",
    "ReLU nets (6→256→256→4 on Gaussian blobs in 6-D, 784→256→256→10 on MNIST), Adam, batch "
    "32: epochs until every training point is classified right, with the true labels and with "
    "them shuffled. Then a 6→8→8→4 net (152 parameters), 8000 updates of batch 32, random "
    "labels on 50 … 1600 points: the largest set it fits completely.",
    run,
)


def _epochs(count: int | str) -> str:
    """'1 epoch', '12 epochs', '> 150 epochs'."""
    return plural(count, "epoch") if isinstance(count, int) else f"{count} epochs"
