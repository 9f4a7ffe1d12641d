"""Confusion cells for a colour-picture model (CIFAR-10): each cell's most confident test picture,
framed in the cell's colour, and the class names its axes are labelled with.

The digits' cells draw the top digit as ink on the cell's colour (`confusion_plot`); a colour
picture cannot be tinted without losing what it shows, so it is drawn as it is inside a frame of
that colour (an empty cell: the colour alone).
"""

from __future__ import annotations

import numpy as np

FRAME = 3  # pixels of the cell's colour round its picture


def picture_cell_mosaic(colours: np.ndarray, images: np.ndarray, top: np.ndarray) -> np.ndarray:
    """(k·s, k·s, 3) uint8 for (N, s, s, 3) pictures: each cell's top picture in a frame of
    its colour, a white line between cells."""
    k, side = len(colours), images.shape[1]
    cells = np.broadcast_to(colours[:, :, None, None, :], (k, k, side, side, 3)).astype(np.uint8)
    present = top >= 0
    if present.any():
        inner = slice(FRAME, side - FRAME)
        pictures = images[top[present]]
        cells[present, inner, inner, :] = pictures[:, inner, inner, :]
    cells[:, :, [0, -1], :, :] = 255
    cells[:, :, :, [0, -1], :] = 255
    return cells.transpose(0, 2, 1, 3, 4).reshape(k * side, k * side, 3)


# CIFAR-10's names as short as the axes need ("automobile" and "airplane" overlap their
# neighbours under a 10-column matrix).
SHORT_NAMES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def class_labels(classes: tuple[int, ...], images: np.ndarray | None) -> tuple[str, ...]:
    """Axis labels: CIFAR-10's (short) names when the images are colour pictures, else the
    digits."""
    if images is not None and images.ndim == 4:
        return tuple(SHORT_NAMES[c] for c in classes)
    return tuple(str(c) for c in classes)
