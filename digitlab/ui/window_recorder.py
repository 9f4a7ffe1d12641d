"""Recording one view, or the whole window, into an animation from inside the window.

Two ways, both driven by Qt timers so the window stays responsive while frames are taken:

* *timeline*: every moment of the run, from its first to its newest (the write-up's "how the
  weights formed"), whatever moment was shown before; that moment is shown again after. Each
  moment is chosen on the session's timeline, and grabbed once the views have drawn it
  (`settling`), polled, never waited for in a loop.
* *live*: the target as it is, at the frame rate chosen, until Stop, or until the run that is
  going (or one started while recording) ends.

Each frame is scaled to fit the size chosen (aspect kept; even sides for MP4) and kept as a PIL
RGB image; a recording keeps at most MAX_FRAMES frames and MEMORY_BUDGET bytes of them, and
stops with a notice at the cap. The frames are encoded in a background job (`core.animation`):
written in one rename, so a stopped, cancelled or failed recording leaves no partial file.
"""

from __future__ import annotations

import enum
import time
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QWidget

from digitlab.core.animation import check_recording_path, write_animation
from digitlab.core.errors import DigitlabError
from digitlab.session import Session
from digitlab.session.history import HistoryEntry
from digitlab.session.jobs import Job
from digitlab.ui.settling import QUIET_S, drawing

MAX_FRAMES = 1500
MEMORY_BUDGET = 2 << 30  # bytes of frames kept at most (a whole window at 1400×860: ~590)
MOMENT_TIMEOUT_S = 15.0  # a moment whose analyses never settle is grabbed as it is then
POLL_MS = 15
FINAL_GRAB_MS = 300  # after the run ended: its last update drawn, then the last frame


class Mode(enum.Enum):
    TIMELINE = "timeline"  # a frame a moment of the run's history
    LIVE = "live"  # a frame every 1/fps seconds


class _State(enum.Enum):
    READY = "ready"
    GRABBING = "grabbing"
    ENCODING = "encoding"
    DONE = "done"


def frame_size(widget_size: QSize, box: tuple[int, int], even: bool = False) -> tuple[int, int]:
    """The widget's size scaled to fit `box` (width, height), aspect kept; even sides if asked
    (H.264's 4:2:0 colour)."""
    width, height = max(widget_size.width(), 1), max(widget_size.height(), 1)
    scale = min(box[0] / width, box[1] / height)
    width, height = max(round(width * scale), 2), max(round(height * scale), 2)
    if even:
        width, height = width // 2 * 2, height // 2 * 2
    return width, height


