"""CIFAR-10's test pictures, for the test-set analyses of a colour-picture model (and any
dataset's split the dataset browser asks for).

The session's analyses read MNIST's test digits (`shared_split`); a model of 32×32 colour
pictures is scored on CIFAR-10's test split instead, read once (from the data root the window
uses: `--data-dir` sets `DIGITLAB_DATA`) and shared like the digits.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from digitlab.core.choices import CLASS_NAMES, dataset_of_input_size, is_colour
from digitlab.core.data import data_root, load_split
from digitlab.session.shared_split import SharedSplit

_splits: dict[tuple[str, str], SharedSplit] = {}
_lock = threading.Lock()


def picture_dataset(entry: Any) -> str | None:
    """'cifar10' for a model of colour pictures (told by its inputs), else None."""
    if entry is None:
        return None
    dataset = dataset_of_input_size(entry.network.spec.input_size)
    return dataset if dataset is not None and is_colour(dataset) else None


def split_for(entry: Any, digits: SharedSplit) -> SharedSplit:
    """The test split `entry` is scored on: `digits` for a digit model, the shared CIFAR-10
    test split for a colour-picture model."""
    dataset = picture_dataset(entry)
    return digits if dataset is None else shared_split_of(dataset, "test")


def shared_split_of(dataset: str, split: str) -> SharedSplit:
    """`dataset`'s `split` ("train" or "test") from the window's data root, read once, shared."""
    key = (dataset, split, str(data_root()))
    with _lock:
        if key not in _splits:
            _splits[key] = SharedSplit(lambda: load_split(dataset, split))
        return _splits[key]


def picture_names(classes: tuple[int, ...], images: np.ndarray) -> tuple[str, ...]:
    """Each output's name: CIFAR-10's for (N, 32, 32, 3) pictures, else the digits."""
    if images.ndim == 4:
        return tuple(CLASS_NAMES["cifar10"][c] for c in classes)
    return tuple(str(c) for c in classes)
