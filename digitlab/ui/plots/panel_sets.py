"""The weight panels of one architecture, built once and kept for quick switching.

Building the pyqtgraph items of a 784→100→10 net with its change panels takes a few hundred
milliseconds on a slow CPU (each plot and colour bar is a PlotItem with axes and a view box), so
a view keeps the sets it built for its last few architectures: going back and forth between the
shipped model and the net being trained only swaps the canvas's central item. A set can also be
built ahead of time (when a run starts, before its first weights arrive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor

from digitlab.ui.plots.weight_panels import WeightPanel, plan_panels

Architecture = tuple[tuple[tuple[int, int], ...], tuple[int, ...], bool]  # shapes, classes, deltas
KEEP = 3


@dataclass
class PanelSet:
    layout: pg.GraphicsLayout
    panels: dict[str, WeightPanel]


def build_panel_set(
    architecture: Architecture, colormap: pg.ColorMap, colours: tuple[QColor, QColor]
) -> PanelSet:
    """Weights in column 0 (colour bar in 1), their change in column 2 (bar in 3)."""
    shapes, classes, deltas = architecture
    layout = pg.GraphicsLayout()
    layout.setSpacing(3)
    layout.setContentsMargins(0, 0, 0, 0)
    grid = layout.layout
    panels = {}
    for plan in plan_panels(list(shapes), classes, deltas):
        row, column = 2 * plan.layer, 2 * int(plan.is_delta)
        panels[plan.name] = WeightPanel(plan, layout, row, column, colormap, colours)
        grid.setRowStretchFactor(row, 0)
        grid.setRowStretchFactor(row + 1, 4 if plan.as_tiles else 1)
    for column in range(4 if deltas else 2):
        grid.setColumnStretchFactor(column, 0 if column % 2 else 1)
    return PanelSet(layout, panels)


class PanelSets:
    """The sets built for the last KEEP architectures, most recently used last."""

    def __init__(self, build: Callable[[Architecture], PanelSet]) -> None:
        self._build = build
        self._sets: dict[Architecture, PanelSet] = {}

    def get(self, architecture: Architecture) -> PanelSet:
        found = self._sets.pop(architecture, None) or self._build(architecture)
        self._sets[architecture] = found
        while len(self._sets) > KEEP:
            self._sets.pop(next(iter(self._sets)))
        return found

    def __contains__(self, architecture: Architecture) -> bool:
        return architecture in self._sets
