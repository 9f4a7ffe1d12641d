"""Where datasets live, and what every dataset's download shares (announcing it, its reasons).

Shared by the IDX reader (`core.data_idx`) and CIFAR-10's (`core.cifar`), so both name folders,
time out and fail the same way.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path

ENV_VAR = "DIGITLAB_DATA"
DOWNLOAD_TIMEOUT_S = 30.0


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


def download_failure(exc: BaseException) -> str:
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


def announce(text: str) -> Callable[[], None]:
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


def existing_folder(folder: Path) -> Path:
    """The nearest folder that exists: the temporary download folder goes there, so a failed
    download does not even leave the data root behind."""
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def path_kind(path: Path) -> str:
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
