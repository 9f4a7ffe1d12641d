"""Experiment 11, weight convergence per layer: the folklore is that the later layers of a net
settle first and the first layer keeps moving longest. A 784→100→100→100→10 ReLU net on an
MNIST subset, trained with Adam and with SGD plus momentum (the per-weight step of Adam alone
could explain a difference): after every epoch, how far each layer's weights moved since the
last one, absolutely and relative to the layer's size, and the epoch from which each layer's
relative change stays below a threshold ("settled")."""

from __future__ import annotations

import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, mlp, mnist, train

SIZES = (784, 100, 100, 100, 10)
LAYERS = [f"W{i + 1} {a}→{b}" for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:]))]
THRESHOLDS = (0.05, 0.01)  # relative change per epoch under which a layer counts as settled
OPTIMIZERS = {
    "Adam": lambda parameters: torch.optim.Adam(parameters, lr=1e-3),
    "SGD + momentum": lambda parameters: torch.optim.SGD(parameters, lr=0.05, momentum=0.9),
}


def weight_changes(
    optimizer_name: str, data, epochs: int, seed: int, cancelled
) -> tuple[list[list[float]], list[list[float]], list[float], list[float]]:
    """Train the net; per epoch, each layer's ‖W_t − W_{t−1}‖ and that over ‖W_{t−1}‖, then the
    training and test accuracy per epoch."""
    x, y, test_x, test_y = data
    torch.manual_seed(seed)
    net = mlp(SIZES)
    linears = [module for module in net if isinstance(module, torch.nn.Linear)]
    previous = [layer.weight.detach().clone() for layer in linears]
    absolute: list[list[float]] = []
    relative: list[list[float]] = []
    test: list[float] = []

    def measure(epoch: int) -> None:
        now = [layer.weight.detach().clone() for layer in linears]
        moved = [float((new - old).norm()) for new, old in zip(now, previous)]
        absolute.append(moved)
        relative.append([m / float(old.norm()) for m, old in zip(moved, previous)])
        previous[:] = now
        test.append(accuracy(net, test_x, test_y))

    optimizer = OPTIMIZERS[optimizer_name](net.parameters())
    curve = train(net, x, y, epochs, batch_size=64, seed=seed, optimizer=optimizer,
                  cancelled=cancelled, after_epoch=measure)  # fmt: skip
    return absolute, relative, curve, test


def settled_epoch(changes: list[float], threshold: float) -> int | None:
    """The first epoch (1-based) from which the change stays below `threshold` to the end."""
    epoch = None
    for index, change in enumerate(changes):
        if change >= threshold:
            epoch = None
        elif epoch is None:
            epoch = index + 1
    return epoch


def later_layers_first(settled: list[int | None], epochs: int) -> bool | None:
    """True if the last two layers both settle before the first, False if either settles
    after it or at the same epoch, None if none of them settles."""
    first, *_, third, last = [epochs + 1 if s is None else s for s in settled]
    if first > epochs and max(third, last) > epochs:
        return None
    return max(third, last) < first


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    train_size, epochs = (2000, 12) if settings.quick else (10000, 30)
    data = mnist(train_size, 2000, seed=settings.seed)
    rows, fits, verdicts, panels, words = [], [], {}, [], []
    accuracy_panel = Panel("accuracy (solid: training, dashed: test)", "epoch", "accuracy")
    xs = list(range(1, epochs + 1))
    for step, name in enumerate(OPTIMIZERS):
        progress(step / len(OPTIMIZERS), f"training with {name}")
        absolute, relative, curve, test = weight_changes(
            name, data, epochs, settings.seed, cancelled
        )
        panel = Panel(f"{name}: ‖ΔW‖ / ‖W‖ per epoch", "epoch", "relative change", log_y=True)
        for i, layer in enumerate(LAYERS):
            panel.lines.append(Line(layer, xs, [r[i] for r in relative], colour=i))
        for t in THRESHOLDS:
            panel.lines.append(Line(f"{t:.0%}", [1, epochs], [t, t], dashed=True, colour=6))
        panels.append(panel)
        if name == "Adam":
            moved = Panel(f"{name}: ‖ΔW‖ per epoch", "epoch", "change", log_y=True)
            for i, layer in enumerate(LAYERS):
                moved.lines.append(Line(layer, xs, [a[i] for a in absolute], colour=i))
            panels.append(moved)
        colour = (4, 7)[step % 2]
        accuracy_panel.lines.append(Line(f"{name} training", xs, curve, colour=colour))
        accuracy_panel.lines.append(Line(f"{name} test", xs, test, dashed=True, colour=colour))
        fitted = next((epoch for epoch, a in enumerate(curve, start=1) if a == 1.0), None)
        fits.append([name, fitted if fitted is not None else f"> {epochs}", curve[-1], test[-1]])
        settled = {t: [settled_epoch([r[i] for r in relative], t) for i in range(len(LAYERS))]
                   for t in THRESHOLDS}  # fmt: skip
        for i, layer in enumerate(LAYERS):
            rows.append([name, layer, absolute[0][i], relative[0][i], relative[-1][i]]
                        + [settled[t][i] if settled[t][i] is not None else f"> {epochs}"
                           for t in THRESHOLDS])  # fmt: skip
        for t in THRESHOLDS:
            verdicts[f"{name} < {t:.0%}"] = later_layers_first(settled[t], epochs)
            text = "–".join("—" if s is None else str(s) for s in settled[t])
            words.append(f"{name} < {t:.0%}: {text}")
    panels.append(accuracy_panel)
    decided = {v for v in verdicts.values() if v is not None}
    agrees = decided.pop() if len(decided) == 1 else None
    first = [case for case, v in verdicts.items() if v is True]
    not_first = [case for case, v in verdicts.items() if v is not True]
    verdict = {True: "the last layers settle first, as the folklore says",
               False: "the last layers do not settle before the first: the folklore did not "
                      "hold here",
               None: f"mixed: the last layers settle first for {', '.join(first) or 'none'} but "
                     f"not for {', '.join(not_first)}"}[agrees]  # fmt: skip
    fitted_text = ", ".join(f"{row[1]} with {row[0]}" for row in fits)
    conclusion = (
        f"Epoch from which each layer's relative change per epoch stays below a threshold "
        f"(W1–W4; — never): {'; '.join(words)} (training set fitted at epoch {fitted_text}); "
        f"{verdict}."
    )
    header = ["optimizer", "layer", "‖ΔW‖ epoch 1", "‖ΔW‖/‖W‖ epoch 1", "‖ΔW‖/‖W‖ last"]
    header += [f"settled (< {t:.0%})" for t in THRESHOLDS]
    fit_header = ["optimizer", "epoch fitted (100% training)", "training accuracy",
                  "test accuracy"]  # fmt: skip
    return ExperimentResult(
        "convergence", settings, [Table(header, rows), Table(fit_header, fits)], panels,
        conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    11,
    "convergence",
    "Weight convergence per layer",
    "Later layers converge first: their weights stop changing before the first layer's do.",
    "784→100→100→100→10 ReLU net on an MNIST subset, Adam (lr 1e-3) and SGD with momentum "
    "(lr 0.05, 0.9), batch 64; each layer's weight change between consecutive epochs, "
    "absolute and relative to its norm, and the epoch from which it stays below 5% and 1%.",
    run,
)
