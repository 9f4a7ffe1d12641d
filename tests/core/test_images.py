"""Image files in: only regular files, any size read small, every problem one line."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from digitlab.core.errors import ImageError
from digitlab.core.images import MAX_SIDE, read_image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_reads_gray_levels(tmp_path: Path) -> None:
    pixels = np.arange(64, dtype=np.uint8).reshape(8, 8)
    Image.fromarray(pixels).save(tmp_path / "a.png")
    np.testing.assert_array_equal(read_image(tmp_path / "a.png"), pixels)


def test_transparent_areas_are_white_paper(tmp_path: Path) -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)  # black, fully transparent
    rgba[0, 0] = (0, 0, 0, 255)  # one opaque black pixel: the ink
    Image.fromarray(rgba, "RGBA").save(tmp_path / "t.png")
    gray = read_image(tmp_path / "t.png")
    assert gray[0, 0] == 0 and (gray.ravel()[1:] == 255).all()


def test_a_huge_image_is_read_small_and_silently(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("L", (10_000, 10_000), 255).save(path)  # over Pillow's bomb-warning size
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gray = read_image(path)
    assert max(gray.shape) == MAX_SIDE and gray.dtype == np.uint8


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.png")
    with pytest.raises(ImageError, match="special file"):
        read_image(tmp_path / "f.png")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "not a supported image"),
        (b"hello, world", "not a supported image"),
        (PNG_MAGIC + b"\x00" * 40, "cannot read|not a supported image"),
    ],
    ids=["missing", "empty", "text", "truncated-png"],
)
def test_bad_files_get_one_line(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImageError, match=message) as info:
        read_image(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def _png_bytes(size: tuple[int, int]) -> bytes:
    import io

    buffer = io.BytesIO()
    Image.new("L", size, 128).save(buffer, format="PNG")
    return buffer.getvalue()


GOOD_PNG = _png_bytes((20, 20))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.builds(lambda tail: PNG_MAGIC + tail, st.binary(max_size=300)),
        st.integers(0, len(GOOD_PNG)).map(lambda cut: GOOD_PNG[:cut]),  # a real PNG cut off
        st.builds(  # a real PNG with one byte changed
            lambda at, byte: GOOD_PNG[:at] + bytes([byte]) + GOOD_PNG[at + 1 :],
            st.integers(0, len(GOOD_PNG) - 1),
            st.integers(0, 255),
        ),
    )
)
def test_fuzz_any_bytes_give_an_image_or_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.img"
    path.write_bytes(data)
    try:
        gray = read_image(path)
    except ImageError as exc:
        assert "\n" not in str(exc)
    else:
        assert gray.ndim == 2 and gray.dtype == np.uint8 and max(gray.shape) <= MAX_SIDE


def test_a_picture_too_large_to_decode_is_refused_before_decoding(tmp_path: Path) -> None:
    """13 300² RGBA (a 700 KB PNG that Pillow accepts) would take 2.8 GB to read."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 9000, 9000, 8, 6, 0, 0, 0)  # 8-bit RGBA, and no pixels
    path = tmp_path / "wide.png"
    path.write_bytes(PNG_MAGIC + chunk(b"IHDR", header) + chunk(b"IDAT", b""))
    with pytest.raises(ImageError, match=r"too large an image \(9000×9000 pixels, RGBA"):
        read_image(path)


def test_a_large_transparent_picture_is_shrunk_before_the_paper_goes_under(tmp_path) -> None:
    rgba = np.zeros((3000, 3000, 4), np.uint8)
    rgba[1000:2000, 1400:1600] = (0, 0, 0, 255)  # a black bar on transparent paper
    Image.fromarray(rgba, "RGBA").save(tmp_path / "bar.png")
    gray = read_image(tmp_path / "bar.png")
    assert gray.shape == (MAX_SIDE, MAX_SIDE) and gray[0, 0] == 255 and gray[512, 512] == 0
