"""The test digits in every 2-wide layer's plane, computed in the background.

The bottleneck view asks (`request`) for the selected network; while a net trains that is a
new network ~10 times a second, and one plane of 10 000 digits is a 10 000 × 784 product: tens
of milliseconds that must not stall the window. So it runs off the main thread, one at a time,
the newest request waiting (`NewestOnly`), and the view draws whichever report is newest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from psygnal import Signal

from digitlab.core.bottleneck import plane_points, planes
from digitlab.core.network import Network
from digitlab.session.jobs import JobRunner, NewestOnly
from digitlab.session.test_split import SharedTestSplit

POINTS = 10_000  # the whole MNIST test set


@dataclass(frozen=True, eq=False)
class PlanesReport:
    """Where the test digits of `classes` land in each 2-wide layer of `network`, or why not."""

    network: Network
    classes: tuple[int, ...]
    labels: np.ndarray  # (N,) the digits' labels, ascending: each class is one slice
    # layer → (before, after) the nonlinearity, each (N, 2)
    points: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    error: str = ""


class BottleneckPlanes:
    changed = Signal(object)  # PlanesReport

    def __init__(self, jobs: JobRunner, test_split: SharedTestSplit, limit: int = POINTS) -> None:
        self._test_split, self._limit = test_split, limit
        self._newest = NewestOnly(jobs, "bottleneck-planes", "digitlab-planes")
        self._report: PlanesReport | None = None

    @property
    def report(self) -> PlanesReport | None:
        return self._report

    def request(self, network: Network, classes: tuple[int, ...]) -> None:
        """Place the test digits of `classes` (the model's digits) in `network`'s planes,
        unless that is done or under way; a net without a 2-wide layer needs nothing."""
        if not planes(network) or (self._report and self._report.network is network):
            return

        def compute(context) -> PlanesReport:
            test = self._test_split.inputs(classes, self._limit)
            context.check()
            points = plane_points(network, test.inputs)
            return PlanesReport(network, classes, test.labels, points)

        def failed(message: str) -> None:
            self._deliver(PlanesReport(network, classes, np.empty(0, np.int64), error=message))

        self._newest.request(network, compute, on_done=self._deliver, on_error=failed)

    def _deliver(self, report: PlanesReport) -> None:
        self._report = report
        self.changed.emit(report)
