"""MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST): their folder, reader and download.

The IDX format is four header bytes, the sizes, then the pixels, so numpy reads it directly: no
torch in the window's process, and every malformed file gets a message that names it.
torchvision is used only to download the files the first time.
"""

from __future__ import annotations

import gzip
import math
import os
import shutil
import socket
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

from digitlab.core.choices import DATASET_LABELS, DATASETS
from digitlab.core.data_paths import (
    DOWNLOAD_TIMEOUT_S,
    ENV_VAR,
    announce,
    data_root,
    download_failure,
    existing_folder,
    path_kind,
)
from digitlab.core.errors import DataError

RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
SPLIT_NAMES = {"train": "training", "t10k": "test"}
_IDX_UBYTE = 0x08


def raw_folder(name: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The folder torchvision keeps a dataset's IDX files in, under the data root."""
    return data_root(root) / DATASETS[name] / "raw"


def find_file(raw: Path, stem: str) -> Path | None:
    """`stem` or `stem.gz` in `raw`, whichever is there."""
    for candidate in (raw / stem, raw / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def is_idx_downloaded(name: str, root: str | os.PathLike[str] | None = None) -> bool:
    """True when all four files (plain or .gz) are there, so loading will not download."""
    raw = raw_folder(name, root)
    return all(find_file(raw, stem) is not None for stem in RAW_FILES)


def missing_data_message(name: str, folder: Path, reason: str) -> str:
    """What to do first, then why: the folder and file names, then the reason."""
    files = ", ".join(RAW_FILES)
    return (
        f"{DATASET_LABELS[name]} is missing: put {files} (or their .gz) in {folder}, or point "
        f"{ENV_VAR} or --data-dir at a folder that has {DATASETS[name]}/raw/ with them "
        f"({reason})."
    )


def read_idx(path: Path, dims: int) -> np.ndarray:
    """An IDX file of unsigned bytes (plain or gzip) as an array with `dims` dimensions."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
            raise DataError(f"{path} is damaged ({exc}): delete it to download it again") from None
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


def download(name: str, root: str | os.PathLike[str] | None = None) -> None:
    """Fetch the four files with torchvision. Nothing is created unless the download succeeds:
    the files arrive in a temporary folder and are moved into place at the end."""
    final = raw_folder(name, root)
    base = data_root(root)
    erase = announce(f"Downloading {DATASET_LABELS[name]} into {final} (first run only)…")
    try:
        from torchvision import datasets

        parking = Path(tempfile.mkdtemp(prefix=".digitlab-download-", dir=existing_folder(base)))
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
        raise DataError(missing_data_message(name, final, download_failure(exc))) from None
    finally:
        socket.setdefaulttimeout(previous_timeout)
        shutil.rmtree(parking, ignore_errors=True)
    erase()
    print(f"{DATASET_LABELS[name]} downloaded into {final}", file=sys.stderr)


def check_folders(name: str, base: Path, raw: Path) -> None:
    """The data folder and the dataset's files are what they should be: folders that are folders
    and files that are regular files. A folder, a FIFO or a broken link where a file should be
    is named, and nothing is downloaded over it (reading a FIFO would wait for ever)."""
    for folder in (raw, *raw.parents):
        if folder.exists() or folder.is_symlink():
            break
    if not folder.is_dir():
        raise DataError(
            f"the data folder {base} cannot be: {folder} is {path_kind(folder)}; point "
            f"--data-dir or {ENV_VAR} at a folder (one that holds {DATASETS[name]}/raw/, or an "
            f"empty one)"
        )
    for stem in RAW_FILES:
        for candidate in (raw / stem, raw / f"{stem}.gz"):
            if candidate.is_symlink() or candidate.exists():
                if not candidate.is_file():
                    raise DataError(
                        f"{candidate} is {path_kind(candidate)}, not a data file: remove it, or "
                        f"put the real {candidate.name} there"
                    )


def check_writable(name: str, raw: Path) -> None:
    """A download needs a folder it can write in: say so at once instead of trying."""
    folder = existing_folder(raw)
    if not os.access(folder, os.W_OK | os.X_OK):
        reason = f"cannot download: {folder} is not writable"
        raise DataError(missing_data_message(name, raw, reason))
