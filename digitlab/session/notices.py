"""Messages for the user from anywhere in the session: one typed stream the status bar shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from psygnal import Signal


class Level(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """One line for the user. `source` names what it is about (a file, a dataset), if anything."""

    level: Level
    text: str
    source: str = ""


class Notices:
    """The session's message stream; views post to it and the window shows it."""

    posted = Signal(Notice)

    def info(self, text: str, source: str = "") -> None:
        self.posted.emit(Notice(Level.INFO, text, source))

    def warning(self, text: str, source: str = "") -> None:
        self.posted.emit(Notice(Level.WARNING, text, source))

    def error(self, text: str, source: str = "") -> None:
        self.posted.emit(Notice(Level.ERROR, text, source))


class LabelledNotices(Notices):
    """Posts to another stream with a label in front ("B: Done …"), for a second run's lines."""

    def __init__(self, target: Notices, label: str) -> None:
        self._target, self._label = target, label

    def info(self, text: str, source: str = "") -> None:
        self._target.info(f"{self._label}: {text}", source)

    def warning(self, text: str, source: str = "") -> None:
        self._target.warning(f"{self._label}: {text}", source)

    def error(self, text: str, source: str = "") -> None:
        self._target.error(f"{self._label}: {text}", source)
