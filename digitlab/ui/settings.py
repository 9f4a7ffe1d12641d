"""What the window remembers between runs, in a versioned QSettings store.

Sections: `window` (geometry and the arrangement of the views), `views/<id>` (each view's own
settings), `session/model` (the model last used) and `session/run` (the run settings). Stored
values are untrusted (hand-edited files, older versions, damage): every reader here returns a
plain dict or a default and never raises; the views and `RunSettings.from_dict` check the values.
Settings of version 1 (digitlab 0.1) are migrated once.

The store is read only from regular files: QSettings opens its files as it is made, and a pipe
there would keep the window from ever painting. When the file cannot be read (a pipe, a folder,
no permission) the window keeps its settings in a temporary store; when it cannot be saved (a
read-only file or folder, a file where the folder should be) they are lost at exit. Either way
`save_problem` has one line for the status bar that names the file and what to do.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

SETTINGS_VERSION = 2
ORGANISATION = APPLICATION = "digitlab"
_PROBE = ("digitlab-settings-probe", "probe")  # a store nobody has: where would ours be?
_PROBLEM = "digitlab_save_problem"  # a dynamic property of the QSettings object
MAX_SETTINGS_BYTES = 4 * 2**20  # a window's settings take tens of KB


def open_settings() -> QSettings:
    """The user's settings, or a temporary store (with `save_problem` saying why) when their
    file cannot be read without risk."""
    files = settings_files()
    problem = _unreadable(files)
    if problem:
        settings = _temporary_store()
    else:
        settings = QSettings(ORGANISATION, APPLICATION)
        problem = _unsaveable(files[0])
    if problem:
        settings.setProperty(_PROBLEM, problem)
    return settings


def settings_files() -> list[Path]:
    """The files QSettings("digitlab", "digitlab") reads, its own first, found without
    opening them (QSettings(...).fileName() would already read a pipe there, and hang)."""
    files = []
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        probe = Path(QSettings(QSettings.Format.NativeFormat, scope, *_PROBE).fileName())
        root, suffix = probe.parent.parent, probe.suffix
        files += [root / ORGANISATION / f"{APPLICATION}{suffix}", root / f"{ORGANISATION}{suffix}"]
    return files


def save_problem(settings: QSettings) -> str | None:
    """Why the settings will not be kept after the window closes, in one line; None if they
    will (as far as one can tell before trying)."""
    problem = settings.property(_PROBLEM)
    return problem if isinstance(problem, str) and problem else None


def sync_problem(settings: QSettings) -> str | None:
    """Write the settings now; one line if that failed (a full disk, a file made read-only)."""
    settings.sync()
    if settings.status() == QSettings.Status.NoError:
        return None
    path = Path(settings.fileName())
    return _unsaveable(path) or (
        f"the settings could not be saved in {path}; check that the disk has room and the file "
        "can be written"
    )


def _unreadable(files: list[Path]) -> str | None:
    for path in files:
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as error:
            return _lost(path, f"it cannot be read ({error.strerror})", "remove it")
        if stat.S_ISREG(info.st_mode):
            if path == files[0] and not os.access(path, os.R_OK):
                return _lost(path, "it cannot be read", f"make it readable (chmod u+rw {path})")
            if info.st_size > MAX_SETTINGS_BYTES:  # QSettings would read it whole, on start
                size = f"{info.st_size / 2**20:,.0f} MB"
                return _lost(path, f"it is {size}, far more than settings take", "remove it")
            continue
        if path != files[0] and stat.S_ISDIR(info.st_mode):
            continue  # a folder beside is no file QSettings reads
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe or device, not a file"
        return _lost(path, f"it is {kind}", "remove it and digitlab makes a new one")
    return None


def _unsaveable(path: Path) -> str | None:
    """Why `path` (a regular file or absent) cannot be written, if it cannot."""
    if path.exists():
        if os.access(path, os.W_OK):  # (QSettings refuses a read-only file, folder or not)
            return None
        return _kept(path, "it is read-only", f"make it writable (chmod u+w {path})")
    folder = next((f for f in path.parents if f.exists() or f.is_symlink()), Path("/"))
    if not folder.is_dir():
        return _kept(path, f"{folder} is a file, not a folder", f"remove or rename {folder}")
    if not _can_write_in(folder):
        return _kept(path, f"{folder} is read-only", f"make {folder} writable")
    return None


def _can_write_in(folder: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _lost(path: Path, why: str, fix: str) -> str:
    return (f"the settings in {path} are not used: {why}; this window's settings last until it "
            f"closes ({fix})")  # fmt: skip


def _kept(path: Path, why: str, fix: str) -> str:
    return (f"the settings cannot be saved in {path}: {why}; they last until the window "
            f"closes ({fix})")  # fmt: skip


def _temporary_store() -> QSettings:
    """Settings in a private temporary folder, removed at exit."""
    folder = tempfile.mkdtemp(prefix="digitlab-settings-")
    atexit.register(shutil.rmtree, folder, True)
    return QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)


def _load_json(raw: Any) -> Any:
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return None


def read_section(settings: QSettings, key: str) -> dict[str, Any]:
    """A JSON dict stored under key; {} when absent, unreadable or not a dict."""
    value = _load_json(settings.value(key))
    return value if isinstance(value, dict) else {}


def write_section(settings: QSettings, key: str, value: dict[str, Any]) -> None:
    settings.setValue(key, json.dumps(value))


def read_text(settings: QSettings, key: str) -> str | None:
    value = settings.value(key)
    return value if isinstance(value, str) and value else None


def stored_version(settings: QSettings) -> int | None:
    try:
        return int(settings.value("version"))
    except (TypeError, ValueError, OverflowError):
        return None


def migrate(settings: QSettings) -> None:
    """Bring older settings to this version. A store of a newer version (digitlab was
    downgraded) is cleared: this version cannot know what its values mean."""
    version = stored_version(settings)
    if version is not None and version > SETTINGS_VERSION:
        settings.clear()
        return
    if version == 1:
        drawing = read_section(settings, "drawing")
        pad = {k: drawing[k] for k in ("pen_width", "dark_on_light") if k in drawing}
        preview = {k: drawing[k] for k in ("fit", "centre") if k in drawing}
        write_section(settings, "views/pad", pad)
        write_section(settings, "views/preview", preview)
        source = drawing.get("source")
        if isinstance(source, str) and source and source != "training":  # 0.1's live run
            settings.setValue("session/model", source)
        write_section(settings, "session/run", read_section(settings, "training"))
        window = read_section(settings, "window")
        if isinstance(window.get("geometry"), str):
            settings.setValue("window/geometry", window["geometry"])
        for old in ("drawing", "training", "window"):
            settings.remove(old)
        settings.setValue("version", SETTINGS_VERSION)
