"""Settings a going run takes at its next step, without a restart: no torch here.

The learning rate, momentum, weight decay, L1, batch size and augmentation of a run (the
`live` options of `core.hyperparams`) and the epochs added to it ("+1 epoch") travel as one
`LiveSettings`. Whoever controls a run puts a whole new one in a `LiveBox` (a version and the
numbers); the loop compares the version with the one it knows every step (one read) and takes
the settings only when it changed. Across the process boundary the box is a shared double
array, mirrored from the caller's like the pace (`core.remote`). Each change the loop makes is
reported with the snapshot that follows as a `LiveChange`, where it took effect.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, fields
from typing import Any

from digitlab.core.hyperparams import HYPERPARAMS, LIVE_FIELDS

_AUGMENTS: tuple[str, ...] = HYPERPARAMS["augment"].choices  # the box holds an index
_SHORT = {"lr": "lr", "momentum": "momentum", "weight_decay": "weight decay", "l1": "L1",
          "batch_size": "batch", "augment": "augment"}  # fmt: skip


@dataclass(frozen=True)
class LiveSettings:
    """What a going run may change; `extra_epochs`: epochs added since it began."""

    lr: float
    momentum: float
    weight_decay: float
    l1: float
    batch_size: int
    augment: str
    extra_epochs: int = 0

    def __post_init__(self) -> None:
        """Looser than `TrainConfig`: a learning rate of 0 (freeze the weights) is allowed."""
        for name in ("lr", "momentum", "weight_decay", "l1"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{_SHORT[name]} must be a number ≥ 0, got {value}")
        if self.batch_size < 1:
            raise ValueError(f"the batch size must be at least 1, got {self.batch_size}")
        if self.extra_epochs < 0:
            raise ValueError(f"epochs are only added to a going run, got {self.extra_epochs}")
        HYPERPARAMS["augment"].check_choice(self.augment)

    @classmethod
    def of(cls, source: Any, extra_epochs: int = 0) -> LiveSettings:
        """The live fields of a `TrainConfig` or the window's `RunSettings` (same names)."""
        return cls(**{name: getattr(source, name) for name in LIVE_FIELDS},
                   extra_epochs=extra_epochs)  # fmt: skip

    def numbers(self) -> list[float]:
        return [
            float(self.augment_index if f.name == "augment" else getattr(self, f.name))
            for f in fields(self)
        ]

    @property
    def augment_index(self) -> int:
        return _AUGMENTS.index(self.augment)

    @classmethod
    def from_numbers(cls, numbers: Any) -> LiveSettings:
        values = dict(zip((f.name for f in fields(cls)), numbers))
        for name in ("batch_size", "extra_epochs"):
            values[name] = int(values[name])
        values["augment"] = _AUGMENTS[int(values["augment"])]
        return cls(**values)

    def describe_change(self, before: LiveSettings) -> str:
        """'lr 0.001 → 0.01, batch 64 → 16': what differs from `before`, shortly."""
        parts = []
        for name in LIVE_FIELDS:
            old, new = getattr(before, name), getattr(self, name)
            if old != new:
                parts.append(f"{_SHORT[name]} {_shown(name, old)} → {_shown(name, new)}")
        added = self.extra_epochs - before.extra_epochs
        if added:
            parts.append(f"+{added} epoch{'s' if added != 1 else ''}")
        return ", ".join(parts)


def _shown(name: str, value: Any) -> str:
    if name == "augment":
        return HYPERPARAMS["augment"].label_of(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class LiveChange:
    """Settings a run changed to, after `samples` samples of it (the step after took them)."""

    samples: int
    before: LiveSettings
    after: LiveSettings

    @property
    def text(self) -> str:
        return self.after.describe_change(self.before)


SLOTS = 1 + len(fields(LiveSettings))  # the version, then the numbers of a LiveSettings


class _Numbers:
    """The in-process stand-in for multiprocessing's `Array('d', SLOTS)`: a list and a lock."""

    def __init__(self) -> None:
        self._values = [0.0] * SLOTS
        self._lock = threading.Lock()

    def get_lock(self) -> threading.Lock:
        return self._lock

    def get_obj(self) -> list[float]:
        return self._values


class LiveBox:
    """The newest live settings and their version (0: none since the run began)."""

    def __init__(self, numbers: Any = None) -> None:
        """`numbers`: a multiprocessing `Array('d', SLOTS)` to share the box with a child."""
        self._numbers = numbers if numbers is not None else _Numbers()

    @property
    def version(self) -> int:
        return int(self._numbers.get_obj()[0])  # one double: read without the lock

    def put(self, live: LiveSettings) -> None:
        """Post new settings: the loop takes them at its next step."""
        with self._numbers.get_lock():
            raw = self._numbers.get_obj()
            raw[1:SLOTS] = live.numbers()
            raw[0] = raw[0] + 1

    def clear(self) -> None:
        """Forget what was posted (a new run begins with its config's settings)."""
        with self._numbers.get_lock():
            self._numbers.get_obj()[0] = 0.0

    def take(self, known: int) -> tuple[int, LiveSettings | None]:
        """(version, settings) if the version is not `known`, else (known, None)."""
        if self.version == known:
            return known, None
        with self._numbers.get_lock():
            raw = self._numbers.get_obj()
            version = int(raw[0])
            return version, LiveSettings.from_numbers(raw[1:SLOTS]) if version else None
