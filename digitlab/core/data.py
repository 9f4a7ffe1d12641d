"""Datasets as in-memory arrays: MNIST-style IDX files (`core.data_idx`) and CIFAR-10's batches
(`core.cifar`), loaded by name, cut to a class subset, and cached.

A split is one uint8 array, (N, 28, 28) or (N, 32, 32, 3), and its labels; training takes index
slices of it, never a per-sample DataLoader (that is what makes an epoch take about a second on a
laptop CPU). This module is the one the rest of digitlab imports: the readers' names are
re-exported from here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from digitlab.core import cifar
from digitlab.core.choices import DATASET_LABELS, DATASET_SHAPES, DATASETS
from digitlab.core.data_idx import (  # noqa: F401  (re-exported)
    RAW_FILES,
    SPLIT_NAMES,
    check_folders,
    check_writable,
    download,
    find_file,
    is_idx_downloaded,
    missing_data_message,
    raw_folder,
    read_idx,
)
from digitlab.core.data_paths import (  # noqa: F401  (re-exported)
    DOWNLOAD_TIMEOUT_S,
    ENV_VAR,
    data_root,
    default_cache_dir,
)
from digitlab.core.data_types import (  # noqa: F401  (re-exported)
    Dataset,
    Split,
    parse_classes,
    restrict,
    select_classes,
)
from digitlab.core.errors import DataError

_select = select_classes  # the name the tests of class subsets know


def is_downloaded(name: str, root: str | os.PathLike[str] | None = None) -> bool:
    """True when the dataset's files are all there, so loading will not download."""
    if name == "cifar10":
        return cifar.is_cifar_downloaded(root)
    return is_idx_downloaded(name, root)


def _read_split(name: str, raw: Path, prefix: str, classes: tuple[int, ...]) -> Split:
    """One split, refused when it holds no images or none of one of the chosen `classes`: a
    net trained or tested on nothing gives numbers that mean nothing."""
    paths = [
        find_file(raw, f"{prefix}-{kind}") for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")
    ]
    if None in paths:
        raise DataError(missing_data_message(name, raw, "the files are not there"))
    images, labels = read_idx(paths[0], 3), read_idx(paths[1], 1)
    if images.shape[1:] != DATASET_SHAPES[name] or len(images) != len(labels):
        raise DataError(
            f"{DATASET_LABELS[name]} files in {raw} do not fit together: images "
            f"{images.shape}, labels {labels.shape}"
        )
    split = SPLIT_NAMES[prefix]
    if len(labels) == 0:
        raise DataError(
            f"{paths[0]} holds no images: the {split} split is empty; put the real file there "
            f"(or delete it to download it again)"
        )
    if int(labels.max()) > 9:
        raise DataError(f"{paths[1]} has labels above 9 ({int(labels.max())}): it is not MNIST")
    _check_present(labels, classes, str(paths[1]), split)
    return Split(images, labels.astype(np.int64))


def _check_present(labels: np.ndarray, classes: tuple[int, ...], where: str, split: str) -> None:
    """Every chosen class has images in the split (else its accuracy would mean nothing)."""
    absent = sorted(set(classes) - set(np.unique(labels).tolist()))
    if absent:
        missing = ", ".join(map(str, absent))
        raise DataError(
            f"{where} has no images of class {missing}: the {split} split lacks "
            f"{'it' if len(absent) == 1 else 'them'}; choose other classes, or use complete files"
        )


def load_dataset(
    name: str = "mnist",
    root: str | os.PathLike[str] | None = None,
    classes: Sequence[int] | None = None,
    download_missing: bool = True,
    on_download: Callable[[], None] | None = None,
) -> Dataset:
    """Load a dataset's train and test split into memory, downloading it if allowed.

    Raises DataError with the folder and file names when the data is missing (and cannot be
    downloaded) or corrupt. `on_download` is called before a download starts.
    """
    chosen = tuple(sorted(classes)) if classes else tuple(range(10))
    if name == "cifar10":
        whole = cifar.load_cifar10(root, download_missing, on_download)
        folder = cifar.cifar_folder(root)
        _check_present(whole.train.labels, chosen, str(folder / "data_batch_*"), "training")
        _check_present(whole.test.labels, chosen, str(folder / cifar.TEST_FILE), "test")
        return restrict(whole, chosen)
    raw = _ready_folder(name, root, download_missing, on_download)
    train = _read_split(name, raw, "train", chosen)
    test = _read_split(name, raw, "t10k", chosen)
    if chosen != tuple(range(10)):
        train, test = select_classes(train, chosen), select_classes(test, chosen)
    return Dataset(name=name, train=train, test=test, classes=chosen)


def load_split(name: str, which: str, root: str | os.PathLike[str] | None = None) -> Split:
    """One split ('train' or 'test') of data on disk, without reading the other (47 MB)."""
    if name == "cifar10":
        whole = cifar.load_cifar10(root, download_missing=False)
        return whole.train if which == "train" else whole.test
    raw = _ready_folder(name, root, download_missing=False, on_download=None)
    return _read_split(name, raw, "train" if which == "train" else "t10k", tuple(range(10)))


def _ready_folder(name: str, root, download_missing: bool, on_download) -> Path:
    """The dataset's raw folder, checked, with the files there (downloaded if allowed)."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    base, raw = data_root(root), raw_folder(name, root)
    check_folders(name, base, raw)
    if not is_idx_downloaded(name, root):
        if not download_missing:
            raise DataError(missing_data_message(name, raw, "the files are not there"))
        check_writable(name, raw)
        if on_download is not None:
            on_download()
        download(name, root)
    return raw


class DatasetCache:
    """The last few datasets loaded, by (name, root, classes): a second run starts at once."""

    def __init__(self, loader: Callable[..., Dataset] = load_dataset, size: int = 2) -> None:
        self._loader, self._size = loader, size
        self._items: dict[tuple, Dataset] = {}

    def get(
        self,
        name: str,
        root: str | None = None,
        classes: tuple[int, ...] | None = None,
        on_download: Callable[[], None] | None = None,
    ) -> Dataset:
        """The dataset, loaded once (MNIST or CIFAR-10 alike) and kept for the next run."""
        key = (name, str(data_root(root)), classes)
        if key in self._items:
            self._items[key] = self._items.pop(key)  # most recent last
            return self._items[key]
        dataset = self._loader(name, root=root, classes=classes, on_download=on_download)
        self._items[key] = dataset
        while len(self._items) > self._size:
            self._items.pop(next(iter(self._items)))
        return dataset
