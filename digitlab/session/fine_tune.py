"""Fine-tuning the answering model on the user's digits mixed with MNIST.

`FineTuning.start(epochs)` hands the answering model's net to `TrainingRun.retrain` with the set
as `ExtraSamples`: the trainer appends the kept digits to the training split, repeated to about
`EXTRA_SHARE` of each epoch, so the net learns the user's hand without forgetting MNIST (a run
on a few dozen digits alone would). The result is the run's new model, with its curves, pause
and stop. What it did is read on both sets, before and after: the test accuracy (the `accuracy`
analysis for the model before, the run's last test for the model after) and the score on the
set as it was when the fine-tune began (`MyDigits.score`).
"""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import Signal

from digitlab.core.protocol import ExtraSamples
from digitlab.session.analysis import Followed
from digitlab.session.models import RUN_KEY, ModelEntry, ModelLibrary
from digitlab.session.my_digits import DigitSet, MyDigits, SetScore
from digitlab.session.notices import Notices
from digitlab.session.pruning import retrain_plan
from digitlab.session.run import RunOutcome, RunPhase, TrainingRun


@dataclass(frozen=True)
class FineTuneFigures:
    """Accuracies before and after a fine-tune (None: not known yet, or not measured)."""

    epochs: int
    mnist_before: float | None
    mnist_after: float | None
    set_before: float | None
    set_after: float | None
    going: bool


class FineTuning:
    changed = Signal()  # a fine-tune began or ended

    def __init__(
        self,
        models: ModelLibrary,
        notices: Notices,
        run: TrainingRun,
        my_digits: MyDigits,
        accuracy: Followed,
    ) -> None:
        self._models, self._notices, self._run = models, notices, run
        self._my_digits, self._accuracy = my_digits, accuracy
        self._before: ModelEntry | None = None
        self._after: ModelEntry | None = None
        self._digits: DigitSet | None = None
        self._epochs = 0
        self._going = False
        self._mnist_after: float | None = None
        run.finished.connect(self._on_finished)
        run.phase_changed.connect(self._on_phase)

    @property
    def going(self) -> bool:
        return self._going and self._run.phase.busy

    def start(self, epochs: int = 1) -> bool:
        """Train the answering model from its weights for `epochs` on MNIST with the set mixed
        in, as the run's new model. False, with one notice, if it cannot."""
        current, digits = self._models.current, self._my_digits.digits
        if current is None:
            self._notices.warning("No model to fine-tune: choose one under Model, or train one")
            return False
        if not len(digits):
            self._notices.warning("Nothing to fine-tune on: keep or import some digits first")
            return False
        settings = retrain_plan(self._run, self._notices, current, epochs, "fine-tune")
        if settings is None:
            return False
        extra = ExtraSamples(digits.images, digits.labels)
        self._before, self._after, self._digits = current, None, digits
        self._epochs, self._mnist_after, self._going = int(epochs), None, True
        if not self._run.retrain(current.network, settings, extra=extra):
            self._going = False
            return False
        plural = "" if epochs == 1 else "s"
        self._notices.info(f"Fine-tuning {current.label} for {epochs} epoch{plural} on MNIST "
                           f"with your {len(digits)} digits mixed in")  # fmt: skip
        self.changed.emit()
        return True

    @property
    def finished(self) -> bool:
        """A fine-tune has ended with its weights (until another run begins)."""
        return self._after is not None and not self._going

    def figures(self) -> FineTuneFigures | None:
        """The last fine-tune's accuracies (None before any); asks for those not computed yet
        (`accuracy.updated` and `my_digits.score.updated` say when they come)."""
        if self._before is None or self._digits is None:
            return None
        return FineTuneFigures(
            self._epochs,
            self._test_accuracy(self._before),
            self._mnist_after,
            self._set_accuracy(self._before),
            self._set_accuracy(self._after) if self._after is not None else None,
            self.going,
        )

    def _test_accuracy(self, entry: ModelEntry) -> float | None:
        value = self._accuracy.fetch(entry)
        return getattr(value, "accuracy", None)

    def _set_accuracy(self, entry: ModelEntry) -> float | None:
        value = self._my_digits.score.fetch(entry, self._digits)
        return value.evaluation.accuracy if isinstance(value, SetScore) else None

    def _on_phase(self, phase: RunPhase) -> None:
        if phase is RunPhase.STARTING and not self._going and self._before is not None:
            self._before = self._after = self._digits = None  # another run: the figures go
            self.changed.emit()

    def _on_finished(self, outcome: RunOutcome) -> None:
        if not self._going:
            return
        self._going = False
        self._after = self._models.entry(RUN_KEY)
        self._mnist_after = outcome.test_accuracy
        self.changed.emit()
