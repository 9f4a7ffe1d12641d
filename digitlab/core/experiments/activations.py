"""Experiment 7, activation functions: without a nonlinearity a deep net is one linear map and
cannot separate two moons; the ReLU family (ReLU, leaky ReLU, ELU) trains fastest and best,
saturating ones (sigmoid, tanh) more slowly. The same 2→32→32→2 net with each activation on two
moons (its decision regions drawn), and a 784→128→128→10 net with each on an MNIST subset (test
accuracy after every epoch). The sign-like activation is a true sign in the forward pass with a
straight-through gradient (that of hardtanh: 1 on |x| < 1, 0 outside), as in binarised nets."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from digitlab.core.choices import plural
from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import (
    accuracy,
    decision_regions,
    judge,
    mlp,
    mnist,
    train,
    two_moons,
)


class StraightThroughSign(torch.nn.Module):
    """sign(x) forward; backward the gradient of hardtanh (the straight-through estimator)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        soft = torch.nn.functional.hardtanh(x)
        return soft + (torch.sign(x) - soft).detach()


ACTIVATIONS: dict[str, Callable[[], torch.nn.Module]] = {
    "identity": torch.nn.Identity,
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
    "ReLU": torch.nn.ReLU,
    "leaky ReLU": lambda: torch.nn.LeakyReLU(0.1),
    "ELU": torch.nn.ELU,
    "sign (straight-through)": StraightThroughSign,
}
RELU_FAMILY = ("ReLU", "leaky ReLU", "ELU")
SATURATING = ("sigmoid", "tanh")
MOONS_NOISE, MOONS_WIDTH = 0.2, 32
X_RANGE, Y_RANGE, GRID = (-1.75, 2.75), (-1.25, 1.75), 40


def moons_panel(name: str, net: torch.nn.Module, x: np.ndarray, y: np.ndarray, score: float):
    """The decision regions with the test points on top, one colour per class."""
    regions = decision_regions(net, X_RANGE, Y_RANGE, GRID, decimals=2)
    panel = Panel(f"{name}: moons {score:.0%}", "x₁", "x₂", heatmap=regions)
    for label in (0, 1):
        chosen = x[y == label].astype(np.float64).round(3)  # short numbers in the JSON
        panel.lines.append(Line(f"class {label}", chosen[:, 0].tolist(), chosen[:, 1].tolist(),
                                points=True, colour=label))  # fmt: skip
    return panel


def epochs_to(curve: list[float], level: float) -> int | None:
    """The first epoch (1-based) whose accuracy reaches `level`, None if none does."""
    return next((i + 1 for i, value in enumerate(curve) if value >= level), None)


def speed_text(speeds: list[float], limit: int) -> str:
    """The mean epochs to 97% as text. A run that never got there (stored as `limit` + 1) makes
    the mean a lower bound, counted at `limit`: "> 400", never "401"."""
    mean = float(np.mean([min(value, limit) for value in speeds]))
    return f"> {mean:.0f}" if any(value > limit for value in speeds) else f"{mean:.0f}"


