"""Start, pause, stop, reset and save the training run, or give it one more epoch; its pace;
progress, speed and time left.

The pace (full speed down to slow motion, in steps a second) is here rather than on the form: it
is a setting of the run rather than of the net (`session.run.set_pace`), changed while it goes,
and the list follows the session when something else (a lesson, restored settings) sets it.
"+1 epoch" moves a going run's end one epoch later, or trains a finished one one more epoch.
"""

from __future__ import annotations

import math
import sys
import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)

from digitlab.core.choices import DATASET_LABELS
from digitlab.core.hyperparams import HYPERPARAMS
from digitlab.core.protocol import Stage
from digitlab.session import Session
from digitlab.session.run import RunEnd, RunOutcome, RunPhase, RunUpdate
from digitlab.ui.dialogs import confirm_reset, save_trained_model
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.wheel_guard import guard

# The speed shown averages the readings of about this many seconds, whatever the refresh rate:
# at ~11 snapshots a second the newest weighs 0.3, at a slow pace (a snapshot a step) nearly all.
RATE_TIME_S = 0.25
ERROR_STYLE = "color: #d1242f;"
PACE = HYPERPARAMS["pace"]
STAGE_TEXT = {
    Stage.STARTING_TRAINER: "Starting the trainer (first run only)…",
    Stage.LOADING_DATA: "Loading {dataset}…",
    Stage.DOWNLOADING: "Downloading {dataset} (first run only; progress in the terminal)…",
    Stage.TRAINING: "Training {spec} on {dataset}…",
}


