"""Experiment 13, the 2-D bottleneck: a net whose hidden layers are all two units wide still
separates a few digit classes, but a deep one (five such ReLU layers) cannot learn from the
usual initialisation: some layer starts with both units dead for every input, no gradient gets
through, and the error stays at chance. A careful initialisation, with every ReLU alive at the
start, should rescue it. 784→2→…→2→k ReLU nets with one to five hidden layers on MNIST classes
0/1, 0/1/2 and 0–4, from PyTorch's default initialisation and from an "identity init" (the net
starts as a linear map: identity 2→2 layers, a positive first-layer bias that the output bias
cancels), over a few seeds; test error, and where the digits of one case land in each layer."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, layer_outputs, mlp, mnist, stop_if, train

CLASS_SETS = {"0/1": (0, 1), "0/1/2": (0, 1, 2), "0–4": (0, 1, 2, 3, 4)}
DEPTHS = (1, 2, 3, 4, 5)
INITS = ("default", "identity")
SCATTER_CASE = "0/1/2"  # the class set whose deepest rescued net is drawn layer by layer
POINTS_PER_CLASS = 100
HIDDEN_BIAS = 1.0
AT_CHANCE = 0.03  # an error within this of the majority-class error counts as chance


def careful_init(net: torch.nn.Sequential) -> None:
    """Orthogonal first and last layers, identity 2→2 layers, bias HIDDEN_BIAS in the first
    layer only and an output bias that cancels it: the net starts as the linear map
    W_out·W_in·x, with every ReLU alive on (almost) every digit."""
    linears = [module for module in net if isinstance(module, torch.nn.Linear)]
    with torch.no_grad():
        for layer in linears:
            if layer.in_features == layer.out_features == 2 and layer is not linears[-1]:
                torch.nn.init.eye_(layer.weight)
            else:
                torch.nn.init.orthogonal_(layer.weight)
            layer.bias.zero_()
        linears[0].bias.fill_(HIDDEN_BIAS)
        linears[-1].bias.copy_(-HIDDEN_BIAS * linears[-1].weight.sum(dim=1))


def build(depth: int, classes: int, init: str, seed: int) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    net = mlp((784, *(2,) * depth, classes))
    if init != "default":
        careful_init(net)
    return net


def plane_activations(net: torch.nn.Sequential, x: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's (N, 2) output after its ReLU."""
    return layer_outputs(net, x)[:-1]


