"""Layer probes: how well a linear classifier reads the digit from each layer's activations.

For the pixels, each hidden layer and the output, a softmax regression is fitted on the
training set's activations and scored on the test set. If deeper layers represent the digits
better, their probes score higher: that is the question the probes answer. Pure numpy (the
window never imports torch), mini-batch SGD with momentum on standardised features,
deterministic for a seed, cancellable between epochs, with progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from digitlab.core.network import Network, activate

EPOCHS = 6
BATCH = 256
LEARNING_RATE = 0.05
MOMENTUM = 0.9
L2 = 1e-4
CHUNK = 4096


class ProbeCancelled(Exception):
    """The probes were cancelled (a newer request, or the user)."""


@dataclass(frozen=True)
class ProbeResult:
    layer: str  # "pixels", "hidden 1", …, "output"
    features: int
    train_accuracy: float
    test_accuracy: float


def layer_features(network: Network, images: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(name, (N, features) float32) for the pixels, each hidden layer (after its activation)
    and the output logits, in chunks."""
    parts: list[list[np.ndarray]] = [[] for _ in range(len(network.weights) + 1)]
    for start in range(0, len(images), CHUNK):
        x = network.inputs(images[start : start + CHUNK])
        parts[0].append(x)
        zs = network.pre_activations(x)
        for i, z in enumerate(zs):
            last = i == len(zs) - 1
            parts[i + 1].append(z if last else activate(network.spec.activation, z))
    names = ["pixels", *[f"hidden {i + 1}" for i in range(len(network.weights) - 1)], "output"]
    return [(name, np.concatenate(chunks)) for name, chunks in zip(names, parts)]


def fit_softmax(
    features: np.ndarray,
    labels: np.ndarray,
    classes: int,
    seed: int = 0,
    cancelled: Callable[[], bool] = lambda: False,
    on_epoch: Callable[[int], None] = lambda done: None,
) -> Callable[[np.ndarray], np.ndarray]:
    """A softmax regression fitted to (features, labels 0..classes-1); returns `predict`.
    `on_epoch(done)` after each of the EPOCHS passes (for progress)."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    x = ((features - mean) / scale).astype(np.float32)
    rng = np.random.default_rng(seed)
    weights = np.zeros((x.shape[1], classes), np.float32)
    bias = np.zeros(classes, np.float32)
    velocity_w, velocity_b = np.zeros_like(weights), np.zeros_like(bias)
    onehot = np.eye(classes, dtype=np.float32)
    for epoch in range(EPOCHS):
        if cancelled():
            raise ProbeCancelled
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            index = order[start : start + BATCH]
            logits = x[index] @ weights + bias
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            error = (probs - onehot[labels[index]]) / len(index)
            velocity_w = MOMENTUM * velocity_w - LEARNING_RATE * (x[index].T @ error + L2 * weights)
            velocity_b = MOMENTUM * velocity_b - LEARNING_RATE * error.sum(axis=0)
            weights += velocity_w
            bias += velocity_b
        on_epoch(epoch + 1)

    def predict(new: np.ndarray) -> np.ndarray:
        return (((new - mean) / scale).astype(np.float32) @ weights + bias).argmax(axis=1)

    return predict


def probe_layers(
    network: Network,
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    progress: Callable[[float, str], None] = lambda fraction, text: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[ProbeResult]:
    """One probe per layer; labels are output indices 0..k-1."""
    classes = network.spec.num_classes
    train = layer_features(network, train_images)
    test = dict(layer_features(network, test_images))
    results = []
    for step, (name, features) in enumerate(train):
        text = f"probing {name}"
        progress(step / len(train), text)

        def on_epoch(done: int, step: int = step, text: str = text) -> None:
            progress((step + done / EPOCHS) / len(train), text)

        predict = fit_softmax(
            features, train_labels, classes, cancelled=cancelled, on_epoch=on_epoch
        )
        results.append(
            ProbeResult(
                name,
                features.shape[1],
                float((predict(features) == train_labels).mean()),
                float((predict(test[name]) == test_labels).mean()),
            )
        )
    progress(1.0, "done")
    return results
