"""Writing a list of frames as an animation: GIF, WebP or APNG (Pillow), or MP4 (H.264 through
imageio-ffmpeg, the optional `video` extra: it ships its own ffmpeg).

Shared by `digitlab record` and the window's Record…: the output is checked before any frame is
rendered (`check_recording_path`), and written in one rename at the end, so an interrupted or
failed recording leaves neither a partial file nor a stray temporary one.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from digitlab.core.errors import DigitlabError
from digitlab.core.file_kinds import picture_kind
from digitlab.core.files import TEMP_SUFFIX, check_output_path, write_atomically

FORMATS = {".gif": "GIF", ".webp": "WEBP", ".png": "PNG", ".mp4": "MP4"}  # PNG: APNG


def mp4_available() -> bool:
    """Whether the video extra (imageio-ffmpeg) is installed."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def check_recording_path(path: str | os.PathLike[str]) -> Path:
    """The output path, or a one-line error, before anything is rendered."""
    target = check_output_path(path, kind=picture_kind(path))  # over a file of its format only
    if target.suffix.lower() not in FORMATS:
        raise DigitlabError(
            f"{target}: give a file name ending in .gif, .webp, .png (animated) or .mp4"
        )
    if target.suffix.lower() == ".mp4" and not mp4_available():
        raise DigitlabError(
            f"{target}: MP4 needs the video extra (pip install 'digitlab[video]', which "
            "brings imageio-ffmpeg and its ffmpeg); or write .gif, .webp or .png"
        )
    return target


def write_animation(
    frames: list[Image.Image],
    target: str | os.PathLike[str],
    fps: float,
    check: Callable[[], None] | None = None,
) -> Path:
    """Write the frames (PIL RGB images, all one size) to `target` in the format its suffix
    names; returns the path. `check` is called between steps and may raise to abandon the
    write (a cancelled recording): nothing is left behind then."""
    target = check_recording_path(target)
    if not frames:
        raise DigitlabError(f"{target}: no frame to write")
    check = check or _nothing
    if target.suffix.lower() == ".mp4":
        return _write_mp4(frames, target, fps, check)
    data = encoded(frames, target.suffix.lower(), fps)
    check()
    return write_atomically(target, data)


def encoded(frames: list[Image.Image], suffix: str, fps: float) -> bytes:
    """The frames as one GIF, WebP or APNG file's bytes."""
    data = io.BytesIO()
    duration = max(20, round(1000 / max(fps, 0.1)))
    if suffix == ".gif":  # 256 colours a frame, each its own palette
        frames = [frame.quantize(256) for frame in frames]
    extra = {"quality": 70, "method": 6} if suffix == ".webp" else {}  # half the bytes, sharp
    frames[0].save(data, FORMATS[suffix], save_all=True, append_images=frames[1:],
                   duration=duration, loop=0, **extra)  # fmt: skip
    return data.getvalue()


def _write_mp4(frames: list[Image.Image], target: Path, fps: float, check) -> Path:
    """H.264 through imageio-ffmpeg's own ffmpeg, into a temporary file renamed at the end
    (even sides: the encoder's 4:2:0 colour needs them; the last row or column is dropped).
    The temporary name is `write_atomically`'s, so a killed process's leftover is removed by
    the next write to the same path."""
    import imageio_ffmpeg
    import numpy as np

    width, height = frames[0].size[0] // 2 * 2, frames[0].size[1] // 2 * 2
    if width < 2 or height < 2:
        raise DigitlabError(f"{target}: frames of {frames[0].size} are too small for MP4")
    handle, temporary = tempfile.mkstemp(suffix=TEMP_SUFFIX, dir=target.parent,
                                         prefix=f".{target.name}.{os.getpid()}.")  # fmt: skip
    os.close(handle)
    try:
        writer = imageio_ffmpeg.write_frames(temporary, (width, height), fps=fps,
                                             macro_block_size=2, ffmpeg_log_level="error",
                                             output_params=["-f", "mp4"])  # fmt: skip
        writer.send(None)
        try:
            for frame in frames:
                check()
                writer.send(np.ascontiguousarray(np.asarray(frame)[:height, :width]))
        finally:
            writer.close()
        check()
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as a file written plainly (mkstemp made it 0600)
        os.replace(temporary, target)
    except OSError as exc:
        raise DigitlabError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target


def _nothing() -> None:
    """No check: the write is never abandoned."""