def grab_frame(widget: QWidget, size: tuple[int, int]) -> Image.Image:
    """The widget as it looks now, scaled to fit `size` and centred on its background colour
    (a widget resized while recording keeps the frame size)."""
    image = widget.grab().toImage()
    image = image.scaled(QSize(*size), Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)  # fmt: skip
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    shape = (image.width(), image.height())
    frame = Image.frombuffer("RGB", shape, bytes(image.constBits()), "raw", "RGB",
                             image.bytesPerLine(), 1)  # fmt: skip
    if shape == size:
        return frame
    colour = widget.palette().color(QPalette.ColorRole.Window)
    canvas = Image.new("RGB", size, (colour.red(), colour.green(), colour.blue()))
    canvas.paste(frame, ((size[0] - shape[0]) // 2, (size[1] - shape[1]) // 2))
    return canvas


class WindowRecording(QObject):
    """One recording of `target` into `path`: `start`, then `stop` (write what was recorded)
    or `cancel` (drop it). `finished` says the file written, or None."""

    progress = Signal(int)  # frames recorded so far
    writing = Signal(int)  # no more frames: this many are being written
    finished = Signal(object)  # the Path written, or None (cancelled, failed, nothing recorded)

    def __init__(
        self, session: Session, target: QWidget, path: str | Path, mode: Mode,
        fps: float = 10.0, size: tuple[int, int] | None = None, name: str = "",
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.session, self.target, self.mode, self.fps = session, target, mode, float(fps)
        self.path = Path(path)
        self.name = name or "the window"
        self._box = size or (target.width(), target.height())
        self._size = (2, 2)
        self._frames: list[Image.Image] = []
        self._taken = 0
        self._state = _State.READY
        self._job: Job | None = None
        self._moments: tuple[HistoryEntry, ...] = ()
        self._index = 0
        self._shown_before: HistoryEntry | None = None
        self._since = self._quiet_since = 0.0
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self._ticker = QTimer(self, timerType=Qt.TimerType.PreciseTimer)
        self._ticker.timeout.connect(self._grab)
        self.max_frames = MAX_FRAMES

    # --- reading -------------------------------------------------------------------------------

    @property
    def frames(self) -> int:
        """Frames taken so far (also once they are being written, or were)."""
        return self._taken

    @property
    def grabbing(self) -> bool:
        return self._state is _State.GRABBING

    @property
    def busy(self) -> bool:
        """Taking frames or writing them."""
        return self._state in (_State.GRABBING, _State.ENCODING)

    # --- acting --------------------------------------------------------------------------------

    def start(self) -> None:
        """Check the output (DigitlabError: refused, before any frame), then take frames."""
        if self._state is not _State.READY:
            raise DigitlabError("this recording has already started")
        self.path = check_recording_path(self.path)
        even = self.path.suffix.lower() == ".mp4"
        self._size = frame_size(self.target.size(), self._box, even)
        frame_bytes = 3 * self._size[0] * self._size[1]
        self.max_frames = max(1, min(MAX_FRAMES, MEMORY_BUDGET // frame_bytes))
        timeline = self.session.timeline
        if self.mode is Mode.TIMELINE and not timeline.moments:
            raise DigitlabError("the run has no moments to record yet: train first")
        self.target.destroyed.connect(self._on_target_gone)
        self._state = _State.GRABBING
        if self.mode is Mode.TIMELINE:
            self._moments, self._shown_before = timeline.moments, timeline.chosen
            self._index = 0
            self._show_next()
        else:
            self.session.run.finished.connect(self._on_run_finished)
            self._ticker.start(max(1, round(1000 / self.fps)))
            self._grab()

    def stop(self) -> None:
        """End the recording and write what was recorded (in the background)."""
        if self._state is not _State.GRABBING:
            return
        self._end_grabbing()
        if not self._frames:
            self._state = _State.DONE
            self.session.notices.info(f"Nothing was recorded: {self.path} not written")
            self.finished.emit(None)
            return
        self._encode()

    def cancel(self) -> None:
        """Drop the recording: no file is written (a write under way is abandoned)."""
        if not self.busy:
            return
        if self._state is _State.GRABBING:
            self._end_grabbing()
        if self._job is not None:
            self._job.cancel()  # its check() stops the write before the rename
        self._frames = []
        self._state = _State.DONE
        self.finished.emit(None)

    # --- taking frames ---------------------------------------------------------------------------

    def _grab(self) -> None:
        if self._state is not _State.GRABBING:
            return
        try:
            self._frames.append(grab_frame(self.target, self._size))
        except RuntimeError:  # the target was deleted under us
            self.cancel()
            return
        self._taken = len(self._frames)
        self.progress.emit(self._taken)
        if len(self._frames) >= self.max_frames:
            self.session.notices.info(f"Recording of {self.name} stopped at {self._taken} "
                                      "frames, the most one recording keeps")  # fmt: skip
            self.stop()

    def _show_next(self) -> None:
        """Choose the next moment still in the run's history; the end: write the recording."""
        moments = self.session.timeline.moments
        while self._index < len(self._moments):
            position = _position(moments, self._moments[self._index])
            if position is not None:
                self.session.timeline.seek(position)
                self._since = self._quiet_since = time.monotonic()
                self._poll.start()
                return
            self._index += 1  # thinned out of the history (or the run was reset)
        self.stop()

    def _on_poll(self) -> None:
        """Grab the moment once the views have drawn it (no analysis for QUIET_S)."""
        now, timeline = time.monotonic(), self.session.timeline
        wanted = self._moments[self._index]
        position = _position(timeline.moments, wanted)
        if position is None:  # gone meanwhile
            self._poll.stop()
            self._index += 1
            self._show_next()
            return
        if position != timeline.position:  # someone moved the timeline: back to ours
            timeline.seek(position)
            self._quiet_since = now
        if drawing(self.session, self.target):
            self._quiet_since = now
        if now - self._quiet_since < QUIET_S and now - self._since < MOMENT_TIMEOUT_S:
            return
        self._poll.stop()
        self._grab()
        if self._state is _State.GRABBING:
            self._index += 1
            self._show_next()

    def _on_run_finished(self, _outcome: object) -> None:
        """The run ended: its last update drawn, one last frame, then the file."""
        QTimer.singleShot(FINAL_GRAB_MS, self, self._last_frame)

    def _last_frame(self) -> None:
        if self._state is _State.GRABBING:
            self._grab()
            self.stop()

    def _on_target_gone(self, *_: object) -> None:
        self.cancel()

    def _end_grabbing(self) -> None:
        self._poll.stop()
        self._ticker.stop()
        try:
            self.session.run.finished.disconnect(self._on_run_finished)
        except (TypeError, ValueError, RuntimeError):
            pass  # a timeline recording never connected it
        if self.mode is Mode.TIMELINE:
            self._put_timeline_back()

    def _put_timeline_back(self) -> None:
        timeline, before = self.session.timeline, self._shown_before
        position = None if before is None else _position(timeline.moments, before)
        if position is None:
            timeline.go_live()
        else:
            timeline.seek(position)

    # --- writing -------------------------------------------------------------------------------

    def _encode(self) -> None:
        frames, target, fps = self._frames, self.path, self.fps
        self._state = _State.ENCODING
        self._frames = []
        count = len(frames)
        self.writing.emit(count)

        def encode(context) -> Path:
            return write_animation(frames, target, fps, check=context.check)

        def done(path: Path) -> None:
            self._state = _State.DONE
            self.session.notices.info(f"Recorded {count} frames in {path}", source=str(path))
            self.finished.emit(path)

        def failed(message: str) -> None:
            self._state = _State.DONE
            text = message if str(target) in message else f"{target}: {message}"
            self.session.notices.error(f"Recording not written: {text}", source=str(target))
            self.finished.emit(None)

        self._job = self.session.jobs.submit(encode, on_done=done, on_error=failed,
                                             name="digitlab-recording")  # fmt: skip


def _position(moments: tuple[HistoryEntry, ...], moment: HistoryEntry) -> int | None:
    """Where this very moment sits in the history now (None: no longer there)."""
    for index, entry in enumerate(moments):
        if entry is moment:
            return index
    return None
