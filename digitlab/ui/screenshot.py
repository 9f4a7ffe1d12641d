"""`digitlab screenshot`: the window, or one view, in a demo state, rendered offscreen to a PNG.

The demo: a 3 drawn on the pad and a short run of a 784→16→10 net on MNIST, which then reads
the drawing (curves, live weights and their last change show); with `train=False`, the shipped
2-layer model reads it and no data is needed. Some views have their own demo (`DEMOS`): the
bottleneck trains 784→2→3 on the digits 0, 1 and 2 with a 1 drawn; the probes view runs them
on the shipped 784→256→10; the confusion, mistakes and dataset views show its test-set answers
(the confusion view with its worst cell open); the robustness view sweeps both shipped models; the
offsets view shows the 3 with the preprocessing off.
Settings go to a private temporary folder: the user's own are neither read nor touched.
Ctrl+C or SIGTERM stops it (`Interrupted`): no picture, the temporary folder removed, the
trainer ended; `digitlab screenshot` then exits 128 + the signal's number (130, 143, 129).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitlab.core.errors import DigitlabError
from digitlab.core.file_kinds import picture_kind
from digitlab.core.files import check_output_path, write_atomically

DEMO_RUN = {"hidden": "16", "epochs": 1, "batch_size": 64}
DEMO_MODEL = "mlp"  # the pictures in the README show the shipped 784→256→10


@dataclass(frozen=True)
class Demo:
    run: dict = field(default_factory=lambda: DEMO_RUN)
    digit: str = "3"  # drawn on the pad (see pad.SAMPLES)
    probes: bool = False  # run the layer probes once the model answers
    train: bool = True  # False: the shipped 2-layer model answers
    robustness: bool = False  # sweep the shipped models (the whole test set: about a minute)
    fit_and_centre: tuple[bool, bool] = (True, True)  # the preprocessing switches
    ready: Callable[[Any], bool] | None = None  # the view alone: wait until this holds
    finish: Callable[[Any], None] | None = None  # then do this to it (choose a cell, …)
    settled: Callable[[Any], bool] | None = None  # and wait until this holds


def _gallery_filled(view: Any) -> bool:
    return view.gallery.model().rowCount() > 0


def _worst_cell(view: Any) -> None:
    """Open the confusion cell with the most mistakes."""
    import numpy as np

    confusion = view.report().confusion.copy()
    np.fill_diagonal(confusion, -1)
    view.choose_cell(*(int(i) for i in np.unravel_index(np.argmax(confusion), confusion.shape)))


def _confusion_ready(view: Any) -> bool:
    return view.report() is not None


def _grid_ready(view: Any) -> bool:
    return view.grid is not None


DEMO_EXPERIMENT = "activations"


def _show_experiment(view: Any) -> None:
    """The full run kept in docs/ (a source checkout), else a quick run made now."""
    from pathlib import Path

    view.pick(DEMO_EXPERIMENT)
    kept = Path(__file__).resolve().parents[2] / "docs" / "experiments" / DEMO_EXPERIMENT
    if (kept / "result.json").is_file():
        view.open_file(kept / "result.json")
    else:
        view.run_or_cancel()


DEMOS = {
    "bottleneck": Demo({"hidden": "2", "classes": "0,1,2", "epochs": 2, "batch_size": 64}, "1"),
    "probes": Demo(probes=True, train=False),  # 784→256→10: the probes have depth to show
    "robustness": Demo(train=False, robustness=True),
    # Without the recipe the answer flips as the drawing moves.
    "offsets": Demo(train=False, fit_and_centre=(False, False), ready=_grid_ready),
    # The analyses of where the shipped 784→256→10 breaks: its test-set answers, no training.
    "confusion": Demo(train=False, ready=_confusion_ready, finish=_worst_cell),
    "mistakes": Demo(train=False, ready=_gallery_filled),
    "dataset": Demo(train=False, ready=_gallery_filled),
    "experiments": Demo(
        train=False,
        ready=lambda view: bool(view.selected()),
        finish=_show_experiment,
        settled=lambda view: view.result is not None,
    ),
}
TIMEOUT_MS = 180_000


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
# Ctrl+C, kill, a closed terminal: each stops the picture and cleans up (SIGHUP is missing on
# Windows).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(Exception):
    """Ctrl+C or SIGTERM during a screenshot: it stopped, and wrote nothing."""

    def __init__(self, number: int) -> None:
        super().__init__(signal.Signals(number).name)
        self.number = number


class _Stop:
    """The stop signal, once one came; the handler only notes it and leaves Qt's loop (an
    exception raised inside a Qt slot would be printed and dropped), `check` raises it."""

    def __init__(self) -> None:
        self.number: int | None = None
        self.loop: Any = None

    def note(self, number: int, _frame: Any = None) -> None:
        self.number = self.number or number
        if self.loop is not None:
            self.loop.quit()

    def check(self) -> None:
        if self.number is not None:
            raise Interrupted(self.number)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[_Stop]:
    """SIGINT and SIGTERM noted for the screenshot's duration (main thread only), then restored."""
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    before = {number: signal.signal(number, stop.note) for number in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


@dataclass(frozen=True)
class Shot:
    """What to show: the window or one view, in a workspace or a lesson, read by a model."""

    view: str | None = None  # one view alone
    workspace: str | None = None  # the window in this workspace
    lesson: Any = None  # the window in this lesson (a session.lessons.Lesson)
    model: Path | None = None  # this model file reads the drawing (no demo run)
    train: bool = True  # run the demo training where the shot has one


def save_screenshot(
    path: str | os.PathLike[str],
    size: tuple[int, int] = (1400, 860),
    view: str | None = None,
    data_dir: str | None = None,
    train: bool = True,
    workspace: str | None = None,
    lesson: str | None = None,
    model: str | None = None,
) -> Path:
    """Render and save; returns the path. Raises DigitlabError when the demo cannot run (or a
    name given is unknown: a view, workspace, lesson or model)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if data_dir:
        os.environ["DIGITLAB_DATA"] = str(Path(data_dir).expanduser().resolve())
    target = check_output_path(path, kind=picture_kind(path))  # never over another kind of file
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        raise DigitlabError(
            f"{target}: give a picture file name ending in {', '.join(IMAGE_SUFFIXES)}"
        )
    if view is not None:
        from digitlab.ui.views import view_spec

        try:
            view_spec(view)
        except KeyError as exc:
            raise DigitlabError(str(exc.args[0])) from None
    shot = Shot(view, _workspace_id(workspace), _lesson(lesson), _model_path(model), train)
    with _stop_on_signals() as stop:
        folder = tempfile.mkdtemp(prefix="digitlab-screenshot-")
        try:
            return _render(target, size, shot, Path(folder) / "settings.ini", stop)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _workspace_id(name: str | None) -> str | None:
    if name is None:
        return None
    from digitlab.ui.workspaces import workspace

    try:
        return workspace(name).id
    except KeyError as exc:
        raise DigitlabError(str(exc.args[0])) from None


def _lesson(name: str | None) -> Any:
    if name is None:
        return None
    from digitlab.session.lessons import find_lesson

    return find_lesson(name)  # a LessonError is a DigitlabError


def _model_path(text: str | None) -> Path | None:
    if text is None:
        return None
    from digitlab.core.resources import resolve_model

    return resolve_model(text)


def _render(target: Path, size: tuple[int, int], shot: Shot, ini: Path, stop: _Stop) -> Path:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from digitlab.session import Session
    from digitlab.session.models import RUN_KEY
    from digitlab.session.run import RunEnd, RunPhase
    from digitlab.session.run_settings import RunSettings
    from digitlab.ui.app import _application
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.main_window import MainWindow
    from digitlab.ui.views.pad import draw_sample

    app = _application()
    session = Session(QtDispatcher())
    window = MainWindow(session, QSettings(str(ini), QSettings.Format.IniFormat))
    window.resize(*size)
    window.reset_layout()
    window.build_plot_views()
    window.show()
    loop = stop.loop = QEventLoop()

    def wait(ready, timeout_ms: int = TIMEOUT_MS) -> bool:
        stop.check()
        timer = QTimer(singleShot=True, interval=timeout_ms)
        timer.timeout.connect(loop.quit)
        poll = QTimer(interval=20)  # Python runs the signal handler at the next poll
        poll.timeout.connect(lambda: loop.quit() if ready() else None)
        timer.start()
        poll.start()
        if not ready():
            loop.exec()
        poll.stop()
        stop.check()
        return ready()

    view_id = shot.view
    demo = DEMOS.get(view_id or "", Demo())
    train = shot.train and demo.train and shot.model is None and shot.lesson is None
    train = train and shot.workspace in (None, "train")
    failures: list[str] = []
    session.models.load_failed.connect(lambda failure: failures.append(failure.message))
    try:
        session.start(DEMO_MODEL)
        if shot.model is not None:
            session.models.open_file(shot.model)
            wait(lambda: bool(failures) or _answering_with(session, shot.model))
            if failures:
                raise DigitlabError(failures[0])
        session.drawing.set_options(*demo.fit_and_centre)
        draw_sample(window.view("pad"), demo.digit)
        if train:
            outcomes = []
            session.run.finished.connect(outcomes.append)
            session.run.set_settings(RunSettings.from_dict(demo.run))
            session.run.start()
            if not wait(lambda: bool(outcomes)) or outcomes[0].end is not RunEnd.DONE:
                raise DigitlabError(
                    outcomes[0].message if outcomes else "the demo training run did not finish"
                )
        if shot.model is None:
            answering = RUN_KEY if train else DEMO_MODEL
            wait(lambda: getattr(session.models.current, "key", None) == answering)
        wait(lambda: session.run.phase is not RunPhase.STARTING, 1000)
        wait(lambda: False, 400)  # let the last snapshot and repaints land
        if demo.probes:
            window.view("probes").run_probes()
            wait(lambda: not session.probes.running)
        if demo.robustness:
            window.view("robustness").run_or_cancel()
            wait(lambda: not session.robustness.running)
        widget = window
        if shot.workspace is not None:
            window.workspaces.switch(shot.workspace)
            _settle(window, session, wait)
        if shot.lesson is not None:
            _follow_lesson(window, session, shot, wait)
        if view_id is not None:
            dock = window.docks[view_id]
            dock.show()
            dock.setFloating(True)
            dock.resize(*size)
            widget = window.view(view_id)
            if demo.ready is not None:
                wait(lambda: demo.ready(widget), 60_000)
            if demo.finish is not None:
                demo.finish(widget)
            if demo.settled is not None:
                wait(lambda: demo.settled(widget))
            wait(lambda: False, 300)
        picture = encoded_picture(widget.grab(), target.suffix)
        stop.check()
        return write_atomically(target, picture)
    finally:
        stop.loop = None
        window.close()  # ends the trainer
        app.processEvents()


def _answering_with(session: Any, path: Path) -> bool:
    current = session.models.current
    return (
        current is not None
        and current.source.path is not None
        and (Path(current.source.path).resolve() == path.resolve())
    )


def _settle(window: Any, session: Any, wait: Callable[..., bool]) -> None:
    """Let the views now shown compute what they show (unit statistics, the test set's
    answers, …): until no background job runs (at most a minute), then a last repaint."""
    wait(lambda: False, 300)
    wait(lambda: not session.analysing, 60_000)
    wait(lambda: False, 400)


def _follow_lesson(window: Any, session: Any, shot: Shot, wait: Callable[..., bool]) -> None:
    """Open the lesson; one that trains starts its run and is shown after its first epoch (a
    slowed-down one after a few seconds of its slow motion)."""
    lesson = shot.lesson
    window.lessons.open(lesson)
    if lesson.trains and shot.train:
        wait(lambda: session.run.trainer_ready, 60_000)
        session.run.start()
        if session.run.pace:
            wait(lambda: False, 6000)
        else:
            wait(lambda: session.run.epochs_trained >= 1, TIMEOUT_MS)
        window.lessons.panel.check()
    _settle(window, session, wait)


def encoded_picture(pixmap, suffix: str) -> bytes:
    """The picture in the format its file name asks for, as bytes (written atomically)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not pixmap.save(buffer, suffix.lstrip(".").upper().replace("JPEG", "JPG")):
        raise DigitlabError(f"could not encode the picture as {suffix}")
    return bytes(data.data())
