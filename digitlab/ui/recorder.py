"""Record one view across a saved run: a frame a moment, as GIF, WebP or APNG (Pillow), or
MP4 (H.264 through imageio-ffmpeg, the optional `video` extra: it ships its own ffmpeg).

The run is replayed through a session (`core.replay.ReplayTrainer`), so the view shows each
moment exactly as it showed it live, change panels and curves included; each snapshot is drawn
and grabbed on the GUI thread as it arrives, so no moment is skipped. The output is checked
before any frame is rendered and written in one rename at the end: an interrupted recording
leaves no file behind.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from digitlab.core.errors import DigitlabError
from digitlab.core.files import check_output_path, write_atomically

FORMATS = {".gif": "GIF", ".webp": "WEBP", ".png": "PNG", ".mp4": "MP4"}  # PNG: APNG
MAX_FRAMES = 2000
QUIET_S = 0.15  # a moment is drawn once no analysis has run for this long


def check_recording_path(path: str | os.PathLike[str]) -> Path:
    """The output path, or a one-line error, before anything is rendered."""
    target = check_output_path(path)
    if target.suffix.lower() not in FORMATS:
        raise DigitlabError(
            f"{target}: give a file name ending in .gif, .webp, .png (animated) or .mp4"
        )
    if target.suffix.lower() == ".mp4":
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise DigitlabError(
                f"{target}: MP4 needs the video extra (pip install 'digitlab[video]', which "
                "brings imageio-ffmpeg and its ffmpeg); or write .gif, .webp or .png"
            ) from None
    return target


def record_run(
    run_path: str | os.PathLike[str],
    view_id: str,
    out: str | os.PathLike[str],
    size: tuple[int, int] = (640, 480),
    fps: float = 10.0,
    max_frames: int | None = None,
) -> tuple[Path, int]:
    """Replay the run in `view_id` and write the animation; returns (path, frames). With
    `max_frames`, moments evenly spread over the run's (already early-dense) record, the
    first and the last among them; each change is then against the moment shown before."""
    from digitlab.core.run_file import load_run
    from digitlab.ui.views import view_spec

    target = check_recording_path(out)
    try:
        spec = view_spec(view_id)
    except KeyError as exc:
        raise DigitlabError(str(exc.args[0])) from None
    run = load_run(run_path)
    if max_frames is not None and len(run.moments) > max_frames + 1:
        run = _fewer_moments(run, max_frames)
    frames = _render(run, spec, size)
    if not frames:
        raise DigitlabError(f"{run_path}: the run has no moment to record")
    if target.suffix.lower() == ".mp4":
        return _write_mp4(frames, target, fps), len(frames)
    return write_atomically(target, _encoded(frames, target.suffix.lower(), fps)), len(frames)


def _fewer_moments(run, frames: int):
    """The start (the first change's baseline) and `frames` moments evenly spread after it."""
    from dataclasses import replace

    import numpy as np

    picks = np.unique(np.linspace(1, len(run.moments) - 1, max(frames, 1)).round().astype(int))
    return replace(run, moments=(run.moments[0], *(run.moments[i] for i in picks)))


def _render(run, spec, size: tuple[int, int]) -> list:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image

    from digitlab.core.replay import ReplayTrainer
    from digitlab.session import Session
    from digitlab.session.models import RUN_KEY
    from digitlab.session.run import RunPhase
    from digitlab.session.run_settings import RunSettings
    from digitlab.ui.app import _application
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.screenshot import encoded_picture

    app = _application()
    session = Session(QtDispatcher(), trainer_factory=lambda: ReplayTrainer(run))
    settings = RunSettings(hidden=run.spec.hidden, activation=run.spec.activation,
                           classes=None if run.classes == tuple(range(10)) else run.classes,
                           refresh_every=1)  # fmt: skip
    session.run.set_settings(settings)
    view = spec.create(session)
    view.resize(*size)
    view.show()
    frames: list = []
    arrived: list[bool] = []

    def hold(_update) -> None:
        """A moment came: hold the replay until the view has drawn it (its analyses of the
        moment, such as the bottleneck's planes, run in the background)."""
        session.run.pause()
        arrived.append(True)

    def grab() -> None:
        if session.models.current is None or session.models.current.key != RUN_KEY:
            session.models.select(RUN_KEY)
        view.refresh()  # asks for the moment's analyses (planes, unit statistics, …)
        _settle(app, session)  # which arrive, and redraw the view
        png = encoded_picture(view.grab(), ".png")
        frames.append(Image.open(io.BytesIO(png)).convert("RGB"))

    session.run.updated.connect(hold)
    try:
        if not session.run.start():
            raise DigitlabError("the run could not be replayed")
        while len(frames) < MAX_FRAMES:
            app.processEvents()
            if arrived:
                arrived.clear()
                grab()
                session.run.resume()
            elif session.run.phase is RunPhase.FINISHED:
                break
    finally:
        session.close()
        view.close()
    return frames


def _settle(app, session, timeout_s: float = 30.0) -> None:
    """Until the background work the moment started (a view's analysis of it) has been done
    and nothing new has started for QUIET_S: views throttle their requests (the bottleneck
    asks at most ten times a second), so an idle moment is not yet a finished one."""
    import time

    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        app.processEvents()
        if session.analysing:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_S:
            break
        time.sleep(0.005)
    app.processEvents()  # the results, and the refresh they schedule


def _write_mp4(frames: list, target: Path, fps: float) -> Path:
    """H.264 through imageio-ffmpeg's own ffmpeg, into a temporary file renamed at the end
    (even sides: the encoder's 4:2:0 colour needs them; the last row or column is dropped)."""
    import tempfile

    import imageio_ffmpeg
    import numpy as np

    width, height = frames[0].size[0] // 2 * 2, frames[0].size[1] // 2 * 2
    handle, temporary = tempfile.mkstemp(suffix=".mp4", prefix=f".{target.name}.",
                                         dir=target.parent)  # fmt: skip
    os.close(handle)
    try:
        writer = imageio_ffmpeg.write_frames(
            temporary, (width, height), fps=fps, macro_block_size=2, ffmpeg_log_level="error"
        )
        writer.send(None)
        for frame in frames:
            writer.send(np.ascontiguousarray(np.asarray(frame)[:height, :width]))
        writer.close()
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as a file written plainly (mkstemp made it 0600)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target


def _encoded(frames: list, suffix: str, fps: float) -> bytes:
    data = io.BytesIO()
    duration = max(20, round(1000 / max(fps, 0.1)))
    if suffix == ".gif":  # 256 colours a frame, each its own palette
        frames = [frame.quantize(256) for frame in frames]
    extra = {"quality": 70, "method": 6} if suffix == ".webp" else {}  # half the bytes, sharp
    frames[0].save(data, FORMATS[suffix], save_all=True, append_images=frames[1:],
                   duration=duration, loop=0, **extra)  # fmt: skip
    return data.getvalue()
