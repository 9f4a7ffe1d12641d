"""The settings being edited for the next Start, and the ones the current (or last) run used.

The form edits a draft; Start takes it. A draft with a problem (an invalid field) is kept, so the
form shows what the user typed, but Start refuses it until it is fixed.
"""

from __future__ import annotations

from digitlab.core.hyperparams import LIVE_FIELDS
from digitlab.session.run_settings import RunSettings


class SettingsDraft:
    def __init__(self) -> None:
        self.settings = RunSettings()
        self.problem: str | None = None  # why `settings` cannot be used
        self.used: RunSettings | None = None  # what the current/last run was started with

    def set(self, settings: RunSettings, problem: str | None = None) -> bool:
        """Take new settings (and their problem); False when nothing changed."""
        if settings == self.settings and problem == self.problem:
            return False
        self.settings, self.problem = settings, problem
        return True

    def take_live(self, settings: RunSettings) -> None:
        """The going run now trains with the live fields of `settings` (learning rate, …)."""
        if self.used is not None:
            live = {name: getattr(settings, name) for name in LIVE_FIELDS}
            self.used = self.used.replaced(**live)

    @property
    def in_use(self) -> RunSettings:
        """The settings the model was trained with: the run's, or the draft before any run."""
        return self.used or self.settings
