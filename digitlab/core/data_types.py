"""A dataset in memory: splits of uint8 images and their labels, and the class subsets of them.

The same types carry MNIST's (N, 28, 28) grey digits and CIFAR-10's (N, 32, 32, 3) RGB pictures:
a split keeps its images in their own shape (what the views draw) and flattens them only for
the net (`Split.as_float`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digitlab.core.choices import CLASS_NAMES, DATASET_SHAPES, clipped


@dataclass(frozen=True, eq=False)
class Split:
    """One split: images (N, 28, 28) or (N, 32, 32, 3) uint8 and labels (N,) int64 in 0..k-1."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def as_float(self) -> np.ndarray:
        """Images as one (N, pixels) float32 array in [0, 1]: (N, 784) or (N, 3072)."""
        return self.images.reshape(len(self), -1).astype(np.float32) / np.float32(255.0)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train and a test split of one dataset, possibly restricted to some classes.
    `classes[i]` is the original class of label i, so a "0 vs 1" subset has labels 0 and 1 and a
    "3, 5, 8" subset has labels 0, 1, 2 standing for 3, 5 and 8. `class_names[c]` names original
    class c (empty: the registry's names for `name`, else the digits)."""

    name: str
    train: Split
    test: Split
    classes: tuple[int, ...]
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.class_names:
            names = CLASS_NAMES.get(self.name, tuple(str(c) for c in range(10)))
            object.__setattr__(self, "class_names", names)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def image_shape(self) -> tuple[int, ...]:
        """(28, 28) for the grey sets, (32, 32, 3) for CIFAR-10."""
        if len(self.train):
            return tuple(self.train.images.shape[1:])
        return DATASET_SHAPES.get(self.name, (28, 28))

    @property
    def label_names(self) -> tuple[str, ...]:
        """What each output stands for, in output order: ('cat', 'dog') for a 3-vs-5 CIFAR net."""
        return tuple(self.class_names[c] for c in self.classes)


def parse_classes(text: str | Sequence[int] | None) -> tuple[int, ...] | None:
    """'0,1', '0-4' or [0, 1] → sorted class numbers; None, '' or 'all' → None (all ten).

    Raises ValueError with a message fit for the user when malformed.
    """
    if text is None or (isinstance(text, str) and text.strip().lower() in ("", "all")):
        return None
    values: list[int] = []
    if isinstance(text, str):
        for part in text.replace(" ", "").split(","):
            if not part:
                continue
            low, dash, high = part.partition("-")
            try:
                if not part.isascii():  # int() takes '٣' (Arabic-Indic three) as 3
                    raise ValueError
                first, last = (int(low), int(high)) if dash else (int(part), int(part))
            except ValueError:
                raise ValueError(
                    f"classes are digits separated by commas, like 0,1 or 0-4; got {clipped(text)}"
                ) from None
            if not (0 <= first <= 9 and 0 <= last <= 9):  # before making a range of them
                raise ValueError(f"classes must be digits 0–9, got {clipped(text)}")
            if last < first:
                raise ValueError(f"a range of classes goes up, like 0-4; got {clipped(text)}")
            values.extend(range(first, last + 1))
    else:
        values = [int(v) for v in text]
    if any(not 0 <= v <= 9 for v in values):
        raise ValueError(f"classes must be digits 0–9, got {clipped(str(text))}")
    if len(set(values)) != len(values):
        raise ValueError(f"a class is named twice in {clipped(str(text))}")
    if len(values) < 2:
        raise ValueError("a class subset needs at least two classes")
    chosen = tuple(sorted(values))
    return None if chosen == tuple(range(10)) else chosen


def select_classes(split: Split, classes: tuple[int, ...]) -> Split:
    """The images of `classes` only, relabelled 0..k-1 in the order of `classes`."""
    lookup = np.full(10, -1, dtype=np.int64)
    lookup[list(classes)] = np.arange(len(classes))
    mapped = lookup[split.labels]
    keep = mapped >= 0
    return Split(np.ascontiguousarray(split.images[keep]), mapped[keep])


def restrict(dataset: Dataset, classes: Sequence[int] | None) -> Dataset:
    """`dataset` (all ten classes) cut to `classes` (None or all ten: as it is)."""
    chosen = tuple(sorted(classes)) if classes else tuple(range(10))
    if chosen == dataset.classes:
        return dataset
    train, test = select_classes(dataset.train, chosen), select_classes(dataset.test, chosen)
    return Dataset(dataset.name, train, test, chosen, dataset.class_names)
