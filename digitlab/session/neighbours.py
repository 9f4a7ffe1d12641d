"""The training digits nearest to the drawing: in pixels, and as the net sees them (its last hidden
layer). A `Followed` analysis of (model version, drawing).

"Why does it say 4?" is often answered by the 4s it was trained on that look like the drawing to
the net, though not to us. The 60 000 training digits' last-hidden-layer activations are computed
once per model version (a fraction of a second for 784→256→10, the inputs kept sparse) and kept
for the next drawing, as are the digits' squared lengths; each drawing then costs two distance
computations.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from digitlab.core.interventions import nearest
from digitlab.session.drawing import NetInput
from digitlab.session.jobs import JobContext
from digitlab.session.models import ModelEntry, ModelRef
from digitlab.session.shared_split import SharedSplit

COUNT = 8
TRAIN_LIMIT = 60_000


@dataclass(frozen=True, eq=False)
class Neighbours:
    ref: ModelRef
    pixels: np.ndarray  # (COUNT,) indices of the nearest training digits in pixels
    hidden: np.ndarray  # (COUNT,) … in the last hidden layer (empty for a net without one)
    images: np.ndarray  # the training images those indices point into (N, 28, 28) uint8
    labels: np.ndarray  # (N,) their digits


class NearestDigits:
    """The computation, with the last model's hidden activations of the training digits kept."""

    def __init__(self, train_split: SharedSplit) -> None:
        self._train = train_split
        self._lock = threading.Lock()
        self._kept: tuple[ModelRef, np.ndarray] | None = None
        self._pixels: tuple[object, np.ndarray, np.ndarray] | None = None  # inputs, |row|², order

    def __call__(self, entry: ModelEntry, drawing: NetInput, context: JobContext) -> Neighbours:
        split = self._train.get()
        digits = self._train.inputs(tuple(range(10)), TRAIN_LIMIT)  # sorted by class, sparse
        squares, order = self._pixels_of(digits, split.labels)
        context.check()
        query = np.asarray(drawing.image, np.float32).ravel()
        by_pixels = nearest(digits.inputs, query, COUNT, squares)
        hidden = np.empty(0, np.int64)
        if entry.network.spec.hidden:
            activations = self._hidden_of(entry, digits.inputs, context)
            mine = entry.network.activations(query[None])[-2][0]
            hidden = nearest(activations, mine, COUNT)
        return Neighbours(entry.ref, order[by_pixels], order[hidden] if len(hidden) else hidden,
                          split.images, split.labels)  # fmt: skip

    def _pixels_of(self, digits, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each training digit's squared length and its index in the split: the same for every
        drawing, so made once per set of inputs."""
        with self._lock:
            if self._pixels is not None and self._pixels[0] is digits:
                return self._pixels[1], self._pixels[2]
        inputs = digits.inputs
        squares = np.asarray(inputs.multiply(inputs).sum(axis=1)).ravel()
        order = _original_order(labels, digits.labels)
        with self._lock:
            self._pixels = (digits, squares, order)
        return squares, order

    def _hidden_of(self, entry: ModelEntry, inputs, context: JobContext) -> np.ndarray:
        with self._lock:
            if self._kept is not None and self._kept[0] == entry.ref:
                return self._kept[1]
        network = entry.network
        last = len(network.spec.hidden) - 1
        activations = network.activations(inputs)[last]  # all but the logits are hidden layers
        context.check()
        activations = np.asarray(activations, np.float32)
        with self._lock:
            self._kept = (entry.ref, activations)
        return activations


def _original_order(labels: np.ndarray, sorted_labels: np.ndarray) -> np.ndarray:
    """Index in the split of each row of the class-sorted inputs (`SharedSplit.inputs` sorts
    the first TRAIN_LIMIT digits by class, stably)."""
    chosen = np.arange(min(len(labels), TRAIN_LIMIT))
    order = chosen[np.argsort(labels[chosen], kind="stable")]
    assert np.array_equal(labels[order], sorted_labels)
    return order
