"""The model a run trains and what it has done: its current version, curves, history and course.

Each snapshot becomes a new `ModelEntry` of the run (a new version; the weights of a version never
change), one point on the curves (and a mark for each setting it reports changed mid-run), one
history entry and one `RunUpdate`. The record spans every run that continued the model; Reset
or a new shape forgets it.
"""

from __future__ import annotations

from digitlab.core.protocol import Snapshot, SnapshotStatus
from digitlab.session.course import Course
from digitlab.session.curves import RunCurves
from digitlab.session.history import HistoryEntry, SnapshotHistory
from digitlab.session.models import RUN_KEY, ModelEntry, ModelSource, source_for
from digitlab.session.run_events import RunUpdate
from digitlab.session.run_save import describe
from digitlab.session.run_settings import RunSettings


class RunRecord:
    def __init__(
        self, history: SnapshotHistory | None = None, source: ModelSource | None = None
    ) -> None:
        self.source = source or source_for(RUN_KEY)  # what the run's versions are listed as
        self.history = history if history is not None else SnapshotHistory()
        self.curves = RunCurves()
        self.model: ModelEntry | None = None  # the run's current version: the one live object
        self.made_for: tuple | None = None  # RunSettings.architecture() of the model
        self.classes: tuple[int, ...] = tuple(range(10))
        self.samples_before = 0  # samples trained by earlier runs of this model
        self.run_samples = 0  # samples trained by the run going on now
        self.course = Course()
        self.train_size = 0
        self.test_accuracy: float | None = None
        self.latest: RunUpdate | None = None

    @property
    def samples_trained(self) -> int:
        return self.samples_before + self.run_samples

    @property
    def epochs_trained(self) -> float:
        return self.samples_trained / self.train_size if self.train_size else 0.0

    def fits(self, architecture: tuple) -> bool:
        """Is there a model a run with this architecture (data, classes, shape) continues?"""
        return self.model is not None and self.made_for == architecture

    def samples_left(self, epochs: int) -> int:
        """Samples a stopped course has left to reach `epochs` (0: none open)."""
        return self.course.remaining(self.samples_trained, epochs, self.train_size)

    def begin(self, settings: RunSettings, continuing: bool, new_course: bool = False) -> int:
        """A run begins (a new model unless `continuing`; `new_course`: not the rest of a stopped
        course); returns the samples it trains (0: `settings.epochs` whole epochs)."""
        if not continuing:
            self.made_for = settings.architecture()
        self.run_samples = 0
        finish = continuing and not new_course
        return self.course.plan(self.samples_trained, settings.epochs, self.train_size, finish)

    def run_ended(self, stopped: bool) -> None:
        """The run's samples now belong to the model; a stopped course stays open."""
        self.samples_before, self.run_samples = self.samples_trained, 0
        self.course.unfinished = stopped

    def forget(self) -> bool:
        """Drop the model, its curves and history; True if there was anything to drop."""
        had_model = self.model is not None or len(self.curves) > 0
        self.model, self.made_for, self.latest = None, None, None
        self.samples_before, self.run_samples = 0, 0
        self.course = Course()
        self.train_size, self.test_accuracy = 0, None
        self.curves.clear()
        self.history.clear()
        return had_model

    def adopt(self, model: ModelEntry) -> None:
        """Take a model that no snapshot brought (demos, tests): no run continues it."""
        self.model, self.made_for, self.classes = model, None, model.classes

    def apply(self, snap: Snapshot, settings: RunSettings) -> RunUpdate:
        """Take one snapshot of a run started with `settings`: a new version of the model."""
        self.train_size = snap.train_size or self.train_size
        self.run_samples = snap.samples_seen
        self.classes = settings.classes or tuple(range(10))
        network = snap.network(settings.spec())
        epoch = self.samples_trained / max(self.train_size, 1)
        evaluated = snap.status.evaluated
        for change in snap.changes:
            at = (self.samples_before + change.samples) / max(self.train_size, 1)
            self.curves.add_mark(at, change.text)
        if snap.status is not SnapshotStatus.DIVERGED:
            self.curves.add_train(epoch, snap.loss, snap.accuracy)
        if snap.test_accuracy is not None and evaluated:
            self.test_accuracy = snap.test_accuracy
            self.curves.add_test(epoch, snap.test_accuracy)
        description = describe(network, settings, self.test_accuracy)
        self.model = ModelEntry(self.source, network, self.classes, description)
        self.history.add(
            HistoryEntry(
                snap.step,
                self.samples_trained,
                epoch,
                snap.loss,
                snap.accuracy,
                snap.test_accuracy,
                network,
                epoch_end=evaluated,
                ref=self.model.ref,
            )
        )
        course = self.course.position(self.samples_trained, self.train_size)
        self.latest = RunUpdate(snap, self.model, epoch, course, self.course.epochs)
        return self.latest
