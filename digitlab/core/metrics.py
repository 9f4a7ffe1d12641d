"""Evaluation: accuracy, per-class accuracy, confusion matrix (numpy, no torch)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digitlab.core.data import Split
from digitlab.core.network import Network


@dataclass(frozen=True)
class Evaluation:
    """confusion[i, j] counts images of class i predicted as class j (rows: truth)."""

    classes: tuple[int, ...]
    confusion: np.ndarray

    @property
    def total(self) -> int:
        return int(self.confusion.sum())

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion)) / max(self.total, 1)

    @property
    def per_class_accuracy(self) -> np.ndarray:
        counts = self.confusion.sum(axis=1)
        return np.divide(
            np.diag(self.confusion), counts, out=np.full(len(counts), np.nan), where=counts > 0
        )

    def as_dict(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "samples": self.total,
            "classes": list(self.classes),
            "per_class_accuracy": {
                str(c): (None if np.isnan(a) else float(a))
                for c, a in zip(self.classes, self.per_class_accuracy)
            },
            "confusion": self.confusion.tolist(),
        }


def predict_probabilities(network: Network, images: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """(N, k) softmax probabilities for (N, 28, 28) uint8 or float images, in chunks."""
    parts = [network.probabilities(images[i : i + chunk]) for i in range(0, len(images), chunk)]
    return np.concatenate(parts) if parts else np.empty((0, network.spec.num_classes), np.float32)


def output_indices(labels: np.ndarray, classes: Sequence[int]) -> np.ndarray:
    """Each digit label as the output that stands for it (digit classes[i] → i), −1 for digits
    the model has no output for: one mapping for every score of a class-subset model."""
    labels = np.asarray(labels, np.int64)
    size = max(10, int(labels.max(initial=0)) + 1, max(classes, default=0) + 1)
    lookup = np.full(size, -1, np.int64)
    lookup[list(classes)] = np.arange(len(classes))
    return lookup[labels]


def class_indices(
    images: np.ndarray, labels: np.ndarray, classes: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """The images of `classes` and their labels as output indices (digit classes[i] → i):
    a '3 vs 8' net is scored on the 3s and 8s only."""
    mapped = output_indices(labels, classes)
    keep = mapped >= 0
    if keep.all():
        return np.asarray(images), mapped
    return np.asarray(images)[keep], mapped[keep]


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """(k, k) counts, rows the true label, columns the prediction (both 0..k-1): one function,
    so the window's confusion view and `digitlab evaluate` count alike."""
    flat = np.asarray(labels, np.int64) * k + np.asarray(predicted, np.int64)
    return np.bincount(flat, minlength=k * k).reshape(k, k)


def evaluate(network: Network, split: Split, classes: tuple[int, ...] | None = None) -> Evaluation:
    """Confusion matrix of `network` on a split whose labels are 0..k-1."""
    k = network.spec.num_classes
    predicted, _ = network.predict(split.images)
    confusion = confusion_matrix(split.labels, predicted, k)
    return Evaluation(classes=tuple(classes or range(k)), confusion=confusion)
