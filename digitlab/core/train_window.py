"""What a snapshot reports of the steps since the one before: their mean loss and accuracy.

Each step leaves its logits in an epoch-long buffer and a snapshot reads its window's loss and
accuracy from there in a few whole-window ops, instead of every step adding up its loss and hits
(four small tensor ops a step, a fifth of a 784→10 step). A step's (classes, size) logits are one
contiguous block of that buffer, the blocks one after the other in the epoch's order: the step's
matmul writes them and its softmax reads them at full speed (into a column of a classes × samples
matrix, 60 000 floats apart, the two took 13 µs longer, a tenth of a 784→10 step).
Windows never span epochs: every epoch ends with a snapshot.
"""

from __future__ import annotations

import itertools
import time

import torch


class Window:
    """The steps since the last snapshot: where their logits lie, and their batch sizes."""

    def __init__(
        self, classes: int, train_size: int, device: torch.device, dtype: torch.dtype
    ) -> None:
        self.classes = classes
        self.blocks = torch.empty(classes * train_size, device=device, dtype=dtype)
        self.targets = torch.empty(0, dtype=torch.int64, device=device)
        self.begin = self.end = 0  # the window's samples, as positions in the epoch's order
        self.sizes: list[int] = []
        self.started = time.perf_counter()
        self._stats: tuple[int, float, int] | None = None

    def begin_epoch(self, targets: torch.Tensor) -> None:
        """`targets`: the epoch's labels in the order its samples train."""
        self.targets = targets
        self.begin = self.end = 0

    def slot(self, size: int) -> torch.Tensor:
        """Where the next step's (classes, size) logits go: a contiguous block."""
        # as_strided: one call, where narrow + view take two (each ~1.5 µs from Python)
        return self.blocks.as_strided((self.classes, size), (size, 1), self.end * self.classes)

    def add(self, size: int) -> None:
        """The step that filled `slot(size)` is done."""
        self.sizes.append(size)
        self.end += size

    @property
    def steps(self) -> int:
        return len(self.sizes)

    @property
    def seen(self) -> int:
        return self.end - self.begin

    def _measure(self) -> tuple[float, int]:
        if self._stats is not None and self._stats[0] == self.end:
            return self._stats[1], self._stats[2]
        step_losses, correct, start = 0.0, 0, self.begin
        for size, run in itertools.groupby(self.sizes):  # steps of one batch size at a time
            count = len(list(run))
            samples = count * size
            logits = self.blocks.narrow(0, start * self.classes, samples * self.classes)
            logits = logits.view(count, self.classes, size)
            targets = self.targets.narrow(0, start, samples).view(count, 1, size)
            losses = torch.logsumexp(logits, 1) - logits.gather(1, targets)[:, 0]
            step_losses += float(losses.mean(1).sum())  # each step's mean, as the loop reports
            correct += int((logits.max(1).indices == targets[:, 0]).sum())
            start += samples
        self._stats = (self.end, step_losses / len(self.sizes), correct)
        return self._stats[1], correct

    @property
    def loss(self) -> float:
        """The mean of the steps' mean cross-entropies (nan: no step yet)."""
        return self._measure()[0] if self.sizes else float("nan")

    @property
    def accuracy(self) -> float:
        """The fraction of the window's training samples its steps classified right."""
        return self._measure()[1] / self.seen if self.sizes else float("nan")

    def reset(self) -> None:
        self.begin, self.sizes, self._stats = self.end, [], None
        self.started = time.perf_counter()
