"""How far can a drawing move before the answer flips: the prediction at every offset.

The pad's image is moved by whole MNIST pixels (ten pad pixels), thickened or thinned, and read
by the net exactly as the window would read it (`to_mnist`, numpy, no torch). Cropping to the ink
and centring undo a move that keeps all ink on the pad, so only offsets that push ink past the
edge need the recipe again; the rest share the drawing's own input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.core.network import Network
from digitlab.core.preprocess import (
    SIZE,
    PreprocessOptions,
    ink_box,
    light_on_dark,
    shift_image,
    to_mnist,
    to_unit_gray,
)

OFFSETS = tuple(range(-6, 7))  # MNIST pixels
PAD_SIZE = 280  # the drawing pad's image is PAD_SIZE × PAD_SIZE pixels
PAD_PIXELS_PER_MNIST_PIXEL = PAD_SIZE // SIZE  # so one MNIST pixel is ten pad pixels


@dataclass(frozen=True, eq=False)
class OffsetGrid:
    """predicted[i, j] and confidence[i, j] for the drawing moved by (offsets[j], offsets[i])
    MNIST pixels (rows: down the pad); `classes[k]` is the digit of output k."""

    offsets: tuple[int, ...]
    predicted: np.ndarray  # (n, n) digits
    confidence: np.ndarray  # (n, n) in 0…1
    pen: int  # pad pixels added to the stroke width (negative: thinner)

    def digit_at(self, dx: int, dy: int) -> int:
        return int(self.predicted[self.offsets.index(dy), self.offsets.index(dx)])


CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
SQUARE = np.ones((3, 3), bool)


def reshaped(image: np.ndarray, steps: int) -> np.ndarray:
    """Grey dilation (steps > 0) or erosion (steps < 0) by |steps| 3×3 filters, cross and
    square by turns (an octagon: strokes grow round, not square); the dtype is kept."""
    from scipy import ndimage  # here: not on the window's start-up path

    out = image
    grow = ndimage.grey_dilation if steps > 0 else ndimage.grey_erosion
    for step in range(abs(steps)):
        out = grow(out, footprint=SQUARE if step % 2 else CROSS)
    return np.ascontiguousarray(out)


def change_pen(ink: np.ndarray, width_change: int) -> np.ndarray:
    """Thicken (width_change > 0) or thin the strokes of a light-on-dark image by that many
    pixels of width, half on each side."""
    steps = abs(int(width_change)) // 2
    return reshaped(ink, steps if width_change > 0 else -steps)


def offset_grid(
    network: Network,
    canvas: np.ndarray,
    options: PreprocessOptions,
    classes: tuple[int, ...] = tuple(range(10)),
    pen: int = 0,
    offsets: tuple[int, ...] = OFFSETS,
) -> OffsetGrid:
    """The net's answer for the pad image `canvas` (light ink on black, any size) moved by every
    (dx, dy) in `offsets`², with the pen `pen` pad pixels wider."""
    ink = light_on_dark(to_unit_gray(canvas), options.invert)
    if pen:
        ink = change_pen(ink, pen)
    step = PAD_PIXELS_PER_MNIST_PIXEL
    box = ink_box(ink)
    own = to_mnist(ink, options)
    inputs = np.empty((len(offsets), len(offsets), SIZE, SIZE), np.float32)
    height, width = ink.shape
    for i, dy in enumerate(offsets):
        for j, dx in enumerate(offsets):
            if box is None:
                inputs[i, j] = own
                continue
            top, bottom, left, right = box
            whole = (
                top + dy * step >= 0 and bottom + dy * step <= height
                and left + dx * step >= 0 and right + dx * step <= width
            )  # fmt: skip
            if whole and (options.fit or options.centre):
                inputs[i, j] = own  # cropping to the ink or centring undoes the move
            elif whole and ink.shape == (SIZE * step, SIZE * step):
                inputs[i, j] = shift_image(own, dy, dx)  # the pad scaled 10:1 moves 1 px
            else:
                inputs[i, j] = to_mnist(shift_image(ink, dy * step, dx * step), options)
    probabilities = network.probabilities(inputs.reshape(-1, SIZE * SIZE))
    top_index = probabilities.argmax(axis=1)
    n = len(offsets)
    return OffsetGrid(
        tuple(offsets),
        np.asarray(classes)[top_index].reshape(n, n),
        probabilities[np.arange(len(top_index)), top_index].reshape(n, n),
        int(pen),
    )
