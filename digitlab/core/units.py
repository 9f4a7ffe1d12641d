"""Hidden units over a set of images: which fire, how often, which are dead, what excites them.

One pass of the test set through the net gives every hidden layer's pre-activations; the rest
(dead units, firing rates, the images a unit answers most, a histogram) are column statistics of
those. A ReLU unit whose input is ≤ 0 for every image is *dead*: it never passes anything on,
so whatever its filter looks like, it plays no part in any answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.core.network import Network

TOP_IMAGES = 16
CHUNK = 2048  # images per matrix product: bounded memory for any set size


@dataclass(frozen=True)
class LayerUnits:
    """Statistics of one hidden layer's units over a set of images."""

    pre_activations: np.ndarray  # (N, units) float32: the input to each unit's nonlinearity
    firing: np.ndarray  # (units,) fraction of images with input > 0
    dead: np.ndarray  # (units,) bool: ReLU units with input ≤ 0 on every image
    importance: np.ndarray  # (units,) size (L2) of the unit's outgoing weights
    top_images: np.ndarray  # (units, TOP_IMAGES) image indices, the most exciting first

    @property
    def dead_count(self) -> int:
        return int(self.dead.sum())

    def histogram(self, unit: int, bins: int = 40) -> tuple[np.ndarray, np.ndarray]:
        """(counts, bin edges) of one unit's input over the images."""
        return np.histogram(self.pre_activations[:, unit], bins=bins)

    def order(self, by: str) -> np.ndarray:
        """Unit indices sorted 'index', 'importance' (largest first) or 'firing' (most first)."""
        if by == "index":
            return np.arange(len(self.firing))
        if by == "importance":
            return np.argsort(-self.importance, kind="stable")
        if by == "firing":
            return np.argsort(-self.firing, kind="stable")
        raise ValueError(f"sort units by index, importance or firing, not {by!r}")


def layer_units(network: Network, images: np.ndarray) -> list[LayerUnits]:
    """Statistics of every hidden layer over `images` ((N, 28, 28) or (N, 784))."""
    hidden = len(network.weights) - 1
    if hidden == 0 or len(images) == 0:
        return []
    columns: list[list[np.ndarray]] = [[] for _ in range(hidden)]
    for start in range(0, len(images), CHUNK):
        for layer, z in enumerate(network.pre_activations(images[start : start + CHUNK])[:-1]):
            columns[layer].append(z)
    relu = network.spec.activation == "relu"
    layers = []
    for layer in range(hidden):
        z = np.concatenate(columns[layer])
        top = min(TOP_IMAGES, len(z))
        best = np.argpartition(-z, top - 1, axis=0)[:top].T  # (units, top), unordered
        rows = np.arange(z.shape[1])[:, None]
        best = best[rows, np.argsort(-z[best, rows], axis=1)]
        firing = (z > 0).mean(axis=0)
        layers.append(
            LayerUnits(
                pre_activations=z,
                firing=firing,
                dead=(z.max(axis=0) <= 0) if relu else np.zeros(z.shape[1], bool),
                importance=np.linalg.norm(network.weights[layer + 1], axis=0),
                top_images=best,
            )
        )
    return layers
