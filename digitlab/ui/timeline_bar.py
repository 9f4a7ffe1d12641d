"""The timeline bar along the bottom of the window: scrub, play and step through a run's moments.

Every view that shows the answering model follows the moment chosen (the session's `Timeline`
makes it the run's version that answers); *Live* follows the running net again. Play shows a
moment after another at the speed chosen and stops at the newest, which is live. The bar shows
once a run has two moments and hides when the run is forgotten. On the slider: the digit of each
class where its test accuracy first passed the threshold, and a tick at each epoch's end.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from digitlab.session import Session
from digitlab.session.history import HistoryEntry
from digitlab.session.run import RunPhase, RunUpdate
from digitlab.ui.widgets.timeline_slider import LearnedStrip, TimelineSlider

SPEEDS = (2, 5, 10, 20, 30)  # moments a second
_PIXMAP = QStyle.StandardPixmap
ICONS = {"Back": _PIXMAP.SP_MediaSkipBackward, "Play": _PIXMAP.SP_MediaPlay,
         "Pause": _PIXMAP.SP_MediaPause, "On": _PIXMAP.SP_MediaSkipForward}  # fmt: skip
DEFAULT_SPEED = 10
THRESHOLDS = (0.8, 0.9, 0.95, 0.98)
MEASURE_MS = 2000  # markers: measure the new moments at most this often while a run goes
SLIDER_TIP = (
    "The run's moments, oldest on the left (its start is kept densest). Drag to see every view "
    "as it was then; ← → step, Home and End.\nDigits above: when each class first passed the "
    "threshold on the test set. Ticks below: the end of each epoch."
)


def moment_text(moment: HistoryEntry | None, count: int, live_epoch: float | None) -> str:
    """'epoch 1.25 · step 2 340 · loss 0.312 · test 93.1 %', or the live position."""
    if moment is None:
        at = f" · epoch {live_epoch:.2f}" if live_epoch is not None else ""
        return f"<b>Live</b>{at} · {count} moments"
    tested = "" if moment.test_accuracy is None else f" · test {moment.test_accuracy:.1%}"
    loss = "" if math.isnan(moment.loss) else f" · loss {moment.loss:.3f}"  # NaN: the start
    return f"epoch {moment.epoch:.2f} · step {moment.step:,}{loss}{tested}".replace(",", " ")


class TimelineBar(QWidget):
    record_requested = Signal()
    visibility_wanted = Signal()  # a recording began or ended: show or hide the bar again

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.timeline = session.timeline
        self._build()
        self._player = QTimer(self, timerType=Qt.TimerType.PreciseTimer)
        self._player.timeout.connect(self._play_one)
        self._measure_timer = QTimer(self, singleShot=True, interval=MEASURE_MS)
        self._measure_timer.timeout.connect(self.timeline.measure)
        self._held_open = False  # a recording keeps the bar (its Stop button) on screen
        run = session.run
        run.updated.connect(self._on_update)
        run.cleared.connect(self._on_cleared)
        run.phase_changed.connect(self._on_phase)
        self.timeline.moved.connect(lambda _: self._show_position())
        self.timeline.measured.connect(self._show_marks)
        self._show_position()

    def _build(self) -> None:
        def button(text: str, tip: str, slot) -> QToolButton:
            made = QToolButton(self)
            made.setText(text)  # the media buttons' names: their icons are the style's (⏸ was
            if text in ICONS:  # an empty box in fonts without it)
                made.setIcon(self.style().standardIcon(ICONS[text]))
            made.setToolTip(tip)
            made.setAutoRaise(True)
            made.clicked.connect(slot)
            return made

        self.back = button("Back", "One moment back", lambda: self.step(-1))
        self.play_button = button("Play", "Play the run from here (again from its start when "
                                  "live)", self.toggle_play)  # fmt: skip
        self.forward = button("On", "One moment on", lambda: self.step(1))
        self.slider = TimelineSlider(self)
        self.slider.setToolTip(SLIDER_TIP)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.valueChanged.connect(self._on_slider)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("x" * 44))
        self.speed = QComboBox(self)
        for speed in SPEEDS:
            self.speed.addItem(f"{speed}/s", speed)
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed.setToolTip("Moments a second while playing")
        self.speed.currentIndexChanged.connect(self._set_speed)
        self.threshold = QComboBox(self)
        for value in THRESHOLDS:
            self.threshold.addItem(f"learned ≥ {value:.0%}", value)
        self.threshold.setCurrentIndex(THRESHOLDS.index(0.9))
        self.threshold.setToolTip("The digits on the slider: the first moment each class's "
                                  "test accuracy reached this")  # fmt: skip
        self.threshold.currentIndexChanged.connect(lambda _: self._show_marks())
        self.live_button = button("Live", "Follow the running net (the newest moment)",
                                  self.timeline.go_live)  # fmt: skip
        self.live_button.setCheckable(True)
        self.record_button = button("● Record…", "Record a view or the window as GIF, WebP, "
                                    "APNG or MP4", self.record_requested.emit)  # fmt: skip
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 1)
        row.setSpacing(4)
        for widget in (self.back, self.play_button, self.forward):
            row.addWidget(widget)
        track = QVBoxLayout()
        track.setContentsMargins(0, 0, 0, 0)
        track.setSpacing(0)
        self.learned_strip = LearnedStrip(self.slider, self)
        track.addWidget(self.learned_strip)
        track.addWidget(self.slider)
        row.addLayout(track, 1)
        for widget in (self.label, self.speed, self.threshold, self.live_button,
                       self.record_button):  # fmt: skip
            row.addWidget(widget)

    # --- acting ------------------------------------------------------------------------------

    def keep_shown(self, held: bool) -> None:
        """While a recording goes, the bar (with its Stop button) stays, moments or not."""
        self._held_open = held
        self.visibility_wanted.emit()

    def wanted_shown(self) -> bool:
        return self._held_open or len(self.timeline.moments) >= 2

    @property
    def playing(self) -> bool:
        return self._player.isActive()

    def toggle_play(self) -> None:
        if self.playing:
            self.stop_playing()
            return
        if self.timeline.live:  # from the start again
            self.timeline.seek(0)
        self._set_speed()
        self._player.start()
        self._show_play_button("Pause")

    def stop_playing(self) -> None:
        self._player.stop()
        self._show_play_button("Play")

    def _show_play_button(self, name: str) -> None:
        self.play_button.setText(name)
        self.play_button.setIcon(self.style().standardIcon(ICONS[name]))

    def step(self, moments: int) -> None:
        self.stop_playing()
        self.timeline.step(moments)

    def _play_one(self) -> None:
        self.timeline.step(1)
        if self.timeline.live:
            self.stop_playing()

    def _set_speed(self, *_: object) -> None:
        self._player.setInterval(round(1000 / self.speed.currentData()))

    def _on_slider(self, value: int) -> None:
        if value != self.timeline.position:
            self.timeline.seek(value)

    # --- following the run -------------------------------------------------------------------

    def _on_update(self, update: RunUpdate) -> None:
        self._show_position()
        if update.snapshot.status.evaluated and not self._measure_timer.isActive():
            self._measure_timer.start()

    def _on_phase(self, phase: RunPhase) -> None:
        if not phase.busy:
            self._measure_timer.start(0)  # the run ended or stopped: its markers now
        self._show_position()

    def _on_cleared(self) -> None:
        self.stop_playing()
        self._show_position()

    def _show_position(self) -> None:
        moments = self.timeline.moments
        for control in (self.back, self.play_button, self.forward, self.slider, self.label,
                        self.speed, self.threshold, self.live_button):  # fmt: skip
            control.setEnabled(len(moments) >= 2)  # Record stays: live recording needs none
        position = max(self.timeline.position, 0)
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(len(moments) - 1, 0))
        self.slider.setValue(position)
        self.slider.blockSignals(False)
        latest = self.session.run.latest
        live_epoch = latest.epoch if latest is not None else None
        self.label.setText(moment_text(self.timeline.chosen, len(moments), live_epoch))
        self.live_button.setChecked(self.timeline.live)
        self.back.setEnabled(position > 0)
        self.forward.setEnabled(not self.timeline.live)
        if self.timeline.live and self.playing:
            self.stop_playing()
        self._show_marks()  # thinning moves moments: the marks' indices with them

    def _show_marks(self) -> None:
        learned = self.timeline.learned_at(self.threshold.currentData())
        ends = [i for i, moment in enumerate(self.timeline.moments) if moment.epoch_end]
        self.slider.set_marks(learned, ends)


def install_timeline(window: QMainWindow, session: Session) -> TimelineBar:
    """The bar in a toolbar along the window's bottom, shown while the run has moments."""
    bar = TimelineBar(session)
    toolbar = QToolBar("Timeline", window)
    toolbar.setObjectName("timeline")
    toolbar.setMovable(False)
    toolbar.setFloatable(False)
    toolbar.toggleViewAction().setEnabled(False)
    toolbar.addWidget(bar)
    window.addToolBar(Qt.ToolBarArea.BottomToolBarArea, toolbar)
    keeper = _Visibility(toolbar, bar, session, window)
    keeper.apply()
    workspaces = getattr(window, "workspaces", None)
    if workspaces is not None:  # a workspace's stored layout may name the bar hidden
        workspaces.changed.connect(keeper.apply)
    return bar


class _Visibility(QObject):
    """The toolbar shows while the run has moments or a recording goes (also after a workspace
    restored a layout that named it hidden)."""

    def __init__(
        self, toolbar: QToolBar, bar: TimelineBar, session: Session, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.toolbar, self.bar = toolbar, bar
        session.run.updated.connect(self._on_update)
        session.run.cleared.connect(self.apply)
        bar.visibility_wanted.connect(self.apply)

    def _on_update(self, _update: object) -> None:
        if self.toolbar.isHidden():
            self.apply()

    def apply(self, *_: object) -> None:
        wanted = self.bar.wanted_shown()
        if self.toolbar.isHidden() == wanted:
            self.toolbar.setVisible(wanted)
