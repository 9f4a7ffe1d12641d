"""The application's state, without Qt: what every view looks at and changes.

A `Session` owns the models (and which one answers), the drawing, the training run with its
history, the user's selection, background jobs and the message stream, and derives the
prediction for the drawing. Views take the session in their constructor and subscribe to the
typed events of its parts (psygnal signals); they never talk to each other. Everything here is
changed on the main thread; background work reports back through the `Dispatcher`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from psygnal import Signal

from digitlab.core.ablation import AblationTable
from digitlab.core.conditions import SweepResult
from digitlab.core.data import DatasetCache, Split
from digitlab.core.drawing_grid import OffsetGrid
from digitlab.session.analysis import Followed, Task
from digitlab.session.comparison import Comparison
from digitlab.session.dataset_splits import DatasetSplits
from digitlab.session.drawing import Drawing, NetInput
from digitlab.session.edits import (
    EDITED_KEY,
    EditEffect,
    UnitEdits,
    edit_effect,
    unit_ablation,
)
from digitlab.session.experiments import ExperimentRuns
from digitlab.session.fine_tune import FineTuning
from digitlab.session.history import SnapshotHistory
from digitlab.session.jobs import Dispatcher, JobRunner
from digitlab.session.models import DEFAULT_KEY, RUN_KEY, ModelEntry, ModelLibrary
from digitlab.session.my_digits import MyDigits
from digitlab.session.neighbours import NearestDigits, Neighbours
from digitlab.session.notices import LabelledNotices, Notices
from digitlab.session.planes import PlanesReport, has_planes, plane_report
from digitlab.session.probes import ProbeReport, offline_datasets, probe_model
from digitlab.session.pruning import (
    PRUNED_KEY,
    ModelAccuracy,
    Pruning,
    PruningCurve,
    accuracy_of,
    curve_of,
)
from digitlab.session.robustness import drawing_offsets, run_sweep, sweep_subjects
from digitlab.session.run import RunPhase, RunUpdate, Trainer, TrainingRun
from digitlab.session.selection import Selection
from digitlab.session.set_scores import SetScores, models_to_score, score_models
from digitlab.session.shared_split import SharedSplit, mnist_test_set, mnist_train_set
from digitlab.session.side_by_side import PARTNER, SideBySide
from digitlab.session.split_predictions import SplitPredictions
from digitlab.session.timeline import Timeline
from digitlab.session.unit_stats import UnitsReport, unit_statistics


class Answer(enum.Enum):
    READY = "ready"  # probabilities for the drawing
    EMPTY = "empty"  # no ink: no answer (never a guess)
    NO_MODEL = "no model"  # nothing to answer with (yet)
    PICTURES = "pictures"  # the model reads colour pictures (CIFAR-10), not drawings


@dataclass(frozen=True, eq=False)
class Prediction:
    """The answering model's verdict on the drawing, or why there is none."""

    state: Answer
    probabilities: np.ndarray | None = None
    classes: tuple[int, ...] = tuple(range(10))
    model_key: str | None = None

    @property
    def top(self) -> int | None:
        """The digit with the highest probability."""
        if self.probabilities is None:
            return None
        return self.classes[int(np.argmax(self.probabilities))]


def _default_trainer() -> Trainer:
    from digitlab.core.remote import TrainerProcess

    return TrainerProcess()


