"""Experiment 18, double descent (Belkin et al., 2019; Nakkiran et al., 2020): with noisy labels
and training run until the net fits them, test error against width first falls, rises to a
peak where the net just manages to interpolate the training set, and falls again beyond it. A
small MNIST subset (2×2-pooled to 14×14, 20 % of the labels changed to another class at random),
196→h→10 ReLU nets of widths spanning the interpolation threshold, full-batch Adam for a fixed
number of steps; train and test error against width, over a few seeds.

The nets of one seed train together as one module (their first layers concatenated, their
losses summed): Adam's update is per weight, so each net trains exactly as it would alone, and
one step costs one matrix product instead of a dozen small ones."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import mnist, stop_if

NOISE = 0.2  # the share of training labels changed to another class
POOL = 2  # average-pool the digits 2×2: 196 inputs, so each width costs a quarter as much
CLASSES = 10
RISE = 0.02  # a peak must stand this far above the errors on both sides of it
FITTED = 0.01  # a training error at or below this counts as interpolating
CHECK_EVERY = 50  # steps between cancel checks and progress reports (≤ 1 s at full size)


class Family(torch.nn.Module):
    """One 196→h→10 net per width; `forward` gives each one's logits."""

    def __init__(self, inputs: int, widths: tuple[int, ...], seed: int) -> None:
        super().__init__()
        firsts, lasts = [], []
        for width in widths:  # each net starts as it would if it were made alone with `seed`
            torch.manual_seed(seed)
            firsts.append(torch.nn.Linear(inputs, width))
            lasts.append(torch.nn.Linear(width, CLASSES))
        self.firsts, self.lasts = torch.nn.ModuleList(firsts), torch.nn.ModuleList(lasts)
        self.widths = list(widths)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        weight = torch.cat([layer.weight for layer in self.firsts])
        bias = torch.cat([layer.bias for layer in self.firsts])
        hidden = torch.relu(torch.nn.functional.linear(x, weight, bias))
        parts = torch.split(hidden, self.widths, dim=1)
        return [last(part) for last, part in zip(self.lasts, parts)]


def pooled(images: np.ndarray) -> np.ndarray:
    side = 28 // POOL
    blocks = images.reshape(len(images), side, POOL, side, POOL)
    return blocks.mean(axis=(2, 4)).reshape(len(images), side * side).astype(np.float32)


