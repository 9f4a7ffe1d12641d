"""Layer probes and PCA for the answering model, run in the background on request.

A probe per layer (`core.probes`) fitted on TRAIN_IMAGES training images, scored on the test set,
and the first three principal components of each layer's activations for PCA_POINTS test
images. It takes seconds, so it runs when the user asks, reports progress and can be cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from digitlab.core.data import DatasetCache, load_dataset
from digitlab.core.network import Network
from digitlab.core.probes import ProbeCancelled, ProbeResult, layer_features, probe_layers
from digitlab.session.jobs import JobRunner

TRAIN_IMAGES = 10_000  # the window probes on a sixth of the training set: seconds, not a minute
PCA_POINTS = 2_000


@dataclass(frozen=True, eq=False)
class ProbeReport:
    network: Network
    results: list[ProbeResult]
    projections: dict[str, np.ndarray]  # layer → (PCA_POINTS, 3) coordinates of test points
    labels: np.ndarray  # the digits of those points
    error: str = ""


def principal_components(features: np.ndarray, count: int = 3) -> np.ndarray:
    """(N, count) coordinates on the first principal components (zeros past the rank)."""
    centred = features - features.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    coords = centred @ directions[:count].T
    if coords.shape[1] < count:
        coords = np.pad(coords, ((0, 0), (0, count - coords.shape[1])))
    return coords.astype(np.float32)


def offline_datasets() -> DatasetCache:
    def load(name, root=None, classes=None, **_):
        return load_dataset(name, root=root, classes=classes, download_missing=False)

    return DatasetCache(load, size=1)


class LayerProbes:
    progress = Signal(object)  # Progress
    finished = Signal(object)  # ProbeReport

    def __init__(
        self, jobs: JobRunner, datasets: DatasetCache, data_root: str | None = None
    ) -> None:
        self._jobs, self._datasets, self._data_root = jobs, datasets, data_root
        self._running = False
        self.report: ProbeReport | None = None

    @property
    def running(self) -> bool:
        return self._running

    def run(self, network: Network, classes: tuple[int, ...], dataset: str = "mnist") -> None:
        """Probe every layer of `network` (a newer run replaces one going on)."""
        subset = classes if classes != tuple(range(10)) else None

        def work(context) -> ProbeReport:
            data = self._datasets.get(dataset, self._data_root, subset)
            train, test = data.train, data.test
            try:
                results = probe_layers(
                    network, train.images[:TRAIN_IMAGES], train.labels[:TRAIN_IMAGES],
                    test.images, test.labels, progress=context.progress,
                    cancelled=lambda: context.cancelled,
                )  # fmt: skip
            except ProbeCancelled:
                context.check()  # ends the job as cancelled: nothing is delivered
                raise
            points = test.images[:PCA_POINTS]
            projections = {
                name: principal_components(features)
                for name, features in layer_features(network, points)
            }
            digits = np.asarray(classes)[test.labels[:PCA_POINTS]]
            return ProbeReport(network, results, projections, digits)

        self._running = True
        self._jobs.submit(
            work,
            key="probes",
            on_done=self._deliver,
            on_error=lambda message: self._deliver(
                ProbeReport(network, [], {}, np.empty(0, int), message)
            ),
            on_progress=self.progress.emit,
            name="digitlab-probes",
        )

    def cancel(self) -> None:
        self._jobs.cancel("probes")
        self._running = False

    def _deliver(self, report: ProbeReport) -> None:
        self._running = False
        self.report = report
        self.finished.emit(report)
