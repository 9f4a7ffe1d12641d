"""Experiment 17, the lottery ticket (Frankle & Carbin, 2019): a trained net's largest weights,
reset to their initial values and trained again alone (the rest held at zero), reach about the
dense net's accuracy even when most weights are gone; a random mask of the same size, from the
same initial values, does worse. A 784→300→100→10 ReLU net (LeNet-300-100) on an MNIST subset:
train it, keep the largest |w| of each layer (the output layer pruned at half the rate, as the
paper does), rewind, retrain with the mask held after every step; the same for random masks.

The mask is held here, with an optimizer step hook, rather than in the core's trainer."""

from __future__ import annotations

import copy

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, judge, mlp, mnist, stop_if, train

SIZES = (784, 300, 100, 10)
HIGH = 0.95  # the fraction whose training curves are drawn, and where tickets should win
MATCH = 0.8  # at this fraction a ticket should match the dense net
POINT = 0.01  # a difference in accuracy that counts


def weights(net: torch.nn.Sequential) -> list[torch.nn.Parameter]:
    return [module.weight for module in net if isinstance(module, torch.nn.Linear)]


def layer_fractions(fraction: float, layers: int) -> list[float]:
    """The share pruned in each weight matrix: `fraction`, the output layer half of it."""
    return [fraction] * (layers - 1) + [fraction / 2]


def magnitude_masks(net: torch.nn.Sequential, fraction: float) -> list[torch.Tensor]:
    """1 for the weights kept: the largest |w| of each layer, by `layer_fractions`."""
    masks = []
    for w, share in zip(weights(net), layer_fractions(fraction, len(weights(net)))):
        size = w.detach().abs().view(-1)
        order = torch.argsort(size, stable=True)
        mask = torch.ones_like(size)
        mask[order[: int(round(share * size.numel()))]] = 0.0
        masks.append(mask.view_as(w))
    return masks


def random_masks(
    net: torch.nn.Sequential, fraction: float, generator: torch.Generator
) -> list[torch.Tensor]:
    """As many weights pruned per layer as `magnitude_masks`, chosen at random."""
    masks = []
    for w, share in zip(weights(net), layer_fractions(fraction, len(weights(net)))):
        mask = torch.ones(w.numel())
        mask[torch.randperm(w.numel(), generator=generator)[: int(round(share * w.numel()))]] = 0
        masks.append(mask.view_as(w))
    return masks


def train_masked(
    net: torch.nn.Sequential,
    masks: list[torch.Tensor] | None,
    data: tuple[np.ndarray, ...],
    epochs: int,
    seed: int,
    cancelled=lambda: False,
) -> list[float]:
    """Adam (lr 1.2e-3, batch 60, as the paper) with the pruned weights set to zero before the
    first step and after every step; the test accuracy after each epoch."""
    x, y, test_x, test_y = data
    optimizer = torch.optim.Adam(net.parameters(), lr=1.2e-3)
    if masks is not None:

        @torch.no_grad()
        def hold(*_) -> None:
            for w, mask in zip(weights(net), masks):
                w.mul_(mask)

        hold()
        optimizer.register_step_post_hook(hold)
    tests: list[float] = []
    train(net, x, y, epochs, batch_size=60, seed=seed, cancelled=cancelled, optimizer=optimizer,
          after_epoch=lambda _: tests.append(accuracy(net, test_x, test_y)))  # fmt: skip
    return tests


