"""Versioned QSettings: what the window remembers between runs (layout, pen, hyper-parameters)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSettings

SETTINGS_VERSION = 1


def as_bool(value: Any, default: bool = False) -> bool:
    """A stored flag: QSettings and hand-edited files may give 'true'/'false' strings."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return default if value is None else bool(value)


def open_settings() -> QSettings:
    return QSettings("digitlab", "digitlab")


def read_section(settings: QSettings, key: str) -> dict[str, Any]:
    """A JSON dict stored under key; {} when absent, unreadable or from another version."""
    if settings.value("version", type=int) != SETTINGS_VERSION:
        return {}
    raw = settings.value(key)
    if not isinstance(raw, str):
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def write_section(settings: QSettings, key: str, value: dict[str, Any]) -> None:
    settings.setValue("version", SETTINGS_VERSION)
    settings.setValue(key, json.dumps(value))
