"""The epochs a user asked for, counted across a Stop and the Continue that finishes them.

With 8 epochs set, Stop after 2.4 and Continue trains the 5.6 epochs left, and the run ends
"after 8 epochs" (not 8 more, ending after 10.4). After a run that reached its epochs, Continue
trains that many more: a new course.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Course:
    start: int = 0  # samples the model had trained when the course began
    epochs: int = 0  # the epochs asked for
    unfinished: bool = False  # the last run of the course was stopped before its end

    def remaining(self, trained: int, epochs: int, train_size: int) -> int:
        """Samples left to train to `epochs` within this course (0: none, or no open course)."""
        if not self.unfinished or train_size <= 0:
            return 0
        return max(epochs * train_size - (trained - self.start), 0)

    def plan(self, trained: int, epochs: int, train_size: int, continuing: bool) -> int:
        """Begin the next run: the samples it trains (0: `epochs` whole epochs, a new course)."""
        left = self.remaining(trained, epochs, train_size) if continuing else 0
        if not left:
            self.start = trained
        self.epochs, self.unfinished = epochs, False
        return left

    def position(self, trained: int, train_size: int) -> float:
        """Epochs trained within this course."""
        return (trained - self.start) / train_size if train_size > 0 else 0.0
