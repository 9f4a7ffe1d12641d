"""Experiment 3, dataset size: with little data the simple methods (logistic regression, nearest
neighbours) match or beat neural nets; the nets pull ahead as the data grows. Test accuracy
against the number of training points (nested subsets of one pool, a fixed test set) for a
shallow and a deeper MLP, logistic regression (a linear layer trained by the same loop) and
k-nearest neighbours, on two overlapping 12-D Gaussians and on MNIST."""

from __future__ import annotations

import math

import numpy as np
import torch

from digitlab.core.experiments import Experiment, ExperimentResult, Line, Panel, Settings, Table
from digitlab.core.experiments.toy import accuracy, gaussian_classes, mlp, mnist, stop_if, train

SIZES = (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
QUICK_SIZES = (20, 200)
GAUSSIAN_DIMENSIONS, GAUSSIAN_SPREAD = 12, 0.5  # centres this close overlap the two classes
NEIGHBOURS = 5
BATCH_SIZE = 128
SMALL, REPEATS = 200, 3  # sizes up to SMALL: the mean over REPEATS random subsets
HIDDEN = {"shallow MLP": (128,), "deep MLP": (128, 128, 128)}
BASELINES = ("logistic regression", f"{NEIGHBOURS}-NN")
METHODS = (*HIDDEN, *BASELINES)


@torch.no_grad()
def nearest_neighbours(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, k: int, chunk: int = 512
) -> np.ndarray:
    """The majority label among the `k` nearest training points (Euclidean, torch.cdist in
    chunks of test points); a tie goes to the class of the very nearest."""
    points, labels = torch.from_numpy(train_x), torch.from_numpy(train_y).long()
    classes = int(labels.max()) + 1
    k = min(k, len(labels))
    predictions = []
    for start in range(0, len(test_x), chunk):
        distances = torch.cdist(torch.from_numpy(test_x[start : start + chunk]), points)
        nearest = labels[distances.topk(k, largest=False).indices]  # sorted, nearest first
        votes = torch.nn.functional.one_hot(nearest, classes).sum(1).float()
        votes += 0.5 * torch.nn.functional.one_hot(nearest[:, 0], classes)
        predictions.append(votes.argmax(1))
    return torch.cat(predictions).numpy()


def epochs_for(points: int, batch_size: int, budget: tuple[int, int]) -> int:
    """`budget` = (epochs, steps): that many epochs, or more if they would be fewer than
    that many minibatch steps (a small set needs many epochs to be fitted)."""
    epochs, steps = budget
    return max(epochs, math.ceil(steps / math.ceil(points / batch_size)))


def method_accuracies(
    x: np.ndarray, y: np.ndarray, test: tuple[np.ndarray, np.ndarray], budget: tuple[int, int],
    seed: int,
    cancelled,
) -> dict[str, float]:  # fmt: skip
    """Each method's test accuracy after training on (x, y) (the nets and logistic regression
    by one loop: Adam, learning rate 3e-3, batches of up to BATCH_SIZE)."""
    classes, dimensions = int(max(y.max(), test[1].max())) + 1, x.shape[1]
    batch_size = min(BATCH_SIZE, len(y))
    found = {}
    for name, hidden in (*HIDDEN.items(), (BASELINES[0], ())):
        torch.manual_seed(seed)
        net = mlp((dimensions, *hidden, classes))
        train(net, x, y, epochs_for(len(y), batch_size, budget), batch_size=batch_size,
              lr=3e-3, seed=seed, cancelled=cancelled)  # fmt: skip
        found[name] = accuracy(net, *test)
    stop_if(cancelled)
    found[BASELINES[1]] = float((nearest_neighbours(x, y, test[0], NEIGHBOURS) == test[1]).mean())
    return found


def datasets(settings: Settings, largest: int) -> dict[str, tuple[np.ndarray, ...]]:
    """Training pools (shuffled, so prefixes are random subsets) and fixed test sets."""
    seed = settings.seed
    gaussian = gaussian_classes(largest, GAUSSIAN_DIMENSIONS, 2, seed, GAUSSIAN_SPREAD)
    gaussian_test = gaussian_classes(4001, GAUSSIAN_DIMENSIONS, 2, seed, GAUSSIAN_SPREAD)
    digits = mnist(largest, 1000 if settings.quick else 2000, seed=seed)
    order = np.random.default_rng(seed).permutation(largest)
    return {
        "Gaussians (12-D)": (*gaussian, *gaussian_test),
        "MNIST": (digits[0][order], digits[1][order], digits[2], digits[3]),
    }


OUTCOMES = {  # (simple methods keep up on little data, nets pull ahead on more): in words
    (True, True): "both halves held",
    (True, False): "the simple methods kept up on little data but the nets did not pull ahead",
    (False, True): "the nets pulled ahead, but were ahead already at the smallest size",
    (False, False): "neither half held",
}


def little(sizes: tuple[int, ...]) -> list[int]:
    """The sizes that count as little data: up to SMALL (never the largest)."""
    return [size for size in sizes[:-1] if size <= SMALL]


def best(scores: dict[tuple[int, str], float], sizes: list[int], names) -> float:
    """The best of `names` at each of `sizes`, averaged over the sizes."""
    return float(np.mean([max(scores[(size, name)] for name in names) for size in sizes]))


def verdict(scores: dict[tuple[int, str], float], sizes: tuple[int, ...]) -> tuple[bool, bool]:
    """(on little data the best simple method is on average within 0.02 of the best net, or
    better — one small subset is noisy, so the small sizes are pooled; at the largest size the
    best net beats the best simple method by more than 0.005)."""
    small, large = little(sizes), [sizes[-1]]
    return (best(scores, small, BASELINES) >= best(scores, small, HIDDEN) - 0.02,
            best(scores, large, HIDDEN) > best(scores, large, BASELINES) + 0.005)  # fmt: skip


def measure(
    x: np.ndarray, y: np.ndarray, test: tuple[np.ndarray, np.ndarray], sizes: tuple[int, ...],
    budget: tuple[int, int], settings: Settings, cancelled, progress, part: tuple[int, int],
) -> dict[tuple[int, str], float]:  # fmt: skip
    """Mean test accuracy per (size, method): in a full run sizes up to SMALL averaged over
    REPEATS random subsets (one subset of a few points is noisy), the rest (and every size in a
    quick run) one nested prefix of the pool.
    `part` = (this dataset's number, how many) places its progress in the whole run."""
    scores: dict[tuple[int, str], float] = {}
    for index, size in enumerate(sizes):
        progress((part[0] * len(sizes) + index) / (part[1] * len(sizes)), f"{size} points")
        draws = []
        for repeat in range(REPEATS if size <= SMALL and not settings.quick else 1):
            shuffled = np.random.default_rng((settings.seed, repeat)).permutation(len(y))
            chosen = np.arange(size) if repeat == 0 else shuffled[:size]
            draws.append(method_accuracies(x[chosen], y[chosen], test, budget,
                                           settings.seed * 1000 + repeat, cancelled))  # fmt: skip
        scores.update({(size, m): float(np.mean([d[m] for d in draws])) for m in METHODS})
    return scores


def run(settings: Settings, progress, cancelled) -> ExperimentResult:
    sizes, budget = (QUICK_SIZES, (8, 100)) if settings.quick else (SIZES, (15, 200))
    data = datasets(settings, sizes[-1])
    rows, panels, verdicts, summary = [], [], {}, []
    for number, (name, (x, y, test_x, test_y)) in enumerate(data.items()):
        scores = measure(x, y, (test_x, test_y), sizes, budget, settings, cancelled,
                         lambda f, text, name=name: progress(f, f"{name}, {text}"),
                         (number, len(data)))  # fmt: skip
        rows += [[name, size, *(scores[(size, m)] for m in METHODS)] for size in sizes]
        xs = [float(np.log10(size)) for size in sizes]
        panels.append(Panel(f"{name}: test accuracy", "log10 training points", "accuracy",
                            [Line(m, xs, [scores[(s, m)] for s in sizes],
                                  dashed=m in BASELINES) for m in METHODS]))  # fmt: skip
        verdicts[name] = verdict(scores, sizes)
        small, large = little(sizes), sizes[-1]
        net = max(HIDDEN, key=lambda m: scores[(large, m)])
        simple = max(BASELINES, key=lambda m: scores[(large, m)])
        summary.append(
            f"{name}: up to {small[-1]} points the best simple method averages "
            f"{best(scores, small, BASELINES):.1%} and the best net "
            f"{best(scores, small, HIDDEN):.1%}, at {large} {simple} "
            f"{scores[(large, simple)]:.1%} and the {net} {scores[(large, net)]:.1%}"
        )
    held = [all(pair) for pair in verdicts.values()]
    agrees = True if all(held) else False if not any(any(p) for p in verdicts.values()) else None
    tail = {True: "the simple methods keep up on little data and the nets pull ahead with more, "
                  "as the folklore says.",
            False: "the folklore did not hold on either dataset.",
            None: "the folklore held only in part: " + "; ".join(
                f"on {name} {OUTCOMES[pair]}" for name, pair in verdicts.items()) + "."
            }[agrees]  # fmt: skip
    if not verdicts["Gaussians (12-D)"][1]:
        tail += " (Two Gaussians of one σ are best split by a plane: logistic regression's model.)"
    return ExperimentResult(
        "dataset_size", settings,
        [Table(["data", "training points", *(f"{m} accuracy" for m in METHODS)], rows)],
        panels, "; ".join(summary) + " — " + tail, agrees,
    )  # fmt: skip


EXPERIMENT = Experiment(
    3,
    "dataset_size",
    "Dataset size",
    "With little data simple methods match or beat neural nets; with more data the nets pull "
    "ahead.",
    "Nested random subsets of 20 to 10 000 points of two overlapping 12-D Gaussians and of "
    "MNIST (up to 200 points: the mean of 3 subsets); d→128→c and d→128→128→128→c ReLU MLPs, "
    f"logistic regression (Adam, the same loop) and {NEIGHBOURS}-nearest neighbours; accuracy "
    "on a fixed test set.",
    run,
)
