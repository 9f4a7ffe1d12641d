"""Pruning: the smallest weights removed, as a model of its own, and their survivors retrained.

`prune_current` prunes the answering model (the *original*; if the pruned model answers, its
original again) with `core.pruning` and makes the result a made model, key "pruned", that the
library answers with, so every view follows it; `restore` puts the original back. What pruning
costs is a `Followed` analysis of the original, per scope: the test accuracy after removing each
of `CURVE_FRACTIONS` (no retraining); the pruned model's own accuracy is another.

Retraining goes through the trainer, as any training does: `retrain` hands the pruned net and
its masks to `TrainingRun.retrain`, so the survivors train in the trainer process (the window
never imports torch) with the removed weights held at zero, and the run's model, with its
curves, pause and stop, is the retrained net.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from digitlab.core.hyperparams import HYPERPARAMS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS
from digitlab.core.pruning import SCOPES, check_fraction, prune, pruning_curve, weight_ranks
from digitlab.session.jobs import JobContext
from digitlab.session.models import ModelEntry, ModelKind, ModelLibrary, ModelRef, ModelSource
from digitlab.session.notices import Notices
from digitlab.session.run import RunOutcome, RunPhase, TrainingRun
from digitlab.session.run_settings import RunSettings
from digitlab.session.shared_split import SharedSplit

PRUNED_KEY = "pruned"
CURVE_FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
SCOPE_WORDS = {"layer": "in each layer", "global": "across the net"}
TEST_LIMIT = 10_000


@dataclass(frozen=True, eq=False)
class PruningCurve:
    """Test accuracy of one model version after pruning each fraction (no retraining)."""

    ref: ModelRef
    scope: str
    fractions: np.ndarray
    accuracies: np.ndarray

    def at(self, fraction: float) -> float:
        """The accuracy at a fraction between the measured ones (straight lines between)."""
        return float(np.interp(fraction, self.fractions, self.accuracies))


@dataclass(frozen=True, eq=False)
class ModelAccuracy:
    """One model version's accuracy on the test digits of its classes."""

    ref: ModelRef
    accuracy: float


@dataclass(frozen=True)
class Retrained:
    """How the last retraining of survivors ended (its accuracy: the run's last test)."""

    fraction: float
    scope: str
    epochs: float  # trained, as the run counts them
    test_accuracy: float | None


def retrain_settings(settings: RunSettings, entry: ModelEntry, epochs: int) -> RunSettings:
    """The run's settings with `entry`'s net, classes and data, trained for `epochs` (the
    optimiser and the rest as they are); ValueError for a net the window cannot train."""
    spec = entry.network.spec
    if len(spec.hidden) > MAX_HIDDEN_LAYERS or any(h > MAX_HIDDEN_UNITS for h in spec.hidden):
        raise ValueError(f"the window trains at most {MAX_HIDDEN_LAYERS} hidden layers of "
                         f"{MAX_HIDDEN_UNITS} units, not a {spec.describe()}")  # fmt: skip
    low, high = HYPERPARAMS["epochs"].bounds or (1, 1000)
    if not low <= epochs <= high:
        raise ValueError(f"epochs must be from {low:g} to {high:g}, got {epochs}")
    dataset = entry.meta.get("dataset")
    if dataset not in (HYPERPARAMS["dataset"].choices or ()):
        dataset = settings.dataset
    classes = None if tuple(entry.classes) == tuple(range(10)) else tuple(entry.classes)
    return settings.replaced(hidden=spec.hidden, activation=spec.activation, classes=classes,
                             dataset=dataset, epochs=int(epochs))  # fmt: skip


def retrain_plan(
    run: TrainingRun, notices: Notices, entry: ModelEntry, epochs: int, verb: str
) -> RunSettings | None:
    """The settings to train `entry` on with (`retrain_settings`), or None with one notice: a
    run is going, or the net does not fit the window. `verb`: "retrain", "fine-tune"."""
    if run.phase.busy:
        notices.warning(f"A training run is going: stop it before you {verb}")
        return None
    try:
        return retrain_settings(run.settings, entry, epochs)
    except ValueError as exc:
        notices.warning(f"Cannot {verb}: {exc}")
        return None


