"""Normalise pen: measure a digit's stroke width and bring a pen far from MNIST's toward it.

The width is 2 × ink / edge length on the fitted 28×28 image: a stroke of length L and width w
has ink L·w and edges 2·L long, and grey anti-aliased edges count by their contrast, so faint
strokes and soft edges need no threshold. numpy only (the window runs it on every stroke); the
same functions take one image or a batch (…, 28, 28), so `to_mnist` and `to_mnist_batch` agree,
and the training of the shipped `robust` model (`--augment robust`) sees exactly what the window
shows it.

Only pens outside MNIST's usual band are changed (a digit of MNIST's own width is left as it is):
- a thin pen (a pixel off each side of an MNIST stroke leaves a third of it, faint and broken
  where the stroke was thin) has its faint remains lifted to full ink, and is then grown until it
  measures MNIST's typical width (at most a pixel a side);
- a thick pen is eroded part of the way (0.15 px a side per pixel above the band): eroding opens
  no loop a thick pen filled, and the net, trained through this step, read 2 px thicker digits
  eroded 0.5 px a side per pixel worse than these (92.5 against 93.0 %, 10-epoch trials);
- noise is not a thin pen: its speckles measure thin, but lifting them would fill the image, so a
  fitted image with ink on more than a quarter of its pixels keeps its strokes.
It works on the 28×28 fitted image, not on the drawing at its own size, so a drawing, the
robustness sweep's distorted test digits and the training digits all get the same step. A
skeleton redrawn at MNIST's width was tried too (Zhang–Suen thinning): trained through, it lost
2 points on clean digits and 24 on 2 px thicker ones, where a filled loop thins to a stray line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from digitlab.core.choices import augment_recipe

# The median width of 20 000 MNIST training digits after `to_mnist` (mean 2.48, 10th percentile
# 1.76, 90th 3.31), by `stroke_width`.
MNIST_STROKE_WIDTH = 2.39
THIN_BELOW = 2.0  # thinner pens are brought to MNIST's width…
THIN_SPAN = 0.4  # …fully from this far below THIN_BELOW (a ramp: no jump at the band's edge)
THIN_GAIN = 24.0  # faint ink of a thin pen is multiplied by up to this (then clipped to 1)
MAX_GROW = 1.0  # px grown on each side of a lifted thin stroke still below MNIST's width, at most
# Noise is not a thin pen: its speckles measure thin, but lifting them would fill the image. A
# drawing's background is black; a fitted noisy image has ink on a third of its pixels or more
# (a thin pen on a tenth, at most 0.29 of 10 000 test digits drawn 1 px thinner).
NOISY_LIT = 0.3  # the share of pixels above LIT at which the thin-pen correction is off…
NOISY_SPAN = 0.05  # …ramping from fully on this far below it
LIT = 0.005
THICK_ABOVE = 3.0  # thicker pens are thinned
THICK_RATE = 0.15  # pixels eroded on each side per pixel of width above THICK_ABOVE
MAX_ERODE = 1.0
# A model file's metadata says it was trained through the step (so it expects it on).
META_KEY = "normalise_pen"


def stroke_width(images: np.ndarray) -> np.ndarray | float:
    """2 × ink / edge length of each (…, H, W) image in [0, 1]; 0 for an image without ink."""
    array = np.asarray(images, dtype=np.float32)
    padded = np.pad(array, [(0, 0)] * (array.ndim - 2) + [(1, 1), (1, 1)])
    dx = padded[..., 1:, 1:] - padded[..., 1:, :-1]  # forward differences, the border's too
    dy = padded[..., 1:, 1:] - padded[..., :-1, 1:]
    edges = np.sqrt(dx * dx + dy * dy).sum(axis=(-2, -1))
    ink = array.sum(axis=(-2, -1))
    width = np.where(edges > 0, 2.0 * ink / np.maximum(edges, 1e-6), 0.0)
    return float(width) if width.ndim == 0 else width


def pen_meta(augment: str) -> dict[str, bool]:
    """What a model file records about Normalise pen: {META_KEY: True} when its training's
    augmentation ran the step (so the net learnt from normalised pens), else nothing."""
    return {META_KEY: True} if augment and augment_recipe(augment).get(META_KEY) else {}


def expects_normalised_pen(meta: Mapping[str, Any]) -> bool:
    """Whether a model's metadata says it was trained through Normalise pen."""
    return meta.get(META_KEY) is True


def _dilate(batch: np.ndarray) -> np.ndarray:
    """3×3 grey max filter of (N, H, W), zeros outside."""
    padded = np.pad(batch, [(0, 0), (1, 1), (1, 1)])
    rows = np.maximum(np.maximum(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])
    return np.maximum(np.maximum(rows[..., :-2], rows[..., 1:-1]), rows[..., 2:])


def _erode(batch: np.ndarray) -> np.ndarray:
    return -_dilate(-batch)


def change_pen(batch: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Grow (amount > 0) or erode each (N, H, W) image by `amount` px on each side, fractions
    blending one 3×3 grey step as `core.distort.pen` does (anti-aliasing stays grey)."""
    amount = np.asarray(amount, np.float32).reshape(-1, 1, 1)
    out = batch.astype(np.float32, copy=True)
    steps = int(np.ceil(np.abs(amount).max(initial=0.0)))
    for step in range(steps):
        part = np.clip(np.abs(amount) - step, 0.0, 1.0)
        grow, shrink = part * (amount > 0), part * (amount < 0)
        change = np.zeros_like(out)
        if grow.any():
            change += grow * (_dilate(out) - out)
        if shrink.any():
            change += shrink * (_erode(out) - out)
        out += change
    return np.clip(out, 0.0, 1.0)


def _peak_to_one(batch: np.ndarray) -> np.ndarray:
    peak = batch.max(axis=(1, 2), keepdims=True)
    return batch / np.where(peak > 0, peak, 1.0)


def normalise_pen(images: np.ndarray) -> np.ndarray:
    """One (H, W) or a batch (N, H, W) of fitted light-on-dark images in [0, 1] with strokes
    far from MNIST's width brought to it; the brightest ink stays at full white."""
    array = np.asarray(images, dtype=np.float32)
    batch = array.reshape(-1, *array.shape[-2:])
    width = np.atleast_1d(stroke_width(batch))
    thin = np.clip((THIN_BELOW - width) / THIN_SPAN, 0.0, 1.0) * (width > 0)
    lit = (batch > LIT).mean(axis=(1, 2))
    thin *= np.clip((NOISY_LIT - lit) / NOISY_SPAN, 0.0, 1.0)
    erode = np.clip(THICK_RATE * (width - THICK_ABOVE), 0.0, MAX_ERODE)
    if not (thin.any() or erode.any()):
        return array.copy()
    gain = 1.0 + (THIN_GAIN - 1.0) * thin
    lifted = np.clip(batch * gain.reshape(-1, 1, 1), 0.0, 1.0)
    deficit = MNIST_STROKE_WIDTH - np.atleast_1d(stroke_width(lifted))
    grow = np.clip(deficit / 2.0, 0.0, MAX_GROW) * thin
    out = change_pen(lifted, np.where(thin > 0, grow, -erode))
    return _peak_to_one(out).reshape(array.shape)
