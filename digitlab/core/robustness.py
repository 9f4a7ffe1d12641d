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

import numpy as np
import torch

from digitlab.core import distort
from digitlab.core.batch_preprocess import ink_boxes, to_mnist_batch
from digitlab.core.conditions import (  # noqa: F401 - re-exported: the sweep's vocabulary
    KINDS,
    UNITS,
    Condition,
    Subject,
    SweepResult,
    default_conditions,
)
from digitlab.core.preprocess import PreprocessOptions

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


def _loses_ink(boxes: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Which digits (ink boxes from `ink_boxes`) have ink pushed past the edge by a shift."""
    top, bottom, left, right = boxes.unbind(dim=1)
    size = distort.SIZE
    inked = bottom > top
    return inked & ((top + dy < 0) | (bottom + dy > size) | (left + dx < 0) | (right + dx > size))


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
