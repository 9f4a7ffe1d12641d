"""The training run: one model trained, paused, stopped, continued or reset, and what it reports.

The steps happen in a trainer (the window's child process, or in-process for tests); a job
thread relays its stages and snapshots, and everything the views see is applied here, on the
main thread. Start continues the current model when the data, classes and architecture are
unchanged (with a fresh shuffle); Reset forgets it. Every snapshot is a new version of the run's
model (`model`, the entry the model library answers with), a point on the curves and an entry
in the history, and emits one `RunUpdate`. The pace (steps a second, 0: full speed) and the
live settings (learning rate, momentum, weight decay, L1, batch size, augmentation) also reach
the going run at its next step (`set_pace`, `set_settings`); "+1 epoch" (`add_epoch`) moves its
end one epoch later. The curves mark each change where it took effect.

This is the public face; its parts each hold one concept: the settings being edited
(`run_draft`), the trainer (`trainer_handle`), the state machine, the pace and the display gate
(`run_control`), the model and what it has done (`run_record`), saving and description
(`run_save`), training a net made elsewhere, a pruned one's survivors (`run_retrain`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from psygnal import Signal

from digitlab.core.hyperparams import HYPERPARAMS
from digitlab.core.network import Network
from digitlab.core.protocol import Snapshot, Stage, TrainJob
from digitlab.core.replay import ReplayTrainer
from digitlab.core.run_file import RunFile
from digitlab.session.curves import RunCurves
from digitlab.session.history import SnapshotHistory
from digitlab.session.jobs import JobContext, JobRunner
from digitlab.session.models import ModelEntry, ModelSource
from digitlab.session.notices import Notices
from digitlab.session.run_control import ACK_TIMEOUT_S, RunControl, relay
from digitlab.session.run_draft import SettingsDraft
from digitlab.session.run_events import RunEnd, RunOutcome, RunPhase, RunUpdate, Trainer
from digitlab.session.run_record import RunRecord
from digitlab.session.run_retrain import Retraining
from digitlab.session.run_save import checkpoint_meta, describe, save_model
from digitlab.session.run_settings import RunSettings, replay_settings
from digitlab.session.trainer_handle import TrainerHandle

__all__ = ["ACK_TIMEOUT_S", "RunEnd", "RunOutcome", "RunPhase", "RunUpdate", "Trainer",
           "TrainingRun"]  # fmt: skip

EPOCHS_MAX = int((HYPERPARAMS["epochs"].bounds or (1, 1000))[1])  # "+1 epoch" stops here


class TrainingRun(Retraining):
    phase_changed = Signal(RunPhase)
    stage_changed = Signal(Stage)  # before the first snapshot
    updated = Signal(RunUpdate)
    # The run's model has a new version (before `updated` says why), or None: it was forgotten.
    model_changed = Signal(ModelEntry | None)
    cleared = Signal()  # the model, its curves and history were forgotten (Reset, new shape)
    finished = Signal(RunOutcome)
    settings_changed = Signal(RunSettings)
    pace_changed = Signal(float)  # steps a second (0: full speed), after settings_changed
    saved = Signal(Path)
    started = Signal()  # the user's Start began a run (not a replay or a retraining)
    epoch_added = Signal()  # "+1 epoch" was taken

    def __init__(
        self,
        jobs: JobRunner,
        notices: Notices,
        trainer_factory: Callable[[], Trainer],
        history: SnapshotHistory | None = None,
        data_root: str | None = None,
        source: ModelSource | None = None,
    ) -> None:
        """`source`: what its versions are listed as (the run; a second run has its own), which
        also names its background jobs, so two runs never cancel each other's."""
        self._jobs, self._notices = jobs, notices
        self._data_root = data_root
        self._draft = SettingsDraft()
        self._record = RunRecord(history, source)
        self.job_key = "training" if source is None else f"training-{source.key}"
        self._trainer = TrainerHandle(trainer_factory, f"{self.job_key}-prepare")
        self._control = RunControl()

    # --- reading ---------------------------------------------------------------------------

    @property
    def settings(self) -> RunSettings:
        return self._draft.settings

    @property
    def pace(self) -> float:
        """At most this many steps a second (0: full speed), for the going run and the next."""
        return self.settings.pace

    @property
    def settings_problem(self) -> str | None:
        """Why the settings being edited cannot be used (an invalid field), or None."""
        return self._draft.problem

    @property
    def phase(self) -> RunPhase:
        return self._control.phase

    @property
    def stage(self) -> Stage | None:
        return self._control.stage

    @property
    def model(self) -> ModelEntry | None:
        """The run's model at its current version (None before the first snapshot)."""
        return self._record.model

    @property
    def network(self) -> Network | None:
        model = self._record.model
        return model.network if model is not None else None

    @property
    def history(self) -> SnapshotHistory:
        return self._record.history

    @property
    def curves(self) -> RunCurves:
        return self._record.curves

    @property
    def classes(self) -> tuple[int, ...]:
        return self._record.classes

    @property
    def latest(self) -> RunUpdate | None:
        return self._record.latest

    @property
    def test_accuracy(self) -> float | None:
        return self._record.test_accuracy

    @property
    def epochs_trained(self) -> float:
        return self._record.epochs_trained

    @property
    def trainer_ready(self) -> bool:
        """The trainer has started and waits for work (a Start trains at once)."""
        return self._trainer.ready

    def would_continue(self) -> bool:
        """Would Start train the current model further (same data, classes and shape)?"""
        return self._record.fits(self.settings.architecture())

    def would_finish_course(self) -> bool:
        """Would Start train on to the epochs set (the last run was stopped before them)?"""
        return self.would_continue() and self._record.samples_left(self.settings.epochs) > 0

    def description(self) -> str:
        """'784→16→10 relu · classes 0 1 · test 91.7 %', as model files are described."""
        network = self.network
        if network is None:
            return ""
        return describe(network, self._draft.in_use, self._record.test_accuracy)

    def checkpoint_meta(self) -> dict[str, Any]:
        record = self._record
        return checkpoint_meta(
            self._draft.in_use,
            record.classes,
            record.epochs_trained,
            record.samples_trained,
            record.test_accuracy,
        )

    # --- changing ----------------------------------------------------------------------------

    def set_settings(self, settings: RunSettings, problem: str | None = None) -> None:
        """The settings for the next Start; with `problem`, Start refuses until it is fixed.
        Their pace and live fields (`core.live`) apply at once, to a going run too."""
        pace_before = self._draft.settings.pace
        if self._control.follow(self._draft.settings, settings):
            self._draft.take_live(settings)
        if self._draft.set(settings, problem):
            if settings.pace != pace_before:
                self._control.set_pace(settings.pace)
            self.settings_changed.emit(settings)
            if settings.pace != pace_before:
                self.pace_changed.emit(settings.pace)

    def set_pace(self, steps_per_second: float) -> None:
        """Train at most this many steps a second (0: full speed), from the going run's next step
        on; at 20 a second or slower every step is shown. Remembered with the settings (a lesson
        sets it before Start). ValueError outside 0 to 1000."""
        option = HYPERPARAMS["pace"]
        low, high = option.bounds or (0.0, 0.0)
        pace = float(steps_per_second)
        if not low <= pace <= high:  # NaN included
            raise ValueError(f"{option.what} must be from {low:g} to {high:g}, got {pace:g}")
        self.set_settings(self.settings.replaced(pace=pace), self.settings_problem)

    def can_add_epoch(self) -> bool:
        """Would `add_epoch` do anything now?"""
        if self.phase.busy:
            return self._control.takes_live and self.settings.epochs < EPOCHS_MAX
        return self.would_continue() and self._draft.problem is None

    def add_epoch(self) -> bool:
        """One epoch more: a going run ends one epoch later (the epochs set, and the course the
        progress shows, grow by one); after a run, the model trains one more epoch."""
        settings = self.settings
        if not self.can_add_epoch():
            return False
        if not self.phase.busy:
            added = self._start(settings.replaced(epochs=1), new_course=True)
        else:
            self._control.add_epoch(settings)
            self._record.course.epochs += 1
            self.set_settings(settings.replaced(epochs=settings.epochs + 1), self.settings_problem)
            added = True
        if added:
            self.epoch_added.emit()
        return added

    def adopt(self, network: Network, classes: tuple[int, ...], description: str = "") -> None:
        """Make `network` the run's model, a new version, as if a snapshot had brought it (for
        demos and tests of the live-run paths); the next Start trains a new model."""
        self._record.adopt(ModelEntry(self._record.source, network, classes, description))
        self.model_changed.emit(self._record.model)

    def prepare(self) -> None:
        """The user looks like they will train: start the trainer and load the data now
        (once per dataset and classes; data that is not on disk is only fetched on Start)."""
        self._trainer.prepare(self._jobs, self.settings.data(self._data_root))

    def start(self) -> bool:
        """Start a run with the current settings (continuing the model if it fits them)."""
        started = self._start(self.settings)
        if started:
            self.started.emit()
        return started

    def _start(self, settings: RunSettings, new_course: bool = False) -> bool:
        if self.phase.busy:
            return False
        if self._draft.problem:
            self._notices.warning(f"Cannot start: {self._draft.problem}")
            return False
        record = self._record
        continuing = record.fits(settings.architecture())
        if not continuing:
            self._forget_model()
        # Continuing: a fresh shuffle and fresh augmentation draws, not a replay of run one.
        config = settings.config(seed_offset=record.samples_before if continuing else 0)
        config = replace(config, samples=record.begin(settings, continuing, new_course))
        start = record.model.network if continuing and record.model is not None else None
        job = TrainJob(settings.spec(), settings.data(self._data_root), config, start)
        self._draft.used = settings
        self._launch(self._trainer.instance(), job)
        return True

    def replay(self, run: RunFile) -> bool:
        """Play a saved run through this one, as if it trained now: the settings take its
        net and classes, the curves and views follow each moment, pause, stop and the pace
        work as for a live run; its last moment stays as the run's model."""
        if self.phase.busy:
            return False
        try:
            self.set_settings(replay_settings(run, self.pace))
        except ValueError as exc:
            self._notices.warning(str(exc))
            return False
        self._forget_model()
        settings = self.settings
        config = replace(settings.config(), samples=self._record.begin(settings, False))
        self._draft.used = settings
        self._launch(ReplayTrainer(run), TrainJob(run.spec, settings.data(), config, None))
        return True

    def _launch(self, trainer: Trainer, job: TrainJob) -> None:
        """Run the job on the trainer in the background; its items reach `_on_item`."""
        run_id = self._control.begin(live=not isinstance(trainer, ReplayTrainer))
        self._set_phase(RunPhase.STARTING)
        lock, config = self._trainer.lock, job.config
        state, gate, paced = self._control.state, self._control.gate, config.snapshot_every > 0

        def drive(context: JobContext) -> None:
            with lock:  # a stopped run still winding down finishes first
                relay(trainer.train(job, state), context, state, gate, paced)

        self._jobs.submit(
            drive,
            key=self.job_key,
            on_partial=lambda item: self._on_item(run_id, item),
            on_done=lambda _: self._on_ended(run_id),
            on_error=lambda message: self._on_failed(run_id, message),
            name="digitlab-training",
        )

    def pause(self) -> None:
        phase = self._control.pause()
        if phase is not None:
            self._set_phase(phase)

    def resume(self) -> None:
        phase = self._control.resume()
        if phase is not None:
            self._set_phase(phase)

    def toggle_pause(self) -> None:
        self.pause() if self.phase in (RunPhase.RUNNING, RunPhase.STARTING) else self.resume()

    def stop(self) -> None:
        """Stop the run; its last snapshot still arrives and the weights are kept."""
        if self.phase.busy:
            self._control.cancel()
            if self.stage is not Stage.TRAINING:  # nothing trained yet: end now
                self._jobs.cancel(self.job_key)
                self._control.abandon()
                self._end(RunOutcome(RunEnd.STOPPED, "Stopped before training began", None, 0.0))

    def reset(self) -> None:
        """Forget the model, its curves and history; the next Start draws new weights."""
        self._abandon()
        self._forget_model()
        self._set_phase(RunPhase.IDLE)

    def close(self) -> None:
        """The window is closing: stop everything and end the trainer."""
        self._abandon()
        self._trainer.close()

    def save(self, path: str | Path) -> None:
        """Write the model with its metadata in the background; `saved` or a notice follows."""
        network = self.network
        if network is None:
            self._notices.warning("Nothing to save yet: train a model first")
            return
        save_model(self._jobs, self._notices, self.saved, network, self.checkpoint_meta(), path)

    # --- internals ---------------------------------------------------------------------------

    def _set_phase(self, phase: RunPhase) -> None:
        if self._control.set_phase(phase):
            self.phase_changed.emit(phase)

    def _abandon(self) -> None:
        self._control.abandon()
        self._jobs.cancel(self.job_key)

    def _forget_model(self) -> None:
        had_version = self._record.model is not None
        if self._record.forget():
            if had_version:
                self.model_changed.emit(None)
            self.cleared.emit()

    def _on_item(self, run_id: int, item: Stage | Snapshot) -> None:
        if not self._control.is_current(run_id):
            return
        if isinstance(item, Stage):
            self._control.stage = item
            self.stage_changed.emit(item)
            return
        self._control.stage = Stage.TRAINING
        update = self._record.apply(item, self._draft.in_use)
        self.model_changed.emit(update.model)
        self.updated.emit(update)
        if self.phase is RunPhase.STARTING:
            self._set_phase(RunPhase.RUNNING)
        self._jobs.dispatcher.post(self._control.gate.set)  # after the views have drawn this one

    def _on_ended(self, run_id: int) -> None:
        if not self._control.is_current(run_id):
            return
        latest = self._record.latest
        if latest is None:
            self._end(RunOutcome(RunEnd.STOPPED, "The run ended before its first step", None, 0))
            return
        self._record.run_ended(stopped=False)  # the samples count before the outcome says them
        outcome = RunOutcome.of(latest.snapshot, self.epochs_trained, self.test_accuracy)
        missed = self._control.epochs_missed(latest.snapshot)
        self._end(outcome)
        if missed and outcome.end is RunEnd.DONE:  # "+1 epoch" pressed as the run ended
            self._start(self.settings.replaced(epochs=missed), new_course=True)

    def _on_failed(self, run_id: int, message: str) -> None:
        if not self._control.is_current(run_id):
            return
        self._record.run_ended(stopped=False)
        self._end(
            RunOutcome(RunEnd.FAILED, f"Training failed: {message}", None, self.epochs_trained)
        )

    def _end(self, outcome: RunOutcome) -> None:
        self._record.run_ended(stopped=outcome.end is RunEnd.STOPPED)
        self._set_phase(RunPhase.FINISHED)
        failed = outcome.end in (RunEnd.FAILED, RunEnd.DIVERGED)
        (self._notices.error if failed else self._notices.info)(outcome.message)
        self.finished.emit(outcome)
