"""File → Record… (Ctrl+R) and the timeline's Record button: what to record (the whole window or
one view shown now), when (across the run's timeline, or live), how fast and how large, and
where; then the recording itself (`window_recorder.WindowRecording`).

The output is checked when the dialog is accepted, before anything is rendered: a file that
could not be written is refused there, with its one-line reason, and the dialog stays open.
While a recording takes frames the Record button reads "■ Stop (N frames)" and stops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from digitlab.core.animation import check_recording_path, mp4_available
from digitlab.core.errors import DigitlabError
from digitlab.ui.menus import menu_named
from digitlab.ui.window_recorder import Mode, WindowRecording

FILTERS = {
    ".gif": "GIF animation (*.gif)",
    ".webp": "WebP animation (*.webp)",
    ".png": "Animated PNG (*.png)",
    ".mp4": "MP4 video (*.mp4)",
}
NO_MP4 = "MP4 needs the video extra: pip install 'digitlab[video]'"
_last = {"folder": "", "suffix": ".gif"}  # where the last recording went, for the next one


@dataclass(frozen=True)
class RecordingPlan:
    """What the dialog asked for."""

    target: QWidget  # the view, or the whole window
    name: str  # what it is, for the messages
    mode: Mode
    fps: int
    size: tuple[int, int]  # the largest frame: width, height
    path: Path
    dock: QDockWidget | None = None  # a view's dock: raised first, so the view is on screen


class RecordDialog(QDialog):
    """Asks what, when, how fast, how large and where; `plan` once accepted."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Record")
        self.window_ = window
        self.plan: RecordingPlan | None = None
        session = window.session
        self._moments = len(session.timeline.moments)
        self._targets: list[tuple[str, str, QWidget, QDockWidget | None]] = [
            ("window", "The whole window", window, None)
        ]
        for view_id, dock in getattr(window, "docks", {}).items():
            if dock.isVisible() and dock.widget() is not None:
                self._targets.append((view_id, dock.windowTitle(), dock.widget(), dock))
        self._build(session.run.phase.busy)
        self._on_target(0)

    def _build(self, running: bool) -> None:
        form = QFormLayout()
        self.what = QComboBox(self)
        for _, title, _, _ in self._targets:
            self.what.addItem(title)
        self.what.currentIndexChanged.connect(self._on_target)
        form.addRow("Record:", self.what)
        timeline_ok = self._moments >= 2
        across = (f"Across the timeline: {self._moments} moments, a frame each, from the first"
                  if timeline_ok else "Across the timeline (once a run has moments)")  # fmt: skip
        self.across = QRadioButton(across, self)
        self.live = QRadioButton("Live: until Stop, or until the run ends", self)
        self.when = QButtonGroup(self)
        self.when.addButton(self.across)
        self.when.addButton(self.live)
        self.across.setEnabled(timeline_ok)
        if not timeline_ok:
            self.across.setToolTip("The run has fewer than two moments: train first")
        (self.across if timeline_ok and not running else self.live).setChecked(True)
        when = QVBoxLayout()
        when.addWidget(self.across)
        when.addWidget(self.live)
        form.addRow("When:", when)
        self.fps = QSpinBox(self, minimum=1, maximum=60, value=10, suffix=" frames a second")
        self.fps.setToolTip("Across the timeline: moments a second as the animation plays")
        rate = QHBoxLayout()
        rate.addWidget(self.fps)
        rate.addStretch(1)
        form.addRow("Frame rate:", rate)
        self.width_box = QSpinBox(self, minimum=16, maximum=8192, suffix=" px")
        self.height_box = QSpinBox(self, minimum=16, maximum=8192, suffix=" px")
        size = QHBoxLayout()
        size.addWidget(self.width_box)
        size.addWidget(QLabel("×", self))
        size.addWidget(self.height_box)
        size.addStretch(1)
        form.addRow("Size, at most:", size)
        self.path = QLineEdit(self)
        self.path.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 48))
        self.path.setToolTip("A .gif, .webp, .png (animated) or .mp4 file")
        self.path.textEdited.connect(lambda _: setattr(self, "_path_edited", True))
        self._path_edited = False
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        form.addRow("File:", where)
        if not mp4_available():
            note = QLabel(NO_MP4, self)
            note.setEnabled(False)
            form.addRow("", note)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d1242f;")
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _on_target(self, index: int) -> None:
        """The size of what is chosen; the file name after it (unless one was typed)."""
        key, _, widget, _ = self._targets[index]
        self.width_box.setValue(max(widget.width(), 16))
        self.height_box.setValue(max(widget.height(), 16))
        if not self._path_edited:
            folder = Path(_last["folder"] or Path.home())
            self.path.setText(str(folder / f"digitlab-{key}{_last['suffix']}"))

    def browse(self) -> None:
        suffixes = [s for s in FILTERS if s != ".mp4" or mp4_available()]
        current = Path(self.path.text().strip() or Path.home())
        chosen = FILTERS.get(current.suffix.lower(), FILTERS[".gif"])
        path, picked = QFileDialog.getSaveFileName(
            self, "Record to", str(current), ";;".join(FILTERS[s] for s in suffixes), chosen
        )
        if not path:
            return
        if Path(path).suffix.lower() not in FILTERS:  # the suffix of the format picked
            path += next((s for s in suffixes if FILTERS[s] == picked), ".gif")
        self.path.setText(path)
        self._path_edited = True

    def accept(self) -> None:
        """Check the file now, before any frame: refused, say why and stay open."""
        text = self.path.text().strip()
        try:
            if not text:
                raise DigitlabError("give the file to record to")
            path = check_recording_path(Path(text).expanduser())
        except DigitlabError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        key, title, widget, dock = self._targets[self.what.currentIndex()]
        mode = Mode.TIMELINE if self.across.isChecked() else Mode.LIVE
        size = (self.width_box.value(), self.height_box.value())
        name = "the window" if dock is None else f"the {title} view"
        self.plan = RecordingPlan(widget, name, mode, self.fps.value(), size, path, dock)
        _last["folder"], _last["suffix"] = str(path.parent), path.suffix.lower()
        super().accept()


