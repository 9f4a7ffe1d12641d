"""Datasets as in-memory arrays, read straight from MNIST's IDX files.

A split is one uint8 array (N, 28, 28) and its labels; training takes index slices of it, never a
per-sample DataLoader (that is what makes an epoch take about a second on a laptop CPU). The IDX
format is four header bytes, the sizes, then the pixels, so numpy reads it directly: no torch in
the window's process, and every malformed file gets a message that names it. torchvision is used
only to download the files the first time.
"""

from __future__ import annotations

import gzip
import math
import os
import re
import shutil
import socket
import sys
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.core.choices import DATASET_LABELS, DATASETS, clipped
from digitlab.core.errors import DataError

RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
ENV_VAR = "DIGITLAB_DATA"
DOWNLOAD_TIMEOUT_S = 30.0
_IDX_UBYTE = 0x08


def default_cache_dir() -> Path:
    """The per-user cache folder (platformdirs: XDG on Linux, the usual places elsewhere)."""
    from platformdirs import user_cache_path

    return user_cache_path("digitlab", appauthor=False)


def data_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where datasets live: the `--data-dir` flag, else `$DIGITLAB_DATA`, else the user cache."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return default_cache_dir()


@dataclass(frozen=True, eq=False)
class Split:
    """One split: images (N, 28, 28) uint8 and labels (N,) int64 in 0..k-1."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def as_float(self) -> np.ndarray:
        """Images as one (N, 784) float32 array in [0, 1]."""
        return self.images.reshape(len(self), -1).astype(np.float32) / np.float32(255.0)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train and a test split of one dataset, possibly restricted to some classes.
    `classes[i]` is the original class of label i, so a "0 vs 1" subset has labels 0 and 1 and a
    "3, 5, 8" subset has labels 0, 1, 2 standing for 3, 5 and 8."""

    name: str
    train: Split
    test: Split
    classes: tuple[int, ...]

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def parse_classes(text: str | Sequence[int] | None) -> tuple[int, ...] | None:
    """'0,1', '0-4' or [0, 1] → sorted digits; None, '' or 'all' → None (all ten).

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


def raw_folder(name: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The folder torchvision keeps a dataset's IDX files in, under the data root."""
    return data_root(root) / DATASETS[name] / "raw"


