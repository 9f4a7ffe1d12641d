"""Normalise pen: measure a digit's stroke width and bring a pen far from MNIST's toward it.

The width is 2 × ink / edge length on the fitted 28×28 image: a stroke of length L and width w
has ink L·w and edges 2·L long, and grey anti-aliased edges count by their contrast, so faint
strokes and soft edges need no threshold. numpy only (the window runs it on every stroke); the
same functions take one image or a batch (…, 28, 28), so `to_mnist` and `to_mnist_batch` agree.

Measured on the held-out MNIST test digits with the shipped `robust` model
(`benchmarks/pen_normalisation.py`): pulling every digit all the way to MNIST's width loses
accuracy (eroding a thick digit closes nothing that is already shut and thins its other strokes
too much), so only pens outside MNIST's usual band are changed, and only part of the way: a thin
pen's faint remains are brought up to full ink and grown half a pixel, a thick pen is eroded
0.15 px per pixel of width above the band.
"""

from __future__ import annotations

import numpy as np

# The median width of 20 000 MNIST training digits after `to_mnist` (mean 2.48, 10th percentile
# 1.76, 90th 3.31), by `stroke_width`.
MNIST_STROKE_WIDTH = 2.39
THIN_BELOW = 1.8  # about MNIST's 10th percentile: thinner pens are thickened
THICK_ABOVE = 3.0  # thicker pens are thinned
THIN_SPAN = 0.4  # a width this far below THIN_BELOW gets the full thin-pen correction
THIN_GAIN = 8.0  # faint ink of a thin pen is multiplied by up to this
THIN_GROW = 0.5  # pixels grown on each side of a thin pen's stroke, at most
THICK_RATE = 0.15  # pixels eroded on each side per pixel of width above THICK_ABOVE
MAX_ERODE = 1.0


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


def pen_correction(width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ink gain, px to grow (+) or erode (−) on each side) for stroke widths `width`."""
    width = np.asarray(width, np.float32)
    thin = np.clip((THIN_BELOW - width) / THIN_SPAN, 0.0, 1.0) * (width > 0)
    gain = 1.0 + (THIN_GAIN - 1.0) * thin
    erode = np.clip(THICK_RATE * (width - THICK_ABOVE), 0.0, MAX_ERODE)
    return gain, np.where(thin > 0, THIN_GROW * thin, -erode)


def normalise_pen(images: np.ndarray) -> np.ndarray:
    """One (H, W) or a batch (N, H, W) of fitted light-on-dark images in [0, 1] with their
    strokes brought toward MNIST's width; the brightest ink stays at full white."""
    array = np.asarray(images, dtype=np.float32)
    batch = array.reshape(-1, *array.shape[-2:])
    gain, amount = pen_correction(np.atleast_1d(stroke_width(batch)))
    if not ((gain != 1.0).any() or (amount != 0.0).any()):
        return array.copy()
    out = change_pen(np.clip(batch * gain.reshape(-1, 1, 1), 0.0, 1.0), amount)
    peak = out.max(axis=(1, 2), keepdims=True)
    out /= np.where(peak > 0, peak, 1.0)
    return out.reshape(array.shape)
