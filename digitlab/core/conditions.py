"""What a robustness sweep measures and what it finds, without torch: the conditions (shift,
scale, rotation, pen, noise and their values), the models swept, and the result table.

The window's views and the command line's tables read these; the sweep itself, which needs torch
for the batched distortions, is `core.robustness`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from digitlab.core.network import Network

SHIFTS = tuple(range(-6, 7, 2))  # MNIST pixels, both axes: a 7×7 heatmap
SCALES = tuple(round(0.5 + 0.1 * i, 2) for i in range(11))  # 0.5 … 1.5
ROTATIONS = tuple(range(-45, 46, 15))  # degrees, counter-clockwise
PENS = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)  # MNIST px on each side
NOISES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # σ of added Gaussian noise (ink is 0…1)
KINDS = ("shift", "scale", "rotation", "pen", "noise")
UNITS = {"shift": "px", "scale": "×", "rotation": "°", "pen": "px", "noise": "σ"}


@dataclass(frozen=True)
class Condition:
    """One distortion: `kind` and its value ((dx, dy) for a shift). Value 0 (1 for scale) is
    the clean test set."""

    kind: str
    value: float | tuple[float, float]

    @property
    def is_clean(self) -> bool:
        identity = 1.0 if self.kind == "scale" else 0.0
        values = self.value if isinstance(self.value, tuple) else (self.value,)
        return all(v == identity for v in values)

    def label(self) -> str:
        if self.kind == "shift":
            dx, dy = self.value  # type: ignore[misc]
            return f"shift {dx:+g},{dy:+g} px"
        sign = "" if self.kind in ("scale", "noise") else "+"
        return f"{self.kind} {self.value:{sign}g}{UNITS[self.kind]}"


def default_conditions(kinds: Sequence[str] = KINDS) -> list[Condition]:
    """The standard sweep: a 7×7 shift grid (−6…6 px), scale 0.5…1.5, rotation −45…45°, pen
    2 px thinner … 3 px thicker on each side of every stroke, noise σ 0…0.5; 84 conditions."""
    grids: dict[str, list[Condition]] = {
        "shift": [Condition("shift", (dx, dy)) for dy in SHIFTS for dx in SHIFTS],
        "scale": [Condition("scale", s) for s in SCALES],
        "rotation": [Condition("rotation", float(r)) for r in ROTATIONS],
        "pen": [Condition("pen", float(p)) for p in PENS],
        "noise": [Condition("noise", n) for n in NOISES],
    }
    unknown = set(kinds) - set(grids)
    if unknown:
        raise ValueError(f"unknown perturbation {sorted(unknown)}; choose from {', '.join(KINDS)}")
    return [c for kind in kinds for c in grids[kind]]


@dataclass(frozen=True)
class Subject:
    """A model in a sweep: a name, its network, the digits it knows (classes[i] is the digit
    of output i), and whether the preprocessing runs Normalise pen for it (`core.pen_width`)."""

    name: str
    network: Network
    classes: tuple[int, ...] = tuple(range(10))
    normalise_pen: bool = True  # as the window's recipe, unless swept without it


# A sweep's Normalise pen setting: the step on (as the window), off, or both (each model twice).
PEN_CHOICES: dict[str, tuple[bool, ...]] = {"on": (True,), "off": (False,), "both": (True, False)}


def pen_subjects(
    name: str, network: Network, classes: Sequence[int], pens: Sequence[bool]
) -> list[Subject]:
    """One model as swept with each Normalise pen setting in `pens`: beside its twin with the
    step, the one without is named 'NAME pen off'."""
    return [
        Subject(name if pen or len(pens) == 1 else f"{name} pen off", network, tuple(classes), pen)
        for pen in pens
    ]


@dataclass
class SweepResult:
    """accuracy[model, preprocessing, condition]; NaN where not (yet) measured."""

    models: list[str]
    conditions: list[Condition]
    preprocessing: tuple[bool, ...]
    accuracy: np.ndarray
    samples: int
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def value(self, model: int, preprocess: bool, condition: Condition) -> float:
        return float(
            self.accuracy[model, self.preprocessing.index(preprocess),
                          self.conditions.index(condition)]
        )  # fmt: skip

    def curve(self, model: int, preprocess: bool, kind: str) -> tuple[list[float], np.ndarray]:
        """The values and accuracies of one perturbation (not shift) for one model."""
        chosen = [i for i, c in enumerate(self.conditions) if c.kind == kind]
        row = self.accuracy[model, self.preprocessing.index(preprocess)]
        return [float(self.conditions[i].value) for i in chosen], row[chosen]  # type: ignore[arg-type]

    def shift_grid(self, model: int, preprocess: bool) -> tuple[list[float], np.ndarray]:
        """The shift values and a (dy, dx) grid of accuracies (rows: dy from −6 down to +6)."""
        row = self.accuracy[model, self.preprocessing.index(preprocess)]
        cells = {c.value: row[i] for i, c in enumerate(self.conditions) if c.kind == "shift"}
        values = sorted({v[0] for v in cells})  # type: ignore[index]
        grid = np.array([[cells.get((dx, dy), np.nan) for dx in values] for dy in values])
        return values, grid

    def as_dict(self) -> dict:
        def number(x: float) -> float | None:
            return None if np.isnan(x) else round(float(x), 6)

        return {
            "samples": self.samples,
            "seconds": round(self.seconds, 3),
            "models": self.models,
            "preprocessing": list(self.preprocessing),
            "conditions": [
                {"kind": c.kind, "value": list(c.value) if isinstance(c.value, tuple) else c.value}
                for c in self.conditions
            ],
            "accuracy": {
                model: {
                    ("preprocessed" if pre else "raw"): [number(a) for a in self.accuracy[m, p]]
                    for p, pre in enumerate(self.preprocessing)
                }
                for m, model in enumerate(self.models)
            },
        }