def _find(raw: Path, stem: str) -> Path | None:
    for candidate in (raw / stem, raw / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def is_downloaded(name: str, root: str | os.PathLike[str] | None = None) -> bool:
    """True when all four files (plain or .gz) are there, so loading will not download."""
    raw = raw_folder(name, root)
    return all(_find(raw, stem) is not None for stem in RAW_FILES)


def missing_data_message(name: str, folder: Path, reason: str) -> str:
    """What to do first, then why: the folder and file names, then the reason."""
    files = ", ".join(RAW_FILES)
    return (
        f"{DATASET_LABELS[name]} is missing: put {files} (or their .gz) in {folder}, or point "
        f"{ENV_VAR} or --data-dir at a folder that has {DATASETS[name]}/raw/ with them "
        f"({reason})."
    )


def _download_failure(exc: BaseException) -> str:
    """A short reason from torchvision's multi-line download error."""
    text = " ".join(str(exc).split())
    found = re.search(r"<urlopen error (.*?)>", text)
    if found:
        return f"the download failed: no connection to the servers ({found.group(1)[:80]})"
    found = re.search(r"HTTP Error \d+[^,;:]*", text)
    if found:
        return f"the download failed: {found.group(0)}"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "the download failed: the servers did not answer in time"
    return f"the download failed: {text[:100]}"


def read_idx(path: Path, dims: int) -> np.ndarray:
    """An IDX file of unsigned bytes (plain or gzip) as an array with `dims` dimensions."""
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    header = 4 + 4 * dims
    if len(data) < header or data[:2] != b"\0\0" or data[2] != _IDX_UBYTE or data[3] != dims:
        raise DataError(
            f"{path} is not an MNIST IDX file ({len(data)} bytes, starting {data[:4].hex() or '–'}"
            f"; expected 0000080{dims}): delete it to download it again"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    expected = math.prod(shape)  # Python ints: 2³¹ × 2³¹ × 4 must not wrap round to 0
    if len(data) - header != expected:
        raise DataError(
            f"{path} is truncated or padded: its header promises {expected:,} bytes of data, "
            f"it holds {len(data) - header:,}; delete it to download it again"
        )
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape).copy()  # writable


SPLIT_NAMES = {"train": "training", "t10k": "test"}


def _read_split(name: str, raw: Path, prefix: str, classes: tuple[int, ...]) -> Split:
    """One split, refused when it holds no images or none of one of the chosen `classes`: a
    net trained or tested on nothing gives numbers that mean nothing."""
    paths = [_find(raw, f"{prefix}-{kind}") for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")]
    if None in paths:
        raise DataError(missing_data_message(name, raw, "the files are not there"))
    images, labels = read_idx(paths[0], 3), read_idx(paths[1], 1)
    if images.shape[1:] != (28, 28) or len(images) != len(labels):
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
    absent = sorted(set(classes) - set(np.unique(labels).tolist()))
    if absent:
        missing = ", ".join(map(str, absent))
        raise DataError(
            f"{paths[1]} has no images of class {missing}: the {split} split lacks "
            f"{'it' if len(absent) == 1 else 'them'}; choose other classes, or use complete files"
        )
    return Split(images, labels.astype(np.int64))


def download(name: str, root: str | os.PathLike[str] | None = None) -> None:
    """Fetch the four files with torchvision. Nothing is created unless the download succeeds:
    the files arrive in a temporary folder and are moved into place at the end."""
    final = raw_folder(name, root)
    base = data_root(root)
    erase = _announce(f"Downloading {DATASET_LABELS[name]} into {final} (first run only)…")
    try:
        from torchvision import datasets

        parking = Path(tempfile.mkdtemp(prefix=".digitlab-download-", dir=_existing(base)))
    except (ImportError, OSError) as exc:
        erase()
        reason = f"cannot download: {exc}"
        raise DataError(missing_data_message(name, final, reason)) from None
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # torchvision's urllib calls have none
    try:
        getattr(datasets, DATASETS[name])(str(parking), train=True, download=True)
        fetched = parking / DATASETS[name] / "raw"
        final.mkdir(parents=True, exist_ok=True)
        for stem in RAW_FILES:
            for candidate in (fetched / stem, fetched / f"{stem}.gz"):
                if candidate.exists() and not (final / candidate.name).exists():
                    shutil.move(str(candidate), final / candidate.name)
    except Exception as exc:  # URLError, HTTPError, checksum RuntimeError, disk full, …
        erase()
        raise DataError(missing_data_message(name, final, _download_failure(exc))) from None
    finally:
        socket.setdefaulttimeout(previous_timeout)
        shutil.rmtree(parking, ignore_errors=True)
    erase()
    print(f"{DATASET_LABELS[name]} downloaded into {final}", file=sys.stderr)


def _announce(text: str) -> Callable[[], None]:
    """Say a download has started, on a terminal only, and return what wipes the line: when it
    fails, the failure is the one line left (a log or a pipe gets just that line)."""
    stream = sys.stderr
    if stream is None or not stream.isatty():
        return lambda: None
    stream.write(text)
    stream.flush()

    def erase() -> None:
        stream.write("\r" + " " * len(text) + "\r")
        stream.flush()

    return erase


def _existing(folder: Path) -> Path:
    """The nearest folder that exists: the temporary download folder goes there, so a failed
    download does not even leave the data root behind."""
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def _select(split: Split, classes: tuple[int, ...]) -> Split:
    lookup = np.full(10, -1, dtype=np.int64)
    lookup[list(classes)] = np.arange(len(classes))
    mapped = lookup[split.labels]
    keep = mapped >= 0
    return Split(np.ascontiguousarray(split.images[keep]), mapped[keep])


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
    raw = _ready_folder(name, root, download_missing, on_download)
    chosen = tuple(sorted(classes)) if classes else tuple(range(10))
    train = _read_split(name, raw, "train", chosen)
    test = _read_split(name, raw, "t10k", chosen)
    if chosen != tuple(range(10)):
        train, test = _select(train, chosen), _select(test, chosen)
    return Dataset(name=name, train=train, test=test, classes=chosen)


def load_split(name: str, which: str, root: str | os.PathLike[str] | None = None) -> Split:
    """One split ('train' or 'test') of data on disk, without reading the other (47 MB)."""
    raw = _ready_folder(name, root, download_missing=False, on_download=None)
    return _read_split(name, raw, "train" if which == "train" else "t10k", tuple(range(10)))


def _ready_folder(name: str, root, download_missing: bool, on_download) -> Path:
    """The dataset's raw folder, checked, with the files there (downloaded if allowed)."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    base, raw = data_root(root), raw_folder(name, root)
    _check_folders(name, base, raw)
    if not is_downloaded(name, root):
        if not download_missing:
            raise DataError(missing_data_message(name, raw, "the files are not there"))
        _check_writable(name, raw)
        if on_download is not None:
            on_download()
        download(name, root)
    return raw


def _check_folders(name: str, base: Path, raw: Path) -> None:
    """The data folder and the dataset's files are what they should be: folders that are folders
    and files that are regular files. A folder, a FIFO or a broken link where a file should be
    is named, and nothing is downloaded over it (reading a FIFO would wait for ever)."""
    for folder in (raw, *raw.parents):
        if folder.exists() or folder.is_symlink():
            break
    if not folder.is_dir():
        raise DataError(
            f"the data folder {base} cannot be: {folder} is {_kind(folder)}; point --data-dir "
            f"or {ENV_VAR} at a folder (one that holds {DATASETS[name]}/raw/, or an empty one)"
        )
    for stem in RAW_FILES:
        for candidate in (raw / stem, raw / f"{stem}.gz"):
            if candidate.is_symlink() or candidate.exists():
                if not candidate.is_file():
                    raise DataError(
                        f"{candidate} is {_kind(candidate)}, not a data file: remove it, or "
                        f"put the real {candidate.name} there"
                    )


def _kind(path: Path) -> str:
    """'a folder', 'a FIFO (named pipe)', … for a path that is not a regular file."""
    if path.is_dir():
        return "a folder"
    if path.is_fifo():
        return "a FIFO (named pipe)"
    if path.is_symlink() and not path.exists():
        return "a link that leads nowhere (broken, or a loop)"
    if path.is_file():
        return "a file"
    return "not a regular file"


def _check_writable(name: str, raw: Path) -> None:
    """A download needs a folder it can write in: say so at once instead of trying."""
    folder = _existing(raw)
    if not os.access(folder, os.W_OK | os.X_OK):
        reason = f"cannot download: {folder} is not writable"
        raise DataError(missing_data_message(name, raw, reason))


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
        key = (name, str(data_root(root)), classes)
        if key in self._items:
            self._items[key] = self._items.pop(key)  # most recent last
            return self._items[key]
        dataset = self._loader(name, root=root, classes=classes, on_download=on_download)
        self._items[key] = dataset
        while len(self._items) > self._size:
            self._items.pop(next(iter(self._items)))
        return dataset
