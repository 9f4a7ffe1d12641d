"""Activations for the drawing: each hidden unit's input, one row of bars per hidden layer.

Positive inputs (the unit fires) are blue, negative ones red: a ReLU unit zeroes those, so the
red bars are the units this drawing switches off. The bars follow the pen, like the confidence
bars, and are updated in place (`setOpts`).
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout

from digitlab.core.network import Network
from digitlab.session import Session
from digitlab.ui.plots import style
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.text_strip import TextStrip
from digitlab.ui.widgets.view_body import EmptyState

POSITIVE = QColor("#2166ac")
NEGATIVE = QColor("#d1242f")
NO_HIDDEN = (
    "A 1-layer net has no hidden units: its answer is the input times each class's template "
    "(the Evidence view shows it). Pick or train a net with a hidden layer."
)
NO_INPUT = "Draw a digit to see which hidden units it turns on."


def layer_inputs(network: Network | None, image: np.ndarray | None) -> list[np.ndarray]:
    """Each hidden layer's pre-activations for one 28×28 image ([] when there is nothing)."""
    if network is None or image is None or len(network.weights) < 2:
        return []
    return [z[0] for z in network.pre_activations(image[None])[:-1]]


class ActivationsView(View):
    view_id = "activations"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.canvas = pg.GraphicsLayoutWidget()
        background, self._text, self._faint = style.colours(self)
        self.canvas.setBackground(background)
        self.pages = EmptyState(self.canvas, NO_INPUT)
        self.message = self.pages.message
        self.summary = TextStrip(lines=1)  # how many units are on: changes on every stroke
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages)
        self._plots: list[pg.PlotItem] = []
        self._bars: list[tuple[pg.BarGraphItem, pg.BarGraphItem]] = []  # (firing, off) per layer
        self._limits: list[float | None] = []
        self._shape: tuple[int, ...] = ()
        self.subscribe(session.prediction_changed, self.refresh_at_once)
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(420, 260)

    def _build(self, sizes: tuple[int, ...]) -> None:
        """One plot per hidden layer, made once per architecture."""
        self.canvas.clear()
        self._plots, self._bars = [], []
        self._limits = [None] * len(sizes)
        for row, units in enumerate(sizes):
            plot = self.canvas.addPlot(row=row, col=0)
            style.quiet_plot(plot)
            style.style_axes(plot, self._text, self._faint)
            plot.setXRange(-0.5, units - 0.5, padding=0.0)
            plot.setTitle(f"hidden layer {row + 1} · {units} units", color=self._text, size="9pt")
            plot.getAxis("left").setWidth(40)
            plot.setLabel("left", "input", color=self._faint)
            plot.addLine(y=0.0, pen=pg.mkPen(self._faint))
            # Two items of one colour each: per-bar brushes make pyqtgraph rebuild a brush per bar
            # on every stroke (≈ 4 ms for 256 units); two flat items cost almost nothing.
            pair = tuple(
                pg.BarGraphItem(x=np.arange(units), height=np.zeros(units), width=0.8, pen=None,
                                brush=colour)
                for colour in (POSITIVE, NEGATIVE)
            )  # fmt: skip
            for bars in pair:
                plot.addItem(bars)
            self._plots.append(plot)
            self._bars.append(pair)
        self._shape = sizes

    def refresh(self) -> None:
        entry = self.session.models.current
        network = entry.network if entry is not None else None
        net_input = self.session.drawing.input
        if network is not None and len(network.weights) < 2:
            self._show_message(NO_HIDDEN)
            return
        if network is None or net_input.empty:
            self._show_message(NO_INPUT)
            return
        inputs = layer_inputs(network, net_input.image)
        sizes = tuple(len(z) for z in inputs)
        if sizes != self._shape:
            self._build(sizes)
        for row, (plot, (firing, off), z) in enumerate(zip(self._plots, self._bars, inputs)):
            firing.setOpts(height=np.maximum(z, 0.0))
            off.setOpts(height=np.minimum(z, 0.0))
            limit = style.steady_limit(self._limits[row], float(np.abs(z).max()) if z.size else 1)
            if limit != self._limits[row]:  # steady axes: no axis redraw on every stroke
                self._limits[row] = limit
                plot.setYRange(-limit, limit, padding=0.05)
        on = [f"layer {row + 1}: {int((z > 0).sum())} of {len(z)}" for row, z in enumerate(inputs)]
        self.summary.setText("Units on for this drawing: " + " · ".join(on))
        self.pages.show_content()

    def _show_message(self, text: str) -> None:
        self.summary.clear()
        self.pages.show_message(text)

    def shown_inputs(self) -> list[np.ndarray]:
        """The bar heights on show, per hidden layer (for tests)."""
        if not self.pages.showing_content:
            return []
        return [
            np.asarray(firing.opts["height"]) + np.asarray(off.opts["height"])
            for firing, off in self._bars
        ]


if __name__ == "__main__":
    sys.exit(run_alone(ActivationsView, size=(480, 300)))
