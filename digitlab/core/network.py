"""A trained MLP as plain numpy arrays: what the window predicts with and looks inside.

The window's process never imports torch (2 s and 500 MB on import): a forward pass of these
small nets is a few matrix products, which numpy does in microseconds. Training happens in torch
(`core.model`, `core.training`); `core.model.to_network` and `from_network` convert both ways,
and the tests check that both give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digitlab.core.choices import ACTIVATIONS

INPUT_SIZE = 28 * 28


@dataclass(frozen=True)
class ModelSpec:
    """The shape of an MLP: hidden=() is the 1-layer 784→10 net, (100,) a 2-layer net, (2, 2) a
    net with a 2-D bottleneck."""

    hidden: tuple[int, ...] = ()
    activation: str = "relu"
    num_classes: int = 10
    input_size: int = INPUT_SIZE

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        if any(h < 1 for h in self.hidden) or self.num_classes < 2 or self.input_size < 1:
            raise ValueError(f"layer sizes must be positive and classes ≥ 2: {self}")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.input_size, *self.hidden, self.num_classes)

    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        """(out, in) of each layer's weight matrix."""
        sizes = self.sizes
        return [(b, a) for a, b in zip(sizes[:-1], sizes[1:])]

    @property
    def parameter_count(self) -> int:
        return sum(out * inp + out for out, inp in self.layer_shapes)

    def describe(self) -> str:
        """'784→100→10 relu' style label."""
        text = "→".join(str(s) for s in self.sizes)
        return f"{text} {self.activation}" if self.hidden else text


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """The nonlinearity between layers, as torch computes it."""
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 0.5 * (np.tanh(0.5 * z) + 1.0)  # = 1/(1+e^-z), without overflow warnings
    if name == "identity":
        return z
    raise ValueError(f"unknown activation {name!r}")


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def _frozen(array: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
    out = np.array(array, dtype=np.float32, copy=True)
    if out.shape != shape:
        raise ValueError(f"{what} has shape {out.shape}, expected {shape}")
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Network:
    """A spec with its weights: layer i has weights[i] of shape (out, in) and biases[i] (out,).

    The arrays are float32 copies, made read-only, so the session can hand the same network to
    every view without any of them changing it under the others.
    """

    spec: ModelSpec
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    def __post_init__(self) -> None:
        shapes = self.spec.layer_shapes
        if len(self.weights) != len(shapes) or len(self.biases) != len(shapes):
            raise ValueError(
                f"a {self.spec.describe()} net has {len(shapes)} layers, got "
                f"{len(self.weights)} weight and {len(self.biases)} bias arrays"
            )
        weights = tuple(
            _frozen(w, shape, f"layer {i} weights")
            for i, (w, shape) in enumerate(zip(self.weights, shapes))
        )
        biases = tuple(
            _frozen(b, (shape[0],), f"layer {i} bias")
            for i, (b, shape) in enumerate(zip(self.biases, shapes))
        )
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "biases", biases)

    @classmethod
    def from_arrays(
        cls, spec: ModelSpec, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
    ) -> Network:
        return cls(spec, tuple(weights), tuple(biases))

    def is_finite(self) -> bool:
        return all(bool(np.isfinite(a).all()) for a in (*self.weights, *self.biases))

    def inputs(self, images: np.ndarray) -> np.ndarray:
        """Images as (N, 784) float32 in 0..1 (uint8 images are scaled from 0..255). A scipy
        sparse matrix of such rows is kept sparse: the first product then skips blank pixels."""
        if hasattr(images, "tocsr"):  # scipy.sparse, without importing scipy here
            if images.shape[1] != self.spec.input_size:
                raise ValueError(
                    f"expected {self.spec.input_size} inputs per image, got {images.shape[1]}"
                )
            return images
        x = np.asarray(images)
        scale = 255.0 if x.dtype == np.uint8 else 1.0
        x = x.reshape(x.shape[0] if x.ndim > 1 else 1, -1).astype(np.float32, copy=False)
        if x.shape[1] != self.spec.input_size:
            raise ValueError(f"expected {self.spec.input_size} inputs per image, got {x.shape[1]}")
        return x / scale if scale != 1.0 else x

    def pre_activations(self, images: np.ndarray, upto: int | None = None) -> list[np.ndarray]:
        """Each layer's input to its nonlinearity (z = W·x + b); the last one is the logits.
        With `upto`, only the layers 0…upto (the rest would be work thrown away).

        Images are (N, 28, 28) or (N, 784), uint8 (0..255) or float (0..1), or a scipy sparse
        (N, 784) matrix of floats (see `inputs`).
        """
        x = self.inputs(images)
        outputs = []
        last = len(self.weights) - 1
        stop = last if upto is None else min(upto, last)
        for i, (w, b) in enumerate(zip(self.weights[: stop + 1], self.biases[: stop + 1])):
            z = x @ w.T + b
            outputs.append(z)
            if i < last:
                x = activate(self.spec.activation, z)
        return outputs

    def activations(self, images: np.ndarray) -> list[np.ndarray]:
        """Each hidden layer's output after the nonlinearity, then the logits."""
        zs = self.pre_activations(images)
        return [activate(self.spec.activation, z) for z in zs[:-1]] + [zs[-1]]

    def logits(self, images: np.ndarray) -> np.ndarray:
        return self.pre_activations(images)[-1]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, k) softmax over the classes."""
        return softmax(self.logits(images))

    def predict(self, images: np.ndarray, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """(predicted index, its probability) per image, in chunks (bounded memory)."""
        x = np.asarray(images)
        indices, confidence = [], []
        for start in range(0, len(x), chunk):
            probs = self.probabilities(x[start : start + chunk])
            top = probs.argmax(axis=1)
            indices.append(top)
            confidence.append(probs[np.arange(len(top)), top])
        if not indices:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        return np.concatenate(indices), np.concatenate(confidence)
