"""Which models read colour pictures (CIFAR-10) rather than digits, and what the digit-only views
say for them.

A model's inputs tell: every 3072-input model is a CIFAR-10 model (a model file's inputs must
fit its dataset, `core.checkpoint`), whether it came from a file or is the run being trained.
"""

from __future__ import annotations

from typing import Any

from digitlab.core.choices import CLASS_NAMES, dataset_of_input_size, is_colour

DIGITS_ONLY = (
    "This view is for digit models (28×28 drawings); the model answering now reads 32×32 colour "
    "pictures (CIFAR-10)."
)


def is_picture_model(entry: Any) -> bool:
    """True when `entry` (a ModelEntry, or None) is a model of colour pictures."""
    if entry is None:
        return False
    dataset = dataset_of_input_size(entry.network.spec.input_size)
    return dataset is not None and is_colour(dataset)


def class_names(entry: Any) -> tuple[str, ...]:
    """What each of the model's outputs stands for: 'cat', 'dog', … or '0', '1', …."""
    dataset = dataset_of_input_size(entry.network.spec.input_size) or "mnist"
    names = CLASS_NAMES.get(dataset, CLASS_NAMES["mnist"])
    return tuple(names[c] for c in entry.classes)
