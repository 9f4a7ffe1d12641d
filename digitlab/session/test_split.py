"""The MNIST test split, read once on first use and shared by the analyses that need it.

The unit statistics and the bottleneck planes both run over the 10 000 test digits, in
background threads; the first to ask reads them (the numpy IDX reader: no torch in the window)
and the others wait for that read instead of starting their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from digitlab.core.data import Split, load_dataset


def mnist_test_set(data_root: str | None = None) -> Callable[[], Split]:
    def load() -> Split:
        return load_dataset("mnist", root=data_root, download_missing=False).test

    return load


class SharedTestSplit:
    def __init__(self, load: Callable[[], Split]) -> None:
        self._load = load
        self._split: Split | None = None
        self._inputs: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    def get(self) -> Split:
        """The split (read now if nobody has yet; a failed read raises, and the next call tries
        again)."""
        with self._lock:
            if self._split is None:
                self._split = self._load()
            return self._split

    def inputs(self, classes: tuple[int, ...], limit: int) -> tuple[np.ndarray, np.ndarray]:
        """The first `limit` test digits of `classes` as network inputs (N, 784) float32 in 0…1,
        and their labels; made once per class subset (the conversion costs as much as a layer)."""
        split = self.get()
        key = (*classes, -limit)
        with self._lock:
            if key not in self._inputs:
                wanted = np.isin(split.labels, classes)
                images = split.images[wanted][:limit]
                inputs = images.reshape(len(images), -1) / np.float32(255)
                self._inputs = {key: (inputs.astype(np.float32), split.labels[wanted][:limit])}
            return self._inputs[key]
