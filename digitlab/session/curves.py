"""A model's learning curves: loss and accuracy per snapshot, test accuracy per epoch, and a
mark where a going run's settings changed ("lr 0.001 → 0.01", "+1 epoch").

Kept whole (a few floats a snapshot), against epochs trained by this model across every run that
continued it, so a curves view shown late, or reopened, draws the full story.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np


class CurveMark(NamedTuple):
    """A change made while the run went, at the epoch it took effect."""

    epoch: float
    text: str


class _Growing:
    """Columns of floats that grow by doubling (appends stay cheap for long runs)."""

    def __init__(self, columns: int) -> None:
        self._data = np.empty((256, columns))
        self._n = 0

    def append(self, *values: float) -> None:
        if self._n == len(self._data):
            self._data = np.concatenate([self._data, np.empty_like(self._data)])
        self._data[self._n] = values
        self._n += 1

    def column(self, i: int) -> np.ndarray:
        return self._data[: self._n, i].copy()

    def clear(self) -> None:
        self._n = 0

    def __len__(self) -> int:
        return self._n


class RunCurves:
    def __init__(self) -> None:
        self._train = _Growing(3)  # epoch, loss, accuracy
        self._test = _Growing(2)  # epoch, test accuracy
        self._marks: list[CurveMark] = []

    def add_train(self, epoch: float, loss: float, accuracy: float) -> None:
        self._train.append(
            epoch,
            loss if math.isfinite(loss) and loss > 0 else math.nan,
            accuracy if math.isfinite(accuracy) else math.nan,
        )

    def add_test(self, epoch: float, accuracy: float) -> None:
        self._test.append(epoch, accuracy)

    def add_mark(self, epoch: float, text: str) -> None:
        self._marks.append(CurveMark(epoch, text))

    def marks(self) -> tuple[CurveMark, ...]:
        return tuple(self._marks)

    def clear(self) -> None:
        self._train.clear()
        self._test.clear()
        self._marks.clear()

    def __len__(self) -> int:
        return len(self._train)

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every point as kept: (epoch, loss, accuracy) rows and (epoch, test accuracy) rows."""
        train = np.column_stack([self._train.column(i) for i in range(3)])
        return train.reshape(-1, 3), np.column_stack([self._test.column(i) for i in range(2)])

    def loss(self) -> tuple[np.ndarray, np.ndarray]:
        return self._finite(self._train.column(0), self._train.column(1))

    def accuracy(self) -> tuple[np.ndarray, np.ndarray]:
        return self._finite(self._train.column(0), self._train.column(2))

    def test_accuracy(self) -> tuple[np.ndarray, np.ndarray]:
        return self._test.column(0), self._test.column(1)

    @staticmethod
    def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = np.isfinite(y)
        return x[keep], y[keep]
