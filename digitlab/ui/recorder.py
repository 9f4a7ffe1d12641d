"""Record one view across a saved run: a frame a moment, as GIF, WebP or APNG (Pillow), or
MP4 (H.264 through imageio-ffmpeg, the optional `video` extra), encoded by `core.animation`.

The run is replayed through a session (`core.replay.ReplayTrainer`), so the view shows each
moment exactly as it showed it live, change panels and curves included; each snapshot is drawn
and grabbed on the GUI thread as it arrives, so no moment is skipped. The output is checked
before any frame is rendered and written in one rename at the end: an interrupted recording
leaves no file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from digitlab.core.animation import check_recording_path, write_animation
from digitlab.core.errors import DigitlabError

MAX_FRAMES = 2000


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
    return write_animation(frames, target, fps), len(frames)


def _fewer_moments(run, frames: int):
    """The start (the first change's baseline) and `frames` moments evenly spread after it."""
    from dataclasses import replace

    import numpy as np

    picks = np.unique(np.linspace(1, len(run.moments) - 1, max(frames, 1)).round().astype(int))
    return replace(run, moments=(run.moments[0], *(run.moments[i] for i in picks)))


def _render(run, spec, size: tuple[int, int]) -> list:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from digitlab.core.replay import ReplayTrainer
    from digitlab.session import Session
    from digitlab.session.models import RUN_KEY
    from digitlab.session.run import RunPhase
    from digitlab.session.run_settings import RunSettings
    from digitlab.ui.app import _application
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.window_recorder import grab_frame

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
        _settle(app, session, view)  # which arrive, and redraw the view
        frames.append(grab_frame(view, size))

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


def _settle(app, session, view, timeout_s: float = 30.0) -> None:
    """Until the view has drawn the moment (`settling`): its analyses arrived, no redraw due
    and no request held back, for QUIET_S."""
    import time

    from digitlab.ui.settling import QUIET_S, drawing

    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        app.processEvents()
        if drawing(session, view):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_S:
            break
        time.sleep(0.005)
    app.processEvents()  # the results, and the refresh they schedule
