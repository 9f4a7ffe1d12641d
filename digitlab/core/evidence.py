"""Why this digit: which pixels of one input push each class's logit up or down.

A 1-layer net's logit for class c is Σ_pixels x·W[c] + b[c]: the input times the class's
template. A deeper net is linear too once the state of each hidden unit is fixed: a ReLU unit
that is on passes its input with gain 1, one that is off with gain 0. So for one input the whole
net collapses to an *effective template* per class, and the pixel maps x·template plus an
effective bias sum to the logits exactly. Smooth activations (tanh, sigmoid) are handled the same
way with each unit's secant through a(0): a(z) = g·z + a(0), g = (a(z) − a(0)) / z, which is
exact for that input too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.core.network import Network, activate

_GAIN_AT_ZERO = {"relu": 0.0, "identity": 1.0, "tanh": 1.0, "sigmoid": 0.25}  # a'(0)
_TINY = 1e-6


@dataclass(frozen=True)
class Evidence:
    """One input's decomposition: maps[c].sum() + bias[c] == logits[c]."""

    templates: np.ndarray  # (k, 784) the effective template of each class for this input
    bias: np.ndarray  # (k,) the effective bias
    maps: np.ndarray  # (k, 784) input × template: each pixel's push on each logit
    logits: np.ndarray  # (k,)

    def versus(self, first: int, second: int) -> np.ndarray:
        """(784,) pixels for `first` (positive) against `second` (negative)."""
        return self.maps[first] - self.maps[second]


def unit_gains(activation: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per unit (g, h) with activate(z) == g·z + h exactly, for this z."""
    if activation == "relu":
        return (z > 0).astype(z.dtype), np.zeros_like(z)
    if activation == "identity":
        return np.ones_like(z), np.zeros_like(z)
    at_zero = activate(activation, np.zeros(1, z.dtype))[0]
    small = np.abs(z) < _TINY
    safe = np.where(small, 1.0, z)
    gain = np.where(small, _GAIN_AT_ZERO[activation], (activate(activation, z) - at_zero) / safe)
    return gain, np.full_like(z, at_zero)


def evidence(network: Network, image: np.ndarray) -> Evidence:
    """The decomposition of one image (28×28 or 784, uint8 or 0..1 floats), in float64.

    The first layer's units are switched on or off as the network itself computes them (float32);
    a unit that is off (gain 0) is left out of the products, which halves the work for a ReLU net
    (this runs on every stroke)."""
    inputs = network.inputs(np.asarray(image)[None])[0]
    x = inputs.astype(np.float64)
    template = network.weights[0]  # rows become float64 as they pass the first nonlinearity
    bias = network.biases[0].astype(np.float64)
    z = (template @ inputs).astype(np.float64) + bias
    for weights, next_bias in zip(network.weights[1:], network.biases[1:]):
        gain, offset = unit_gains(network.spec.activation, z)
        on = np.flatnonzero(gain)
        w = weights.astype(np.float64)
        template = (w[:, on] * gain[on]) @ template[on]
        bias = w @ (gain * bias + offset) + next_bias
        z = template @ x + bias
    template = np.asarray(template, np.float64)
    maps = template * x
    return Evidence(template, bias, maps, maps.sum(axis=1) + bias)
