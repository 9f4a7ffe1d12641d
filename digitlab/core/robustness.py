"""Robustness sweeps: accuracy on the test set as the digits are moved, scaled, turned, drawn
thinner or thicker, or made noisy, with the app's preprocessing on or off.

Each condition distorts all test digits at once (`core.distort`), optionally runs the window's
MNIST recipe on them as a batch (`core.batch_preprocess`, the same numbers as `to_mnist`), and
asks every model; the distorted batch is made once per condition and shared by the models. A
perturbation of 0 leaves the digits untouched, so with the preprocessing off it gives exactly
`digitlab evaluate`'s accuracy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from digitlab.core import distort
from digitlab.core.batch_preprocess import ink_boxes, to_mnist_batch
from digitlab.core.network import Network
from digitlab.core.preprocess import PreprocessOptions

SHIFTS = tuple(range(-6, 7, 2))  # MNIST pixels, both axes: a 7×7 heatmap
SCALES = tuple(round(0.5 + 0.1 * i, 2) for i in range(11))  # 0.5 … 1.5
ROTATIONS = tuple(range(-45, 46, 15))  # degrees, counter-clockwise
PENS = (-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)  # MNIST px on each side
NOISES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # σ of added Gaussian noise (ink is 0…1)
KINDS = ("shift", "scale", "rotation", "pen", "noise")
UNITS = {"shift": "px", "scale": "×", "rotation": "°", "pen": "px", "noise": "σ"}
NOISE_SEED = 1234


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


def distorted(images: torch.Tensor, condition: Condition) -> torch.Tensor:
    """(N, 28, 28) floats in 0…1 under `condition` (the same input always gives the same
    output: the noise has a fixed seed)."""
    if condition.is_clean:
        return images
    kind, value = condition.kind, condition.value
    if kind == "shift":
        dx, dy = value  # type: ignore[misc]
        if float(dx).is_integer() and float(dy).is_integer():
            return _shift_whole(images, int(dx), int(dy))
        return distort.shift(images, dx, dy)
    if kind == "scale":
        return distort.rescale(images, float(value))  # type: ignore[arg-type]
    if kind == "rotation":
        return distort.rotate(images, float(value))  # type: ignore[arg-type]
    if kind == "pen":
        return distort.pen(images, float(value)).clamp_(0.0, 1.0)  # type: ignore[arg-type]
    if kind == "noise":
        generator = torch.Generator().manual_seed(NOISE_SEED)
        noise = torch.randn(images.shape, generator=generator).to(images.device)
        return (images + float(value) * noise).clamp_(0.0, 1.0)  # type: ignore[arg-type]
    raise ValueError(f"unknown perturbation {kind!r}")


def _shift_whole(images: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Move by whole pixels, exactly (ink pushed past the edge is lost, as on the pad)."""
    out = torch.zeros_like(images)
    h, w = images.shape[-2:]
    if abs(dy) < h and abs(dx) < w:
        out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
            ..., max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
        ]
    return out


def _loses_ink(boxes: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Which digits (ink boxes from `ink_boxes`) have ink pushed past the edge by a shift."""
    top, bottom, left, right = boxes.unbind(dim=1)
    size = distort.SIZE
    inked = bottom > top
    return inked & ((top + dy < 0) | (bottom + dy > size) | (left + dx < 0) | (right + dx > size))


@dataclass(frozen=True)
class Subject:
    """A model in a sweep: a name, its network, and the digits it knows (classes[i] is the
    digit of output i)."""

    name: str
    network: Network
    classes: tuple[int, ...] = tuple(range(10))


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


def _per_model_labels(subjects: Sequence[Subject], labels: np.ndarray) -> list[np.ndarray]:
    """Each model's target output for every digit, −1 for digits it does not know."""
    out = []
    for subject in subjects:
        lookup = np.full(10, -1, np.int64)
        lookup[list(subject.classes)] = np.arange(len(subject.classes))
        out.append(lookup[labels])
    return out


def sweep(
    subjects: Sequence[Subject],
    images: np.ndarray,
    labels: np.ndarray,
    conditions: Sequence[Condition] | None = None,
    preprocessing: Sequence[bool] = (True, False),
    progress: Callable[[float, str], None] = lambda fraction, text: None,
    cancelled: Callable[[], bool] = lambda: False,
    on_condition: Callable[[SweepResult], None] | None = None,
    threads: int | None = None,
) -> SweepResult:
    """Accuracy of every model under every condition, with the preprocessing on and/or off.

    `images` are (N, 28, 28) uint8 test digits and `labels` their digits 0–9. Checks `cancelled`
    between conditions (returns what it has, the rest NaN) and reports `progress`; with
    `on_condition`, the partial result after each condition (a view fills in as it goes).
    `threads` sets torch's CPU threads (the window leaves one core to its trainer).
    """
    if threads is not None:
        torch.set_num_threads(threads)
    conditions = list(conditions if conditions is not None else default_conditions())
    preprocessing = tuple(preprocessing)
    targets = _per_model_labels(subjects, labels)
    result = SweepResult(
        [s.name for s in subjects],
        conditions,
        preprocessing,
        np.full((len(subjects), len(preprocessing), len(conditions)), np.nan),
        len(labels),
    )
    base = torch.from_numpy(np.ascontiguousarray(images)).float().div_(255.0)
    boxes = ink_boxes(base)
    options = PreprocessOptions(invert=False)
    clean: dict[bool, list[np.ndarray]] = {}  # the clean digits' predictions, per setting

    def predictions(batch: torch.Tensor) -> list[np.ndarray]:
        flat = batch.reshape(len(batch), -1).numpy()
        return [subject.network.logits(flat).argmax(axis=1) for subject in subjects]

    def measure(condition: Condition, preprocess: bool) -> list[np.ndarray]:
        if condition.is_clean and preprocess in clean:  # every axis has its clean point
            return clean[preprocess]
        if preprocess and _whole_shift(condition) and True in clean:
            # Cropping to the ink undoes a shift exactly unless ink fell off the edge: only
            # those digits need the recipe and the nets again.
            dx, dy = (int(v) for v in condition.value)  # type: ignore[union-attr]
            lost = _loses_ink(boxes, dx, dy)
            out = [p.copy() for p in clean[True]]
            if bool(lost.any()):
                moved = to_mnist_batch(_shift_whole(base[lost], dx, dy), options)
                for p, fresh in zip(out, predictions(moved)):
                    p[lost.numpy()] = fresh
            return out
        moved = distorted(base, condition)
        out = predictions(to_mnist_batch(moved, options) if preprocess else moved)
        if condition.is_clean:
            clean[preprocess] = out
        return out

    # The clean condition first: the shifts reuse its predictions.
    order = sorted(range(len(conditions)), key=lambda i: not conditions[i].is_clean)
    started = time.perf_counter()
    for done, c in enumerate(order):
        if cancelled():
            break
        condition = conditions[c]
        progress(done / len(conditions), condition.label())
        for p, preprocess in enumerate(preprocessing):
            for m, predicted in enumerate(measure(condition, preprocess)):
                known = targets[m] >= 0
                result.accuracy[m, p, c] = float((predicted[known] == targets[m][known]).mean())
        result.seconds = time.perf_counter() - started
        if on_condition is not None:
            on_condition(result)
    else:
        progress(1.0, f"{len(conditions) * len(preprocessing)} measurements")
    result.seconds = time.perf_counter() - started
    return result


def _whole_shift(condition: Condition) -> bool:
    return condition.kind == "shift" and all(
        float(v).is_integer()
        for v in condition.value  # type: ignore[union-attr]
    )
