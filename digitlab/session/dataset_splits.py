"""The training and test splits as the dataset browser shows them: counts and average images.

Reading the 60 000 training images and averaging each class takes a moment, so it runs in the
background (one job per dataset and split, the newest request wins) and each split is read once:
MNIST's test split is the session's shared one and its training split has a `SharedSplit` of its
own; the other datasets (CIFAR-10, Fashion-MNIST, KMNIST) are read from the data root when first
asked for. A missing dataset becomes a summary with the reason, never an exception in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from digitlab.core.choices import CLASS_NAMES, DATASET_SHAPES, DATASETS
from digitlab.core.data import Split
from digitlab.session.jobs import JobRunner
from digitlab.session.picture_split import shared_split_of
from digitlab.session.shared_split import SharedSplit

SPLITS = ("train", "test")


@dataclass(frozen=True, eq=False)
class SplitSummary:
    """One split: its images, how many of each class, and each class's average image."""

    split: str  # "train" or "test"
    images: np.ndarray  # (N, 28, 28) or, for CIFAR-10, (N, 32, 32, 3) uint8
    labels: np.ndarray  # (N,) classes 0–9
    counts: np.ndarray  # (10,) images per class
    averages: np.ndarray  # (10, *image shape) float32 in 0..1 (zeros for an empty class)
    error: str = ""
    dataset: str = "mnist"

    @property
    def class_names(self) -> tuple[str, ...]:
        return CLASS_NAMES.get(self.dataset, CLASS_NAMES["mnist"])

    def of_class(self, digit: int) -> np.ndarray:
        """Indices of the images of class `digit`, in the split's order."""
        return np.flatnonzero(self.labels == digit)


def summarise(name: str, split: Split, dataset: str = "mnist") -> SplitSummary:
    """Counts and per-class averages of a split (labels are classes 0–9)."""
    labels = np.asarray(split.labels)
    counts = np.bincount(labels, minlength=10)[:10]
    averages = np.zeros((10, *split.images.shape[1:]), np.float32)
    for digit in np.flatnonzero(counts):
        averages[digit] = split.images[labels == digit].mean(axis=0, dtype=np.float32) / 255
    return SplitSummary(name, split.images, labels, counts, averages, dataset=dataset)


def failed_summary(name: str, error: str, dataset: str = "mnist") -> SplitSummary:
    shape = DATASET_SHAPES.get(dataset, (28, 28))
    empty = np.empty(0, np.int64)
    return SplitSummary(
        name,
        np.empty((0, *shape), np.uint8),
        empty,
        np.zeros(10, np.int64),
        np.zeros((10, *shape), np.float32),
        error,
        dataset,
    )


class DatasetSplits:
    """`session.datasets`: summaries of each dataset's train and test splits, made on request."""

    changed = Signal(SplitSummary)

    def __init__(self, jobs: JobRunner, test_split: SharedSplit, train_split: SharedSplit) -> None:
        self._jobs = jobs
        self._mnist = {"train": train_split, "test": test_split}
        self._summaries: dict[tuple[str, str], SplitSummary] = {}
        self._asked: set[tuple[str, str]] = set()

    def summary(self, split: str, dataset: str = "mnist") -> SplitSummary | None:
        return self._summaries.get((dataset, split))

    def request(self, split: str, dataset: str = "mnist") -> None:
        """Read and summarise `dataset`'s `split` ("train" or "test") unless done or under way;
        a failed read is tried again on the next request."""
        if split not in SPLITS:
            raise ValueError(f"no split {split!r}; choose one of {', '.join(SPLITS)}")
        if dataset not in DATASETS:
            raise ValueError(f"no dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
        key = (dataset, split)
        known = self._summaries.get(key)
        if key in self._asked or (known is not None and not known.error):
            return
        self._asked.add(key)
        shared = self._mnist[split] if dataset == "mnist" else shared_split_of(dataset, split)

        def compute(context) -> SplitSummary:
            data = shared.get()
            context.check()
            return summarise(split, data, dataset)

        self._jobs.submit(
            compute,
            key=f"dataset-{dataset}-{split}",
            on_done=self._deliver,
            on_error=lambda message: self._deliver(failed_summary(split, message, dataset)),
            name="digitlab-dataset",
            idle_priority=True,
        )

    def _deliver(self, summary: SplitSummary) -> None:
        key = (summary.dataset, summary.split)
        self._asked.discard(key)
        self._summaries[key] = summary
        self.changed.emit(summary)