class Session:
    prediction_changed = Signal(Prediction)

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        trainer_factory: Callable[[], Trainer] = _default_trainer,
        model_loader: Callable | None = None,
        data_root: str | None = None,
        history: SnapshotHistory | None = None,
        test_set: Callable[[], Split] | None = None,
        train_set: Callable[[], Split] | None = None,
        probe_datasets: DatasetCache | None = None,
        experiment_results: Path | None = None,
        my_digits: Path | None = None,
    ) -> None:
        self.notices = Notices()
        self.jobs = JobRunner(dispatcher)
        loader = {} if model_loader is None else {"loader": model_loader}
        # The run's model is one object: the library asks the timeline for the version shown
        # (live: the run's newest).
        self.models = ModelLibrary(self.jobs, self.notices, live=lambda: self.timeline.model(),
                                   **loader)  # fmt: skip
        self.drawing = Drawing()
        self.run = TrainingRun(self.jobs, self.notices, trainer_factory, history, data_root)
        # B: a second net trained beside the run, in its own trainer (started when first used).
        labelled = LabelledNotices(self.notices, "B")
        self.partner_run = TrainingRun(self.jobs, labelled, trainer_factory, None, data_root,
                                       source=PARTNER)  # fmt: skip
        self.side_by_side = SideBySide(self.run, self.partner_run, self.models)
        self.selection = Selection()
        self.test_split = test = SharedSplit(test_set or mnist_test_set(data_root))
        self.timeline = Timeline(self.run, self.jobs, test)
        self.comparison = Comparison(self.jobs, self.models, self.run, self.partner_run, test)
        jobs = self.jobs  # the analyses: Followed (follow a model) or Task (on demand)
        self.units = Followed(jobs, "units", partial(unit_statistics, test), UnitsReport)
        self.planes = Followed(
            jobs, "planes", partial(plane_report, test), PlanesReport, applies=has_planes
        )
        self.test_predictions = SplitPredictions(jobs, test, self.models, self.run)
        self.train_split = train_split = SharedSplit(train_set or mnist_train_set(data_root))
        self.datasets = DatasetSplits(jobs, test, train_split)
        probe_data = probe_datasets or offline_datasets()
        self.probes = Task(jobs, "probes", partial(probe_model, probe_data, data_root), ProbeReport)
        sweep = partial(run_sweep, test)
        self.robustness = Task(jobs, "robustness", sweep, SweepResult, SweepResult,
                               prepare=partial(sweep_subjects, self.models))  # fmt: skip
        self.offsets = Followed(jobs, "offset-grid", drawing_offsets, OffsetGrid, keep=1)
        self.experiments = ExperimentRuns(self.jobs, self.notices, experiment_results)
        self.my_digits = MyDigits(jobs, self.drawing, self.notices, my_digits)  # read when shown
        self.my_digits_scores = Task(jobs, "my-digits-scores", score_models, SetScores,
                                     prepare=partial(models_to_score, self.models))  # fmt: skip
        self.edits = UnitEdits(self.models, self.notices, self.jobs)
        self.edit_effect = Followed(jobs, "edit-effect", partial(edit_effect, test), EditEffect)
        self.ablation = Followed(jobs, "ablation", partial(unit_ablation, test), AblationTable)
        self.neighbours = Followed(jobs, "neighbours", NearestDigits(train_split), Neighbours)
        self.pruning = Pruning(self.models, self.notices, self.run)
        self.pruning_curve = Followed(jobs, "pruning-curve", partial(curve_of, test), PruningCurve)
        self.pruned_accuracy = Followed(jobs, "pruned-accuracy", partial(accuracy_of, test),
                                        ModelAccuracy)  # fmt: skip
        self.fine_tuning = FineTuning(self.models, self.notices, self.run, self.my_digits,
                                      self.pruned_accuracy)  # fmt: skip
        self.edits.changed.connect(self._rebase_pruning)
        self._prediction = Prediction(Answer.EMPTY)
        self._follow_run = False  # a new run should answer the drawing once it has weights
        self._before_run: str | None = None  # what answered before the run took over

        self.drawing.input_changed.connect(self._on_input)
        self.models.current_changed.connect(self._on_model)
        self.run.updated.connect(self._on_run_update)
        self.run.model_changed.connect(self._on_run_model)
        self.run.phase_changed.connect(self._on_run_phase)
        self.timeline.moved.connect(self._on_moment)
        self._predict()

    @property
    def analysing(self) -> bool:
        """Background work other than the training run is going (an analysis, a model or run
        file being read) or its result has not reached the main thread yet: what screenshots
        and recordings wait for before a picture."""
        return any(not (job.key or "").startswith("training") for job in self.jobs.outstanding())

    @property
    def prediction(self) -> Prediction:
        return self._prediction

    def start(self, model_key: str = DEFAULT_KEY) -> None:
        """Load the model the drawing starts with (a remembered file falls back to the shipped
        model, with a notice, if it is gone or broken)."""
        self.models.select(model_key, fallback=DEFAULT_KEY)

    def close(self, timeout_s: float = 1.0) -> None:
        """Stop training, end the trainer process and background jobs."""
        self.run.close()
        self.partner_run.close()
        self.jobs.shutdown(timeout_s)

    # --- wiring ------------------------------------------------------------------------------

    def _on_input(self, _: NetInput) -> None:
        self._predict()

    def _rebase_pruning(self) -> None:
        """Edits changed under a pruned model made from the edited one: prune what the edits
        give now (Clear all left the pruned model, and then Restore, answering with the edit)."""
        pruned_from, edited_from = self.pruning.original, self.edits.original
        if pruned_from is None or pruned_from.key != EDITED_KEY or edited_from is None:
            return
        if edited_from.key != PRUNED_KEY:  # (edits of the pruned net itself lie above it)
            self.pruning.rebase(self.edits.model or edited_from)

    def _on_model(self, _: ModelEntry | None) -> None:
        self._predict()

    def _on_run_phase(self, phase: RunPhase) -> None:
        if phase is RunPhase.STARTING:
            self._follow_run = True

    def _on_run_model(self, model: ModelEntry | None) -> None:
        was_answering = self.models.follows_run
        self.models.run_changed()
        if model is None and was_answering:  # back to what answered before the run took over
            self.models.select(self._before_run or DEFAULT_KEY, fallback=DEFAULT_KEY)

    def _on_moment(self, _moment: object) -> None:
        """Another moment of the run was chosen: the run answers, at that moment."""
        if self.models.follows_run:
            self.models.run_changed()
        elif self.run.model is not None:
            self.models.select(RUN_KEY)

    def _on_run_update(self, update: RunUpdate) -> None:
        if self._follow_run:
            self._follow_run = False
            if not self.models.follows_run:
                self._before_run = self.models.wanted
                self.models.select(RUN_KEY)
                self.notices.info(
                    "The drawing is now read by the net being trained; "
                    "choose another model under Model to switch back"
                )

    def _predict(self) -> None:
        entry = self.models.current
        net_input = self.drawing.input
        if entry is None:
            prediction = Prediction(Answer.NO_MODEL)
        elif net_input.image.size != entry.network.spec.input_size:  # a CIFAR-10 model
            prediction = Prediction(Answer.PICTURES, None, entry.classes, entry.key)
        elif net_input.empty:
            prediction = Prediction(Answer.EMPTY, None, entry.classes, entry.key)
        else:
            probabilities = entry.network.probabilities(net_input.image[None])[0]
            prediction = Prediction(Answer.READY, probabilities, entry.classes, entry.key)
        self._prediction = prediction
        self.prediction_changed.emit(prediction)
