"""The current model's answers on the whole test split: a `Followed` analysis with a target.

The confusion and mistakes views ask (`fetch`) when they are on screen; the work (one forward
pass over the 10 000 test digits, a confusion matrix and a few sorts) runs off the main thread,
newest request wins, cached per model version (see `analysis.py`). Which model version to
compute for is the `target`: the current model; for the net being trained, the version of its
last test evaluation (an epoch's end), not each of its ~10 snapshots a second; a moment chosen
on the timeline is computed for itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np
from psygnal import Signal

from digitlab.core.data import Split
from digitlab.core.metrics import (
    Evaluation,
    class_indices,
    confusion_matrix,
    predict_probabilities,
)
from digitlab.core.mistakes import top_per_cell
from digitlab.session.analysis import AnalysisFailed, Followed
from digitlab.session.jobs import JobContext, JobRunner
from digitlab.session.models import RUN_KEY, ModelEntry, ModelLibrary, ModelRef
from digitlab.session.picture_split import picture_names, split_for
from digitlab.session.run import TrainingRun
from digitlab.session.shared_split import SharedSplit


@dataclass(frozen=True, eq=False)
class PredictionsReport:
    """One model version's answers on the test digits of its classes.
    Labels and predictions are 0..k-1, standing for `classes`."""

    ref: ModelRef
    classes: tuple[int, ...]
    images: np.ndarray  # (N, 28, 28) uint8, or (N, 32, 32, 3) for a CIFAR-10 model
    labels: np.ndarray  # (N,)
    predicted: np.ndarray  # (N,)
    confidence: np.ndarray  # (N,) the probability of the predicted class
    true_probability: np.ndarray  # (N,) the probability of the true class
    evaluation: Evaluation  # confusion matrix and per-class accuracy (core.metrics)
    top_cells: np.ndarray  # (k, k) index of each cell's most confident image, -1 if empty

    @property
    def confusion(self) -> np.ndarray:
        return self.evaluation.confusion

    @property
    def per_class_accuracy(self) -> np.ndarray:
        return self.evaluation.per_class_accuracy

    @cached_property
    def mistakes(self) -> int:
        return int(np.count_nonzero(self.labels != self.predicted))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """What each output stands for: the digits, or CIFAR-10's class names."""
        return picture_names(self.classes, self.images)

    def caption(self, index: int) -> str:
        """One test image under its picture in a gallery: "7→1 98%" ("cat→dog 61%")."""
        true, guess = self.names[self.labels[index]], self.names[self.predicted[index]]
        return f"{true}→{guess} {self.confidence[index]:.0%}"

    def tip(self, index: int) -> str:
        """One image's story: which test image, its label, the answer and how sure the net was."""
        true, guess = self.names[self.labels[index]], self.names[self.predicted[index]]
        return (
            f"test image {index}: a {true}; the net says {guess} "
            f"({self.confidence[index]:.1%}), {true} gets {self.true_probability[index]:.1%}"
        )


def compute_report(entry: ModelEntry, split: Split) -> PredictionsReport:
    """The report for a model on the test digits of its classes (labels mapped to 0..k-1)."""
    network, classes = entry.network, entry.classes
    images, labels = class_subset(split, classes)
    k = len(classes)
    probabilities = predict_probabilities(network, images)
    predicted = probabilities.argmax(axis=1)
    rows = np.arange(len(labels))
    confidence = probabilities[rows, predicted]
    evaluation = Evaluation(classes, confusion_matrix(labels, predicted, k))
    top = top_per_cell(labels, predicted, confidence, k)
    true_probability = probabilities[rows, labels]
    return PredictionsReport(
        entry.ref, classes, images, labels, predicted, confidence, true_probability, evaluation, top
    )


def class_subset(split: Split, classes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The split's images of `classes` and their labels as 0..k-1 (the whole split for 0–9)."""
    if tuple(classes) == tuple(range(10)):
        return split.images, split.labels
    return class_indices(split.images, split.labels, classes)


def split_answers(
    test_split: SharedSplit, entry: ModelEntry, _params: object, context: JobContext
) -> PredictionsReport:
    """The report for `entry` on the shared test split (read once; CIFAR-10's for a model of
    colour pictures)."""
    split = split_for(entry, test_split).get()
    context.check()
    return compute_report(entry, split)


def failure_text(failure: AnalysisFailed) -> str:
    """The line a view shows for a failure: no model, or why there are no answers."""
    return failure.message if failure.ref is None else f"No test-set answers: {failure.message}"


class SplitPredictions:
    """`session.test_predictions`: the target model version's answers on the test split."""

    target_changed = Signal()  # another version to compute for: views on screen ask again
    updated = Signal()  # the target changed or its outcome arrived: what views subscribe to

    def __init__(
        self, jobs: JobRunner, test_split: SharedSplit, models: ModelLibrary, run: TrainingRun
    ) -> None:
        self._run = run
        compute = partial(split_answers, test_split)
        self.analysis: Followed[PredictionsReport] = Followed(
            jobs, "test-predictions", compute, PredictionsReport
        )
        self.changed, self.failed = self.analysis.changed, self.analysis.failed
        self.analysis.updated.connect(self.updated.emit)
        self._target: ModelEntry | None = None
        self._following = False  # the target is the net being trained
        models.current_changed.connect(self._on_model)
        self._on_model(models.current)

    @property
    def target(self) -> ModelEntry | None:
        """The model version the views should show: the current model's."""
        return self._target

    def current(self) -> PredictionsReport | AnalysisFailed | None:
        """The outcome for the target, if it has arrived."""
        return self.analysis.get(self._target) if self._target is not None else None

    def fetch(self) -> PredictionsReport | AnalysisFailed | None:
        """What a view should show: the target's report (asked for if need be), None while it is
        being computed, or why there is none (no model, the failure)."""
        if self._target is None:
            return AnalysisFailed(None, "No model")
        return self.analysis.fetch(self._target)

    def request(self) -> None:
        """Compute for the target unless that is done or under way."""
        if self._target is not None:
            self.analysis.request(self._target)

    def _on_model(self, entry: ModelEntry | None) -> None:
        if entry is None:
            target = None
        elif entry.key == RUN_KEY and self._following:
            latest = self._run.latest  # a snapshot without a test evaluation keeps the target
            evaluated = latest is not None and latest.snapshot.status.evaluated
            chosen = latest is not None and latest.model.ref != entry.ref  # on the timeline
            target = entry if evaluated or chosen else self._target
        else:
            target = entry
        self._following = entry is not None and entry.key == RUN_KEY
        if _ref(target) != _ref(self._target):
            self._target = target
            self.target_changed.emit()
            self.updated.emit()


def _ref(entry: ModelEntry | None) -> ModelRef | None:
    return entry.ref if entry is not None else None