def format_duration(seconds: float) -> str:
    """'0:07', '12:30', '1:02:03' — a countdown, not a precise time."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunView(View):
    view_id = "run"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._rate, self._rate_at = 0.0, 0.0  # samples/s shown; when it was last read
        self._build()
        run = session.run
        self.subscribe(run.phase_changed, self._on_phase)
        self.subscribe(run.stage_changed, self._on_stage)
        self.subscribe(run.updated, self._on_update)
        self.subscribe(run.finished, self._on_finished)
        self.subscribe(run.cleared, self._on_cleared)
        self.subscribe(run.settings_changed, lambda _: self._update_buttons())
        self.subscribe(run.pace_changed, self._on_pace)
        self._on_pace(run.pace)
        self._on_cleared()
        self._update_buttons()

    def _build(self) -> None:
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.session.run.start)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self.session.run.toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the run and keep its weights")
        self.stop_button.clicked.connect(self.session.run.stop)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Forget the weights and curves: the next Start begins afresh")
        self.reset_button.clicked.connect(self.ask_reset)
        self.more_button = QPushButton("+1 epoch")
        self.more_button.clicked.connect(self.session.run.add_epoch)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the trained model to a file (Ctrl+S)")
        self.save_button.clicked.connect(self.save_dialog)
        for button in (self.start_button, self.pause_button, self.stop_button,
                       self.reset_button, self.more_button, self.save_button):  # fmt: skip
            # A click must not leave the focus on a button: when that button then disables
            # itself, the focus moves on to the next one, and Space (meant for Start/Pause)
            # would press it, e.g. Reset.
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.pace = QComboBox()  # enabled always: the pace changes a going run at its next step
        for value in PACE.labels:
            self.pace.addItem(PACE.label_of(value), value)
        self.pace.setToolTip(PACE.tooltip)
        self.pace.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.pace.setMinimumContentsLength(8)
        self.pace.currentIndexChanged.connect(self._on_pace_chosen)
        guard([self.pace], self)  # a wheel passing over it does not change it
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        names = ("Loss", "Train accuracy", "Test accuracy", "Speed", "Time left")
        self.values = {name: QLabel("–") for name in names}
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)

        buttons = QGridLayout()
        buttons.setSpacing(4)
        buttons.addWidget(self.start_button, 0, 0)
        buttons.addWidget(self.pause_button, 0, 1)
        buttons.addWidget(self.stop_button, 1, 0)
        buttons.addWidget(self.reset_button, 1, 1)
        buttons.addWidget(self.more_button, 2, 0)
        buttons.addWidget(self.save_button, 2, 1)
        pace_row = QHBoxLayout()
        pace_label = QLabel("Pace")
        pace_label.setToolTip(PACE.tooltip)
        pace_label.setBuddy(self.pace)
        pace_row.addWidget(pace_label)
        pace_row.addWidget(self.pace, 1)
        stats = QGridLayout()
        stats.setHorizontalSpacing(10)
        stats.setVerticalSpacing(2)
        # Fixed sizes: a label whose text changes width on every snapshot would otherwise make
        # the whole window lay itself out again (measured: a 30–40 ms stall per snapshot).
        widest = self.fontMetrics().horizontalAdvance("888,888 samples/s") + 4
        for row, (name, value) in enumerate(self.values.items()):
            label = QLabel(name)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            value.setFixedSize(widest, self.fontMetrics().height() + 2)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            stats.addWidget(label, row, 0)
            stats.addWidget(value, row, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addLayout(pace_row)
        layout.addWidget(self.progress)
        layout.addLayout(stats)
        layout.addWidget(self.message)
        layout.addStretch(1)

    # --- events ------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        run = self.session.run
        phase = run.phase
        busy = phase.busy
        problem = run.settings_problem
        self.start_button.setEnabled(not busy and problem is None)
        if not busy:  # the label of a going run stays what it was when it started
            continuing = run.would_continue()
            epochs = run.settings.epochs
            self.start_button.setText("Continue" if continuing else "Start")
            if run.would_finish_course():
                hint = f"Train on to the {epochs} epochs set (the optimizer starts afresh)"
            elif continuing:
                hint = (
                    f"Train the current weights {epochs} more epochs (the optimizer starts afresh)"
                )
            else:
                hint = "Train a new net with these settings (Space)"
            self.start_button.setToolTip(problem or hint)
        self.pause_button.setText("Resume" if phase is RunPhase.PAUSED else "Pause")
        self.pause_button.setEnabled(
            phase in (RunPhase.RUNNING, RunPhase.PAUSED, RunPhase.STARTING)
        )
        self.stop_button.setEnabled(busy)
        self.more_button.setEnabled(run.can_add_epoch())
        self.more_button.setToolTip(
            "End the going run one epoch later"
            if busy
            else "Train the current weights one more epoch (the optimizer starts afresh)"
        )
        self.save_button.setEnabled(run.network is not None)

    def _on_phase(self, phase: RunPhase) -> None:
        self._update_buttons()
        if phase is RunPhase.STARTING:
            self._rate = 0.0
            self.values["Time left"].setText("–")
            self._show("Starting…")
        elif phase is RunPhase.PAUSED:
            self._show("Paused")
        elif self.session.run.stage is not None and phase.busy:
            self._on_stage(self.session.run.stage)

    def _on_stage(self, stage: Stage) -> None:
        if self.session.run.phase is RunPhase.PAUSED:
            return  # it still says "Paused"; the stage shows on Resume
        settings = self.session.run.settings
        self._show(
            STAGE_TEXT[stage].format(
                dataset=DATASET_LABELS.get(settings.dataset, settings.dataset),
                spec=settings.spec().describe(),
            )
        )

    def _on_update(self, update: RunUpdate) -> None:
        snap = update.snapshot
        goal = update.course_epochs or snap.epochs
        done = update.course_epoch if update.course_epochs else snap.epoch + snap.progress
        self.progress.setValue(int(round(1000 * min(done / goal, 1.0))))
        epoch = min(int(done) + 1, goal) if not snap.finished else min(math.ceil(done), goal)
        samples = round(done * snap.train_size)
        self.progress.setFormat(f"epoch {epoch}/{goal} · {samples:,} / {goal * snap.train_size:,}")
        if math.isfinite(snap.loss):
            self.values["Loss"].setText(f"{snap.loss:.4g}")
        if math.isfinite(snap.accuracy):
            self.values["Train accuracy"].setText(f"{snap.accuracy:.2%}")
        if self.session.run.test_accuracy is not None:
            self.values["Test accuracy"].setText(f"{self.session.run.test_accuracy:.2%}")
        if snap.samples_per_s > 0:
            now = time.monotonic()
            age = now - self._rate_at
            weight = 1.0 - math.exp(-age / RATE_TIME_S) if self._rate else 1.0
            self._rate += weight * (snap.samples_per_s - self._rate)
            self._rate_at = now
            self.values["Speed"].setText(f"{self._rate:,.0f} samples/s")
            remaining = (snap.total_samples - snap.samples_seen) / self._rate
            self.values["Time left"].setText(
                format_duration(remaining) if not snap.finished else "–"
            )
        self.save_button.setEnabled(True)

    def _on_pace(self, pace: float) -> None:
        """Show the session's pace (a value the list lacks, e.g. a lesson's 2/s, is added)."""
        self.pace.blockSignals(True)  # shown, not chosen (an insert moves the current item)
        index = self.pace.findData(pace)
        if index < 0:  # in its place: full speed, then fastest to slowest (20/s went last)
            paces = [self.pace.itemData(i) for i in range(self.pace.count())]
            index = next((i for i, p in enumerate(paces) if 0 < p < pace), len(paces))
            self.pace.insertItem(index, PACE.label_of(pace), pace)
        self.pace.setCurrentIndex(index)
        self.pace.blockSignals(False)
        self._rate = 0.0  # the speed shown (and the time left) starts afresh at the new pace

    def _on_pace_chosen(self, index: int) -> None:
        self.session.run.set_pace(self.pace.itemData(index))

    def _on_finished(self, outcome: RunOutcome) -> None:
        self._show(outcome.message, error=outcome.end in (RunEnd.FAILED, RunEnd.DIVERGED))
        self.values["Time left"].setText("–")
        self._update_buttons()

    def _on_cleared(self) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("not started")
        for value in self.values.values():
            value.setText("–")
        self._show("")
        self._update_buttons()

    def _show(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)
        self.message.setToolTip(text if len(text) > 80 else "")  # a long message, whole

    # --- actions -----------------------------------------------------------------------------

    def ask_reset(self) -> None:
        if confirm_reset(self, self.session.run.epochs_trained):
            self.session.run.reset()

    def save_dialog(self) -> None:
        save_trained_model(self, self.session)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Enter:
            self.intends_to_train()
        return super().event(event)


if __name__ == "__main__":
    sys.exit(run_alone(RunView, size=(300, 300)))