class Pruning:
    changed = Signal()  # the pruned model, its original, or the retraining changed

    def __init__(self, models: ModelLibrary, notices: Notices, run: TrainingRun) -> None:
        self._models, self._notices, self._run = models, notices, run
        self._original: ModelEntry | None = None
        self._model: ModelEntry | None = None
        self._masks: tuple[np.ndarray, ...] | None = None
        self._fraction, self._scope = 0.0, "layer"
        self._retraining = False  # the run going on retrains this pruned model
        self._retrained: Retrained | None = None
        self._ranks: tuple[ModelRef, str, list[np.ndarray]] | None = None  # the last ranking
        run.finished.connect(self._on_run_finished)
        run.phase_changed.connect(self._on_run_phase)
        run.cleared.connect(self._forget_retrained)

    @property
    def original(self) -> ModelEntry | None:
        return self._original

    @property
    def model(self) -> ModelEntry | None:
        """The pruned model (None before a prune, or after Restore)."""
        return self._model

    @property
    def fraction(self) -> float:
        return self._fraction

    @property
    def scope(self) -> str:
        return self._scope

    @property
    def masks(self) -> tuple[np.ndarray, ...] | None:
        """The pruned model's masks (True: the weight survived)."""
        return self._masks

    @property
    def retraining(self) -> bool:
        return self._retraining and self._run.phase.busy

    @property
    def retrained(self) -> Retrained | None:
        return self._retrained

    def subject(self) -> ModelEntry | None:
        """What the next prune acts on: the pruned model's original while it answers, else the
        answering model."""
        current = self._models.current
        if current is not None and current.key == PRUNED_KEY and self._original is not None:
            return self._original
        return current

    def prune_current(self, fraction: float, scope: str = "layer") -> bool:
        """Remove `fraction` of the subject's weights, smallest first, per layer or across the
        net, and answer with the result. False, with one notice, if it cannot be done."""
        try:
            fraction = check_fraction(fraction)
            if scope not in SCOPES:
                raise ValueError(f"unknown pruning scope {scope!r}; choose {' or '.join(SCOPES)}")
        except ValueError as exc:
            self._notices.warning(f"Cannot prune: {exc}")
            return False
        original = self.subject()
        if original is None:
            self._notices.warning("No model to prune: choose one under Model, or train one")
            return False
        self._prune(original, fraction, scope)
        return True

    def rebase(self, base: ModelEntry) -> None:
        """The model under the pruning changed beneath it (the unit edits it was pruned on were
        undone or cleared): prune `base` alike, so what was undone goes from the answer too.
        Restore then brings back `base`, not a model whose edits are gone."""
        if self._original is not None and base.ref != self._original.ref:
            self._prune(base, self._fraction, self._scope)

    def _prune(self, original: ModelEntry, fraction: float, scope: str) -> None:
        network, masks = prune(original.network, fraction, scope, self._ranks_of(original, scope))
        label = f"{original.label}, pruned {fraction:.0%}"
        kept = f"{fraction:.0%} of the weights removed {SCOPE_WORDS[scope]}"
        entry = ModelEntry(ModelSource(PRUNED_KEY, ModelKind.MADE, label), network,
                           original.classes, f"{original.description} · {kept}",
                           {**original.meta, "pruned": {"fraction": fraction, "scope": scope,
                                                        "from": original.label}})  # fmt: skip
        self._original, self._model, self._masks = original, entry, masks
        self._fraction, self._scope = fraction, scope
        self._retraining, self._retrained = False, None  # a run going on is no longer its
        self._models.show_made(entry)
        self.changed.emit()

    def _ranks_of(self, entry: ModelEntry, scope: str) -> list[np.ndarray]:
        """The weights' ranks, kept for the last model and scope: a slider's next prune only
        compares them with a cut (under a millisecond; ranking takes ~25 ms)."""
        if self._ranks is None or self._ranks[:2] != (entry.ref, scope):
            self._ranks = (entry.ref, scope, weight_ranks(entry.network, scope))
        return self._ranks[2]

    def restore(self) -> bool:
        """Answer with the original again and forget the pruned model; False if none."""
        original = self._original
        if original is None:
            return False
        self._original = self._model = self._masks = None
        self._fraction, self._retraining, self._retrained = 0.0, False, None
        self._models.forget_made(PRUNED_KEY)
        if self._models.entry(original.key) is not None:
            self._models.select(original.key)  # (the run: at its newest version)
        elif original.source.kind is ModelKind.MADE:
            self._models.show_made(original)  # a made net no longer listed (edits under the
            # pruning are rebased by the session, so this is never an edit undone since)
        self.changed.emit()
        return True

    def retrain(self, epochs: int = 1) -> bool:
        """Train the pruned model's surviving weights for `epochs` in the trainer, the removed
        ones held at zero, as the run's new model (the run's settings take its net)."""
        model, masks = self._model, self._masks
        if model is None or masks is None:
            self._notices.warning("Nothing to retrain: prune a model first")
            return False
        settings = retrain_plan(self._run, self._notices, model, epochs, "retrain")
        if settings is None:
            return False
        self._retraining, self._retrained = True, None  # before the run says it starts
        if not self._run.retrain(model.network, settings, masks):
            self._retraining = False
            return False
        plural = "" if epochs == 1 else "s"
        self._notices.info(f"Retraining the weights left in {model.label} for {epochs} "
                           f"epoch{plural}; the removed ones stay at zero")  # fmt: skip
        self.changed.emit()
        return True

    def _on_run_phase(self, phase: RunPhase) -> None:
        if phase is RunPhase.STARTING and not self._retraining:
            self._forget_retrained()  # another run trains the run's model on, without masks

    def _forget_retrained(self) -> None:
        if self._retrained is not None:
            self._retrained = None
            self.changed.emit()

    def _on_run_finished(self, outcome: RunOutcome) -> None:
        if not self._retraining:
            return
        self._retraining = False
        self._retrained = Retrained(self._fraction, self._scope, outcome.epochs_trained,
                                    outcome.test_accuracy)  # fmt: skip
        self.changed.emit()


def curve_of(
    test_split: SharedSplit, entry: ModelEntry, scope: str, context: JobContext
) -> PruningCurve:
    """The accuracy-against-fraction curve of a model version on the test digits
    (`session.pruning_curve.request(original, scope)`)."""
    test = test_split.get()
    context.check()
    fractions = np.asarray(CURVE_FRACTIONS)
    accuracies = pruning_curve(entry.network, test.images, test.labels, entry.classes,
                               CURVE_FRACTIONS, scope)  # fmt: skip
    return PruningCurve(entry.ref, scope, fractions, accuracies)


def accuracy_of(
    test_split: SharedSplit, entry: ModelEntry, _params: object, context: JobContext
) -> ModelAccuracy:
    """A model version's test accuracy (`session.pruned_accuracy.request(model)`)."""
    digits = test_split.inputs(entry.classes, TEST_LIMIT)
    context.check()
    if len(digits.labels) == 0:
        return ModelAccuracy(entry.ref, float("nan"))
    predicted = np.asarray(entry.classes)[entry.network.logits(digits.inputs).argmax(axis=1)]
    return ModelAccuracy(entry.ref, float(np.mean(predicted == digits.labels)))
