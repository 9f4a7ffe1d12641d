"""Datasets as in-memory tensors.

The whole split lives in one uint8 tensor; training takes index slices of it, never a per-sample
DataLoader (that is what makes an epoch take about a second on a laptop CPU).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from digitlab.core.errors import DataError

# Our name → torchvision's class (also its folder name under the data root). torchvision itself
# is imported only when a dataset is read: its import costs over a second, which every
# `digitlab predict` and every training child process would otherwise pay.
DATASETS: dict[str, str] = {"mnist": "MNIST", "fashion": "FashionMNIST", "kmnist": "KMNIST"}

RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

ENV_VAR = "DIGITLAB_DATA"


def default_cache_dir() -> Path:
    """The per-user cache folder (XDG on Linux, the usual places elsewhere)."""
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "digitlab"


def data_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where datasets live: the `--data-dir` flag, else `$DIGITLAB_DATA`, else the user cache."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return default_cache_dir()


@dataclass(frozen=True)
class Split:
    """One split: images (N, 28, 28) uint8 and labels (N,) int64 in 0..k-1."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def as_float(self, device: str | torch.device = "cpu") -> torch.Tensor:
        """Images as one (N, 784) float32 tensor in [0, 1]."""
        return self.images.to(device).reshape(len(self), -1).float().div_(255.0)


@dataclass(frozen=True)
class Dataset:
    """A train and a test split of one dataset, possibly restricted to some classes.

    `classes[i]` is the original class of label i, so a "0 vs 1" subset has labels 0 and 1 and a
    "3, 5, 8" subset has labels 0, 1, 2 standing for 3, 5 and 8.
    """

    name: str
    train: Split
    test: Split
    classes: tuple[int, ...]

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def parse_classes(text: str | Sequence[int] | None) -> tuple[int, ...] | None:
    """'0,1' or [0, 1] → (0, 1); None or '' → None (all classes). Raises ValueError if malformed."""
    if text is None or text == "" or text == "all":
        return None
    if isinstance(text, str):
        try:
            values = [int(part) for part in text.replace(" ", "").split(",") if part]
        except ValueError:
            raise ValueError(f"classes must be digits separated by commas, got {text!r}") from None
    else:
        values = [int(v) for v in text]
    if len(values) < 2:
        raise ValueError("a class subset needs at least two classes")
    if len(set(values)) != len(values):
        raise ValueError(f"classes repeat: {values}")
    if any(not 0 <= v <= 9 for v in values):
        raise ValueError(f"classes must be between 0 and 9, got {values}")
    return tuple(sorted(values))


def missing_data_message(name: str, folder: Path, reason: str) -> str:
    files = "\n".join(f"  {f}  (or {f}.gz)" for f in RAW_FILES)
    return (
        f"{name} is not available: {reason}\n"
        f"Put these four files in {folder}:\n{files}\n"
        f"or point {ENV_VAR} (or --data-dir) at a folder that holds "
        f"{DATASETS[name]}/raw/ with them."
    )


def raw_folder(name: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The folder torchvision keeps a dataset's IDX files in, under the data root."""
    return data_root(root) / DATASETS[name] / "raw"


def is_downloaded(name: str, root: str | os.PathLike[str] | None = None) -> bool:
    """True when all four files (plain or .gz) are there, so loading will not download."""
    raw = raw_folder(name, root)
    return all((raw / f).exists() or (raw / f"{f}.gz").exists() for f in RAW_FILES)


def _unpack_gz_if_needed(raw: Path) -> None:
    """torchvision reads the unpacked files; accept a folder that only has the .gz ones."""
    import gzip
    import shutil
    import zlib

    for stem in RAW_FILES:
        target, packed = raw / stem, raw / f"{stem}.gz"
        if not target.exists() and packed.exists():
            part = raw / f"{stem}.part"
            try:
                dst = open(part, "wb")
            except OSError as exc:
                raise DataError(f"cannot unpack {packed} into {raw}: {exc}") from None
            try:
                with gzip.open(packed, "rb") as src, dst:
                    shutil.copyfileobj(src, dst)
                os.replace(part, target)
            except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
                raise DataError(f"{packed} is corrupt: {exc}") from None
            except OSError as exc:
                raise DataError(f"cannot unpack {packed} into {raw}: {exc}") from None
            finally:
                part.unlink(missing_ok=True)


def _load_split(name: str, root: Path, train: bool, download: bool) -> Split:
    from torchvision import datasets

    cls = getattr(datasets, DATASETS[name])
    raw = raw_folder(name, root)
    _unpack_gz_if_needed(raw)
    if not all((raw / f).exists() for f in RAW_FILES):
        if not download:
            raise DataError(missing_data_message(name, raw, "the files are missing"))
        print(f"Downloading {name} into {raw} (first run only)…", file=sys.stderr)
        try:
            cls(str(root), train=train, download=True)
        except Exception as exc:  # URLError, HTTPError, checksum RuntimeError, disk full, …
            reason = f"the download failed ({' '.join(str(exc).split())})"
            raise DataError(missing_data_message(name, raw, reason)) from None
    try:
        ds = cls(str(root), train=train, download=False)
    except Exception as exc:  # bad magic number, truncated data, wrong sizes, …
        detail = " ".join(str(exc).split()) or exc.__class__.__name__
        raise DataError(f"{name} files in {raw} are corrupt or truncated: {detail}") from None
    images, labels = ds.data, ds.targets.long()
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise DataError(
            f"{name} files in {raw} do not fit together: images {tuple(images.shape)}, "
            f"labels {tuple(labels.shape)}"
        )
    return Split(images.contiguous(), labels)


def _select(split: Split, classes: tuple[int, ...]) -> Split:
    top = max([*classes, int(split.labels.max()) if len(split) else 0]) + 1
    lookup = torch.full((top,), -1, dtype=torch.long)
    lookup[list(classes)] = torch.arange(len(classes))
    mapped = lookup[split.labels]
    keep = mapped >= 0
    return Split(split.images[keep].contiguous(), mapped[keep])


def load_dataset(
    name: str = "mnist",
    root: str | os.PathLike[str] | None = None,
    classes: Sequence[int] | None = None,
    download: bool = True,
) -> Dataset:
    """Load a dataset's train and test split into memory, downloading it if allowed.

    Raises DataError with the folder and file names when the data is missing (and cannot be
    downloaded) or corrupt.
    """
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    folder = data_root(root)
    train = _load_split(name, folder, train=True, download=download)
    test = _load_split(name, folder, train=False, download=download)
    chosen = tuple(sorted(classes)) if classes else tuple(range(10))
    if chosen != tuple(range(10)):
        train, test = _select(train, chosen), _select(test, chosen)
    return Dataset(name=name, train=train, test=test, classes=chosen)
