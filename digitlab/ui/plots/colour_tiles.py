"""Colour weight tiles: a unit fed by CIFAR-10's 32×32 RGB pixels drawn as a colour picture.

The weights' diverging red–blue map cannot show three channels at once, so each tile is drawn
as the picture its weights are: a pixel's red, green and blue weights become its red, green and
blue, each tile scaled by its own largest |w| symmetrically around mid-grey (grey: 0, brighter
in a channel: that colour there turns the unit on, darker: off). A class template of a 1-layer
net then reads as the "blobby average" picture of its class. Pure numpy; one RGBA mosaic (gaps
transparent) for one ImageItem, as `mosaic.tile` does for grey tiles.
"""

from __future__ import annotations

import numpy as np

from digitlab.ui.plots import mosaic

CAPTION_MAPPING = (
    "each tile's red, green and blue weights scaled by its own largest |w| around grey (grey: "
    "0; brighter in a colour: that colour there turns it on; darker: off)"
)


def rgb_tiles(values: np.ndarray, side: int = 32) -> np.ndarray:
    """(n, side·side·3) weights (height × width × RGB, as the inputs are) → (n, side, side, 3)
    floats in 0…1, each tile scaled symmetrically by its own largest |w| (0 → 0.5 grey)."""
    tiles = np.asarray(values, np.float32).reshape(-1, side, side, 3)
    largest = np.abs(tiles).reshape(len(tiles), -1).max(axis=1, initial=0.0)
    scale = np.where(largest > 0, 0.5 / np.maximum(largest, 1e-30), 0.0)
    return np.clip(0.5 + tiles * scale[:, None, None, None], 0.0, 1.0)


def colour_mosaic(
    values: np.ndarray, columns: int, title_rows: int = 0, side: int = 32
) -> np.ndarray:
    """(n, side·side·3) weights as one (H, W, 4) uint8 RGBA mosaic of `columns` tiles a row,
    laid out exactly as `mosaic.tile` lays grey tiles (gaps and title bands transparent)."""
    tiles = rgb_tiles(values, side)
    planes = [mosaic.tile(tiles[..., c], columns, title_rows=title_rows) for c in range(3)]
    rgb = np.stack(planes, axis=-1)
    alpha = np.isfinite(rgb[..., 0])
    rgba = np.zeros((*rgb.shape[:2], 4), np.uint8)
    rgba[..., :3] = np.where(alpha[..., None], np.rint(np.nan_to_num(rgb) * 255), 0)
    rgba[..., 3] = alpha * 255
    return rgba
