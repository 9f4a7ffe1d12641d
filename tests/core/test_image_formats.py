"""Every format Pillow can write: only the common raster formats open, decoded in this process;
the rest (EPS and PDF would go to Ghostscript) are one ImageError line, never another error."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import EpsImagePlugin, Image

from digitlab.cli import main
from digitlab.core.errors import ImageError
from digitlab.core.images import read_image

Image.init()
# What Pillow writes under these names opens (MPO is a JPEG holding several pictures; DIB a BMP
# without its file header); everything else Pillow can write is refused.
OPENS = {"PNG", "JPEG", "MPO", "BMP", "DIB", "GIF", "TIFF", "WEBP", "PPM", "ICO", "TGA"}
INK = np.zeros((16, 16), np.uint8)
INK[4:12, 6:10] = 255


class ProcessStarted(BaseException):
    """Raised by the patched subprocess functions: no ImageError handler can swallow it."""


@pytest.fixture
def no_subprocess(monkeypatch):
    """Fail the test if anything starts a program (Pillow asks `gs --version` before using it)."""

    def refuse(*args, **kwargs):
        raise ProcessStarted(f"a process was started: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(EpsImagePlugin, "gs_binary", None)  # forget a cached "gs not found"


def _written(fmt: str) -> bytes | None:
    """A small ink image in this format, in the first mode the format's writer takes."""
    for mode in ("L", "RGB", "1", "P"):
        buffer = io.BytesIO()
        try:
            Image.fromarray(INK).convert(mode).save(buffer, format=fmt)
        except (OSError, ValueError, KeyError):  # "save handler not installed", wrong mode
            continue
        return buffer.getvalue()
    return None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Pillow 13 on writing IM
@pytest.mark.parametrize("fmt", sorted(Image.SAVE))
def test_only_the_allowed_formats_open(tmp_path: Path, fmt: str, no_subprocess) -> None:
    data = _written(fmt)
    if data is None:
        pytest.skip(f"Pillow cannot write {fmt} here (no save handler)")
    path = tmp_path / f"digit.{fmt.lower()}"
    path.write_bytes(data)
    if fmt in OPENS:
        gray = read_image(path)
        assert gray.shape == (16, 16) and gray.dtype == np.uint8
        assert gray[8, 8] > 200 and gray[0, 0] < 50  # the ink survived (lossy formats: about)
    else:
        with pytest.raises(ImageError, match="not a supported image") as info:
            read_image(path)
        message = str(info.value)
        assert "\n" not in message and str(path) in message and "PNG, JPEG" in message


def test_every_writable_format_is_tried() -> None:
    """The parametrisation covers the formats that matter: a Pillow that drops one shows here."""
    assert {"EPS", "PDF", "PNG", "JPEG", "TIFF", "WEBP"} <= set(Image.SAVE)


def test_an_eps_file_starts_no_process(tmp_path: Path, no_subprocess) -> None:
    path = tmp_path / "looping.eps"
    path.write_bytes(
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
        b"{ } loop\nshowpage\n%%EOF\n"
    )
    with pytest.raises(ImageError, match="not a supported image"):
        read_image(path)


def test_predict_answers_the_png_after_a_refused_eps(tmp_path: Path, no_subprocess, capsys):
    Image.fromarray(INK).save(tmp_path / "a.eps")
    Image.fromarray(INK).save(tmp_path / "b.png")
    code = main(["predict", str(tmp_path / "a.eps"), str(tmp_path / "b.png")])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines()[0].startswith(f"digitlab predict: not a supported image: {tmp_path}")
    (answer,) = [json.loads(line) for line in out.splitlines()]
    assert answer["file"].endswith("b.png") and isinstance(answer["digit"], int)
