"""Writing files the safe way: never half a file, never over a device, a link or a folder.

Every file digitlab writes (models, results, pictures) goes through `write_atomically`: the bytes
go to a hidden temporary file beside the target, which then replaces the target in one rename.
A crash, a full disk or a kill leaves the old file whole; leftovers of an interrupted write are
removed by the next write to the same path.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from digitlab.core.errors import DigitlabError

TEMP_SUFFIX = ".tmp"


class OutputError(DigitlabError):
    """The path given for an output cannot take a file."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """Fail now, before any work, when a file could not be written at `path`.

    Refused: folders, links, devices, pipes and sockets (a "file" there would replace the link or
    the device node, or hang), and folders that cannot be written to. Missing folders are made
    by the write, not here: a run that fails leaves no empty folder behind.
    """
    path = Path(path)
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):  # a new file (the folder is checked below)
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{path} is a folder; give a file name such as {path / 'model'}")
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(f"{path} is a symbolic link; give the path of a regular file")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"{path} is not a regular file (a device, pipe or socket)")
    folder = _nearest_existing(path.parent)
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is a file, not a folder")
    try:  # a file made and dropped at once: the one check that is true on every system
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    if info is not None and not os.access(path, os.W_OK):
        raise OutputError(f"cannot write {path}: it is read-only")
    return path


def _nearest_existing(folder: Path) -> Path:
    """The folder itself, or its closest ancestor that exists."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def remove_leftovers(path: Path) -> None:
    """Delete temporary files an interrupted write to `path` left behind."""
    try:
        for leftover in path.parent.glob(f"{_temp_prefix(path)}*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
    except OSError:
        pass  # a leftover we cannot remove does no harm


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` in one rename; returns the path. Raises OutputError."""
    path = check_output_path(path)
    remove_leftovers(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
