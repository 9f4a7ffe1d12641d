"""CIFAR-10 from torchvision's `cifar-10-batches-py` folder, read without running its pickles.

The batches are Python 2 pickles, and a pickle can call any function it names: a file from
anywhere could run commands the moment it is loaded. `BatchUnpickler` admits only the three
numpy names an array needs (`_reconstruct`, `ndarray`, `dtype`); dicts, lists, strings and
numbers need no names at all. Anything else is refused with one line naming the file.

Images are (N, 32, 32, 3) uint8, height × width × RGB, the way torchvision and image viewers
hold them: `Split` and `Dataset` carry them unchanged, and `Split.as_float` flattens them to the
3072 inputs an MLP takes. `core.data.load_dataset("cifar10", …)` comes here, so the window,
the trainer and the command line load it as they load MNIST.
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from digitlab.core.data_paths import (
    DOWNLOAD_TIMEOUT_S,
    ENV_VAR,
    announce,
    data_root,
    download_failure,
    existing_folder,
)
from digitlab.core.data_types import Dataset, Split
from digitlab.core.errors import DataError

FOLDER = "cifar-10-batches-py"  # torchvision's name, so a folder it downloaded is found as is
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
ALL_FILES = (*TRAIN_FILES, TEST_FILE, META_FILE)
LABEL = "CIFAR-10"
# torchvision's source and checksum for the archive (torchvision.datasets.CIFAR10).
URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
MD5 = "c58f30108f718f92721af3b95e74349a"
SIDE, CHANNELS = 32, 3
INPUTS = SIDE * SIDE * CHANNELS

_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(1, np.uint8))[0]  # numpy's own, wherever it lives
# (module, name) → object: the only globals a batch may name. Python 2 files say numpy.core,
# numpy 2 writes numpy._core; both are the same function.
_ADMITTED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _Refused(Exception):
    """A global outside `_ADMITTED`: raised before anything it names is imported."""


class BatchUnpickler(pickle.Unpickler):
    """An unpickler that resolves only `_ADMITTED` names and has no persistent ids: whatever
    else a file names is refused before it is imported, so it never runs."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ADMITTED[(module, name)]
        except KeyError:
            raise _Refused(f"{module}.{name}"[:80]) from None

    def persistent_load(self, pid: Any) -> Any:
        raise _Refused("a persistent id")


def read_batch(path: Path) -> dict[str, Any]:
    """One pickled batch as a dict with str keys; DataError (one line, naming `path`) for a file
    that is missing, not a pickle, cut short, or names anything outside the admitted arrays."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if raw[:1] != b"\x80":  # a PROTO opcode: every batch is a protocol-2 pickle or later
        raise DataError(
            f"{path} is not a CIFAR batch ({len(raw):,} bytes, starting {raw[:4].hex() or '–'}; "
            f"a batch starts 80): delete it to download it again"
        )
    try:
        loaded = BatchUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except _Refused as exc:
        raise DataError(
            f"{path} is refused: it names {exc}, which a CIFAR batch never holds (it could run "
            f"code); delete it and download the real file"
        ) from None
    except RecursionError:
        raise DataError(f"{path} is not a CIFAR batch: it nests too deep") from None
    except Exception as exc:  # UnpicklingError, EOFError, ValueError, … from a damaged file
        reason = " ".join(str(exc).split())[:80] or type(exc).__name__
        raise DataError(
            f"{path} is not a CIFAR batch, or is cut short ({len(raw):,} bytes; {reason}): "
            f"delete it to download it again"
        ) from None
    if not isinstance(loaded, dict):
        raise DataError(f"{path} is not a CIFAR batch: it holds a {type(loaded).__name__}")
    return {_text(key): value for key, value in loaded.items()}


def _text(key: object) -> str:
    """Keys as str: latin1 turns Python 2's str keys into str; a file written with bytes keys
    is read the same."""
    return key.decode("latin1") if isinstance(key, bytes) else str(key)


def read_split(paths: list[Path]) -> Split:
    """The batches in `paths` as one split of (N, 32, 32, 3) uint8 images."""
    images, labels = [], []
    for path in paths:
        batch = read_batch(path)
        data, found = batch.get("data"), batch.get("labels")
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2:
            raise DataError(f"{path} is not a CIFAR batch: its data is not a uint8 table")
        if data.shape[1] != INPUTS or not isinstance(found, list) or len(found) != len(data):
            raise DataError(
                f"{path} is not a CIFAR-10 batch: data {data.shape}, "
                f"{len(found) if isinstance(found, list) else 'no'} labels (expected N × {INPUTS}"
                f" and N labels)"
            )
        if not all(type(v) is int and 0 <= v <= 9 for v in found):
            raise DataError(f"{path} is not a CIFAR-10 batch: its labels are not all 0–9")
        # Rows are 1024 red, 1024 green, 1024 blue values: channel-first, made height×width×RGB.
        images.append(data.reshape(-1, CHANNELS, SIDE, SIDE).transpose(0, 2, 3, 1))
        labels.append(np.asarray(found, dtype=np.int64))
    if not images or sum(map(len, labels)) == 0:
        raise DataError(f"{paths[0] if paths else 'the split'} holds no images: the split is empty")
    return Split(np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels))


def read_label_names(path: Path) -> tuple[str, ...]:
    """The ten class names ('airplane', …) from `batches.meta`."""
    names = read_batch(path).get("label_names")
    if not isinstance(names, list) or len(names) != 10:
        raise DataError(f"{path} is not CIFAR-10's batches.meta: it lacks ten label_names")
    return tuple(_text(name) for name in names)


# Every `Dataset` has class names now (`class_names[i]` names original class i).
NamedDataset = Dataset


def cifar_folder(root: str | os.PathLike[str] | None = None) -> Path:
    """Where the batches live: `cifar-10-batches-py` under the data root, as torchvision has it."""
    return data_root(root) / FOLDER


def missing_cifar_message(folder: Path, reason: str) -> str:
    """What to do first (where the files go), then why: as MNIST's message."""
    return (
        f"{LABEL} is missing: put {', '.join(ALL_FILES)} in {folder}, or point {ENV_VAR} or "
        f"--data-dir at a folder that has {FOLDER}/ with them ({reason})."
    )


