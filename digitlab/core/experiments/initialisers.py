"""Experiment 10, weight initialisation: a constant start (zeros, ones, 0.1) cannot break the
symmetry between hidden units — every unit of a layer gets the same gradient and stays a copy
of the others; N(0, 1) makes the signals explode; N(0, 0.01) makes them vanish, so a deeper net
starts slowly; Xavier (Glorot) and Kaiming (He), scaled to the layer's fan, train well. The
same 784→128→128→10 ReLU net with each initialiser for all weight matrices (biases zero), SGD
with momentum, on an MNIST subset: the loss at the start, test accuracy after every epoch, and
how many distinct units the first hidden layer ends with."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, judge, mlp, mnist, train

INITIALISERS: dict[str, Callable[[torch.Tensor], object]] = {
    "zeros": torch.nn.init.zeros_,
    "ones": torch.nn.init.ones_,
    "constant 0.1": lambda weight: torch.nn.init.constant_(weight, 0.1),
    "normal σ = 1": lambda weight: torch.nn.init.normal_(weight, 0.0, 1.0),
    "normal σ = 0.01": lambda weight: torch.nn.init.normal_(weight, 0.0, 0.01),
    "Xavier (uniform)": torch.nn.init.xavier_uniform_,
    "Kaiming (normal)": lambda weight: torch.nn.init.kaiming_normal_(weight, nonlinearity="relu"),
}
CONSTANTS = ("zeros", "ones", "constant 0.1")
SCALED = ("Xavier (uniform)", "Kaiming (normal)")
SIZES = (784, 128, 128, 10)
TARGET = 0.8  # "trained": test accuracy at least this


def initialised(name: str, seed: int) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    net = mlp(SIZES)
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, torch.nn.Linear):
                INITIALISERS[name](layer.weight)
                layer.bias.zero_()
    return net


@torch.no_grad()
def mean_loss(net: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    return float(F.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y)))


@torch.no_grad()
def distinct_units(weight: torch.Tensor) -> int:
    """How many different rows (a hidden unit's incoming weights) `weight` has, to 4 digits of
    its largest entry: 1 when the units are all copies of one."""
    scale = weight.abs().max().clamp_min(1e-12)
    return int(torch.unique((weight / scale).round(decimals=4), dim=0).shape[0])


def epochs_to(curve: list[float], level: float) -> int | None:
    """The first epoch whose accuracy reaches `level` (curve[0] is before training)."""
    return next((epoch for epoch, value in enumerate(curve) if value >= level), None)


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    seed = settings.seed
    train_size, test_size, epochs = (2000, 1000, 3) if settings.quick else (10000, 2000, 10)
    x, y, test_x, test_y = mnist(train_size, test_size, seed=seed)
    epoch_axis = list(range(epochs + 1))
    accuracy_panel = Panel("test accuracy", "epoch", "accuracy")
    loss_panel = Panel("training loss (cross-entropy)", "epoch", "loss", log_y=True)
    rows, start_loss, final, reached, distinct = [], {}, {}, {}, {}
    for index, name in enumerate(INITIALISERS):
        progress(index / len(INITIALISERS), name)
        net = initialised(name, seed)
        test_curve, loss_curve = [accuracy(net, test_x, test_y)], [mean_loss(net, x, y)]

        def measure(epoch: int, net=net, test_curve=test_curve, loss_curve=loss_curve) -> None:
            test_curve.append(accuracy(net, test_x, test_y))
            loss_curve.append(mean_loss(net, x, y))

        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        train(net, x, y, epochs, batch_size=64, seed=seed, optimizer=optimizer,
              cancelled=cancelled, after_epoch=measure)  # fmt: skip
        start_loss[name], final[name] = loss_curve[0], test_curve[-1]
        reached[name] = epochs_to(test_curve, TARGET)
        distinct[name] = distinct_units(net[0].weight)
        dashed = name in CONSTANTS
        accuracy_panel.lines.append(Line(name, epoch_axis, test_curve, dashed=dashed))
        loss_panel.lines.append(Line(name, epoch_axis, loss_curve, dashed=dashed))
        end_loss = loss_curve[-1] if math.isfinite(loss_curve[-1]) else "diverged"
        rows.append([name, start_loss[name], test_curve[1], final[name], end_loss,
                     reached[name] if reached[name] is not None else f"> {epochs}",
                     distinct[name]])  # fmt: skip

    def later(name: str) -> float:
        return reached[name] if reached[name] is not None else math.inf

    best_scaled = max(final[name] for name in SCALED)
    unscaled = [name for name in INITIALISERS if name not in SCALED]
    claims = {
        "the constants leave every hidden unit a copy of one":
            all(distinct[name] == 1 for name in CONSTANTS),
        "σ = 1 explodes": start_loss["normal σ = 1"] > 10 * math.log(10)
            and final["normal σ = 1"] < best_scaled - 0.05,
        "σ = 0.01 starts slowly": later("normal σ = 0.01") > max(later(n) for n in SCALED),
        "Xavier and Kaiming train best":
            min(final[name] for name in SCALED) >= max(final[n] for n in unscaled) - 0.01,
    }  # fmt: skip
    agrees, verdict = judge(claims)
    conclusion = (
        f"After {epochs} epochs: zeros, ones and 0.1 end at {final['zeros']:.1%}, "
        f"{final['ones']:.1%} and {final['constant 0.1']:.1%} test accuracy with "
        f"{distinct['zeros']}, {distinct['ones']} and {distinct['constant 0.1']} distinct first-"
        f"layer units of {SIZES[1]}; σ = 1 starts at loss {start_loss['normal σ = 1']:.3g} and "
        f"ends at {final['normal σ = 1']:.1%}; σ = 0.01 ends at {final['normal σ = 0.01']:.1%}; "
        f"Xavier {final['Xavier (uniform)']:.1%}, Kaiming {final['Kaiming (normal)']:.1%}: "
        f"{verdict}"
    )
    return ExperimentResult(
        "initialisers", settings,
        [Table(["initialiser", "initial loss", "test accuracy, epoch 1",
                f"test accuracy, epoch {epochs}", f"training loss, epoch {epochs}",
                f"epochs to {TARGET:.0%} test", f"distinct units (of {SIZES[1]})"], rows)],
        [accuracy_panel, loss_panel], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    10,
    "initialisers",
    "Weight initialisation",
    "Constant initialisations cannot break symmetry; N(0, 1) explodes; N(0, 0.01) is slow for "
    "deeper nets; Xavier and Kaiming train well.",
    "A 784→128→128→10 ReLU net, every weight matrix drawn by one initialiser (zeros, ones, 0.1, "
    "N(0, 1), N(0, 0.01), Xavier uniform, Kaiming normal), biases zero; SGD (lr 0.01, momentum "
    "0.9, batch 64) on an MNIST subset; test accuracy per epoch and distinct first-layer units.",
    run,
)
