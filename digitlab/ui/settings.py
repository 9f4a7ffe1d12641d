"""What the window remembers between runs, in a versioned QSettings store.

Sections: `window` (geometry and the arrangement of the views), `views/<id>` (each view's own
settings), `session/model` (the model last used) and `session/run` (the run settings). Stored
values are untrusted (hand-edited files, older versions, damage): every reader here returns a
plain dict or a default and never raises; the views and `RunSettings.from_dict` check the values.
Settings of version 1 (digitlab 0.1) are migrated once.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSettings

SETTINGS_VERSION = 2


def open_settings() -> QSettings:
    return QSettings("digitlab", "digitlab")


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
