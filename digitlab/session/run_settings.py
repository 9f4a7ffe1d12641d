"""The hyper-parameters of a training run, as the window edits and remembers them.

`RunSettings.from_dict` takes what was stored (settings files are untrusted: hand-edited, from an
older version, or damaged) and never fails: a value of the wrong type is dropped, a number out of
range is clamped, and the defaults fill the gaps.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from digitlab.core.choices import (
    ACTIVATIONS,
    DATASETS,
    DEFAULT_LR,
    LIMITS,
    OPTIMIZERS,
    SCHEDULES,
)
from digitlab.core.choices import parse_hidden as parse_hidden_sizes
from digitlab.core.data import parse_classes
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import DataRequest, TrainConfig

MAX_HIDDEN_UNITS = 4096
MAX_HIDDEN_LAYERS = 8
SNAPSHOT_SECONDS = 0.09  # ~11 snapshots a second when refresh_every is 0 (display target ≥ 10)


def format_hidden(hidden: tuple[int, ...]) -> str:
    """(100, 2) → '100,2'; () → '' (the 1-layer net)."""
    return ",".join(str(h) for h in hidden)


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden sizes as the window takes them: at most 8 layers of at most 4096 units."""
    return parse_hidden_sizes(text, MAX_HIDDEN_UNITS, MAX_HIDDEN_LAYERS)


@dataclass(frozen=True)
class RunSettings:
    dataset: str = "mnist"
    classes: tuple[int, ...] | None = None
    augment: bool = False
    hidden: tuple[int, ...] = (100,)
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = DEFAULT_LR["adam"]
    momentum: float = 0.9
    weight_decay: float = 0.0
    l1: float = 0.0
    schedule: str = "constant"
    batch_size: int = 64
    epochs: int = 3
    seed: int = 0
    refresh_every: int = 0  # 0: about 10 times a second; N: every N steps (training waits)

    @property
    def num_classes(self) -> int:
        return len(self.classes) if self.classes else 10

    def spec(self) -> ModelSpec:
        return ModelSpec(
            hidden=self.hidden, activation=self.activation, num_classes=self.num_classes
        )

    def data(self, root: str | None = None) -> DataRequest:
        return DataRequest(self.dataset, root, self.classes)

    def config(self, seed_offset: int = 0) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            optimizer=self.optimizer,
            momentum=self.momentum,
            weight_decay=self.weight_decay,
            l1=self.l1,
            seed=self.seed + seed_offset,
            augment=self.augment,
            schedule=self.schedule,
            snapshot_every=self.refresh_every,
            snapshot_seconds=SNAPSHOT_SECONDS,
        )

    def architecture(self) -> tuple:
        """What a model is made for: same data, classes and shape → Start continues it."""
        return (self.dataset, self.classes, self.spec())

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["classes"] = ",".join(str(c) for c in self.classes) if self.classes else ""
        values["hidden"] = format_hidden(self.hidden)
        return values

    @classmethod
    def from_dict(cls, values: Any) -> RunSettings:
        """Whatever was stored → valid settings (see the module docstring)."""
        if not isinstance(values, dict):
            return cls()
        kept: dict[str, Any] = {}
        for name, choices in (
            ("dataset", DATASETS),
            ("activation", ACTIVATIONS),
            ("optimizer", OPTIMIZERS),
            ("schedule", SCHEDULES),
        ):
            if isinstance(values.get(name), str) and values[name] in choices:
                kept[name] = values[name]
        if isinstance(values.get("augment"), bool):
            kept["augment"] = values["augment"]
        if isinstance(values.get("classes"), str):
            try:
                kept["classes"] = parse_classes(values["classes"])
            except ValueError:
                pass
        hidden = _stored_hidden(values)
        if hidden is not None:
            kept["hidden"] = hidden
        for name, (low, high) in LIMITS.items():
            number = _finite(values.get(name))
            if number is not None:
                clamped = min(max(number, low), high)
                kept[name] = clamped if isinstance(low, float) else int(clamped)
        if "refresh" in values and "refresh_every" not in kept:  # digitlab 0.1 stored a key
            refresh = _finite(values["refresh"])
            kept["refresh_every"] = int(min(max(refresh or 0, 0), 10_000))
        return cls(**kept)

    def replaced(self, **changes: Any) -> RunSettings:
        """A copy with some fields changed (names checked; values as given)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown settings {sorted(unknown)}")
        return replace(self, **changes)


def _finite(value: Any) -> float | None:
    """A stored number, if it is one (bools and strings with numbers included)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _stored_hidden(values: dict[str, Any]) -> tuple[int, ...] | None:
    hidden = values.get("hidden")
    if isinstance(hidden, str):
        try:
            return parse_hidden(hidden)
        except ValueError:
            return None
    size = _finite(hidden)
    if size is None:
        return None
    if values.get("layers") in (1, "1"):  # digitlab 0.1: a layer count and one hidden size
        return ()
    return (int(min(max(size, 1), MAX_HIDDEN_UNITS)),)
