"""Image files in: the common raster formats, any size, as a 2-D uint8 array of gray levels.

Only formats that Pillow decodes inside this process are opened. Pillow also knows formats that
it hands to other programs (EPS and PDF go to Ghostscript, which can fail or loop forever on a
hostile file) or that need plugins digitlab has no use for; those are refused by name.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from digitlab.core.errors import ImageError

# Bigger images are shrunk while they are read: a digit needs no more than this, and a huge
# photo would otherwise take gigabytes (Pillow decodes JPEGs at a reduced size directly).
MAX_SIDE = 1024

# Pillow refuses only beyond 179 M pixels, where an RGBA picture decodes to 700 MB; a photo of a
# digit needs far less (a JPEG is decoded at a reduced size first, so it is counted after that).
MAX_DECODED_BYTES = 256 * 2**20

# Pillow's names of the formats digitlab opens: all decoded in-process (Pillow's own code or the
# libraries it links: zlib, libjpeg, libtiff, libwebp), none runs another program or reads fonts
# (a JPEG holding several pictures, MPO, opens through "JPEG").
FORMATS = ("PNG", "JPEG", "BMP", "DIB", "GIF", "TIFF", "WEBP", "PPM", "ICO", "TGA")
FORMAT_NAMES = "PNG, JPEG, BMP, GIF, TIFF, WebP, PPM/PGM/PBM, ICO or TGA"


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """An image file as a 2-D uint8 array (transparent areas count as white paper).

    Only regular files are read (a pipe would block forever); any problem is one ImageError line.
    """
    from PIL import Image

    def gray(image: Image.Image) -> np.ndarray:
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            rgba.thumbnail((MAX_SIDE, MAX_SIDE))  # shrunk first: the paper is small
            return np.asarray(on_paper(rgba).convert("L"))
        shown = image.convert("L")
        shown.thumbnail((MAX_SIDE, MAX_SIDE))
        return np.asarray(shown)

    return decode(path, "L", gray)


def on_paper(rgba):  # noqa: ANN001, ANN201 - a PIL image, PIL imported lazily
    """An RGBA picture over white paper (transparency shows white)."""
    from PIL import Image

    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, rgba)


def decode(path: str | os.PathLike[str], draft: str, convert: Callable) -> np.ndarray:
    """Open `path` with the guards every image file gets (a regular file, a format decoded in
    this process, at most MAX_DECODED_BYTES of pixels) and `convert` the open image; any problem
    is one ImageError line naming the file. `draft` is the mode a JPEG is decoded to, at a
    reduced size."""
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
                image.draft(draft, (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size
                width, height = image.size
                if width * height * len(image.getbands()) > MAX_DECODED_BYTES:  # before decoding
                    raise ImageError(
                        f"{path} is too large an image ({width}×{height} pixels, "
                        f"{image.mode}; digitlab reads up to {MAX_DECODED_BYTES // 2**20} MB of "
                        "pixels): shrink it first"
                    )
                return convert(image)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(
            f"not a supported image: {path} (digitlab reads {FORMAT_NAMES} files)"
        ) from None
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{path} is too large an image ({_first_line(exc)})") from None
    except Exception as exc:  # OSError, SyntaxError, MemoryError, a decoder's slip: one line
        raise ImageError(f"cannot read {path}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= 140 else text[:137] + "…"
