"""Experiment 2, depth at a fixed parameter count: for the same number of weights, a deeper net
can represent a more wiggly function (each layer can fold the line again). Sixteen equally
spaced points on [−1, 1] with alternating classes; nets with 1, 2 and 3 hidden layers of about
the same size; training accuracy after full-batch Adam, over several seeds."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import mlp, stop_if

POINTS = 16
ARCHITECTURES = {"1 hidden layer": (12,), "2 hidden layers": (5, 5), "3 hidden layers": (4, 4, 4)}


def build(hidden: tuple[int, ...]) -> torch.nn.Sequential:
    return mlp((1, *hidden, 2))


def fit_points(net: torch.nn.Module, steps: int, cancelled=lambda: False) -> list[float]:
    """Train `net` on the points (full-batch Adam, lr 0.01); its training accuracy every 50
    steps. Shared with `depth_shared`, which tests the same claim with shared weights."""
    x = torch.linspace(-1.0, 1.0, POINTS).view(-1, 1)
    y = torch.arange(POINTS) % 2
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    curve = []
    for step in range(steps):
        if step % 500 == 0:
            stop_if(cancelled)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
        if step % 50 == 49:
            with torch.no_grad():
                curve.append(float((net(x).argmax(1) == y).float().mean()))
    return curve


def train_once(hidden: tuple[int, ...], steps: int, seed: int) -> tuple[float, list[float]]:
    """Training accuracy at the end, and every 50 steps, for one seed."""
    torch.manual_seed(seed)
    curve = fit_points(build(hidden), steps)
    return curve[-1], curve


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    steps, seeds = (600, 2) if settings.quick else (3000, 5)
    panel = Panel("training accuracy (mean over seeds)", "step", "accuracy")
    rows, means = [], {}
    for index, (name, hidden) in enumerate(ARCHITECTURES.items()):
        finals, curves = [], []
        for seed in range(seeds):
            stop_if(cancelled)
            progress((index * seeds + seed) / (len(ARCHITECTURES) * seeds), name)
            final, curve = train_once(hidden, steps, settings.seed * 1000 + seed)
            finals.append(final)
            curves.append(curve)
        parameters = sum(p.numel() for p in build(hidden).parameters())
        means[name] = float(np.mean(finals))
        rows.append([name, "→".join(map(str, (1, *hidden, 2))), parameters, means[name],
                     int(sum(f == 1.0 for f in finals))])  # fmt: skip
        mean_curve = np.mean(curves, axis=0)
        panel.lines.append(Line(name, [50.0 * (i + 1) for i in range(len(mean_curve))],
                                mean_curve.tolist()))  # fmt: skip
    shallow, deepest = means["1 hidden layer"], means["3 hidden layers"]
    agrees = None if abs(deepest - shallow) < 0.02 else deepest > shallow
    verdict = {True: "deeper is better here, as the folklore says",
               False: "the shallow net did better here: the folklore did not hold",
               None: "depth made no clear difference here"}[agrees]  # fmt: skip
    conclusion = (
        f"Mean training accuracy over {seeds} seeds: 1 hidden layer {shallow:.0%}, 2 layers "
        f"{means['2 hidden layers']:.0%}, 3 layers {deepest:.0%}; {verdict}."
    )
    return ExperimentResult(
        "depth", settings,
        [Table(["net", "layers", "parameters", "mean accuracy", f"seeds fitted (of {seeds})"],
               rows)],
        [panel], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    2,
    "depth",
    "Depth at a fixed parameter count",
    "For the same number of weights, deeper nets fit more complex functions.",
    f"{POINTS} equally spaced points on [−1, 1], classes alternating; ReLU nets 1→12→2, "
    "1→5→5→2 and 1→4→4→4→2 (50–58 parameters), full-batch Adam; training accuracy.",
    run,
)
