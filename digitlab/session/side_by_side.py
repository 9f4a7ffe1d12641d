"""A second net, B, trained beside the run on the same batches in the same order.

B is an ordinary `TrainingRun` with its own trainer process (one core each on a 2-core machine):
its settings are the run's with another architecture, so the same seed gives both the same
shuffle and the same augmentation draws. The user drives the run as usual; Start, "+1 epoch",
pause, resume, Stop, Reset and every setting changed (live ones too) reach B as well. Each of B's
versions is listed as a model of its own ("Side by side B"), so it can answer the drawing, be
saved, or be the model to compare with; starting the pair makes B that model (`Comparison`).
"""

from __future__ import annotations

from psygnal import Signal

from digitlab.core.hyperparams import HYPERPARAMS
from digitlab.session.models import DEFAULT_KEY, ModelEntry, ModelKind, ModelLibrary, ModelSource
from digitlab.session.run import RunOutcome, RunPhase, TrainingRun
from digitlab.session.run_events import RunEnd
from digitlab.session.run_settings import RunSettings

PARTNER = ModelSource("side-by-side-b", ModelKind.MADE, "Side by side B (live)")
DEFAULT_HIDDEN = (100,)  # the write-up's pairing: 784→10 beside 784→100→10


class SideBySide:
    changed = Signal()  # switched on or off, or B's architecture changed

    def __init__(self, run: TrainingRun, partner: TrainingRun, models: ModelLibrary) -> None:
        self.run, self.partner, self._models = run, partner, models
        self._enabled = False
        self._hidden: tuple[int, ...] = DEFAULT_HIDDEN
        run.settings_changed.connect(self._follow_settings)
        run.started.connect(self._start)
        run.epoch_added.connect(self._add_epoch)
        run.phase_changed.connect(self._follow_phase)
        run.finished.connect(self._on_run_finished)
        run.cleared.connect(self._on_run_cleared)
        partner.model_changed.connect(self._on_partner_model)
        self._follow_settings(run.settings)

    @property
    def enabled(self) -> bool:
        """Does the run's Start also train B?"""
        return self._enabled

    @property
    def hidden(self) -> tuple[int, ...]:
        """B's hidden layers (() is the 1-layer net)."""
        return self._hidden

    def set_enabled(self, on: bool) -> None:
        if on != self._enabled:
            self._enabled = on
            self.changed.emit()

    def set_hidden(self, text: str) -> None:
        """B's hidden layers for its next Start, as the form writes them ('100', '100,50', '0':
        none); ValueError (one line) for what the form would refuse too."""
        hidden = tuple(HYPERPARAMS["hidden"].parse_for_window(text))
        if hidden != self._hidden:
            self._hidden = hidden
            self._follow_settings(self.run.settings)
            self.changed.emit()

    def describe(self) -> str:
        """B's net in the form's words: '784→100→10 relu'."""
        return self.partner.settings.spec().describe()

    # --- following the run -----------------------------------------------------------------

    def _settings_for_b(self, settings: RunSettings) -> RunSettings:
        return settings.replaced(hidden=self._hidden)

    def _follow_settings(self, settings: RunSettings) -> None:
        self.partner.set_settings(self._settings_for_b(settings), self.run.settings_problem)

    def _start(self) -> None:
        if self._enabled and not self.partner.phase.busy:
            self.partner.start()

    def _add_epoch(self) -> None:
        if self._enabled and self.partner.can_add_epoch():
            self.partner.add_epoch()

    def _follow_phase(self, phase: RunPhase) -> None:
        if phase is RunPhase.IDLE:  # Reset, also of a run still going
            self.partner.reset()
        elif phase is RunPhase.PAUSED:
            self.partner.pause()
        elif phase is RunPhase.RUNNING and self.partner.phase is RunPhase.PAUSED:
            self.partner.resume()

    def _on_run_finished(self, outcome: RunOutcome) -> None:
        if outcome.end is RunEnd.STOPPED:  # the user's Stop stops both; B may finish later
            self.partner.stop()

    def _on_run_cleared(self) -> None:
        if not self.run.phase.busy:  # a new shape: B starts anew beside it too
            self.partner.reset()

    def _on_partner_model(self, entry: ModelEntry | None) -> None:
        if entry is not None:
            self._models.keep_made(entry)
            return
        answering = self._models.current
        self._models.forget_made(PARTNER.key)
        if answering is not None and answering.key == PARTNER.key:
            self._models.select(DEFAULT_KEY)
