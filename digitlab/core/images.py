"""Image files in: any format Pillow reads, any size, as a 2-D uint8 array of gray levels."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from digitlab.core.errors import ImageError

# Bigger images are shrunk while they are read: a digit needs no more than this, and a huge
# photo would otherwise take gigabytes (Pillow decodes JPEGs at a reduced size directly).
MAX_SIDE = 1024


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """An image file as a 2-D uint8 array (transparent areas count as white paper).

    Only regular files are read (a pipe would block forever); any problem is one ImageError line.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path}: no such file")
    if not path.is_file():
        raise ImageError(f"{path} is not an image file (it is a folder or a special file)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.draft("L", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size
                if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                    image = Image.alpha_composite(background, image.convert("RGBA"))
                gray = image.convert("L")
                gray.thumbnail((MAX_SIDE, MAX_SIDE))
                return np.asarray(gray)
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{path} is not an image Pillow can read ({_first_line(exc)})") from None
    except (OSError, ValueError, SyntaxError, MemoryError) as exc:
        raise ImageError(f"cannot read {path}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= 140 else text[:137] + "…"