def pruned_nonzero(net: torch.nn.Sequential, masks: list[torch.Tensor]) -> int:
    """How many pruned weights are not exactly zero (0 if the mask held)."""
    return int(sum(int((w.detach()[mask == 0] != 0).sum()) for w, mask in zip(weights(net), masks)))


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    quick = settings.quick
    train_size, test_size, epochs, seeds = (2000, 1000, 6, 1) if quick else (5000, 2000, 10, 2)
    fractions = (MATCH, HIGH) if quick else (0.5, MATCH, 0.9, HIGH, 0.98)
    data = mnist(train_size, test_size, seed=settings.seed)
    kinds = ("ticket", "random")
    found: dict[tuple[str, float], list[float]] = {}
    curves: dict[str, list[list[float]]] = {}
    dense, leaks, steps = [], 0, seeds * (1 + 2 * len(fractions))
    for repeat in range(seeds):
        seed = settings.seed * 100 + repeat
        torch.manual_seed(seed)
        net = mlp(SIZES)
        start = copy.deepcopy(net.state_dict())
        progress(repeat / seeds, f"seed {repeat}: the dense net")
        tests = train_masked(net, None, data, epochs, seed, cancelled)
        dense.append(tests[-1])
        curves.setdefault("dense", []).append(tests)
        generator = torch.Generator().manual_seed(seed)
        for index, fraction in enumerate(fractions):
            for kind in kinds:
                stop_if(cancelled)
                done = repeat * (1 + 2 * len(fractions)) + 1 + 2 * index + (kind == "random")
                progress(done / steps, f"seed {repeat}: {kind}, {fraction:.0%} pruned")
                masks = (magnitude_masks(net, fraction) if kind == "ticket"
                         else random_masks(net, fraction, generator))  # fmt: skip
                pruned = mlp(SIZES)
                pruned.load_state_dict(start)  # rewound to the initial values
                tests = train_masked(pruned, masks, data, epochs, seed, cancelled)
                leaks += pruned_nonzero(pruned, masks)
                found.setdefault((kind, fraction), []).append(tests[-1])
                if fraction == HIGH:
                    curves.setdefault(kind, []).append(tests)
    mean = {key: float(np.mean(values)) for key, values in found.items()}
    dense_mean = float(np.mean(dense))
    counts = [a * b for a, b in zip(SIZES[:-1], SIZES[1:])]
    total = sum(counts)
    rows = [["dense", 0.0, total, dense_mean, dense_mean, 0.0]]
    for fraction in fractions:
        shares = layer_fractions(fraction, len(counts))
        kept = sum(n - int(round(share * n)) for n, share in zip(counts, shares))
        ticket, random = mean[("ticket", fraction)], mean[("random", fraction)]
        rows.append([f"{fraction:.0%} pruned", 1 - kept / total, kept, ticket, random,
                     ticket - random])  # fmt: skip
    xs = [0.0, *fractions]
    accuracy_panel = Panel("test accuracy after retraining", "share of weights pruned",
                           "test accuracy")  # fmt: skip
    for kind in kinds:
        ys = [dense_mean] + [mean[(kind, f)] for f in fractions]
        accuracy_panel.lines.append(Line(f"{kind} (rewound)", xs, ys, dashed=kind == "random"))
    curve_panel = Panel(f"{HIGH:.0%} pruned: test accuracy while training", "epoch", "accuracy")
    for kind in ("dense", *kinds):
        curve_panel.lines.append(Line(kind, list(range(1, epochs + 1)),
                                      np.mean(curves[kind], axis=0).tolist(),
                                      dashed=kind == "random"))  # fmt: skip
    high = [f for f in fractions if f >= 0.9]
    agrees, verdict = judge({
        f"the ticket at {MATCH:.0%} pruned matches the dense net":
            mean[("ticket", MATCH)] >= dense_mean - POINT,
        f"tickets beat random masks at {', '.join(f'{f:.0%}' for f in high)} pruned":
            all(mean[("ticket", f)] > mean[("random", f)] + POINT for f in high),
    })  # fmt: skip
    conclusion = (
        f"Test accuracy over {seeds} seed{'s' if seeds > 1 else ''}: dense {dense_mean:.1%}; "
        + "; ".join(f"{f:.0%} pruned: ticket {mean[('ticket', f)]:.1%}, random "
                    f"{mean[('random', f)]:.1%}" for f in fractions)
        + f" (pruned weights left non-zero after training: {leaks}); {verdict}"
    )  # fmt: skip
    return ExperimentResult(
        "lottery", settings,
        [Table(["net", "share of weights pruned", "weights left", "ticket (rewound)",
                "random mask (rewound)", "ticket − random"], rows),
         Table(["check", "value"], [["pruned weights non-zero after training", leaks]])],
        [accuracy_panel, curve_panel], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    17,
    "lottery",
    "The lottery ticket",
    "A trained net's largest weights, rewound to their initial values and trained alone, match "
    "the dense net even with most weights pruned; a random mask of the same size does worse.",
    "5000 MNIST training digits, 2000 test digits; a 784→300→100→10 ReLU net, Adam (lr 1.2e-3, "
    "batch 60, 10 epochs). Prune the smallest |w| of each layer (50, 80, 90, 95, 98 %; the "
    "output layer half as much), rewind the rest to their initial values and retrain with the "
    "pruned weights held at zero after every step; the same with a random mask; two seeds.",
    run,
)
