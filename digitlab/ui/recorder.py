"""Record one view across a saved run: a frame a moment, as GIF, WebP or APNG (Pillow).

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

FORMATS = {".gif": "GIF", ".webp": "WEBP", ".png": "PNG"}  # PNG: animated (APNG)
MAX_FRAMES = 2000


def check_recording_path(path: str | os.PathLike[str]) -> Path:
    """The output path, or a one-line error, before anything is rendered."""
    target = check_output_path(path)
    if target.suffix.lower() not in FORMATS:
        raise DigitlabError(
            f"{target}: give a file name ending in .gif, .webp or .png (animated); "
            "MP4 is not written yet"
        )
    return target


def record_run(
    run_path: str | os.PathLike[str],
    view_id: str,
    out: str | os.PathLike[str],
    size: tuple[int, int] = (640, 480),
    fps: float = 10.0,
) -> tuple[Path, int]:
    """Replay the run in `view_id` and write the animation; returns (path, frames)."""
    from digitlab.core.run_file import load_run
    from digitlab.ui.views import view_spec

    target = check_recording_path(out)
    try:
        spec = view_spec(view_id)
    except KeyError as exc:
        raise DigitlabError(str(exc.args[0])) from None
    run = load_run(run_path)
    frames = _render(run, spec, size)
    if not frames:
        raise DigitlabError(f"{run_path}: the run has no moment to record")
    return write_atomically(target, _encoded(frames, target.suffix.lower(), fps)), len(frames)


def _render(run, spec, size: tuple[int, int]) -> list:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from digitlab.core.replay import ReplayTrainer
    from digitlab.session import Session
    from digitlab.session.models import RUN_KEY
    from digitlab.session.run import RunPhase
    from digitlab.session.run_settings import RunSettings
    from digitlab.ui.app import _application
    from digitlab.ui.dispatch import QtDispatcher

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

    def grab(_update) -> None:
        if session.models.current is None or session.models.current.key != RUN_KEY:
            session.models.select(RUN_KEY)
        view.refresh()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        view.grab().save(buffer, "PNG")
        frames.append(Image.open(io.BytesIO(bytes(data.data()))).convert("RGB"))

    session.run.updated.connect(grab)
    try:
        if not session.run.start():
            raise DigitlabError("the run could not be replayed")
        while session.run.phase is not RunPhase.FINISHED and len(frames) < MAX_FRAMES:
            app.processEvents()
    finally:
        session.close()
        view.close()
    return frames


def _encoded(frames: list, suffix: str, fps: float) -> bytes:
    data = io.BytesIO()
    duration = max(20, round(1000 / max(fps, 0.1)))
    if suffix == ".gif":  # 256 colours a frame, each its own palette
        frames = [frame.quantize(256) for frame in frames]
    frames[0].save(data, FORMATS[suffix], save_all=True, append_images=frames[1:],
                   duration=duration, loop=0)  # fmt: skip
    return data.getvalue()
