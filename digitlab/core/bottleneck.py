"""The 2-D bottleneck: where each digit lands in a layer that is two units wide.

A 784→2→10 net (or 784→2→2→2→2, or a net trained on two classes, whose output is a plane)
squeezes every digit to a point; plotting the test digits there shows the classes pull apart
while the net learns.
"""

from __future__ import annotations

import numpy as np

from digitlab.core.network import Network, activate


def planes(network: Network) -> list[int]:
    """Indices of the layers (hidden or output) that are two units wide."""
    return [i for i, size in enumerate(network.spec.sizes[1:]) if size == 2]


def plane_points(network: Network, images: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each 2-wide layer: (before, after) the nonlinearity, each (N, 2). The output layer
    has no nonlinearity, so its two are the same logits. Images: as `Network.pre_activations`
    takes them (a sparse matrix of 10 000 test digits is 3× quicker than dense)."""
    wanted = planes(network)
    if not wanted:
        return {}
    zs = network.pre_activations(images, upto=max(wanted))
    last = len(network.weights) - 1
    return {
        i: (zs[i], zs[i] if i == last else activate(network.spec.activation, zs[i])) for i in wanted
    }
