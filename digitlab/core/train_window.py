"""What a snapshot reports of the steps since the one before: their mean loss and accuracy.

Each step leaves its logits in an epoch-long buffer (classes × samples, in the epoch's order) and
a snapshot reads its window's loss and accuracy from there in a few whole-window ops, instead of
every step adding up its loss and hits (four small tensor ops a step, a fifth of a 784→10 step).
Windows never span epochs: every epoch ends with a snapshot.
"""

from __future__ import annotations

import time

import torch


class Window:
    """The steps since the last snapshot: where their logits lie, and their batch sizes."""

    def __init__(
        self, classes: int, train_size: int, device: torch.device, dtype: torch.dtype
    ) -> None:
        self.logits = torch.empty(classes, train_size, device=device, dtype=dtype)
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
        """Where the next step's (classes, size) logits go."""
        return self.logits.narrow(1, self.end, size)  # narrow: faster than [:, a:b]

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
        # (classes, samples), made contiguous: reductions over rows 60 000 floats apart are slow
        logits = self.logits[:, self.begin : self.end].contiguous()
        targets = self.targets[self.begin : self.end]
        losses = torch.logsumexp(logits, 0) - logits.gather(0, targets.view(1, -1))[0]
        sizes = self.sizes
        if all(size == sizes[0] for size in sizes):
            mean = losses.view(len(sizes), sizes[0]).mean(1).mean()
        else:  # the mean of each step's mean, as the loop reports a step's loss
            counts = torch.tensor(sizes, device=losses.device)
            steps = torch.repeat_interleave(torch.arange(len(sizes), device=losses.device), counts)
            sums = losses.new_zeros(len(sizes)).index_add_(0, steps, losses)
            mean = (sums / counts).mean()
        correct = int((logits.max(0).indices == targets).sum())  # argmax(0): 4× slower
        self._stats = (self.end, float(mean), correct)
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
