"""The current model's answers on the whole test split, computed in the background.

The confusion and mistakes views ask (`request`) when they are on screen; the work (one forward
pass over the 10 000 test digits, a confusion matrix and a few sorts) runs off the main thread,
one computation at a time with the newest request waiting (`NewestOnly`). Which network to
compute for is the `target`: the current model; for the net being trained, the network of its
last test evaluation (an epoch's end), not each of its ~10 snapshots a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from psygnal import Signal

from digitlab.core.data import Split
from digitlab.core.metrics import Evaluation, confusion_matrix, predict_probabilities
from digitlab.core.mistakes import top_per_cell
from digitlab.core.network import Network
from digitlab.session.jobs import JobRunner, NewestOnly
from digitlab.session.models import RUN_KEY, ModelEntry, ModelLibrary
from digitlab.session.run import TrainingRun
from digitlab.session.test_split import SharedTestSplit

EVALUATED = ("epoch", "done")  # snapshot statuses that come with a test evaluation


@dataclass(frozen=True, eq=False)
class PredictionsReport:
    """One network's answers on the test digits of its classes, or why there are none.
    Labels and predictions are 0..k-1, standing for `classes`."""

    network: Network
    classes: tuple[int, ...]
    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,)
    predicted: np.ndarray  # (N,)
    confidence: np.ndarray  # (N,) the probability of the predicted class
    true_probability: np.ndarray  # (N,) the probability of the true class
    evaluation: Evaluation | None  # confusion matrix and per-class accuracy (core.metrics)
    top_cells: np.ndarray  # (k, k) index of each cell's most confident image, -1 if empty
    error: str = ""

    @property
    def confusion(self) -> np.ndarray:
        k = len(self.classes)
        return self.evaluation.confusion if self.evaluation else np.zeros((k, k), np.int64)

    @property
    def per_class_accuracy(self) -> np.ndarray:
        k = len(self.classes)
        return self.evaluation.per_class_accuracy if self.evaluation else np.full(k, np.nan)

    @cached_property
    def mistakes(self) -> int:
        return int(np.count_nonzero(self.labels != self.predicted))


def failed_report(network: Network, classes: tuple[int, ...], error: str) -> PredictionsReport:
    """An empty report that says why (missing test data, a failed computation)."""
    k = len(classes)
    none = np.empty(0, np.int64)
    return PredictionsReport(
        network,
        classes,
        np.empty((0, 28, 28), np.uint8),
        none,
        none,
        np.empty(0, np.float32),
        np.empty(0, np.float32),
        None,
        np.full((k, k), -1),
        error,
    )


def compute_report(network: Network, classes: tuple[int, ...], split: Split) -> PredictionsReport:
    """The report for `network` on the test digits of `classes` (labels mapped to 0..k-1)."""
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
        network, classes, images, labels, predicted, confidence, true_probability, evaluation, top
    )


def class_subset(split: Split, classes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The split's images of `classes` and their labels as 0..k-1 (the whole split for 0–9)."""
    if tuple(classes) == tuple(range(10)):
        return split.images, split.labels
    lookup = np.full(max(10, int(split.labels.max(initial=0)) + 1), -1, np.int64)
    lookup[list(classes)] = np.arange(len(classes))
    mapped = lookup[split.labels]
    keep = mapped >= 0
    return split.images[keep], mapped[keep]


class TestPredictions:
    """`session.test_predictions`: the target network's answers on the test split."""

    __test__ = False  # not a pytest class, whatever its name
    changed = Signal(object)  # PredictionsReport
    target_changed = Signal()  # another network to compute for: views on screen ask again

    def __init__(
        self, jobs: JobRunner, test_split: SharedTestSplit, models: ModelLibrary, run: TrainingRun
    ) -> None:
        self._test_split, self._models, self._run = test_split, models, run
        self._newest = NewestOnly(jobs, "test-predictions", "digitlab-predictions")
        self._report: PredictionsReport | None = None
        self._target: tuple[Network, tuple[int, ...]] | None = None
        self._following = False  # the target is the net being trained
        models.current_changed.connect(self._on_model)
        self._on_model(models.current)

    @property
    def report(self) -> PredictionsReport | None:
        """The newest report (maybe for an older target; compare `report.network`)."""
        return self._report

    @property
    def target(self) -> tuple[Network, tuple[int, ...]] | None:
        """(network, classes) the views should show: the current model's."""
        return self._target

    def current(self) -> PredictionsReport | None:
        """The report for the target, if it has arrived."""
        report, target = self._report, self._target
        return report if report is not None and target and report.network is target[0] else None

    def fetch(self) -> PredictionsReport | str | None:
        """What a view should show: the target's report (asked for if need be), None while it is
        being computed, or a line saying why there is none (no model, the failure)."""
        if self._target is None:
            return "No model"
        self.request()
        report = self.current()
        if report is not None and report.error:
            return f"No test-set answers: {report.error}"
        return report

    def request(self) -> None:
        """Compute for the target unless that is done or under way."""
        if self._target is None:
            return
        network, classes = self._target
        if self._report is not None and self._report.network is network:
            return

        def compute(context) -> PredictionsReport:
            split = self._test_split.get()
            context.check()
            return compute_report(network, classes, split)

        self._newest.request(
            network,
            compute,
            on_done=self._deliver,
            on_error=lambda message: self._deliver(failed_report(network, classes, message)),
        )

    def _on_model(self, entry: ModelEntry | None) -> None:
        if entry is None:
            target = None
        elif entry.key == RUN_KEY and self._following:
            latest = self._run.latest  # a snapshot without a test evaluation keeps the target
            evaluated = latest is not None and latest.snapshot.status in EVALUATED
            target = (entry.network, entry.classes) if evaluated else self._target
        else:
            target = (entry.network, entry.classes)
        self._following = entry is not None and entry.key == RUN_KEY
        if target is not self._target:
            self._target = target
            self.target_changed.emit()

    def _deliver(self, report: PredictionsReport) -> None:
        self._report = report
        self.changed.emit(report)
