"""Experiment 4, class imbalance: trained on far fewer points of one class, a net pushes its
decision boundary into that class and misses much of it; oversampling the minority class (drawing
its points again until the classes are even) restores much of the lost recall. Two overlapping
2-D Gaussians (with the nets' decision regions drawn) and MNIST 4s against 9s at 1:1 … 1:100;
balanced accuracy and minority recall on a balanced test set."""

from __future__ import annotations

import math

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import decision_regions, mlp, mnist, train

RATIOS, QUICK_RATIOS = (1, 3, 10, 30, 100), (1, 100)
CENTRES = np.array([[-1.0, 0.0], [1.0, 0.0]], dtype=np.float32)  # class 0 majority, 1 minority
EXTENT = ((-5.0, 5.0), (-4.0, 4.0))  # the plane drawn in the decision-region panels
GRID = 60
BATCH_SIZE = 64


def gaussians(majority: int, minority: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`majority` points of class 0 around (−1, 0) and `minority` of class 1 around (1, 0), σ 1."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.array([0, 1]), (majority, minority))
    points = CENTRES[labels] + rng.normal(0.0, 1.0, (len(labels), 2)).astype(np.float32)
    return points.astype(np.float32), labels.astype(np.int64)


def imbalanced(
    x: np.ndarray, y: np.ndarray, ratio: int, majority: int
) -> tuple[np.ndarray, np.ndarray]:
    """The first `majority` points of class 0 and `majority // ratio` of class 1."""
    keep = np.concatenate([np.flatnonzero(y == 0)[:majority],
                           np.flatnonzero(y == 1)[: max(1, majority // ratio)]])  # fmt: skip
    return x[keep], y[keep]


def oversampled(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The minority class's points drawn again (with replacement) until both classes are even."""
    minority = np.flatnonzero(y == 1)
    extra = rng.choice(minority, int((y == 0).sum()) - len(minority), replace=True)
    keep = np.concatenate([np.arange(len(y)), extra])
    return x[keep], y[keep]


def fit(x: np.ndarray, y: np.ndarray, hidden: tuple[int, ...], steps: int, lr: float,
        seed: int, cancelled) -> torch.nn.Module:  # fmt: skip
    """A ReLU MLP trained by Adam for about `steps` minibatch steps, whatever the set's size."""
    torch.manual_seed(seed)
    net = mlp((x.shape[1], *hidden, 2))
    epochs = max(1, math.ceil(steps / math.ceil(len(y) / BATCH_SIZE)))
    train(net, x, y, epochs, batch_size=BATCH_SIZE, lr=lr, seed=seed, cancelled=cancelled)
    return net


@torch.no_grad()
def recalls(net: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(recall of class 0, recall of class 1) on (x, y)."""
    predicted = net(torch.from_numpy(x)).argmax(1).numpy()
    return float((predicted[y == 0] == 0).mean()), float((predicted[y == 1] == 1).mean())


def scatter(x: np.ndarray, y: np.ndarray, shown: int) -> list[Line]:
    """The training points, at most `shown` of each class, one colour per class."""
    lines = []
    for label, name in ((0, "majority (class 0)"), (1, "minority (class 1)")):
        points = x[y == label][:shown]
        lines.append(Line(name, points[:, 0].tolist(), points[:, 1].tolist(), points=True,
                          colour=0 if label == 0 else 3))  # fmt: skip
    return lines


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    quick, seed = settings.quick, settings.seed
    ratios = QUICK_RATIOS if quick else RATIOS
    plane_majority, digit_majority, steps = (1000, 1000, 150) if quick else (3000, 5000, 500)
    plane = gaussians(plane_majority, plane_majority, seed)
    plane_test = gaussians(2000, 2000, seed + 1)
    train_x, train_y, test_x, test_y = mnist(None, None, classes=(4, 9), seed=seed)
    per_class = 500 if quick else int(min((test_y == 0).sum(), (test_y == 1).sum()))
    balanced = np.concatenate([np.flatnonzero(test_y == c)[:per_class] for c in (0, 1)])
    data = {  # name: (training pool, balanced test set, majority count, hidden sizes, lr)
        "2-D Gaussians": (plane, plane_test, plane_majority, (32, 32), 3e-3),
        "MNIST 4 vs 9": ((train_x, train_y), (test_x[balanced], test_y[balanced]),
                         digit_majority, (64,), 1e-3),
    }  # fmt: skip
    rows, found, regions = [], {}, {}
    runs = [(name, ratio, sampling) for name in data for ratio in ratios
            for sampling in (("plain",) if ratio == 1 else ("plain", "oversampled"))]  # fmt: skip
    for index, (name, ratio, sampling) in enumerate(runs):
        progress(index / len(runs), f"{name}, 1:{ratio} {sampling}")
        pool, test, majority, hidden, lr = data[name]
        x, y = imbalanced(*pool, ratio, majority)
        minority = int((y == 1).sum())
        if sampling == "oversampled":
            x, y = oversampled(x, y, np.random.default_rng((seed, ratio)))
        net = fit(x, y, hidden, steps, lr, seed, cancelled)
        major, minor = recalls(net, *test)
        found[(name, ratio, sampling)] = minor
        shown = minority if sampling == "plain" else f"{minority} → {int((y == 1).sum())}"
        rows.append([name, f"1:{ratio}", shown, sampling, (major + minor) / 2, minor, major])
        if name == "2-D Gaussians" and ratio in (1, ratios[-1]):
            regions[(ratio, sampling)] = (decision_regions(net, *EXTENT, GRID), scatter(x, y, 300))
    return finish(settings, ratios, rows, found, regions)


def finish(settings, ratios, rows, found, regions) -> ExperimentResult:
    """Panels, the verdict and the conclusion from the measured recalls."""
    worst = ratios[-1]
    panels = []
    boundary = Line("balanced boundary", [0.0, 0.0], list(EXTENT[1]), dashed=True, colour=6)
    for key, title in (((1, "plain"), "1:1"), ((worst, "plain"), f"1:{worst}"),
                       ((worst, "oversampled"), f"1:{worst} oversampled")):  # fmt: skip
        heatmap, points = regions[key]
        panels.append(Panel(f"P(class 1), {title}", "x₁", "x₂", [*points, boundary],
                            heatmap=heatmap))  # fmt: skip
    xs = [float(np.log10(r)) for r in ratios]
    recall_panel = Panel("minority recall (balanced test set)", "log10 imbalance (majority : 1)",
                         "recall")  # fmt: skip
    names = list(dict.fromkeys(key[0] for key in found))
    for number, name in enumerate(names):
        for sampling in ("plain", "oversampled"):
            ys = [found[(name, r, "plain" if r == 1 else sampling)] for r in ratios]
            dashed = sampling == "oversampled"
            recall_panel.lines.append(Line(f"{name}, {sampling}", xs, ys, dashed, colour=number))
    panels.append(recall_panel)
    verdicts, parts = {}, []
    for name in names:
        even, plain, over = (found[(name, 1, "plain")], found[(name, worst, "plain")],
                             found[(name, worst, "oversampled")])  # fmt: skip
        lost = even - plain
        verdicts[name] = (lost > 0.1, lost > 0.1 and over - plain >= lost / 2)
        parts.append(f"{name}: minority recall {even:.0%} at 1:1, {plain:.0%} at 1:{worst}, "
                     f"{over:.0%} oversampled")  # fmt: skip
    held = [all(v) for v in verdicts.values()]
    agrees = True if all(held) else False if not any(any(v) for v in verdicts.values()) else None
    tail = {True: "imbalance hurt the minority class and oversampling restored most of its "
                  "recall, as the folklore says.",
            False: "imbalance did not clearly hurt the minority class here: the folklore did "
                   "not hold.",
            None: "the folklore held only in part (" + "; ".join(
                f"{name}: " + ("held" if all(v) else "imbalance hurt, oversampling did not "
                               "restore half" if v[0] else "imbalance barely hurt")
                for name, v in verdicts.items()) + ")."}[agrees]  # fmt: skip
    return ExperimentResult(
        "imbalance", settings,
        [Table(["data", "imbalance", "minority training points", "sampling",
                "balanced accuracy", "minority recall", "majority recall"], rows)],
        panels, "; ".join(parts) + " — " + tail, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    4,
    "imbalance",
    "Class imbalance",
    "Class imbalance pushes the decision boundary into the minority class and hurts its recall; "
    "oversampling the minority class restores much of it.",
    "Two overlapping 2-D Gaussians (2→32→32→2) and MNIST 4s against 9s (784→64→2), the 9s cut to "
    "1/1 … 1/100 of the 4s, trained with Adam as they are or with the minority oversampled; "
    "balanced accuracy and minority recall on a balanced test set.",
    run,
)