def scatter_panels(net, x: np.ndarray, y: np.ndarray, names, seed: int, error: float):
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(y == c) for c in range(len(names))]  # a small split may hold few
    chosen = np.concatenate([rng.choice(m, min(POINTS_PER_CLASS, len(m)), replace=False)
                             for m in members])  # fmt: skip
    panels = []
    activations = plane_activations(net, x[chosen])
    planes = [plane.astype(np.float64).round(3) for plane in activations]  # a small JSON
    for depth, plane in enumerate(planes, start=1):
        panel = Panel(f"{SCATTER_CASE}, layer {depth} (error {error:.1%})", "unit 1", "unit 2")
        for c, name in enumerate(names):
            mine = y[chosen] == c
            panel.lines.append(Line(f"digit {name}", plane[mine, 0].tolist(),
                                    plane[mine, 1].tolist(), points=True, colour=c))  # fmt: skip
        panels.append(panel)
    return panels


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    train_size, test_size, epochs, seeds = (600, 1000, 12, 1) if settings.quick else (
        2000, 2000, 20, 3)  # fmt: skip
    errors: dict[tuple[str, str, int], list[float]] = {}
    chance, curves, scatter = {}, Panel("", "epoch", "training accuracy"), []
    total, done = len(CLASS_SETS) * len(DEPTHS) * len(INITS) * seeds, 0
    for set_name, classes in CLASS_SETS.items():
        x, y, test_x, test_y = mnist(train_size, test_size, classes, settings.seed)
        chance[set_name] = 1.0 - np.bincount(test_y).max() / len(test_y)
        for depth in DEPTHS:
            for init in INITS:
                found = errors.setdefault((set_name, init, depth), [])
                for repeat in range(seeds):
                    stop_if(cancelled)
                    progress(done / total, f"{set_name}, {depth} layers, {init}, seed {repeat}")
                    done += 1
                    seed = settings.seed * 100 + repeat
                    net = build(depth, len(classes), init, seed)
                    curve = train(net, x, y, epochs, batch_size=128, lr=3e-3, seed=seed,
                                  cancelled=cancelled)  # fmt: skip
                    found.append(1.0 - accuracy(net, test_x, test_y))
                    if set_name == SCATTER_CASE and depth == DEPTHS[-1]:
                        xs = list(range(1, epochs + 1))
                        dashed = init == "default"
                        line = Line(f"{init}, seed {repeat}", xs, curve, dashed, colour=repeat)
                        curves.lines.append(line)
                        best = min(found) == found[-1]
                        if init != "default" and best:
                            scatter = scatter_panels(net, test_x, test_y, classes, seed,
                                                     found[-1])  # fmt: skip
    curves.title = f"5 layers, {SCATTER_CASE} (dashed: default init)"

    def median(set_name: str, init: str, depth: int) -> float:
        return float(np.median(errors[(set_name, init, depth)]))

    header = ["hidden layers"] + [f"{s} {i}" for s in CLASS_SETS for i in INITS]
    rows = [[depth] + [median(s, i, depth) for s in CLASS_SETS for i in INITS]
            for depth in DEPTHS]  # fmt: skip
    deepest = DEPTHS[-1]
    five_rows, stuck_and_rescued, words = [], [], []
    for set_name in CLASS_SETS:
        stuck = {i: sum(e >= chance[set_name] - AT_CHANCE for e in errors[(set_name, i, deepest)])
                 for i in INITS}  # fmt: skip
        default, rescued = median(set_name, "default", deepest), median(set_name, INITS[1], deepest)
        five_rows.append([set_name, float(chance[set_name])] + [
            " ".join(f"{e:.3f}" for e in errors[(set_name, i, deepest)]) for i in INITS
        ] + [f"{stuck[i]} of {seeds}" for i in INITS])  # fmt: skip
        stuck_and_rescued.append(default >= chance[set_name] - AT_CHANCE
                                 and rescued <= chance[set_name] / 2)  # fmt: skip
        words.append(f"{set_name} {default:.0%} → {rescued:.0%} (chance {chance[set_name]:.0%})")
    agrees = True if all(stuck_and_rescued) else (None if any(stuck_and_rescued) else False)
    error_panel = Panel("test error (dashed: identity init)",
                        "hidden layers (2 wide)", "test error")  # fmt: skip
    for c, set_name in enumerate(CLASS_SETS):
        for init in INITS:
            error_panel.lines.append(Line(f"{set_name} {init}", list(DEPTHS),
                                          [median(set_name, init, d) for d in DEPTHS],
                                          dashed=init != "default", colour=c))  # fmt: skip
    verdict = {True: "the default init leaves it at chance and the careful init rescues it, "
                     "for every class set",
               None: "the careful init rescues it for some class sets only",
               False: "that is not the pattern the folklore describes"}[agrees]  # fmt: skip
    conclusion = (
        f"Median test error of the five-layer 2-wide ReLU net, default init → identity init: "
        f"{'; '.join(words)}; {verdict}."
    )
    return ExperimentResult(
        "bottleneck", settings,
        [Table(header, rows),
         Table(["classes (5 hidden layers)", "chance error", "errors, default",
                "errors, identity init", "at chance, default", "at chance, identity init"],
               five_rows)],
        [error_panel, curves, *scatter], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    13,
    "bottleneck",
    "The 2-D bottleneck",
    "A net squeezed through 2-D layers still separates a few classes, but five such layers "
    "cannot learn from the usual initialisation; a careful initialisation rescues them.",
    "784→2→…→2→k ReLU nets, one to five 2-wide hidden layers, on MNIST classes 0/1, 0/1/2 and "
    "0–4, Adam (lr 3e-3, batch 128), from PyTorch's default init and from an identity init "
    "(identity 2→2 layers, first-layer bias 1 cancelled at the output, so every ReLU starts "
    "alive); median test error over seeds, and each 2-D layer's digits.",
    run,
)
