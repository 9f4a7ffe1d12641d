"""Hidden-unit statistics of a model over the test set: a `Followed` analysis.

Views ask (`session.units.request(entry)`) when they are shown and the model changed; the work
runs in the background, newest request wins, cached per model version (see `analysis.py`). The
test images come from the session's shared test split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.core.units import LayerUnits, layer_units
from digitlab.session.jobs import JobContext
from digitlab.session.models import ModelEntry, ModelRef
from digitlab.session.shared_split import SharedSplit


@dataclass(frozen=True, eq=False)
class UnitsReport:
    """The statistics for one model version."""

    ref: ModelRef
    layers: list[LayerUnits]
    images: np.ndarray  # the test images (N, 28, 28) uint8 the statistics came from
    labels: np.ndarray  # their labels (N,), digits 0–9


def unit_statistics(
    test_split: SharedSplit, entry: ModelEntry, _params: object, context: JobContext
) -> UnitsReport:
    """Each hidden unit's firing over the test images (read once, shared)."""
    test = test_split.get()
    context.check()
    return UnitsReport(entry.ref, layer_units(entry.network, test.images), test.images, test.labels)
