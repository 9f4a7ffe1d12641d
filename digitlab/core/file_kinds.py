"""What an existing file holds, read from its first bytes, so that an output replaces only a file
of its own kind: a model over a model, a PNG over a PNG, never a user's picture, text or other data
under a mistyped --out (`check_output_path(path, kind=...)`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from digitlab.core.legacy_checkpoint import FORMAT
from digitlab.core.run_file import RUN_FORMAT

# What each kind of output is, in messages.
KIND_NAMES = {
    "model": "a digitlab model",
    "run": "a digitlab run file",
    "png": "a PNG picture",
    "gif": "a GIF picture",
    "webp": "a WebP picture",
    "mp4": "an MP4 video",
    "jpeg": "a JPEG picture",
    "bmp": "a BMP picture",
    "json": "a JSON file",
}
# safetensors files say what they are in their header's metadata
_SAFETENSORS_FORMATS = {FORMAT: "model", RUN_FORMAT: "run"}
_MAX_HEADER = 100_000_000  # bytes: safetensors' own limit; a larger "length" is not one
_PICTURE_KINDS = {
    ".png": "png", ".gif": "gif", ".webp": "webp", ".mp4": "mp4",
    ".jpg": "jpeg", ".jpeg": "jpeg", ".bmp": "bmp",
}  # fmt: skip


def picture_kind(path: str | os.PathLike[str]) -> str | None:
    """The kind an animation or picture written to `path` is, by its suffix (None: unknown)."""
    return _PICTURE_KINDS.get(Path(path).suffix.lower())


def file_kind(path: str | os.PathLike[str]) -> str | None:
    """The kind (a key of KIND_NAMES) of what the regular file `path` holds; "empty" for an
    empty file, None for anything else (text, a picture of another format, data of any sort)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
            if not head:
                return "empty"
            if head.startswith(b"\x89PNG\r\n\x1a\n"):
                return "png"
            if head[:6] in (b"GIF87a", b"GIF89a"):
                return "gif"
            if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
                return "webp"
            if head[4:8] == b"ftyp":
                return "mp4"
            if head[:3] == b"\xff\xd8\xff":
                return "jpeg"
            if head[:2] == b"BM":
                return "bmp"
            if head.lstrip()[:1] in (b"{", b"["):
                return "json"
            if head[:4] == b"PK\x03\x04":  # a zip: a digitlab 0.1 model (a torch file), maybe
                return _legacy_model(Path(path))
            return _safetensors_kind(handle, head)
    except (OSError, ValueError):
        return None


def _safetensors_kind(handle, head: bytes) -> str | None:
    """The kind ("model" or "run") of a digitlab safetensors file, from its header; else None."""
    size = int.from_bytes(head[:8], "little")
    if len(head) < 8 or not 2 <= size <= _MAX_HEADER:
        return None
    handle.seek(8)
    header = json.loads(handle.read(size))
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(metadata, dict):
        return None
    return _SAFETENSORS_FORMATS.get(metadata.get("format"))  # type: ignore[arg-type]


def _legacy_model(path: Path) -> str | None:
    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.errors import DigitlabError

    try:
        load_checkpoint(path)
    except DigitlabError:
        return None
    return "model"
