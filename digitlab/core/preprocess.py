"""Turn any drawing into what an MNIST net expects, and distort batches of digits on purpose.

MNIST digits were made by cropping each digit to its ink, scaling the longer side to 20 px with
anti-aliasing, and pasting it into a 28×28 field so that its centre of mass sits at the centre.
`to_mnist` repeats that recipe; each step can be switched off to show what the net does without it.
numpy and Pillow only: the window preprocesses every stroke without torch. The batch distortions
for augmentation and robustness sweeps are in `core.distort`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitlab.core.pen_width import normalise_pen

SIZE = 28
BOX = 20
# Measured on the MNIST training set: the mean centre of mass is at (14.0, 14.0) in pixel indices.
CENTRE = 14.0
INK_THRESHOLD = 0.05


@dataclass(frozen=True)
class PreprocessOptions:
    """Which MNIST steps to apply.

    fit:    crop to the ink and scale its longer side to 20 px. Off: the whole image is scaled to
            28 px, so the digit keeps the size and place it had on the pad.
    centre: move the centre of mass to the centre. Off: the 20 px box is centred geometrically
            (with `fit`), or the digit stays where it was drawn (without).
    invert: None detects the polarity from the border (dark ink on light is inverted).
    normalise_pen: after fitting, bring a pen much thinner or thicker than MNIST's toward its
            stroke width (`core.pen_width`); measured at the fitted size, before centring, so
            only with `fit` (an unfitted digit's strokes have no MNIST width to compare). On by
            default: it leaves MNIST-width strokes as they are, so clean digits lose nothing, and
            the shipped `robust` model was trained through it.
    """

    fit: bool = True
    centre: bool = True
    invert: bool | None = None
    normalise_pen: bool = True


def to_unit_gray(image: np.ndarray) -> np.ndarray:
    """Any 2-D (or H×W×C) image, uint8 or float, → float32 gray in [0, 1]."""
    array = np.asarray(image)
    if array.ndim == 3:
        array = array[..., :3].mean(axis=2) if array.shape[2] >= 3 else array[..., 0]
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"expected a 2-D image, got shape {np.shape(image)}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if array.dtype == np.uint16:
        return array.astype(np.float32) / 65535.0
    out = np.nan_to_num(array.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    if out.max(initial=0.0) > 1.0:  # e.g. a float image in 0..255
        out /= 255.0
    return np.clip(out, 0.0, 1.0)


def light_on_dark(gray: np.ndarray, invert: bool | None = None) -> np.ndarray:
    """Make ink bright and background zero; detect the polarity from the border when not told."""
    if invert is None:
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        invert = float(np.median(border)) > 0.5
    ink = 1.0 - gray if invert else gray
    background = float(np.median(np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])))
    if 0.0 < background < 1.0:  # a grey paper: stretch so the paper becomes 0
        ink = np.clip((ink - background) / (1.0 - background), 0.0, 1.0)
    return ink.astype(np.float32, copy=False)


def ink_box(ink: np.ndarray, threshold: float = INK_THRESHOLD) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the pixels above threshold, ends exclusive; None if none."""
    mask = ink > threshold
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize of a float image (area-averaging when shrinking, as MNIST did)."""
    shrinking = height <= image.shape[0] and width <= image.shape[1]
    method = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    resized = Image.fromarray(image.astype(np.float32), mode="F").resize((width, height), method)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def _paste_centred(patch: np.ndarray) -> np.ndarray:
    out = np.zeros((SIZE, SIZE), np.float32)
    h, w = patch.shape
    top, left = (SIZE - h) // 2, (SIZE - w) // 2
    out[top : top + h, left : left + w] = patch
    return out


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, col) of the intensity-weighted centre; the image centre for an empty image."""
    total = float(image.sum())
    if total <= 0.0:
        return (image.shape[0] - 1) / 2.0, (image.shape[1] - 1) / 2.0
    rows = np.arange(image.shape[0], dtype=np.float64)
    cols = np.arange(image.shape[1], dtype=np.float64)
    return (
        float(image.sum(axis=1) @ rows) / total,
        float(image.sum(axis=0) @ cols) / total,
    )


def shift_image(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate by whole pixels, filling with zeros (ink pushed past the edge is lost)."""
    out = np.zeros_like(image)
    h, w = image.shape
    if abs(dy) >= h or abs(dx) >= w:
        return out
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def to_mnist(image: np.ndarray, options: PreprocessOptions = PreprocessOptions()) -> np.ndarray:
    """Any image → (28, 28) float32 in [0, 1], light ink on black, the MNIST way.

    An image without ink gives all zeros (never NaN, never an exception).
    """
    ink = light_on_dark(to_unit_gray(image), options.invert)
    box = ink_box(ink)
    if box is None:
        return np.zeros((SIZE, SIZE), np.float32)
    if options.fit:
        top, bottom, left, right = box
        patch = ink[top:bottom, left:right]
        scale = BOX / max(patch.shape)
        h = max(1, min(BOX, round(patch.shape[0] * scale)))
        w = max(1, min(BOX, round(patch.shape[1] * scale)))
        out = _paste_centred(_resize(patch, h, w))
    else:
        scale = SIZE / max(ink.shape)
        h = max(1, min(SIZE, round(ink.shape[0] * scale)))
        w = max(1, min(SIZE, round(ink.shape[1] * scale)))
        out = _paste_centred(_resize(ink, h, w))
    peak = float(out.max())
    if peak <= 0.0:  # defensive: the crop keeps ink, so only degenerate input gets here
        return out
    if options.fit and peak < 1.0:
        out /= peak  # a thin pen drawn large fades when shrunk; MNIST strokes peak at full white
    if options.fit and options.normalise_pen:
        out = normalise_pen(out)
    if options.centre:
        cy, cx = centre_of_mass(out)
        out = shift_image(out, round(CENTRE - cy), round(CENTRE - cx))
    return out