class RecordingControl(QObject):
    """The menu action and the timeline's button, and the one recording at a time."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.recording: WindowRecording | None = None
        self.dialog: RecordDialog | None = None
        self.action = QAction("&Record…", window)
        self.action.setShortcut(QKeySequence("Ctrl+R"))
        self.action.setStatusTip("Record a view or the window as GIF, WebP, APNG or MP4")
        self.action.triggered.connect(self.request)
        _insert_after(menu_named(window, "&File"), "Save r&un…", self.action)
        self.bar = getattr(window, "timeline", None)
        if self.bar is not None:
            self.bar.record_requested.connect(self.request)
            self._button_text = self.bar.record_button.text()
            self._button_tip = self.bar.record_button.toolTip()
        window.installEventFilter(self)

    def request(self) -> None:
        """Record… — or, while recording, Stop."""
        recording = self.recording
        if recording is not None and recording.grabbing:
            recording.stop()
            return
        if recording is not None and recording.busy:
            self.session.notices.info("The last recording is still being written")
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return
        self.dialog = dialog = RecordDialog(self.window)
        dialog.accepted.connect(lambda: dialog.plan and self.start(dialog.plan))
        dialog.open()

    def start(self, plan: RecordingPlan) -> WindowRecording | None:
        """Record as planned; None when it could not start (said in a notice)."""
        if plan.dock is not None:  # a tab behind another is not drawn
            plan.dock.show()
            plan.dock.raise_()
        if self.bar is not None:
            self.bar.stop_playing()
        recording = WindowRecording(self.session, plan.target, plan.path, plan.mode, plan.fps,
                                    plan.size, plan.name, parent=self)  # fmt: skip
        recording.progress.connect(self._show_progress)
        recording.writing.connect(self._show_writing)
        recording.finished.connect(self._on_finished)
        self.recording = recording
        try:
            recording.start()
        except DigitlabError as exc:
            self.session.notices.error(f"Not recording: {exc}", source=str(plan.path))
            self._on_finished(None)
            return None
        if recording.grabbing:
            self._show_progress(recording.frames)
        return recording

    def _show_progress(self, frames: int) -> None:
        self.action.setText("Stop &recording")
        if self.bar is not None:
            button = self.bar.record_button
            button.setText(f"■ Stop ({frames} frames)")
            button.setToolTip("Stop recording and write the file")
            if frames == 0 or not self.bar.wanted_shown():
                self.bar.keep_shown(True)

    def _show_writing(self, frames: int) -> None:
        if self.bar is not None:
            self.bar.record_button.setText(f"Writing {frames} frames…")
            self.bar.record_button.setEnabled(False)

    def _on_finished(self, _path: object) -> None:
        self.action.setText("&Record…")
        if self.bar is not None:
            button = self.bar.record_button
            button.setText(self._button_text)
            button.setToolTip(self._button_tip)
            button.setEnabled(True)
            self.bar.keep_shown(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The window closing drops a recording under way: no partial file is left."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            if self.recording is not None and self.recording.busy:
                self.recording.cancel()
        return False


def install_recording(window: QMainWindow) -> RecordingControl:
    """File → Record… (Ctrl+R) and the timeline bar's Record button (after the menus)."""
    return RecordingControl(window)


def _insert_after(menu, text: str, action: QAction) -> None:
    """Put `action` after the menu's action named `text` (at the end when there is none)."""
    actions = menu.actions()
    for index, existing in enumerate(actions):
        if existing.text() == text:
            if index + 1 < len(actions):
                menu.insertAction(actions[index + 1], action)
                return
            break
    menu.addAction(action)