def mnist_curve(activation, digits, epochs: int, seed: int, cancelled) -> list[float]:
    """Test accuracy after each epoch of a 784→128→128→10 net (Adam, lr 1e-3, batch 64)."""
    torch.manual_seed(seed)
    net = mlp((784, 128, 128, 10), activation)
    curve: list[float] = []
    train(net, digits[0], digits[1], epochs, batch_size=64, lr=1e-3, seed=seed,
          cancelled=cancelled,
          after_epoch=lambda epoch: curve.append(accuracy(net, *digits[2:])))  # fmt: skip
    return curve


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    seed = settings.seed
    moons_epochs, train_size, test_size, mnist_epochs = (
        (120, 1500, 1000, 2) if settings.quick else (400, 6000, 2000, 6)
    )
    x, y = two_moons(400, MOONS_NOISE, seed)
    test_x, test_y = two_moons(400, MOONS_NOISE, seed + 1)
    digits = mnist(train_size, test_size, seed=seed)
    panels, rows = [], []
    mnist_panel = Panel("MNIST test accuracy", "epoch", "accuracy")
    moons_score, moons_speed, mnist_score, mnist_first = {}, {}, {}, {}
    for index, (name, activation) in enumerate(ACTIVATIONS.items()):
        progress(index / len(ACTIVATIONS), f"{name}: two moons")
        torch.manual_seed(seed)
        net = mlp((2, MOONS_WIDTH, MOONS_WIDTH, 2), activation)
        curve = train(net, x, y, moons_epochs, batch_size=len(y), lr=0.01, seed=seed,
                      cancelled=cancelled)  # fmt: skip
        moons_score[name] = accuracy(net, test_x, test_y)
        panels.append(moons_panel(name, net, test_x, test_y, moons_score[name]))
        reached = epochs_to(curve, 0.97)
        moons_speed[name] = float(reached) if reached is not None else float(moons_epochs + 1)

        progress((index + 0.5) / len(ACTIVATIONS), f"{name}: MNIST")
        test_curve = mnist_curve(activation, digits, mnist_epochs, seed, cancelled)
        mnist_score[name], mnist_first[name] = test_curve[-1], test_curve[0]
        mnist_panel.lines.append(Line(name, list(range(1, mnist_epochs + 1)), test_curve,
                                      dashed=name in SATURATING or name == "identity"))  # fmt: skip
        rows.append([name, moons_score[name],
                     reached if reached is not None else f"> {moons_epochs}",
                     mnist_first[name], mnist_score[name]])  # fmt: skip
    panels.append(mnist_panel)

    best_nonlinear = max(score for name, score in moons_score.items() if name != "identity")
    relu_speed = float(np.mean([moons_speed[name] for name in RELU_FAMILY]))
    relu_mnist = float(np.mean([mnist_score[name] for name in RELU_FAMILY]))
    relu_text = speed_text([moons_speed[n] for n in RELU_FAMILY], moons_epochs)
    tanh_text, sigmoid_text = (
        speed_text([moons_speed[n]], moons_epochs) for n in ("tanh", "sigmoid")
    )
    claims = {
        "the linear net cannot separate the moons":
            moons_score["identity"] < best_nonlinear - 0.05,
        "the ReLU family fits the moons in fewer epochs than sigmoid and tanh":
            all(relu_speed < moons_speed[name] for name in SATURATING),
        "the ReLU family ends higher on MNIST than sigmoid and tanh (by > 0.5 points)":
            all(relu_mnist > mnist_score[name] + 0.005 for name in SATURATING),
    }  # fmt: skip
    agrees, verdict = judge(claims)
    conclusion = (
        f"On two moons the linear net reaches {moons_score['identity']:.0%} test accuracy "
        f"against up to {best_nonlinear:.0%} with a nonlinearity; epochs to 97% training "
        f"accuracy: ReLU family {relu_text} on average, tanh {tanh_text}, "
        f"sigmoid {sigmoid_text}; MNIST after {plural(mnist_epochs, 'epoch')}: ReLU family "
        f"{relu_mnist:.1%}, tanh {mnist_score['tanh']:.1%}, sigmoid {mnist_score['sigmoid']:.1%}"
        f" (after one: {np.mean([mnist_first[n] for n in RELU_FAMILY]):.1%}, "
        f"{mnist_first['tanh']:.1%}, {mnist_first['sigmoid']:.1%}): {verdict}"
    )
    return ExperimentResult(
        "activations", settings,
        [Table(["activation", "moons test accuracy", "moons epochs to 97% train",
                "MNIST test accuracy, epoch 1", f"MNIST test accuracy, epoch {mnist_epochs}"],
               rows)],
        panels, conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    7,
    "activations",
    "Activation functions",
    "Without a nonlinearity a net cannot separate two moons; ReLU-family activations train "
    "fastest and best, saturating ones (sigmoid, tanh) more slowly.",
    "The same nets with identity, sigmoid, tanh, ReLU, leaky ReLU (0.1), ELU and a "
    "straight-through sign between the layers: 2→32→32→2 on 400 two-moons points (full-batch "
    "Adam, lr 0.01) and 784→128→128→10 on an MNIST subset (Adam, lr 1e-3, batch 64).",
    run,
)
