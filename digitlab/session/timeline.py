"""The run's timeline: which moment of its history the views show (live: the newest).

A moment is a version of the run's model (its `HistoryEntry.ref`), so choosing one is choosing
a model version: the model library answers with it, and every view that follows the answering
model (weights, prediction, activations, evidence, hidden units, planes, confusion, probes)
follows the moment without knowing about the timeline. Its change is the step from the moment
before it in the history. *Live* follows the running net; choosing the newest moment is live,
and so does Start.

Per-class markers: the first moment at which each class's test accuracy passes a threshold
("when was 7 learned?"), measured in the background at idle priority for the moments not yet
measured (a 784→100→10 moment costs ~20 ms over the 10 000 test digits).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from psygnal import Signal

from digitlab.core.metrics import Evaluation, confusion_matrix, output_indices
from digitlab.core.protocol import SnapshotStatus
from digitlab.session.history import HistoryEntry
from digitlab.session.jobs import JobContext, JobRunner, NewestOnly
from digitlab.session.models import RUN_KEY, ModelEntry, ModelKind, ModelSource
from digitlab.session.run import RunPhase, TrainingRun
from digitlab.session.shared_split import SharedSplit

LEARNED_THRESHOLD = 0.9  # a class is "learned" once this share of its test digits is right
TEST_LIMIT = 10_000  # test digits a moment's per-class accuracy is measured on


def moment_key(entry: HistoryEntry) -> Hashable:
    return entry.ref if entry.ref is not None else id(entry)


class Timeline:
    moved = Signal(object)  # the moment now shown (HistoryEntry), or None: live
    measured = Signal()  # per-class accuracies of more moments arrived (markers may move)

    def __init__(self, run: TrainingRun, jobs: JobRunner, test_split: SharedSplit) -> None:
        self._run, self._test = run, test_split
        self._chosen: HistoryEntry | None = None
        self._models: dict[Hashable, ModelEntry] = {}
        self._class_accuracy: dict[Hashable, np.ndarray] = {}
        self._measuring = NewestOnly(jobs, "timeline-classes", "digitlab-timeline")
        run.cleared.connect(self._on_cleared)
        run.phase_changed.connect(self._on_phase)

    # --- reading -----------------------------------------------------------------------------

    @property
    def moments(self) -> tuple[HistoryEntry, ...]:
        return self._run.history.entries

    @property
    def chosen(self) -> HistoryEntry | None:
        """The moment shown, or None: live (the newest version of the run)."""
        return self._chosen

    @property
    def live(self) -> bool:
        return self._chosen is None

    @property
    def position(self) -> int:
        """Where the shown moment sits among the moments (live: the last; -1: none)."""
        moments = self.moments
        if self._chosen is None:
            return len(moments) - 1
        return _index_of(moments, self._chosen)

    def model(self) -> ModelEntry | None:
        """The run's model at the moment shown (live: its current version)."""
        chosen = self._chosen
        if chosen is None:
            return self._run.model
        key = moment_key(chosen)
        entry = self._models.get(key)
        if entry is None:
            entry = self._models[key] = self._model_of(chosen)
        return entry

    def change_of(self, entry: ModelEntry) -> tuple[list[np.ndarray], bool] | None:
        """(each layer's change, whether it is the run's last change before a Stop) for a
        version of the run: the live one's last step, a chosen moment's step from the moment
        before it; None when there is none (the first moment, another model)."""
        latest = self._run.latest
        if latest is not None and latest.model.ref == entry.ref:
            stopped = latest.snapshot.status is SnapshotStatus.CANCELLED
            return [np.asarray(d) for d in latest.snapshot.deltas], stopped
        chosen = self._chosen
        if chosen is None or chosen.ref != entry.ref:
            return None
        moments = self.moments
        index = _index_of(moments, chosen)
        if index <= 0 or moments[index] is not chosen:
            return None
        before = moments[index - 1].network.weights
        return [now - then for now, then in zip(chosen.network.weights, before)], False

    def learned_at(self, threshold: float = LEARNED_THRESHOLD) -> dict[int, int]:
        """class → the index of the first moment whose test accuracy on it is ≥ threshold
        (among the moments measured so far; classes never reaching it are left out)."""
        classes, found = self._run.classes, {}
        for index, entry in enumerate(self.moments):
            accuracy = self._class_accuracy.get(moment_key(entry))
            if accuracy is None:
                continue
            for digit, value in zip(classes, accuracy):
                if digit not in found and value >= threshold:
                    found[digit] = index
            if len(found) == len(classes):
                break
        return found

    def class_accuracy(self, entry: HistoryEntry) -> np.ndarray | None:
        """The moment's test accuracy per class (None: not measured yet)."""
        return self._class_accuracy.get(moment_key(entry))

    # --- moving ------------------------------------------------------------------------------

    def seek(self, index: int) -> None:
        """Show moment `index` (clamped); the newest is live."""
        moments = self.moments
        if not moments:
            return
        index = min(max(int(index), 0), len(moments) - 1)
        self._choose(None if index == len(moments) - 1 else moments[index])

    def step(self, moments: int) -> None:
        """Move by this many moments (negative: back)."""
        position = self.position
        if position >= 0:
            self.seek(position + moments)

    def go_live(self) -> None:
        self._choose(None)

    def _choose(self, entry: HistoryEntry | None) -> None:
        if entry is self._chosen:
            return
        self._chosen = entry
        self.moved.emit(entry)

    # --- measuring -----------------------------------------------------------------------------

    def measure(self) -> None:
        """Measure each class's test accuracy at the moments not measured yet, in the background
        (at idle priority; `measured` follows). Needs the test split: a failure stays quiet, the
        markers then do not show."""
        moments = self.moments
        keep = {moment_key(e) for e in moments}
        for key in [k for k in self._class_accuracy if k not in keep]:
            del self._class_accuracy[key]  # thinned out of the history
        todo = tuple(e for e in moments if moment_key(e) not in self._class_accuracy)
        if not todo:
            return
        classes, test = self._run.classes, self._test

        def compute(context: JobContext) -> dict[Hashable, np.ndarray]:
            digits = test.inputs(classes, TEST_LIMIT)
            found = {}
            for entry in todo:
                context.check()
                found[moment_key(entry)] = class_accuracies(entry, classes, digits)
            return found

        def done(found: dict[Hashable, np.ndarray]) -> None:
            if classes == self._run.classes:
                self._class_accuracy.update(found)
                self.measured.emit()

        self._measuring.request(tuple(moment_key(e) for e in todo), compute, done, _quiet)

    # --- internals ---------------------------------------------------------------------------

    def _model_of(self, moment: HistoryEntry) -> ModelEntry:
        """A moment as a model version (the same ref as when it was the run's newest, so the
        analyses cached for it are found again)."""
        label = f"Training run at epoch {moment.epoch:.2f}"
        source = ModelSource(RUN_KEY, ModelKind.RUN, label)
        tested = "" if moment.test_accuracy is None else f" · test {moment.test_accuracy:.1%}"
        description = f"{moment.network.spec.describe()} · epoch {moment.epoch:.2f}{tested}"
        version = {"version": moment.ref.version} if moment.ref is not None else {}
        return ModelEntry(source, moment.network, self._run.classes, description, **version)

    def _on_phase(self, phase: RunPhase) -> None:
        """Start (or Continue) means watching the run: live again."""
        if phase is RunPhase.STARTING:
            self.go_live()

    def _on_cleared(self) -> None:
        self._models.clear()
        self._class_accuracy.clear()
        if self._chosen is not None:
            self._chosen = None
            self.moved.emit(None)


def class_accuracies(entry: HistoryEntry, classes: tuple[int, ...], digits) -> np.ndarray:
    """The moment's accuracy on each class of `digits` (a `DigitInputs`, labels as digits)."""
    picked = entry.network.logits(digits.inputs).argmax(axis=1)  # an index into classes
    truth = output_indices(digits.labels, classes)
    return Evaluation(classes, confusion_matrix(truth, picked, len(classes))).per_class_accuracy


def _index_of(moments: tuple[HistoryEntry, ...], moment: HistoryEntry) -> int:
    """The moment's index; one thinned away: the last moment before it (by samples)."""
    for index, entry in enumerate(moments):
        if entry is moment:
            return index
    samples = np.array([e.samples for e in moments])
    return max(int(np.searchsorted(samples, moment.samples, side="right")) - 1, 0)


def _quiet(_message: str) -> None:
    """Markers are a help, not a result: without test digits they do not show."""
