"""A dataset split (MNIST's test or training digits), read once on first use and shared.

The unit statistics, the bottleneck planes, the test-set answers and the dataset browser all run
over the 10 000 test digits in background threads; the first to ask reads them (the numpy IDX
reader: no torch in the window) and the others wait for that read instead of starting their own.
The dataset browser's training split is a `SharedSplit` too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from digitlab.core.data import Split, load_split


def mnist_test_set(data_root: str | None = None) -> Callable[[], Split]:
    def load() -> Split:
        return load_split("mnist", "test", root=data_root)

    return load


def mnist_train_set(data_root: str | None = None) -> Callable[[], Split]:
    def load() -> Split:
        return load_split("mnist", "train", root=data_root)

    return load


class SharedSplit:
    """One split, read by the first thread that asks; the others wait for that read."""

    def __init__(self, load: Callable[[], Split]) -> None:
        self._load = load
        self._split: Split | None = None
        self._inputs: tuple[tuple, DigitInputs] | None = None  # (classes, limit), inputs
        self._lock = threading.Lock()

    def get(self) -> Split:
        """The split (read now if nobody has yet; a failed read raises, and the next call tries
        again)."""
        with self._lock:
            if self._split is None:
                self._split = self._load()
            return self._split

    def inputs(self, classes: tuple[int, ...], limit: int) -> DigitInputs:
        """The first `limit` digits of `classes`, ready for a network (see `DigitInputs`);
        the last ones made are kept (a net in training asks for the same ones ~10×/s)."""
        split = self.get()
        key = (tuple(classes), limit)
        with self._lock:
            if self._inputs is None or self._inputs[0] != key:
                self._inputs = (key, _network_inputs(split, classes, limit))
            return self._inputs[1]


@dataclass(frozen=True, eq=False)
class DigitInputs:
    """Digits as network inputs, sorted by class (each class is one slice), as a scipy
    sparse matrix: four pixels in five are blank, and the first layer's product skips them."""

    inputs: Any  # scipy.sparse CSR (N, 784) float32 in 0…1
    labels: np.ndarray  # (N,) ascending


def _network_inputs(split: Split, classes: tuple[int, ...], limit: int) -> DigitInputs:
    from scipy.sparse import csr_matrix  # here, in the background thread: not at start-up

    chosen = np.flatnonzero(np.isin(split.labels, classes))[:limit]
    chosen = chosen[np.argsort(split.labels[chosen], kind="stable")]
    flat = split.images[chosen].reshape(len(chosen), -1)
    inputs = csr_matrix(flat, dtype=np.float32)
    inputs.data /= np.float32(255)
    return DigitInputs(inputs, split.labels[chosen])
