"""Shared by the Weights view's tests: the view at the default window's size, settled, and
ways to read its tiles, answer with a chosen network, and click."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from digitlab.core.network import ModelSpec, Network
from digitlab.session.models import RUN_KEY
from digitlab.ui.plots.weight_panels import IMAGE_SIDE
from digitlab.ui.views.weights import WeightsView

DEFAULT_SIZE = (590, 530)  # the view's size in the default window


def settle(qtbot, view: WeightsView) -> None:
    """Let the coalesced refresh and the layout run."""
    qtbot.waitUntil(lambda: not view.stale, timeout=5000)
    qtbot.wait(40)  # the zero-delay refresh timer, then the layout


def tile_of(panel, unit: int) -> np.ndarray:
    top, left = panel.tile_origin(panel.slot(unit))
    return panel.array[top : top + IMAGE_SIDE, left : left + IMAGE_SIDE]


def bar_label(panel) -> str:
    return panel.bar.getAxis("right").labelText


def random_network(*sizes: int, seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    spec = ModelSpec(hidden=sizes[1:-1], num_classes=sizes[-1])
    weights = [rng.normal(0, 0.1, (b, a)) for a, b in zip(sizes, sizes[1:])]
    return Network.from_arrays(spec, weights, [rng.normal(0, 0.1, b) for b in sizes[1:]])


def answer_with(session, network: Network, classes=None) -> None:
    """Make a network answer as the run's model would (no training needed)."""
    classes = tuple(range(network.spec.num_classes)) if classes is None else classes
    session.run.adopt(network, classes, network.spec.describe())
    session.models.select(RUN_KEY)


def click(qtbot, view: WeightsView, scene_point: QPointF) -> None:
    """A real left click on the canvas at a scene point."""
    canvas = view.canvas
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                     pos=canvas.mapFromScene(scene_point))  # fmt: skip
