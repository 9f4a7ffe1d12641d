"""Colour pictures in, for CIFAR-10 models: an image file as the 32×32 RGB a model reads.

Opened with the same guards as the drawings' files (`core.images`: only formats Pillow decodes
in-process, a size cap before decoding), then squashed whole to 32×32 as CIFAR-10's pictures
are (the whole picture, not a crop: what is in it counts, not its aspect).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from digitlab.core.errors import ImageError
from digitlab.core.images import FORMAT_NAMES, FORMATS, MAX_DECODED_BYTES, MAX_SIDE

SIDE = 32


def read_picture(path: str | os.PathLike[str], side: int = SIDE) -> np.ndarray:
    """An image file as (side, side, 3) uint8 RGB (transparency on white); one ImageError line
    for a missing, foreign, huge or damaged file."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path}: no such file")
    if not path.is_file():
        raise ImageError(f"{path} is not an image file (it is a folder or a special file)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as image:
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size
                width, height = image.size
                if width * height * len(image.getbands()) > MAX_DECODED_BYTES:
                    raise ImageError(
                        f"{path} is too large an image ({width}×{height} pixels): shrink it first"
                    )
                rgba = image.convert("RGBA")
                paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                rgb = Image.alpha_composite(paper, rgba).convert("RGB")
                small = rgb.resize((side, side), Image.Resampling.BOX if min(rgb.size) >= side
                                   else Image.Resampling.BILINEAR)  # fmt: skip
                return np.asarray(small, dtype=np.uint8).copy()
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(
            f"not a supported image: {path} (digitlab reads {FORMAT_NAMES} files)"
        ) from None
    except Exception as exc:  # OSError, DecompressionBombError, a decoder's slip: one line
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        raise ImageError(f"cannot read {path}: {text[:140]}") from None
