"""Robustness sweeps: accuracy on the test set as the digits are moved, scaled, turned, drawn
thinner or thicker, or made noisy, with the app's preprocessing on or off.

Each condition distorts all test digits at once (`core.distort`), optionally runs the window's
MNIST recipe on them as a batch (`core.batch_preprocess`, the same numbers as `to_mnist`), and
asks every model; the distorted batch is made once per condition and shared by the models (the
recipe once per Normalise pen setting among them: a model can be swept with the step and without,
as two subjects). A perturbation of 0 leaves the digits untouched, so with the preprocessing off
it gives exactly `digitlab evaluate`'s accuracy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import torch

from digitlab.core import distort
from digitlab.core.batch_preprocess import LIGHT_INK, ink_boxes, to_mnist_batch
from digitlab.core.conditions import (  # noqa: F401 - re-exported: the sweep's vocabulary
    KINDS,
    UNITS,
    Condition,
    Subject,
    SweepResult,
    default_conditions,
)
from digitlab.core.metrics import output_indices

NOISE_SEED = 1234


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


def _per_model_labels(subjects: Sequence[Subject], labels: np.ndarray) -> list[np.ndarray]:
    """Each model's target output for every digit, −1 for digits it does not know."""
    return [output_indices(labels, subject.classes) for subject in subjects]


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
    boxes = ink_boxes(base).numpy()
    # The recipe with and without Normalise pen, each for the models that want it.
    groups = {
        pen: [m for m, s in enumerate(subjects) if s.normalise_pen == pen]
        for pen in dict.fromkeys(s.normalise_pen for s in subjects)
    }
    options = {pen: replace(LIGHT_INK, normalise_pen=pen) for pen in groups}
    clean: dict[bool, list[np.ndarray]] = {}  # the clean digits' predictions, per setting

    def predictions(batch: torch.Tensor, chosen: Sequence[int]) -> list[np.ndarray]:
        flat = batch.reshape(len(batch), -1).numpy()
        return [subjects[m].network.logits(flat).argmax(axis=1) for m in chosen]

    def preprocessed(condition: Condition) -> list[np.ndarray]:
        out: list[np.ndarray] = [np.empty(0)] * len(subjects)
        moved = None
        for pen, chosen in groups.items():
            if _whole_shift(condition) and pen in shifts:
                dx, dy = (int(v) for v in condition.value)  # type: ignore[union-attr]
                answers = shifts[pen](dx, dy)
            else:
                moved = distorted(base, condition) if moved is None else moved
                answers = predictions(to_mnist_batch(moved, options[pen]), chosen)
            for m, answer in zip(chosen, answers):
                out[m] = answer
        return out

    def measure(condition: Condition, preprocess: bool) -> list[np.ndarray]:
        if condition.is_clean and preprocess in clean:  # every axis has its clean point
            return clean[preprocess]
        if preprocess:
            out = preprocessed(condition)
        else:
            out = predictions(distorted(base, condition), range(len(subjects)))
        if condition.is_clean:
            clean[preprocess] = out
        return out

    shifts: dict[bool, _CroppedShifts] = {}

    # The clean condition first: the shifts reuse its predictions.
    order = sorted(range(len(conditions)), key=lambda i: not conditions[i].is_clean)
    started = time.perf_counter()
    for done, c in enumerate(order):
        if cancelled():
            break
        condition = conditions[c]
        progress(done / len(conditions), condition.label())
        if not shifts and True in clean:
            for pen, chosen in groups.items():
                clean_answers = [clean[True][m] for m in chosen]
                predict = lambda batch, chosen=chosen: predictions(batch, chosen)  # noqa: E731
                shifts[pen] = _CroppedShifts(base, boxes, clean_answers, predict, options[pen])
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


class _CroppedShifts:
    """Predictions for whole-pixel shifts with the preprocessing on, without redoing work.

    Cropping to the ink undoes a shift, so a digit's answer depends only on which part of its
    ink box stays on the pad: the clean answer when all of it does, else one answer per visible
    part, remembered (a digit cut by the right edge at dx = 6 looks the same for every dy that
    cuts nothing else, so the 7×7 grid needs about a third of its full passes).
    """

    def __init__(self, base, boxes, clean, predict, options) -> None:
        self._base, self._boxes, self._clean = base, boxes, clean
        self._predict, self._options = predict, options
        self._known: dict[tuple[int, ...], tuple[int, ...]] = {}  # (digit, visible box) → answers

    def __call__(self, dx: int, dy: int) -> list[np.ndarray]:
        top, bottom, left, right = self._boxes.T
        size = distort.SIZE
        visible = np.stack(
            [np.maximum(top, -dy), np.minimum(bottom, size - dy),
             np.maximum(left, -dx), np.minimum(right, size - dx)], axis=1,
        )  # fmt: skip
        cut = np.flatnonzero((bottom > top) & (visible != self._boxes).any(axis=1))
        keys = [(int(i), *map(int, visible[i])) for i in cut]
        missing = [n for n, key in enumerate(keys) if key not in self._known]
        if missing:
            chosen = cut[missing]
            moved = _shift_whole(self._base[torch.from_numpy(chosen)], dx, dy)
            answers = self._predict(to_mnist_batch(moved, self._options))
            for row, n in enumerate(missing):
                self._known[keys[n]] = tuple(int(a[row]) for a in answers)
        out = [p.copy() for p in self._clean]
        for m, predicted in enumerate(out):
            predicted[cut] = [self._known[key][m] for key in keys]
        return out


def _whole_shift(condition: Condition) -> bool:
    return condition.kind == "shift" and all(
        float(v).is_integer()
        for v in condition.value  # type: ignore[union-attr]
    )
