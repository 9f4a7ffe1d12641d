"""The test digits in every 2-wide layer's plane: a `Followed` analysis.

The bottleneck view asks for the selected model; while a net trains that is a new version ~10
times a second, and one plane of 10 000 digits is a 10 000 × 784 product: tens of milliseconds
that must not stall the window. So it runs off the main thread, one at a time, the newest
request waiting (see `analysis.py`), and the view draws whichever report is newest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from digitlab.core.bottleneck import plane_points, planes
from digitlab.core.network import Network
from digitlab.session.jobs import JobContext
from digitlab.session.models import ModelEntry, ModelRef
from digitlab.session.shared_split import SharedSplit

POINTS = 10_000  # the whole MNIST test set


@dataclass(frozen=True, eq=False)
class PlanesReport:
    """Where the test digits of `classes` land in each 2-wide layer of one model version."""

    ref: ModelRef
    network: Network  # the version's weights: the view places the drawing with the same ones
    classes: tuple[int, ...]
    labels: np.ndarray  # (N,) the digits' labels, ascending: each class is one slice
    # layer → (before, after) the nonlinearity, each (N, 2)
    points: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def has_planes(entry: ModelEntry) -> bool:
    """A net without a 2-wide layer needs nothing computed."""
    return bool(planes(entry.network))


def plane_report(
    test_split: SharedSplit, entry: ModelEntry, _params: object, context: JobContext
) -> PlanesReport:
    """Place the test digits of the model's classes in its planes."""
    test = test_split.inputs(entry.classes, POINTS)
    context.check()
    points = plane_points(entry.network, test.inputs)
    return PlanesReport(entry.ref, entry.network, entry.classes, test.labels, points)
