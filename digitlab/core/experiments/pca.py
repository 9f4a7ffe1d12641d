"""Experiment 6, PCA before classification: when the data have many useless dimensions and there
are few training points, projecting onto the top principal components first (fitted on the
training set only) helps the classifier, because it drops most of the dummy dimensions' noise
before the net can fit it. Four Gaussian classes in a few informative dimensions plus 0 … 1000
pure-noise dummy dimensions, a small training set; the same MLP with and without the projection."""

from __future__ import annotations

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, gaussian_classes, mlp, stop_if

INFORMATIVE, CLASSES, SPREAD = 5, 4, 2.0  # the informative part: four classes in 5-D
COMPONENTS = INFORMATIVE  # the projection keeps as many components as there are useful dims
DUMMIES, QUICK_DUMMIES = (0, 10, 30, 100, 300, 1000), (0, 100)
TRAIN_POINTS, TEST_POINTS = 100, 2000
METHODS = ("no PCA", f"PCA → {COMPONENTS}", "informative dims only")


def with_dummies(n: int, dummies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` points of the four classes with `dummies` N(0, 1) dimensions appended, which carry no
    information about the class (the informative dims' noise is N(0, 1) too)."""
    x, y = gaussian_classes(n, INFORMATIVE, CLASSES, seed, SPREAD)
    noise = np.random.default_rng((seed, n, dummies)).normal(0.0, 1.0, (n, dummies))
    return np.concatenate([x, noise.astype(np.float32)], 1), y


def principal_components(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The training set's mean and its top `k` principal directions (k × d), by SVD."""
    mean = x.mean(0, keepdims=True)
    _, _, directions = torch.linalg.svd(torch.from_numpy(x - mean), full_matrices=False)
    return mean, directions[:k].numpy()


def signal_kept(directions: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """The share of the class signal the projection keeps: of the class means' spread (measured
    in the informative dims of (x, y), zero in the dummies) the part inside the span of the
    orthonormal `directions` (k × d). 1 when PCA found the signal, about k/d when only noise."""
    means = np.stack([x[y == c, :INFORMATIVE].mean(0) for c in np.unique(y)])
    signal = np.zeros((len(means), directions.shape[1]))
    signal[:, :INFORMATIVE] = means - means.mean(0)
    return float(((signal @ directions.T) ** 2).sum() / (signal**2).sum())


def held_out_accuracy(x: np.ndarray, y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                  steps: int, seed: int, cancelled) -> float:  # fmt: skip
    """Test accuracy of a d→64→4 ReLU net trained full-batch with Adam for `steps` steps."""
    torch.manual_seed(seed)
    net = mlp((x.shape[1], 64, CLASSES))
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    inputs, targets = torch.from_numpy(np.ascontiguousarray(x, np.float32)), torch.from_numpy(y)
    for step in range(steps):
        if step % 50 == 0:
            stop_if(cancelled)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(inputs), targets).backward()
        optimizer.step()
    return accuracy(net, np.ascontiguousarray(test_x, np.float32), test_y)


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    dummies, repeats, steps = (QUICK_DUMMIES, 2, 150) if settings.quick else (DUMMIES, 5, 300)
    scores: dict[tuple[int, str], list[float]] = {}
    kept: dict[int, list[float]] = {}
    for index, count in enumerate(dummies):
        for repeat in range(repeats):
            progress((index * repeats + repeat) / (len(dummies) * repeats),
                     f"{count} dummy dimensions, draw {repeat + 1}")  # fmt: skip
            seed = settings.seed * 1000 + repeat
            x, y = with_dummies(TRAIN_POINTS, count, seed)
            test_x, test_y = with_dummies(TEST_POINTS, count, seed)
            mean, directions = principal_components(x, COMPONENTS)
            kept.setdefault(count, []).append(signal_kept(directions, test_x, test_y))
            inputs = {
                METHODS[0]: (x, test_x),
                METHODS[1]: ((x - mean) @ directions.T, (test_x - mean) @ directions.T),
                METHODS[2]: (x[:, :INFORMATIVE], test_x[:, :INFORMATIVE]),
            }
            for method, (train_x, held_out_x) in inputs.items():
                found = held_out_accuracy(train_x, y, held_out_x, test_y, steps, seed, cancelled)
                scores.setdefault((count, method), []).append(found)
    mean_score = {key: float(np.mean(values)) for key, values in scores.items()}
    share = {count: float(np.mean(values)) for count, values in kept.items()}
    rows = [[count, *(mean_score[(count, m)] for m in METHODS),
             float(np.std(scores[(count, METHODS[0])])),
             float(np.std(scores[(count, METHODS[1])])), share[count]]
            for count in dummies]  # fmt: skip
    xs = [float(np.log10(count + 1)) for count in dummies]
    panels = [
        Panel(f"test accuracy, {TRAIN_POINTS} points", "log10(dummy dims + 1)", "accuracy",
              [Line(m, xs, [mean_score[(c, m)] for c in dummies], dashed=i == 2)
               for i, m in enumerate(METHODS)]),
        Panel(f"class signal kept by the top {COMPONENTS} PCs", "log10(dummy dims + 1)",
              "share", [Line("share of the class means' spread", xs, [share[c] for c in dummies])]),
    ]  # fmt: skip
    most, fewest = dummies[-1], dummies[0]
    plain, projected = mean_score[(most, METHODS[0])], mean_score[(most, METHODS[1])]
    gain, cost = projected - plain, mean_score[(fewest, METHODS[0])] - plain
    agrees = None if abs(gain) < 0.02 else gain > 0
    verdict = {True: "PCA helps when many dimensions are useless, as the folklore says",
               False: "PCA hurt here: the folklore did not hold",
               None: "PCA made no clear difference here"}[agrees]  # fmt: skip
    conclusion = (
        f"With {most} dummy dimensions and {TRAIN_POINTS} training points the net reaches "
        f"{plain:.0%} without PCA ({cost * 100:.0f} points below its "
        f"{mean_score[(fewest, METHODS[0])]:.0%} with none) and {projected:.0%} with PCA to "
        f"{COMPONENTS} components, which keep {share[most]:.0%} of the class signal; {verdict}."
    )
    return ExperimentResult(
        "pca", settings,
        [Table(["dummy dimensions", *(f"{m} accuracy" for m in METHODS), "no PCA std",
                "PCA std", "class signal kept by PCA"], rows)],
        panels, conclusion, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    6,
    "pca",
    "PCA before classification",
    "PCA helps classification when there are many useless dimensions and few data points.",
    f"Four Gaussian classes in {INFORMATIVE}-D (centres σ {SPREAD:g}) plus 0 to 1000 N(0, 1) "
    f"dummy dimensions, {TRAIN_POINTS} training points; a d→64→4 ReLU net trained full-batch "
    f"on the raw data or on its projection onto the top {COMPONENTS} principal components of "
    "the training set; test accuracy (mean of 5 draws, 2 in a quick run) and how much of the "
    "class means' spread the top components keep.",
    run,
)
