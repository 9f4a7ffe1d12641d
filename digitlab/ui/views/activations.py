"""Activations for the drawing: each hidden unit's input, one row of bars per hidden layer.

Positive inputs (the unit fires) are blue, negative ones red: a ReLU unit zeroes those, so the
red bars are the units this drawing switches off. The bars follow the pen, like the confidence
bars, and are updated in place (`setOpts`).

Each layer keeps a readable height (`MIN_LAYER_PX`): in a short, wide dock the layers sit side
by side, and where even that does not fit they scroll. Unit indices are whole numbers on the
axis (never "0.5"), thinned to what the width can hold.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QScrollArea, QVBoxLayout

from digitlab.core.network import Network
from digitlab.session import Session
from digitlab.session.selection import UnitRef
from digitlab.ui.plots import style
from digitlab.ui.plots.weight_panels import unit_ticks
from digitlab.ui.unit_menu import offer_unit_actions
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
MIN_LAYER_PX = 96  # a layer's plot: its title, the unit axis and about 50 px of bars
MIN_LAYER_WIDTH = 220  # narrower than this, layers stack (and scroll) rather than sit side by side
TITLE_PX = 18  # pyqtgraph gives a title 30 px: too much in a small dock
TICK_SPACING_PX = 28  # at least this much room per unit-index label


def grid_for(layers: int, room: tuple[float, float]) -> tuple[int, int]:
    """(rows, columns) for `layers` plots in `room` (width, height): one column when each
    layer gets MIN_LAYER_PX of height, else as many side by side as keep MIN_LAYER_WIDTH."""
    width, height = room
    fit_rows = max(1, int(height // MIN_LAYER_PX))
    columns = min(math.ceil(layers / fit_rows), max(1, int(width // MIN_LAYER_WIDTH)), layers)
    columns = max(columns, 1)
    return math.ceil(layers / columns), columns


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
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setWidget(self.canvas)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.installEventFilter(self)
        self.pages = EmptyState(self.scroll, NO_INPUT)
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
        self._grid = (0, 0)
        self._ticks: list[list] = []
        self.subscribe(session.prediction_changed, self.refresh_at_once)
        self.canvas.scene().sigMouseClicked.connect(self._clicked)
        self.refresh()

    def unit_at(self, scene_pos: QPointF) -> UnitRef | None:
        """The hidden unit whose bar is under a scene point, or None."""
        for layer, plot in enumerate(self._plots):
            box = plot.getViewBox()
            if not box.sceneBoundingRect().contains(scene_pos):
                continue
            unit = int(round(box.mapSceneToView(scene_pos).x()))
            return UnitRef(layer, unit) if 0 <= unit < self._shape[layer] else None
        return None

    def _clicked(self, event: Any) -> None:
        """A click selects the unit (the neuron lab acts on it); a right-click offers the lab's
        actions."""
        unit = self.unit_at(event.scenePos())
        if unit is None:
            return
        if event.button() == Qt.MouseButton.RightButton:
            offer_unit_actions(self, self.session, unit, event.screenPos().toPoint())
        elif event.button() == Qt.MouseButton.LeftButton:
            self.session.selection.select_unit(unit)

    def sizeHint(self) -> QSize:
        return QSize(420, 260)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The scroll area resized: regrid the layers to the room if it calls for another grid."""
        if watched is self.scroll and event.type() == QEvent.Type.Resize and self._shape:
            if self._grid != self._grid_now(len(self._shape)):
                self.schedule_refresh()
        return super().eventFilter(watched, event)

    def _grid_now(self, layers: int) -> tuple[int, int]:
        room = self.scroll.size()  # not the viewport's: a scroll bar coming must not regrid
        return grid_for(layers, (max(room.width(), 1), max(room.height(), 1)))

    def _build(self, sizes: tuple[int, ...]) -> None:
        """One plot per hidden layer, made once per architecture and grid."""
        self.canvas.clear()
        self._plots, self._bars = [], []
        self._limits = [None] * len(sizes)
        self._ticks = [[] for _ in sizes]
        rows, columns = self._grid = self._grid_now(len(sizes))
        self.canvas.setMinimumHeight(rows * MIN_LAYER_PX)  # beyond the room: it scrolls
        for index, units in enumerate(sizes):
            plot = self.canvas.addPlot(row=index // columns, col=index % columns)
            style.quiet_plot(plot)
            style.style_axes(plot, self._text, self._faint)
            plot.setXRange(-0.5, units - 0.5, padding=0.0)
            plot.setTitle(f"hidden layer {index + 1} · {units} units", color=self._text,
                          size="9pt")  # fmt: skip
            plot.layout.setRowFixedHeight(0, TITLE_PX)
            plot.titleLabel.setMaximumHeight(TITLE_PX)
            plot.getAxis("left").setWidth(40)
            plot.getAxis("bottom").setStyle(hideOverlappingLabels=8)  # unit 0 at the edge shows
            plot.getViewBox().sigResized.connect(lambda *_, i=index: self._fit_unit_ticks(i))
            plot.setLabel("left", "input", color=self._faint.name())  # a name: a QColor is ignored
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
            self._fit_unit_ticks(index)
        self._shape = sizes

    def _fit_unit_ticks(self, index: int) -> None:
        """Whole unit indices under the bars, as many as the width holds without crowding."""
        if index >= len(self._plots):
            return
        plot, units = self._plots[index], len(self._bars[index][0].opts["x"])
        width = plot.getViewBox().size().width()
        most = max(2, int(width // TICK_SPACING_PX)) if width > 1 else 8
        ticks = [(at - 0.5, text) for at, text in unit_ticks(units, most)]
        if ticks != self._ticks[index]:
            self._ticks[index] = ticks
            plot.getAxis("bottom").setTicks([ticks, []])

    def unit_tick_labels(self, layer: int) -> list[str]:
        """The unit indices written under a layer's bars (for tests)."""
        return [text for _, text in self._ticks[layer]]

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
        if sizes != self._shape or self._grid != self._grid_now(len(sizes)):
            self._build(sizes)
        for row, (plot, (firing, off), z) in enumerate(zip(self._plots, self._bars, inputs)):
            firing.setOpts(height=np.maximum(z, 0.0))
            off.setOpts(height=np.minimum(z, 0.0))
            limit = style.steady_limit(self._limits[row], float(np.abs(z).max()) if z.size else 1)
            if limit != self._limits[row]:  # steady axes: no axis redraw on every stroke
                self._limits[row] = limit
                plot.setYRange(-limit, limit, padding=0.05)
                marks = [(-limit, f"{-limit:g}"), (0.0, "0"), (limit, f"{limit:g}")]
                plot.getAxis("left").setTicks([marks, []])  # three labels never crowd
        on = [f"{int((z > 0).sum())}/{len(z)}" for z in inputs]  # short: one line in a small dock
        lead = "Units on, by layer: " if len(on) > 1 else "Units on for this drawing: "
        self.summary.setText(lead + " · ".join(on))
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
