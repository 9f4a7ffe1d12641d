"""The hyper-parameters of a training run, as the window edits and remembers them.

`RunSettings` has one field per window option of `core.hyperparams` (the table declares them; this
module only adds what the window does with them). `RunSettings.from_dict` takes what was stored
(settings files are untrusted: hand-edited, from an older version, or damaged) and never fails: a
value of the wrong type is dropped, a number out of range is clamped to the table's bounds, and
the defaults fill the gaps.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from typing import Any

from digitlab.core.choices import input_size
from digitlab.core.hyperparams import (
    LIMITS,
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    WINDOW_OPTIONS,
    Option,
    format_hidden,
    parse_window_hidden,
    settings_fields,
    train_config,
)
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import DataRequest, TrainConfig
from digitlab.core.run_file import RunFile

__all__ = ["LIMITS", "RunSettings", "format_hidden", "parse_hidden"]

SNAPSHOT_SECONDS = 0.09  # ~11 snapshots a second when refresh_every is 0 (display target ≥ 10)
_DROPPED = object()  # a stored value that is unusable: the default stays

parse_hidden = parse_window_hidden  # at most 8 hidden layers of at most 4096 units


@settings_fields(WINDOW_OPTIONS)
class RunSettings:
    """The next run's settings: dataset, classes, augment, hidden, activation, optimizer, lr,
    momentum, schedule, weight_decay, l1, batch_size, epochs, seed, refresh_every (0: about 10
    snapshots a second; N: every N steps, and training waits) and pace (steps a second, 0: full
    speed) — see `core.hyperparams`. The pace and the live options (learning rate, momentum,
    weight decay, L1, batch size, augment: `core.live`) also apply to the going run."""

    def __post_init__(self) -> None:
        """An option the run cannot take with the others (`Option.dropped_unused`: augmenting
        colour pictures) is kept at its default, whoever made the settings."""
        values = self.values()
        for option in WINDOW_OPTIONS:
            if option.dropped_unused and not option.used(values):
                object.__setattr__(self, option.name, option.default)

    @property
    def num_classes(self) -> int:
        return len(self.classes) if self.classes else 10

    def spec(self) -> ModelSpec:
        return ModelSpec(
            hidden=self.hidden,
            activation=self.activation,
            num_classes=self.num_classes,
            input_size=input_size(self.dataset),  # 784, or 3072 for CIFAR-10
        )

    def data(self, root: str | None = None) -> DataRequest:
        return DataRequest(self.dataset, root, self.classes)

    def values(self) -> dict[str, Any]:
        """Each option's value by name (not deep-copied, unlike `asdict`)."""
        return {option.name: getattr(self, option.name) for option in WINDOW_OPTIONS}

    def config(self, seed_offset: int = 0) -> TrainConfig:
        return train_config(
            self.values(), seed=self.seed + seed_offset, snapshot_seconds=SNAPSHOT_SECONDS
        )

    def architecture(self) -> tuple:
        """What a model is made for: same data, classes and shape → Start continues it."""
        return (self.dataset, self.classes, self.spec())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values: text options as their text ('100,50', '0-4' stored as '0,1,2,3,4')."""
        return {
            option.name: option.format(value) if option.kind == "text" else value
            for option, value in zip(WINDOW_OPTIONS, self.values().values())
        }

    @classmethod
    def from_dict(cls, values: Any) -> RunSettings:
        """Whatever was stored → valid settings (see the module docstring)."""
        if not isinstance(values, dict):
            return cls()
        kept: dict[str, Any] = {}
        for option in WINDOW_OPTIONS:
            if option.name in values:
                value = _stored(option, values)
                if value is not _DROPPED:
                    kept[option.name] = value
        if "refresh" in values and "refresh_every" not in kept:  # digitlab 0.1 stored a key
            refresh = _finite(values["refresh"])
            kept["refresh_every"] = int(min(max(refresh or 0, 0), 10_000))
        return cls(**kept)

    def replaced(self, **changes: Any) -> RunSettings:
        """A copy with some fields changed (names checked; values as given)."""
        known = {f.name for f in fields(self)}  # type: ignore[arg-type]
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown settings {sorted(unknown)}")
        return replace(self, **changes)  # type: ignore[type-var]


def replay_settings(run: RunFile, pace: float) -> RunSettings:
    """The settings a saved run was trained with (the window's or `digitlab train`'s), its net
    and classes, at `pace`; ValueError for a net larger than the window shows."""
    hidden = run.spec.hidden
    if len(hidden) > MAX_HIDDEN_LAYERS or any(h > MAX_HIDDEN_UNITS for h in hidden):
        raise ValueError(
            f"Cannot replay a {run.spec.describe()}: the window shows at most "
            f"{MAX_HIDDEN_LAYERS} hidden layers of {MAX_HIDDEN_UNITS} units"
        )
    classes = None if run.classes == tuple(range(10)) else run.classes
    stored = run.settings.get("train") if isinstance(run.settings.get("train"), dict) else {}
    trained = RunSettings.from_dict({**run.settings, **stored})
    epochs = max(1, min(1000, math.ceil(run.moments[-1].epoch - 1e-9)))
    return trained.replaced(hidden=hidden, classes=classes, epochs=epochs,
                            activation=run.spec.activation, pace=pace)  # fmt: skip


def _stored(option: Option, values: dict[str, Any]) -> Any:
    """The usable value of `option` in stored `values`, or _DROPPED."""
    value = values[option.name]
    if option.name == "augment" and isinstance(value, bool):  # a checkbox in earlier versions
        return "light" if value else ""
    if option.kind == "choice":
        return value if isinstance(value, str) and value in option.choices else _DROPPED
    if option.name == "hidden":
        hidden = _stored_hidden(values)
        return _DROPPED if hidden is None else hidden
    if option.kind == "text":
        if not isinstance(value, str):
            return _DROPPED
        try:
            return option.parse_for_window(value)
        except ValueError:
            return _DROPPED
    number = _finite(value)
    if number is None or option.bounds is None:
        return _DROPPED
    low, high = option.bounds
    clamped = min(max(number, low), high)
    return int(clamped) if option.kind == "int" else clamped


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
