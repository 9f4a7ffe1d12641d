"""Writing files the safe way: never half a file, never over a device, a link or a folder.

Every file digitlab writes (models, results, pictures) goes through `write_atomically`: the bytes
go to a hidden temporary file beside the target, which then replaces the target in one rename.
A crash, a full disk or a kill leaves the old file whole; leftovers of an interrupted write are
removed by the next write to the same path. The temporary name carries the writer's process id,
so two runs saving to one path at once both succeed, in order, the last one winning whole: a write
removes only the leftovers of writers that are gone (or of writes older than `STALE_SECONDS`).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

from digitlab.core.errors import DigitlabError

TEMP_SUFFIX = ".tmp"
_SEPARATORS = tuple(sep for sep in (os.sep, os.altsep, "/") if sep)
STALE_SECONDS = 3600  # a temporary file untouched this long belongs to no live write


class OutputError(DigitlabError):
    """The path given for an output cannot take a file."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _writer_alive(pid: int) -> bool:
    """Whether process `pid` still runs (a pid we may not signal runs too)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or no pid at all
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


_MKSTEMP_PART = re.compile(r"[a-z0-9_]{8}")  # the random part tempfile.mkstemp puts in a name


def _is_leftover(entry: Path, prefix: str) -> bool:
    """A temporary file of a write that is over: its writer is gone, or it is stale."""
    parts = entry.name[len(prefix) : -len(TEMP_SUFFIX)].split(".")
    if not _MKSTEMP_PART.fullmatch(parts[-1]):  # not mkstemp's: a user's own ".m.old.tmp"
        return False
    if len(parts) == 1:  # no writer named (an older digitlab): nobody waits for it
        return True
    if len(parts) != 2 or not parts[0].isdigit():  # another file's ("m.bin" beside "m")
        return False
    if not _writer_alive(int(parts[0])):
        return True
    try:
        return time.time() - entry.lstat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def check_output_path(path: str | os.PathLike[str], kind: str | None = None) -> Path:
    """Fail now, before any work, when a file could not be written at `path`.

    Refused: folders, links, devices, pipes and sockets (a "file" there would replace the link or
    the device node, or hang), and folders that cannot be written to. Missing folders are made
    by the write, not here: a run that fails leaves no empty folder behind. A path given as text
    that ends in a separator names a folder, even a missing one (Path() would drop the slash).
    With `kind` (a key of `file_kinds.KIND_NAMES`), an existing file is replaced only when it
    holds that kind already (or nothing): a mistyped --out never takes a user's picture or text.
    """
    text = os.fspath(path)
    if isinstance(text, str) and text.endswith(_SEPARATORS):
        raise OutputError(
            f"{text} ends in {text[-1]!r}, so it names a folder; give a file name such as "
            f"{text}model"
        )
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
    if info is not None and kind is not None:
        _check_replaceable(path, kind)
    return path


def _check_replaceable(path: Path, kind: str) -> None:
    """Refuse to write over a file that holds something other than `kind`."""
    from digitlab.core.file_kinds import KIND_NAMES, file_kind

    found = file_kind(path)
    if found in (kind, "empty"):
        return
    held = f"holds {KIND_NAMES[found]}, not" if found in KIND_NAMES else "exists and is not"
    raise OutputError(
        f"{path} already {held} {KIND_NAMES[kind]}: digitlab will not write over it; give "
        "another file name, or move that file away first"
    )


def check_output_folder(path: str | os.PathLike[str], option: str) -> Path:
    """Fail now, before any work, when files could not be written into the folder `path`.

    `option` names the command-line option (such as "--png") for the message. The folder is
    not made here: the first write makes it, so a run that fails or is stopped leaves no empty
    folder behind.
    """
    path = Path(path)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write into {path}: {exc.strerror or exc}") from None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        kind = "a file" if stat.S_ISREG(info.st_mode) else "a device, pipe or socket"
        raise OutputError(f"{path} is {kind}; {option} wants a folder (a new or an existing one)")
    folder = _nearest_existing(path)
    if not folder.is_dir():
        raise OutputError(f"cannot write into {path}: {folder} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    return path


def _make_folder(folder: Path) -> list[Path]:
    """Make `folder` and its missing parents; returns those made, deepest first."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove folders a failed write made, deepest first, as long as they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (another writer), or gone: leave it


def _nearest_existing(folder: Path) -> Path:
    """The folder itself, or its closest ancestor that exists."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def remove_leftovers(path: Path) -> None:
    """Delete temporary files an interrupted write to `path` left behind.

    A write in progress (its writer alive, its file fresh) is left alone: removing it would make
    that run fail at its very end.
    """
    prefix = _temp_prefix(path)
    try:
        for entry in path.parent.iterdir():
            ours = entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)
            if ours and _is_leftover(entry, prefix):
                entry.unlink(missing_ok=True)
    except OSError:
        pass  # a leftover we cannot remove does no harm


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` in one rename; returns the path. Raises OutputError."""
    path = check_output_path(path)
    remove_leftovers(path)
    made: list[Path] = []
    try:
        made = _make_folder(path.parent)
        prefix = f"{_temp_prefix(path)}{os.getpid()}."
        fd, temp = tempfile.mkstemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        _remove_empty(made)
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
        _remove_empty(made)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        _remove_empty(made)
        raise
    return path