def is_cifar_downloaded(root: str | os.PathLike[str] | None = None) -> bool:
    """True when all seven files are there, so loading will not download."""
    folder = cifar_folder(root)
    return all((folder / name).is_file() for name in ALL_FILES)


def load_cifar10(
    root: str | os.PathLike[str] | None = None,
    download_missing: bool = True,
    on_download: Callable[[], None] | None = None,
) -> NamedDataset:
    """CIFAR-10's 50,000 training and 10,000 test images, downloading them if allowed.

    Raises DataError in one line naming the folder (missing data, failed download) or the file
    (damaged, foreign or refused)."""
    folder = cifar_folder(root)
    if not is_cifar_downloaded(root):
        if folder.exists() and not folder.is_dir():
            raise DataError(f"{folder} is not a folder: remove it, or point --data-dir elsewhere")
        if not download_missing:
            raise DataError(missing_cifar_message(folder, "the files are not there"))
        if on_download is not None:
            on_download()
        download_cifar10(root)
    names = read_label_names(folder / META_FILE)
    train = read_split([folder / name for name in TRAIN_FILES])
    test = read_split([folder / TEST_FILE])
    return NamedDataset("cifar10", train, test, tuple(range(10)), class_names=names)


def download_cifar10(root: str | os.PathLike[str] | None = None) -> None:
    """Fetch the archive with torchvision's helper (which checks the md5) and unpack it in a
    temporary folder, then move the batches into place: a failed download leaves nothing. The
    helper, not `datasets.CIFAR10`, because that would then load the batches with plain pickle."""
    final = cifar_folder(root)
    erase = announce(f"Downloading {LABEL} (163 MB) into {final} (first run only)…")
    try:
        from torchvision.datasets.utils import download_and_extract_archive

        base = existing_folder(data_root(root))
        parking = Path(tempfile.mkdtemp(prefix=".digitlab-download-", dir=base))
    except (ImportError, OSError) as exc:
        erase()
        raise DataError(missing_cifar_message(final, f"cannot download: {exc}")) from None
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # torchvision's urllib calls have none
    try:
        download_and_extract_archive(URL, str(parking), filename=URL.rsplit("/", 1)[1], md5=MD5)
        final.mkdir(parents=True, exist_ok=True)
        for name in ALL_FILES:
            if not (final / name).exists():
                shutil.move(str(parking / FOLDER / name), final / name)
    except Exception as exc:  # URLError, HTTPError, checksum RuntimeError, disk full, …
        erase()
        raise DataError(missing_cifar_message(final, download_failure(exc))) from None
    finally:
        socket.setdefaulttimeout(previous_timeout)
        shutil.rmtree(parking, ignore_errors=True)
    erase()
    print(f"{LABEL} downloaded into {final}", file=sys.stderr)
