"""Hidden-unit statistics of a model over the test set, computed in the background.

Views ask (`request`) when they are shown and the model changed; requests made while one is
computed wait for it, the newest only. The test images come from the session's shared test split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from digitlab.core.network import Network
from digitlab.core.units import LayerUnits, layer_units
from digitlab.session.jobs import JobRunner, NewestOnly
from digitlab.session.test_split import SharedTestSplit


@dataclass(frozen=True, eq=False)
class UnitsReport:
    """The statistics for one network, or why there are none."""

    network: Network
    layers: list[LayerUnits]
    images: np.ndarray | None  # the test images (N, 28, 28) uint8 the statistics came from
    error: str = ""
    labels: np.ndarray | None = None  # their labels (N,), digits 0–9


class UnitStatistics:
    changed = Signal(object)  # UnitsReport

    def __init__(self, jobs: JobRunner, test_split: SharedTestSplit) -> None:
        self._test_split = test_split
        self._newest = NewestOnly(jobs, "unit-statistics", "digitlab-units")
        self._report: UnitsReport | None = None

    @property
    def report(self) -> UnitsReport | None:
        return self._report

    def request(self, network: Network) -> None:
        """Compute the statistics for `network` unless known. While one computation runs, the
        newest request waits for it (so a net being trained still gets statistics, each about
        as fresh as the computation is quick) and older waiting requests are dropped."""
        if self._report is not None and self._report.network is network:
            return

        def compute(context) -> UnitsReport:
            test = self._test_split.get()
            context.check()
            return UnitsReport(
                network, layer_units(network, test.images), test.images, labels=test.labels
            )

        self._newest.request(
            network,
            compute,
            on_done=self._deliver,
            on_error=lambda message: self._deliver(UnitsReport(network, [], None, message)),
        )

    def _deliver(self, report: UnitsReport) -> None:
        self._report = report
        self.changed.emit(report)
