"""Hidden-unit statistics of a model over the test set, computed in the background.

Views ask (`request`) when they are shown and the model changed; requests made while one is
computed wait for it, the newest only. The test images are read once, by the numpy IDX reader
(no torch in the window).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from digitlab.core.data import Split, load_dataset
from digitlab.core.network import Network
from digitlab.core.units import LayerUnits, layer_units
from digitlab.session.jobs import JobRunner


@dataclass(frozen=True, eq=False)
class UnitsReport:
    """The statistics for one network, or why there are none."""

    network: Network
    layers: list[LayerUnits]
    images: np.ndarray | None  # the test images (N, 28, 28) uint8 the statistics came from
    error: str = ""
    labels: np.ndarray | None = None  # their labels (N,), digits 0–9


def mnist_test_set(data_root: str | None = None) -> Callable[[], Split]:
    def load() -> Split:
        return load_dataset("mnist", root=data_root, download_missing=False).test

    return load


class UnitStatistics:
    changed = Signal(object)  # UnitsReport

    def __init__(self, jobs: JobRunner, test_set: Callable[[], Split]) -> None:
        self._jobs, self._load_test_set = jobs, test_set
        self._test: Split | None = None
        self._report: UnitsReport | None = None
        self._running: Network | None = None
        self._waiting: Network | None = None

    @property
    def report(self) -> UnitsReport | None:
        return self._report

    def request(self, network: Network) -> None:
        """Compute the statistics for `network` unless known. While one computation runs, the
        newest request waits for it (so a net being trained still gets statistics, each about
        as fresh as the computation is quick) and older waiting requests are dropped."""
        if network is self._running or (self._report and self._report.network is network):
            return
        if self._running is not None:
            self._waiting = network
            return
        self._running = network

        def compute(context) -> UnitsReport:
            if self._test is None:
                self._test = self._load_test_set()
            context.check()
            test = self._test
            return UnitsReport(
                network, layer_units(network, test.images), test.images, labels=test.labels
            )

        self._jobs.submit(
            compute,
            key="unit-statistics",
            on_done=self._deliver,
            on_error=lambda message: self._deliver(UnitsReport(network, [], None, message)),
            name="digitlab-units",
        )

    def _deliver(self, report: UnitsReport) -> None:
        self._running = None
        self._report = report
        self.changed.emit(report)
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.request(waiting)
