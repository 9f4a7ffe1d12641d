"""A personal set of digits: PNG files in class folders, `<root>/<digit>/<name>.png`.

Plain files so the user can look at, copy or share the set with any tool, and so a folder made
elsewhere (class subfolders, or a `labels.csv` of `file,label`) loads the same way. Each file is
28×28 grayscale, light ink on black: what the net sees, so keeping a drawing loses nothing.
Loading never stops at a bad file: unreadable or non-image files are listed as `Skipped` (one
line each) and left out; only a label that is no digit refuses the whole folder, in one line.
"""

from __future__ import annotations

import csv
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitlab.core.errors import DigitlabError
from digitlab.core.files import write_atomically
from digitlab.core.images import read_image
from digitlab.core.preprocess import SIZE, light_on_dark, to_mnist, to_unit_gray

DIGITS = tuple(range(10))
LABELS_FILE = "labels.csv"
SUFFIX = ".png"


class LabelError(DigitlabError):
    """A label in a folder of digits is not a digit 0–9."""


@dataclass(frozen=True)
class Kept:
    """One file of the set and the digit its folder says it is."""

    path: Path
    label: int


@dataclass(frozen=True)
class Skipped:
    """A file left out of a load, and why (one line)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return self.reason if str(self.path) in self.reason else f"{self.path}: {self.reason}"


@dataclass(frozen=True, eq=False)
class DigitFolder:
    """A loaded folder: images (N, 28, 28) uint8 light on black, labels (N,) digits, the files
    they came from, and what was left out."""

    images: np.ndarray
    labels: np.ndarray
    paths: tuple[Path, ...]
    skipped: tuple[Skipped, ...]

    def __len__(self) -> int:
        return len(self.labels)


def _check_label(label: object, where: str) -> int:
    text = str(label).strip()
    if not text.isdigit() or int(text) not in DIGITS:
        raise LabelError(f"{where}: label {text[:20]!r} is not a digit 0–9")
    return int(text)


def as_pixels(image: np.ndarray) -> np.ndarray:
    """A 28×28 input (float 0..1 or uint8) as uint8 for a PNG; anything else through `to_mnist`."""
    array = np.asarray(image)
    if array.shape != (SIZE, SIZE):
        array = to_mnist(array)
    if array.dtype == np.uint8:
        return array
    return np.clip(np.rint(np.nan_to_num(array.astype(np.float32)) * 255.0), 0, 255).astype(
        np.uint8
    )


def png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def _free_name(folder: Path, stem: str) -> Path:
    """`folder/stem.png`, or `stem-2.png`, `stem-3.png`… when taken."""
    path, n = folder / f"{stem}{SUFFIX}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{SUFFIX}"
    return path


def add(root: str | os.PathLike[str], image: np.ndarray, label: int, name: str = "") -> Path:
    """Keep `image` as digit `label`; returns the new file (never over another one)."""
    digit = _check_label(label, "a kept digit")
    stem = name or time.strftime("digit-%Y%m%d-%H%M%S")
    path = _free_name(Path(root) / str(digit), stem)
    return write_atomically(path, png_bytes(as_pixels(image)))


def relabel(root: str | os.PathLike[str], path: str | os.PathLike[str], label: int) -> Path:
    """Move a kept file to the folder of `label`; returns its new path."""
    digit, path = _check_label(label, str(path)), Path(path)
    if path.parent.name == str(digit):
        return path
    folder = Path(root) / str(digit)
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, path.stem)
    try:
        os.rename(path, target)
    except OSError as exc:
        raise DigitlabError(f"cannot move {path}: {exc.strerror or exc}") from None
    return target


def delete(path: str | os.PathLike[str]) -> None:
    """Remove a kept file (one already gone is fine)."""
    try:
        Path(path).unlink(missing_ok=True)
    except OSError as exc:
        raise DigitlabError(f"cannot delete {path}: {exc.strerror or exc}") from None


def list_set(root: str | os.PathLike[str]) -> list[Kept]:
    """The kept files by digit, then name (a missing root is an empty set)."""
    kept: list[Kept] = []
    for digit in DIGITS:
        folder = Path(root) / str(digit)
        if folder.is_dir():
            kept += [Kept(p, digit) for p in sorted(folder.glob(f"*{SUFFIX}")) if _visible(p)]
    return kept


def _visible(path: Path) -> bool:
    """Hidden files (a write in progress, .DS_Store) are not part of a set."""
    return not path.name.startswith(".")


def _entries(folder: Path) -> tuple[list[Kept], list[Skipped]]:
    """What a folder says it holds: `labels.csv` when there is one, else class subfolders."""
    labels = folder / LABELS_FILE
    if labels.is_file():
        return _from_csv(labels)
    entries: list[Kept] = []
    skipped: list[Skipped] = []
    for child in sorted(folder.iterdir()):
        if not _visible(child):
            continue
        if not child.is_dir():
            skipped.append(Skipped(child, "not in a class folder (0–9) and no labels.csv"))
            continue
        digit = _check_label(child.name, f"folder {child}")
        entries += [Kept(p, digit) for p in sorted(child.iterdir()) if _visible(p)]
    return entries, skipped


def _from_csv(labels: Path) -> tuple[list[Kept], list[Skipped]]:
    """The files a labels.csv names; a file named again is left out (its first line counts)."""
    try:
        rows = list(csv.reader(labels.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise DigitlabError(f"cannot read {labels}: {exc}") from None
    entries, skipped, first_line = [], [], {}
    for number, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or (number == 1 and cells[-1].lower() == "label"):
            continue  # a blank line, or the header
        if len(cells) != 2 or not cells[0]:
            raise LabelError(f"{labels} line {number}: expected file,label")
        digit = _check_label(cells[1], f"{labels} line {number}")
        path = labels.parent / cells[0]
        if path in first_line:  # counted twice, or with two labels: the first line stands
            skipped.append(Skipped(path, f"{labels.name} line {number} names it again "
                                         f"(line {first_line[path]} counts)"))  # fmt: skip
            continue
        first_line[path] = number
        entries.append(Kept(path, digit))
    if not entries:  # said now: "the folder holds no readable images" would blame the images
        raise LabelError(
            f"{labels} lists no images: give a file,label line per image (such as a.png,7), "
            "or remove it to read class subfolders 0-9"
        )
    return entries, skipped


def read_digit(path: Path) -> np.ndarray:
    """One file as the net's 28×28 uint8 input: other sizes through `to_mnist`; a 28×28 file is
    the net's input already (as kept here, or MNIST's), made light on dark only when its border
    says it was saved dark on light, as a digit exported from a paint program is."""
    pixels = read_image(path)
    if pixels.shape != (SIZE, SIZE):
        return as_pixels(to_mnist(pixels))
    return as_pixels(light_on_dark(to_unit_gray(pixels)))


def load_folder(folder: str | os.PathLike[str]) -> DigitFolder:
    """Every readable digit in `folder`; raises only for a missing folder or a bad label."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():  # `--images digit.png`: a file, not missing
        raise DigitlabError(
            f"{folder} is a file, not a folder: give the folder that holds the digit images "
            "(class subfolders 0-9, or a labels.csv of file,label)"
        )
    if not folder.is_dir():
        raise DigitlabError(f"{folder}: no such folder")
    entries, skipped = _entries(folder)
    return load_entries(entries, skipped)


def load_entries(entries: list[Kept], skipped: list[Skipped] | None = None) -> DigitFolder:
    """Read the files of `entries`; those that cannot be read are skipped, one line each."""
    images, labels, paths = [], [], []
    skipped = list(skipped or [])
    for entry in entries:
        try:
            images.append(read_digit(entry.path))
        except DigitlabError as exc:
            skipped.append(Skipped(entry.path, str(exc)))
            continue
        labels.append(entry.label)
        paths.append(entry.path)
    stack = np.stack(images) if images else np.zeros((0, SIZE, SIZE), np.uint8)
    return DigitFolder(stack, np.array(labels, np.int64), tuple(paths), tuple(skipped))
