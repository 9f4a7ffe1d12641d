"""Layer probes and PCA for the answering model, run in the background on request.

A probe per layer (`core.probes`) fitted on TRAIN_IMAGES training images, scored on the test set,
and the first three principal components of each layer's activations for PCA_POINTS test
images. It takes seconds, so it runs when the user asks, reports progress and can be cancelled:
a `Task` (see `analysis.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.core.data import DatasetCache, load_dataset
from digitlab.core.probes import ProbeCancelled, ProbeResult, layer_features, probe_layers
from digitlab.session.jobs import JobContext
from digitlab.session.models import ModelEntry, ModelRef

TRAIN_IMAGES = 10_000  # the window probes on a sixth of the training set: seconds, not a minute
PCA_POINTS = 2_000


@dataclass(frozen=True, eq=False)
class ProbeRequest:
    """Probe this model version on `dataset`'s digits of its classes."""

    entry: ModelEntry
    dataset: str = "mnist"

    @property
    def ref(self) -> ModelRef:
        return self.entry.ref


@dataclass(frozen=True, eq=False)
class ProbeReport:
    ref: ModelRef
    results: list[ProbeResult]
    projections: dict[str, np.ndarray]  # layer → (PCA_POINTS, 3) coordinates of test points
    labels: np.ndarray  # the digits of those points


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


def probe_model(
    datasets: DatasetCache, data_root: str | None, request: ProbeRequest, context: JobContext
) -> ProbeReport:
    """Probe every layer of the model (TRAIN_IMAGES to fit, the test set to score), then the
    PCA of each layer for PCA_POINTS test digits."""
    network, classes = request.entry.network, request.entry.classes
    subset = classes if classes != tuple(range(10)) else None
    data = datasets.get(request.dataset, data_root, subset)
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
        name: principal_components(features) for name, features in layer_features(network, points)
    }
    digits = np.asarray(classes)[test.labels[:PCA_POINTS]]
    return ProbeReport(request.ref, results, projections, digits)
