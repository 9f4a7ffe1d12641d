"""Colour pictures in, for CIFAR-10 models: an image file as the 32×32 RGB a model reads.

Opened with the same guards as the drawings' files (`core.images`: only formats Pillow decodes
in-process, a size cap before decoding), then squashed whole to 32×32 as CIFAR-10's pictures
are (the whole picture, not a crop: what is in it counts, not its aspect).
"""

from __future__ import annotations

import os

import numpy as np

from digitlab.core.images import decode, on_paper

SIDE = 32


def read_picture(path: str | os.PathLike[str], side: int = SIDE) -> np.ndarray:
    """An image file as (side, side, 3) uint8 RGB (transparency on white); one ImageError line
    for a missing, foreign, huge or damaged file."""
    from PIL import Image

    def squashed(image: Image.Image) -> np.ndarray:
        rgb = on_paper(image.convert("RGBA")).convert("RGB")
        small = rgb.resize((side, side), Image.Resampling.BOX if min(rgb.size) >= side
                           else Image.Resampling.BILINEAR)  # fmt: skip
        return np.asarray(small, dtype=np.uint8).copy()

    return decode(path, "RGB", squashed)
