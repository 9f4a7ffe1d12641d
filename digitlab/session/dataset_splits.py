"""The training and test splits as the dataset browser shows them: counts and average digits.

Reading the 60 000 training digits and averaging each class takes a moment, so it runs in the
background (one job per split, the newest request wins) and each split is read once: the test
split is the session's shared one, the training split has a `SharedSplit` of its own. A missing
dataset becomes a summary with the reason, never an exception in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from digitlab.core.data import Split
from digitlab.session.jobs import JobRunner
from digitlab.session.shared_split import SharedSplit

SPLITS = ("train", "test")


@dataclass(frozen=True, eq=False)
class SplitSummary:
    """One split: its digits, how many of each class, and each class's average image."""

    split: str  # "train" or "test"
    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) digits 0–9
    counts: np.ndarray  # (10,) images per class
    averages: np.ndarray  # (10, 28, 28) float32 in 0..1 (zeros for an empty class)
    error: str = ""

    def of_class(self, digit: int) -> np.ndarray:
        """Indices of the images of `digit`, in the split's order."""
        return np.flatnonzero(self.labels == digit)


def summarise(name: str, split: Split) -> SplitSummary:
    """Counts and per-class averages of a split (labels are digits 0–9)."""
    labels = np.asarray(split.labels)
    counts = np.bincount(labels, minlength=10)[:10]
    averages = np.zeros((10, 28, 28), np.float32)
    for digit in np.flatnonzero(counts):
        averages[digit] = split.images[labels == digit].mean(axis=0, dtype=np.float32) / 255
    return SplitSummary(name, split.images, labels, counts, averages)


def failed_summary(name: str, error: str) -> SplitSummary:
    empty = np.empty(0, np.int64)
    return SplitSummary(
        name,
        np.empty((0, 28, 28), np.uint8),
        empty,
        np.zeros(10, np.int64),
        np.zeros((10, 28, 28), np.float32),
        error,
    )


class DatasetSplits:
    """`session.datasets`: summaries of the train and test splits, made on request."""

    changed = Signal(SplitSummary)

    def __init__(self, jobs: JobRunner, test_split: SharedSplit, train_split: SharedSplit) -> None:
        self._jobs = jobs
        self._splits = {"train": train_split, "test": test_split}
        self._summaries: dict[str, SplitSummary] = {}
        self._asked: set[str] = set()

    def summary(self, split: str) -> SplitSummary | None:
        return self._summaries.get(split)

    def request(self, split: str) -> None:
        """Read and summarise `split` ("train" or "test") unless done or under way; a failed
        read is tried again on the next request."""
        if split not in self._splits:
            raise ValueError(f"no split {split!r}; choose one of {', '.join(SPLITS)}")
        known = self._summaries.get(split)
        if split in self._asked or (known is not None and not known.error):
            return
        self._asked.add(split)
        shared = self._splits[split]

        def compute(context) -> SplitSummary:
            data = shared.get()
            context.check()
            return summarise(split, data)

        self._jobs.submit(
            compute,
            key=f"dataset-{split}",
            on_done=self._deliver,
            on_error=lambda message: self._deliver(failed_summary(split, message)),
            name="digitlab-dataset",
            idle_priority=True,
        )

    def _deliver(self, summary: SplitSummary) -> None:
        self._asked.discard(summary.split)
        self._summaries[summary.split] = summary
        self.changed.emit(summary)
