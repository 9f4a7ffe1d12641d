"""Training a net made elsewhere as the run's new model: a pruned net's survivors retrained.

`TrainingRun.retrain`, kept in its own module (run.py is long): the net, the settings that fit
it and the masks that hold its removed weights at zero go as one `TrainJob` to the run's
trainer, the same child process and lock as every run, and its snapshots become the run's
versions, with the curves, the history, pause and stop of any run. The window's process never
imports torch for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from digitlab.core.network import Network
from digitlab.core.protocol import ExtraSamples, TrainJob, check_masks
from digitlab.session.run_settings import RunSettings

if TYPE_CHECKING:
    from digitlab.session.run import TrainingRun


class Retraining:
    """What `TrainingRun` gains from this module (a mixin)."""

    def retrain(
        self: TrainingRun,
        network: Network,
        settings: RunSettings,
        masks: Sequence[np.ndarray] | None = None,
        extra: ExtraSamples | None = None,
    ) -> bool:
        """Train `network` from its weights as a new model with `settings` (which must describe
        its net); `masks` (False: removed) keep those weights at zero. The run's model and
        curves are forgotten first, as a new shape would. `extra` samples (the user's digits)
        join the training split, repeated to their share of each epoch. False while a run is going;
        ValueError (nothing changed) if the settings or the masks do not fit the net."""
        if self.phase.busy:
            return False
        if settings.spec() != network.spec:
            raise ValueError(f"the settings describe a {settings.spec().describe()} net, "
                             f"not the {network.spec.describe()} to retrain")  # fmt: skip
        if masks is not None:
            check_masks(network.spec, tuple(masks))
        self.set_settings(settings)  # the form shows the net being trained
        self._forget_model()
        config = replace(settings.config(), samples=self._record.begin(settings, False))
        job = TrainJob(settings.spec(), settings.data(self._data_root), config, network,
                       None if masks is None else tuple(masks), extra)  # fmt: skip
        self._draft.used = settings
        self._launch(self._trainer.instance(), job)
        return True
