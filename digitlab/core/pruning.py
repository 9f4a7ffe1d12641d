"""Magnitude pruning: zero the smallest weights and see how little of a net it needs.

`prune` removes a fraction of the weights, the smallest by magnitude, in each layer alike
("layer") or ranked across the whole net ("global", which takes more from the big first layer).
Biases stay. The masks it returns (True: kept) let the trainer retrain the weights that are left
while the removed ones stay exactly zero (`core.training.train(masks=...)`). numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from digitlab.core.metrics import class_indices
from digitlab.core.network import Network

SCOPES = ("layer", "global")


def check_fraction(fraction: float) -> float:
    """The fraction as a float, or a one-line ValueError: pruning all weights leaves no net."""
    try:
        value = float(fraction)
    except (TypeError, ValueError):
        raise ValueError(f"the fraction to prune must be a number from 0 to below 1, got "
                         f"{fraction!r}") from None  # fmt: skip
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise ValueError(f"the fraction to prune must be from 0 to below 1, got {fraction}")
    return value


def _check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise ValueError(f"unknown pruning scope {scope!r}; choose one of {', '.join(SCOPES)}")


def _removed_count(fraction: float, size: int) -> int:
    """How many of `size` weights a fraction removes: rounded, and never all of them."""
    return min(int(round(fraction * size)), max(size - 1, 0))


def weight_ranks(network: Network, scope: str = "layer") -> list[np.ndarray]:
    """Each weight's place among those it competes with, smallest magnitude first (0-based);
    ties go by position, so pruning is deterministic. Ranking is most of a prune's time: pass
    them to `prune` to prune one net at many fractions (a slider) and rank it once."""
    _check_scope(scope)
    return _ranks(network, scope)


def _ranks(network: Network, scope: str) -> list[np.ndarray]:
    if scope == "layer":
        order_of = [np.argsort(np.abs(w).ravel(), kind="stable") for w in network.weights]
        ranks = []
        for w, order in zip(network.weights, order_of):
            rank = np.empty(w.size, np.int64)
            rank[order] = np.arange(w.size)
            ranks.append(rank.reshape(w.shape))
        return ranks
    flat = np.concatenate([np.abs(w).ravel() for w in network.weights])
    rank = np.empty(flat.size, np.int64)
    rank[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    ends = np.cumsum([0, *(w.size for w in network.weights)])
    return [rank[a:b].reshape(w.shape) for a, b, w in zip(ends[:-1], ends[1:], network.weights)]


def _masks_from_ranks(ranks: list[np.ndarray], fraction: float, scope: str) -> list[np.ndarray]:
    if scope == "layer":
        return [rank >= _removed_count(fraction, rank.size) for rank in ranks]
    cut = _removed_count(fraction, sum(rank.size for rank in ranks))
    return [rank >= cut for rank in ranks]


def _masked(network: Network, masks: Sequence[np.ndarray]) -> Network:
    weights = [np.where(mask, w, np.float32(0)) for w, mask in zip(network.weights, masks)]
    return Network.from_arrays(network.spec, weights, network.biases)


def prune(
    network: Network,
    fraction: float,
    scope: str = "layer",
    ranks: Sequence[np.ndarray] | None = None,
) -> tuple[Network, tuple[np.ndarray, ...]]:
    """The net with `fraction` of its weights (the smallest by magnitude) set to zero, per layer
    or across the net (`scope`), and the masks of the weights kept (bool, one per layer).
    `ranks`: this net's `weight_ranks` for this scope, if known."""
    fraction = check_fraction(fraction)
    _check_scope(scope)
    if ranks is None:
        ranks = _ranks(network, scope)
    elif [r.shape for r in ranks] != [w.shape for w in network.weights]:
        raise ValueError("the weight ranks are for another net")
    masks = _masks_from_ranks(list(ranks), fraction, scope)
    return _masked(network, masks), tuple(masks)


def zero_fraction(network: Network) -> float:
    """The share of the weights (not biases) that are exactly zero."""
    total = sum(w.size for w in network.weights)
    return sum(int(np.count_nonzero(w == 0)) for w in network.weights) / max(total, 1)


def accuracy_on(
    network: Network, images: np.ndarray, labels: np.ndarray, classes: Sequence[int]
) -> float:
    """Test accuracy with digit labels (output i stands for classes[i]); NaN without images."""
    images, targets = class_indices(images, labels, classes)
    if len(targets) == 0:
        return float("nan")
    predicted, _ = network.predict(images)
    return float(np.mean(predicted == targets))


def pruning_curve(
    network: Network,
    images: np.ndarray,
    labels: np.ndarray,
    classes: Sequence[int],
    fractions: Sequence[float],
    scope: str = "layer",
) -> np.ndarray:
    """Accuracy after pruning each of `fractions` (no retraining), as `prune` prunes: how much
    of the net can go before it forgets. The weights are ranked once for all fractions."""
    checked = [check_fraction(f) for f in fractions]
    _check_scope(scope)
    images, targets = class_indices(images, labels, classes)
    inputs = network.inputs(images)  # scaled once, not per fraction
    ranks = _ranks(network, scope)
    accuracies = np.full(len(checked), np.nan)
    for i, fraction in enumerate(checked):
        if len(targets):
            pruned = _masked(network, _masks_from_ranks(ranks, fraction, scope))
            predicted, _ = pruned.predict(inputs)
            accuracies[i] = np.mean(predicted == targets)
    return accuracies
