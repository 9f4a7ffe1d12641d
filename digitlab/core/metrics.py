"""Evaluation: accuracy, per-class accuracy, confusion matrix, and probabilities for images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from digitlab.core.data import Split
from digitlab.core.model import MLP


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


@torch.no_grad()
def predict_probabilities(model: MLP, images: torch.Tensor, chunk: int = 8192) -> torch.Tensor:
    """(N, k) softmax probabilities for (N, 28, 28) uint8 or float images."""
    model.eval()
    images = images.reshape(len(images), -1)
    scale = 255.0 if images.dtype == torch.uint8 else 1.0
    parts = [
        model.probabilities(images[i : i + chunk].float() / scale)
        for i in range(0, len(images), chunk)
    ]
    return torch.cat(parts) if parts else torch.empty(0, model.spec.num_classes)


def evaluate(model: MLP, split: Split, classes: tuple[int, ...] | None = None) -> Evaluation:
    """Confusion matrix of `model` on a split whose labels are 0..k-1."""
    k = model.spec.num_classes
    predicted = predict_probabilities(model, split.images).argmax(1)
    flat = split.labels * k + predicted
    confusion = torch.bincount(flat, minlength=k * k).reshape(k, k).numpy()
    return Evaluation(classes=tuple(classes or range(k)), confusion=confusion)
