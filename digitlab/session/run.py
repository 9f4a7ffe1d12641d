"""The training run: one model trained, paused, stopped, continued or reset, and what it reports.

The steps happen in a trainer (the window's child process, or in-process for tests); a job
thread relays its stages and snapshots, and everything the views see is applied here, on the
main thread. Start continues the current model when the data, classes and architecture are
unchanged (with a fresh shuffle); Reset forgets it. Every snapshot updates the run's network,
curves and history, and emits one `RunUpdate`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from psygnal import Signal

from digitlab.core.checkpoint import save_checkpoint
from digitlab.core.choices import DATASET_LABELS
from digitlab.core.network import Network
from digitlab.core.protocol import RunState, Snapshot, Stage, TrainJob
from digitlab.session.course import Course
from digitlab.session.curves import RunCurves
from digitlab.session.history import HistoryEntry, SnapshotHistory
from digitlab.session.jobs import JobContext, JobRunner
from digitlab.session.notices import Notices
from digitlab.session.run_events import RunEnd, RunOutcome, RunPhase, RunUpdate, Trainer
from digitlab.session.run_settings import RunSettings

__all__ = ["RunEnd", "RunOutcome", "RunPhase", "RunUpdate", "Trainer", "TrainingRun"]

ACK_TIMEOUT_S = 2.0  # a paced run never waits longer than this for the display


class TrainingRun:
    phase_changed = Signal(object)  # RunPhase
    stage_changed = Signal(object)  # Stage, before the first snapshot
    updated = Signal(object)  # RunUpdate
    cleared = Signal()  # the model, its curves and history were forgotten (Reset, new shape)
    finished = Signal(object)  # RunOutcome
    settings_changed = Signal(object)  # RunSettings
    saved = Signal(object)  # Path

    def __init__(
        self,
        jobs: JobRunner,
        notices: Notices,
        trainer_factory: Callable[[], Trainer],
        history: SnapshotHistory | None = None,
        data_root: str | None = None,
    ) -> None:
        self._jobs, self._notices = jobs, notices
        self._trainer_factory = trainer_factory
        self._trainer: Trainer | None = None
        self._data_root = data_root
        self.history = history if history is not None else SnapshotHistory()
        self.curves = RunCurves()
        self._settings = RunSettings()
        self._problem: str | None = None  # why the settings being edited cannot be used
        self._phase = RunPhase.IDLE
        self._stage: Stage | None = None
        self._network: Network | None = None
        self._made_for: tuple | None = None  # RunSettings.architecture() of the network
        self._classes: tuple[int, ...] = tuple(range(10))
        self._samples_before = 0  # samples trained by earlier runs of this model
        self._course = Course()
        self._run_samples = 0  # samples trained by the run going on now
        self._trainer_lock = threading.Lock()  # one run at a time reaches the trainer
        self._prepared: tuple | None = None  # (trainer, DataRequest) last warmed up
        self._train_size = 0
        self._test_accuracy: float | None = None
        self._latest: RunUpdate | None = None
        self._run_settings: RunSettings | None = None  # what the current/last run used
        self._state = RunState()
        self._gate = threading.Event()
        self._run_id = 0

    # --- reading ---------------------------------------------------------------------------

    @property
    def settings(self) -> RunSettings:
        return self._settings

    @property
    def phase(self) -> RunPhase:
        return self._phase

    @property
    def stage(self) -> Stage | None:
        return self._stage

    @property
    def network(self) -> Network | None:
        return self._network

    @property
    def classes(self) -> tuple[int, ...]:
        return self._classes

    @property
    def latest(self) -> RunUpdate | None:
        return self._latest

    @property
    def test_accuracy(self) -> float | None:
        return self._test_accuracy

    @property
    def epochs_trained(self) -> float:
        return self._samples_trained() / self._train_size if self._train_size else 0.0

    @property
    def trainer_ready(self) -> bool:
        """The trainer has started and waits for work (a Start trains at once)."""
        trainer = self._trainer
        return trainer is not None and bool(getattr(trainer, "is_ready", lambda: True)())

    def would_continue(self) -> bool:
        """Would Start train the current model further (same data, classes and shape)?"""
        return self._network is not None and self._made_for == self._settings.architecture()

    def would_finish_course(self) -> bool:
        """Would Start train on to the epochs set (the last run was stopped before them)?"""
        left = self._course.remaining(
            self._samples_trained(), self._settings.epochs, self._train_size
        )
        return self.would_continue() and left > 0

    def description(self) -> str:
        """'784→16→10 relu · classes 0 1 · test 91.7 %', as model files are described."""
        if self._network is None:
            return ""
        settings = self._run_settings or self._settings
        parts = [self._network.spec.describe()]
        if settings.classes:
            parts.append("classes " + " ".join(str(c) for c in settings.classes))
        if settings.dataset != "mnist":
            parts.append(DATASET_LABELS.get(settings.dataset, settings.dataset))
        if self._test_accuracy is not None:
            parts.append(f"test {100 * self._test_accuracy:.1f}\u00a0%")
        return " · ".join(parts)

    # --- changing ----------------------------------------------------------------------------

    @property
    def settings_problem(self) -> str | None:
        """Why the settings being edited cannot be used (an invalid field), or None."""
        return self._problem

    def set_settings(self, settings: RunSettings, problem: str | None = None) -> None:
        """The settings for the next Start; with `problem`, Start refuses until it is fixed."""
        if settings != self._settings or problem != self._problem:
            self._settings, self._problem = settings, problem
            self.settings_changed.emit(settings)

    def _trainer_instance(self) -> Trainer:
        if self._trainer is None:
            self._trainer = self._trainer_factory()
        return self._trainer

    def prepare(self) -> None:
        """The user looks like they will train: start the trainer and load the data now
        (once per dataset and classes; data that is not on disk is only fetched on Start)."""
        trainer = self._trainer_instance()
        data = self._settings.data(self._data_root)
        if (trainer, data) == self._prepared:
            return
        self._prepared = (trainer, data)
        self._jobs.submit(lambda context: trainer.prepare(data), key="trainer-prepare")

    def start(self) -> bool:
        """Start a run with the current settings (continuing the model if it fits them)."""
        if self._phase.busy:
            return False
        if self._problem:
            self._notices.warning(f"Cannot start: {self._problem}")
            return False
        settings = self._settings
        continuing = self.would_continue()
        if not continuing:
            self._forget_model()
            self._made_for = settings.architecture()
        # Continuing: a fresh shuffle and fresh augmentation draws, not a replay of run one.
        config = settings.config(seed_offset=self._samples_before if continuing else 0)
        samples = self._course.plan(
            self._samples_trained(), settings.epochs, self._train_size, continuing
        )
        config = replace(config, samples=samples)
        job = TrainJob(
            settings.spec(),
            settings.data(self._data_root),
            config,
            self._network if continuing else None,
        )
        self._run_id += 1
        self._run_samples = 0
        self._run_settings = settings
        self._state, self._gate = RunState(), threading.Event()
        self._stage = None
        self._set_phase(RunPhase.STARTING)
        trainer, state, gate, run_id = (
            self._trainer_instance(),
            self._state,
            self._gate,
            self._run_id,
        )

        lock = self._trainer_lock

        def drive(context: JobContext) -> None:
            paced = config.snapshot_every > 0
            with lock:  # a stopped run still winding down finishes first
                for item in trainer.train(job, state):
                    if context.cancelled:
                        state.cancel()
                    if paced and isinstance(item, Snapshot) and not item.finished:
                        gate.clear()
                        context.partial(item)
                        gate.wait(ACK_TIMEOUT_S)
                    else:
                        context.partial(item)

        self._jobs.submit(
            drive,
            key="training",
            on_partial=lambda item: self._on_item(run_id, item),
            on_done=lambda _: self._on_ended(run_id),
            on_error=lambda message: self._on_failed(run_id, message),
            name="digitlab-training",
        )
        return True

    def pause(self) -> None:
        if self._phase is RunPhase.RUNNING or self._phase is RunPhase.STARTING:
            self._state.pause()
            self._set_phase(RunPhase.PAUSED)

    def resume(self) -> None:
        if self._phase is RunPhase.PAUSED:
            self._state.resume()
            training = self._stage is Stage.TRAINING
            self._set_phase(RunPhase.RUNNING if training else RunPhase.STARTING)

    def toggle_pause(self) -> None:
        self.pause() if self._phase in (RunPhase.RUNNING, RunPhase.STARTING) else self.resume()

    def stop(self) -> None:
        """Stop the run; its last snapshot still arrives and the weights are kept."""
        if self._phase.busy:
            self._state.cancel()
            self._gate.set()
            if self._stage is not Stage.TRAINING:  # nothing trained yet: end now
                self._jobs.cancel("training")
                self._run_id += 1
                self._end(RunOutcome(RunEnd.STOPPED, "Stopped before training began", None, 0.0))

    def reset(self) -> None:
        """Forget the model, its curves and history; the next Start draws new weights."""
        self._abandon()
        self._forget_model()
        self._set_phase(RunPhase.IDLE)

    def close(self) -> None:
        """The window is closing: stop everything and end the trainer."""
        self._abandon()
        if self._trainer is not None:
            self._trainer.close()
            self._trainer = None

    def save(self, path: str | Path) -> None:
        """Write the model with its metadata in the background; `saved` or a notice follows."""
        if self._network is None:
            self._notices.warning("Nothing to save yet: train a model first")
            return
        network, meta, target = self._network, self.checkpoint_meta(), Path(path)

        def done(written: Path) -> None:
            self._notices.info(f"Saved {written}", source=str(written))
            self.saved.emit(written)

        self._jobs.submit(
            lambda context: save_checkpoint(target, network, meta),
            on_done=done,
            on_error=lambda message: self._notices.error(f"Could not save: {message}", str(path)),
        )

    def checkpoint_meta(self) -> dict[str, Any]:
        settings = self._run_settings or self._settings
        return {
            "dataset": settings.dataset,
            "classes": list(self._classes),
            "preprocessing": "mnist",
            "epochs": round(self.epochs_trained, 3),
            "samples_seen": self._samples_trained(),
            "test_accuracy": self._test_accuracy,
            "train": settings.config().recorded(),
            "source": "digitlab window",
        }

    # --- internals ---------------------------------------------------------------------------

    def _samples_trained(self) -> int:
        return self._samples_before + self._run_samples

    def _set_phase(self, phase: RunPhase) -> None:
        if phase is not self._phase:
            self._phase = phase
            self.phase_changed.emit(phase)

    def _abandon(self) -> None:
        self._state.cancel()
        self._gate.set()
        self._jobs.cancel("training")
        self._run_id += 1

    def _forget_model(self) -> None:
        had_model = self._network is not None or len(self.curves) > 0
        self._network, self._made_for, self._latest = None, None, None
        self._samples_before, self._run_samples = 0, 0
        self._course = Course()
        self._train_size, self._test_accuracy = 0, None
        self.curves.clear()
        self.history.clear()
        if had_model:
            self.cleared.emit()

    def _on_item(self, run_id: int, item: Stage | Snapshot) -> None:
        if run_id != self._run_id:
            return
        if isinstance(item, Stage):
            self._stage = item
            self.stage_changed.emit(item)
            return
        self._stage = Stage.TRAINING
        self._apply(item)
        if self._phase is RunPhase.STARTING:
            self._set_phase(RunPhase.RUNNING)
        gate = self._gate
        self._jobs.dispatcher.post(gate.set)  # after the views have drawn this one

    def _apply(self, snap: Snapshot) -> None:
        settings = self._run_settings or self._settings
        self._train_size = snap.train_size or self._train_size
        self._run_samples = snap.samples_seen
        self._classes = settings.classes or tuple(range(10))
        self._network = snap.network(settings.spec())
        epoch = (self._samples_before + snap.samples_seen) / max(self._train_size, 1)
        if snap.status != "diverged":
            self.curves.add_train(epoch, snap.loss, snap.accuracy)
        if snap.test_accuracy is not None and snap.status in ("epoch", "done"):
            self._test_accuracy = snap.test_accuracy
            self.curves.add_test(epoch, snap.test_accuracy)
        self.history.add(
            HistoryEntry(
                snap.step,
                self._samples_before + snap.samples_seen,
                epoch,
                snap.loss,
                snap.accuracy,
                snap.test_accuracy,
                self._network,
                epoch_end=snap.status in ("epoch", "done"),
            )
        )
        course = self._course.position(self._samples_trained(), self._train_size)
        self._latest = RunUpdate(
            snap, self._network, self._classes, epoch, course, self._course.epochs
        )
        self.updated.emit(self._latest)

    def _on_ended(self, run_id: int) -> None:
        if run_id != self._run_id:
            return
        last = self._latest.snapshot if self._latest else None
        if last is None:
            self._end(RunOutcome(RunEnd.STOPPED, "The run ended before its first step", None, 0))
            return
        self._samples_before, self._run_samples = self._samples_trained(), 0
        self._end(RunOutcome.of(last, self.epochs_trained, self._test_accuracy))

    def _on_failed(self, run_id: int, message: str) -> None:
        if run_id != self._run_id:
            return
        self._samples_before, self._run_samples = self._samples_trained(), 0
        self._end(
            RunOutcome(RunEnd.FAILED, f"Training failed: {message}", None, self.epochs_trained)
        )

    def _end(self, outcome: RunOutcome) -> None:
        self._course.unfinished = outcome.end is RunEnd.STOPPED
        self._set_phase(RunPhase.FINISHED)
        failed = outcome.end in (RunEnd.FAILED, RunEnd.DIVERGED)
        (self._notices.error if failed else self._notices.info)(outcome.message)
        self.finished.emit(outcome)
