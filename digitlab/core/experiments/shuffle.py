"""Experiment 16, pixel shuffle: an MLP has no notion of which pixels are neighbours, so one
fixed random permutation of the 784 pixels, applied to the training and the test digits alike,
should leave its accuracy unchanged; only its first-layer weight images look like noise, until
they are put back in pixel order. A 784→100→10 ReLU net on an MNIST subset, plain and shuffled
(the same initial weights and batch order), over several seeds: test accuracy, the weight images,
and their roughness (mean |difference between neighbouring pixels| over mean |weight|)."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import (
    Experiment,
    ExperimentResult,
    Heatmap,
    Line,
    Panel,
    Settings,
    Table,
)
from digitlab.core.experiments.toy import accuracy, judge, mlp, mnist, stop_if, train

SIZES = (784, 100, 10)
SIDE = 28
SHOWN = (2, 4)  # the weight images drawn: rows × columns of units, from seed 0's first units
NOISE = 0.01  # accuracy differences below this (or twice the seeds' spread) count as none


def roughness(weights: np.ndarray) -> float:
    """Mean |difference between horizontally or vertically neighbouring pixels| of (units, 784)
    weight images over their mean |weight|: about √2 for noise, lower for smooth images."""
    images = weights.reshape(len(weights), SIDE, SIDE)
    steps = np.concatenate([np.abs(np.diff(images, axis=1)).ravel(),
                            np.abs(np.diff(images, axis=2)).ravel()])  # fmt: skip
    return float(steps.mean() / np.abs(weights).mean())


def unshuffle(weights: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    """First-layer weights of a net trained on `x[:, permutation]`, back in pixel order: input
    j of the shuffled net is pixel permutation[j]."""
    restored = np.empty_like(weights)
    restored[:, permutation] = weights
    return restored


def mosaic(weights: np.ndarray, title: str) -> Panel:
    """The first SHOWN units' weight images side by side, one pixel of zero between them, over
    a scale symmetric about zero that saturates at the 97th percentile of |w| (rows flipped:
    the figure's y axis points up)."""
    rows, columns = SHOWN
    grid = np.zeros((rows * (SIDE + 1) - 1, columns * (SIDE + 1) - 1))
    for unit in range(rows * columns):
        r, c = divmod(unit, columns)
        grid[r * (SIDE + 1) : r * (SIDE + 1) + SIDE, c * (SIDE + 1) : c * (SIDE + 1) + SIDE] = (
            weights[unit].reshape(SIDE, SIDE)
        )
    scale = float(np.quantile(np.abs(weights[: rows * columns]), 0.97)) or 1.0
    values = np.clip(grid[::-1] / scale, -1.0, 1.0).round(2).tolist()  # a small result file
    heatmap = Heatmap(values, (0.0, float(grid.shape[1])), (0.0, float(grid.shape[0])),
                      (-1.0, 1.0))  # fmt: skip
    return Panel(f"{title} (±{scale:.2g})", "", "", heatmap=heatmap)


def train_one(x, y, test_x, test_y, epochs: int, seed: int, cancelled):
    """A net trained on these inputs: its first-layer weights and test accuracy per epoch."""
    torch.manual_seed(seed)
    net = mlp(SIZES)
    tests: list[float] = []
    train(net, x, y, epochs, batch_size=64, lr=1e-3, seed=seed, cancelled=cancelled,
          after_epoch=lambda _: tests.append(accuracy(net, test_x, test_y)))  # fmt: skip
    return net[0].weight.detach().numpy().copy(), tests


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    train_size, test_size, epochs, seeds = (2000, 1000, 5, 1) if settings.quick else (
        10000, 2000, 10, 3)  # fmt: skip
    x, y, test_x, test_y = mnist(train_size, test_size, seed=settings.seed)
    permutation = np.random.default_rng((settings.seed, SIDE * SIDE)).permutation(SIDE * SIDE)
    found: dict[str, list] = {"plain": [], "shuffled": []}
    weights: dict[str, list[np.ndarray]] = {"plain": [], "shuffled": []}
    for repeat in range(seeds):
        seed = settings.seed * 100 + repeat
        for kind, order in (("plain", slice(None)), ("shuffled", permutation)):
            stop_if(cancelled)
            progress((2 * repeat + (kind == "shuffled")) / (2 * seeds), f"{kind}, seed {repeat}")
            w, tests = train_one(x[:, order], y, test_x[:, order], test_y, epochs, seed, cancelled)
            found[kind].append(tests)
            weights[kind].append(w)
    restored = [unshuffle(w, permutation) for w in weights["shuffled"]]
    final = {kind: np.array([tests[-1] for tests in found[kind]]) for kind in found}
    rough = {"plain": np.mean([roughness(w) for w in weights["plain"]]),
             "shuffled, in pixel order": np.mean([roughness(w) for w in weights["shuffled"]]),
             "shuffled, un-shuffled": np.mean([roughness(w) for w in restored])}  # fmt: skip
    noise_rough = roughness(np.random.default_rng(settings.seed).normal(size=(100, 784)))
    plain = rough["plain"]
    difference = float(final["shuffled"].mean() - final["plain"].mean())
    tolerance = max(NOISE, 2 * float(final["plain"].std()))
    accuracy_rows = [[kind, float(final[kind].mean()), float(final[kind].std()),
                      " ".join(f"{a:.4f}" for a in final[kind])] for kind in found]  # fmt: skip
    rough_rows = [[view, float(value), float(value / plain)] for view, value in rough.items()]
    rough_rows.append(["Gaussian noise (reference)", noise_rough, noise_rough / plain])
    curves = Panel("test accuracy (mean over seeds)", "epoch", "accuracy")
    for kind in found:
        curves.lines.append(Line(kind, list(range(1, epochs + 1)),
                                 np.mean(found[kind], axis=0).tolist(),
                                 dashed=kind == "shuffled"))  # fmt: skip
    panels = [curves, mosaic(weights["plain"][0], "plain net: first-layer weights"),
              mosaic(weights["shuffled"][0], "shuffled net, in pixel order"),
              mosaic(restored[0], "shuffled net, un-shuffled")]  # fmt: skip
    agrees, verdict = judge({
        f"the accuracy is unchanged (within {tolerance:.1%})": abs(difference) <= tolerance,
        "the shuffled net's weight images are noise in pixel order":
            rough["shuffled, in pixel order"] >= 1.3 * plain,
        "un-shuffled they are as smooth as the plain net's":
            abs(rough["shuffled, un-shuffled"] / plain - 1.0) <= 0.1,
    })  # fmt: skip
    conclusion = (
        f"Test accuracy over {seeds} seed{'s' if seeds > 1 else ''}: plain "
        f"{final['plain'].mean():.2%}, shuffled {final['shuffled'].mean():.2%} "
        f"(difference {difference * 100:+.2f} points). Roughness of the weight images relative "
        f"to the plain net's: {rough['shuffled, in pixel order'] / plain:.2f} in shuffled pixel "
        f"order (noise {noise_rough / plain:.2f}), {rough['shuffled, un-shuffled'] / plain:.2f} "
        f"un-shuffled; {verdict}"
    )
    return ExperimentResult(
        "shuffle", settings,
        [Table(["pixels", "mean test accuracy", "std over seeds", "per seed"], accuracy_rows),
         Table(["first-layer weight images", "roughness", "relative to plain"], rough_rows)],
        panels, conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    16,
    "shuffle",
    "Pixel shuffle",
    "An MLP does not use the pixels' arrangement: with one fixed random permutation of the "
    "pixels its accuracy is unchanged, while its first-layer weight images turn to noise until "
    "they are un-shuffled.",
    "10 000 MNIST training digits, 2000 test digits; a 784→100→10 ReLU net, Adam (lr 1e-3, batch "
    "64, 10 epochs), on the plain digits and on the digits with one fixed permutation of their "
    "784 pixels (the same initial weights and batch order), three seeds: test accuracy, and the "
    "roughness of the first-layer weight images (mean |difference between neighbouring pixels| "
    "over mean |weight|) in pixel order and un-shuffled.",
    run,
)