def noisy_labels(labels: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`labels` with a random `share` of them changed to another class, and which ones."""
    rng = np.random.default_rng((seed, len(labels)))
    changed = np.zeros(len(labels), bool)
    changed[rng.choice(len(labels), int(round(share * len(labels))), replace=False)] = True
    noisy = labels.copy()
    noisy[changed] = (labels[changed] + rng.integers(1, CLASSES, changed.sum())) % CLASSES
    return noisy, changed


@torch.no_grad()
def errors(family: Family, x: np.ndarray, y: np.ndarray) -> list[float]:
    targets = torch.from_numpy(y)
    return [float((out.argmax(1) != targets).float().mean()) for out in family(torch.from_numpy(x))]


def train_family(family: Family, x: np.ndarray, y: np.ndarray, steps: int, lr: float,
                 cancelled, report) -> None:  # fmt: skip
    """Full-batch Adam on the sum of the nets' cross-entropies."""
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    optimizer = torch.optim.Adam(family.parameters(), lr=lr)
    for step in range(steps):
        if step % CHECK_EVERY == 0:
            stop_if(cancelled)
            report(step / steps)
        loss = sum(torch.nn.functional.cross_entropy(out, targets) for out in family(inputs))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def find_peak(errors: list[float]) -> int | None:
    """The index of the highest error that stands RISE above the lowest on each side, if any."""
    best, found = RISE, None
    for i in range(1, len(errors) - 1):
        height = min(errors[i] - min(errors[:i]), errors[i] - min(errors[i + 1 :]))
        if height >= best:
            best, found = height, i
    return found


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    if settings.quick:
        train_size, test_size, steps, seeds, widths = 300, 1000, 1500, 1, (2, 4, 8, 16, 64)
    else:
        train_size, test_size, steps, seeds = 1000, 2000, 3000, 3
        widths = (2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 64, 128, 256)
    x, y, test_x, test_y = mnist(train_size, test_size, seed=settings.seed)
    x, test_x = pooled(x), pooled(test_x)
    noisy, _ = noisy_labels(y, NOISE, settings.seed)
    train_errors, test_errors = [], []
    for repeat in range(seeds):
        family = Family(x.shape[1], widths, settings.seed * 100 + repeat)
        train_family(family, x, noisy, steps, 3e-3, cancelled,
                     lambda done, r=repeat: progress((r + done) / seeds, f"seed {r}"))  # fmt: skip
        train_errors.append(errors(family, x, noisy))
        test_errors.append(errors(family, test_x, test_y))
    train_mean = np.mean(train_errors, axis=0).tolist()
    test_mean = np.mean(test_errors, axis=0).tolist()
    parameters = [w * (x.shape[1] + 1) + CLASSES * (w + 1) for w in widths]
    table = zip(widths, parameters, train_mean, test_mean)
    rows = [[w, p, tr, te, " ".join(f"{e[i]:.3f}" for e in test_errors)]
            for i, (w, p, tr, te) in enumerate(table)]  # fmt: skip
    log_widths = [float(np.log2(w)) for w in widths]
    panel = Panel(f"{train_size} digits, {NOISE:.0%} of labels wrong; mean of {seeds}",
                  "log2 hidden width", "error")  # fmt: skip
    panel.lines += [
        Line("test error", log_widths, test_mean),
        Line("training error (noisy labels)", log_widths, train_mean, dashed=True),
    ]
    seeds_panel = Panel("test error per seed", "log2 hidden width", "test error")
    for repeat, found in enumerate(test_errors):
        seeds_panel.lines.append(Line(f"seed {repeat}", log_widths, found))
    fitted = [w for w, e in zip(widths, train_mean) if e <= FITTED]
    threshold = f"width {fitted[0]}" if fitted else "no width"
    peak = find_peak(test_mean)
    first_min = min(test_mean[:peak]) if peak else min(test_mean)
    if peak is None:
        agrees = False
        verdict = ("no second descent at this scale: the test error has no peak "
                   f"{RISE:.0%} above its neighbours")  # fmt: skip
    else:
        agrees = True
        below = test_mean[-1] < first_min
        verdict = (
            f"a second descent: the test error peaks at width {widths[peak]} (training error "
            f"{train_mean[peak]:.1%}), {test_mean[peak] - first_min:.1%} above the first "
            f"minimum ({first_min:.1%}), then falls to {test_mean[-1]:.1%} at width "
            f"{widths[-1]}, " + ("below" if below else "not below") + " the first minimum"
        )
    conclusion = (
        f"Training error reached {FITTED:.0%} or less from {threshold} on (the interpolation "
        f"threshold); test error from width {widths[0]} to {widths[-1]}: "
        + ", ".join(f"{e:.1%}" for e in test_mean) + f"; {verdict}."
    )  # fmt: skip
    return ExperimentResult(
        "double_descent", settings,
        [Table(["hidden width", "parameters", "training error", "test error",
                "test error per seed"], rows)],
        [panel, seeds_panel], conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    18,
    "double_descent",
    "Double descent",
    "With label noise, test error against model size falls, peaks where the net can just "
    "interpolate the training set, and falls again beyond it (a second descent).",
    "1000 MNIST training digits pooled to 14×14, 20 % of their labels changed to another class; "
    "196→h→10 ReLU nets, h from 2 to 256, full-batch Adam (lr 3e-3, 3000 steps, no early "
    "stopping, no regularisation); training and test error (on 2000 clean test digits) against "
    "width, three seeds.",
    run,
)
