"""The 2-D bottleneck: test digits in the plane of every layer that is two units wide.

A 784→2→10 net (or 784→2→2→2→2, or a net trained on two classes, whose output is a plane)
squeezes each digit to a point. Here are the 10 000 test digits in each such plane, coloured
by class, before the nonlinearity and after it (ReLU folds everything into the positive
quadrant), with the drawing as a large star. The points move while the net trains: the
classes pull apart.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout

from digitlab.core.network import Network, activate
from digitlab.session import Session
from digitlab.ui.plots import style
from digitlab.ui.plots.point_cloud import PointCloud
from digitlab.ui.view import View, run_alone

POINTS = 10_000  # the whole MNIST test set
MIN_INTERVAL_S = 0.2  # at most 5 redraws a second while a net trains
NO_PLANE = (
    "No layer of this model is two units wide. Train one to see the test digits in its plane: "
    "hidden layers 2 (or 2,2,2,2), or classes 0,1 (a two-class net's output is a plane)."
)
WAITING = "Reading the test set…"


def planes(network: Network) -> list[int]:
    """Indices of the layers (hidden or output) that are two units wide."""
    return [i for i, size in enumerate(network.spec.sizes[1:]) if size == 2]


def plane_points(network: Network, images: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each 2-wide layer: (before, after) the nonlinearity, each (N, 2); the output layer
    has no nonlinearity, so its two are the same logits."""
    zs = network.pre_activations(images)
    last = len(zs) - 1
    return {
        i: (zs[i], zs[i] if i == last else activate(network.spec.activation, zs[i]))
        for i in planes(network)
    }


class BottleneckView(View):
    view_id = "bottleneck"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.canvas = pg.GraphicsLayoutWidget()
        background, self._text, self._faint = style.colours(self)
        self.canvas.setBackground(background)
        self.message = QLabel(NO_PLANE)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("color: palette(placeholder-text);")
        self.message.setMargin(16)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(self.canvas)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        self._key: tuple = ()
        self._scatters: dict[tuple[int, int, int], PointCloud] = {}  # (layer, side, class)
        self._stars: dict[tuple[int, int], pg.ScatterPlotItem] = {}
        self._last_draw = 0.0
        self._points_key: tuple = ()
        self._points: tuple[np.ndarray, np.ndarray] = (np.empty((0, 784)), np.empty(0))
        self.subscribe(session.models.current_changed, lambda _: self._throttled())
        self.subscribe(session.units.changed, lambda _: self.schedule_refresh())
        self.subscribe(session.prediction_changed, lambda _: self.schedule_refresh())
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(560, 420)

    def _throttled(self) -> None:
        """A net in training changes ~10×/s; redraw at most every MIN_INTERVAL_S."""
        wait_ms = int(1000 * (MIN_INTERVAL_S - (time.perf_counter() - self._last_draw)))
        self._refresh_timer.setInterval(max(wait_ms, 0))
        self.schedule_refresh()

    def _build(self, layers: list[int], classes: tuple[int, ...], output: int) -> None:
        self.canvas.clear()
        self._scatters, self._stars = {}, {}
        for row, layer in enumerate(layers):
            is_output = layer == output
            for side, name in enumerate(("",) if is_output else ("before", "after")):
                plot = self.canvas.addPlot(row=row, col=side)
                style.quiet_plot(plot)
                style.style_axes(plot, self._text, self._faint)
                what = "output (logits)" if is_output else f"hidden layer {layer + 1} {name}"
                plot.setTitle(what, color=self._text, size="9pt")
                if row == 0 and side == 0:
                    plot.addLegend(offset=(4, 4), labelTextColor=self._text)
                for index, digit in enumerate(classes):
                    colour = QColor(style.CLASS_COLOURS[digit % 10])
                    if row == 0 and side == 0:  # an empty item, for the legend entry
                        plot.addItem(pg.ScatterPlotItem(size=7, pen=None, brush=colour,
                                                        name=str(digit)))  # fmt: skip
                    colour.setAlpha(110)
                    cloud = PointCloud(colour)
                    plot.addItem(cloud)
                    self._scatters[(layer, side, index)] = cloud
                star = pg.ScatterPlotItem(size=22, symbol="star", brush=style.ACCENT,
                                          pen=pg.mkPen("k", width=1))  # fmt: skip
                star.setZValue(10)
                plot.addItem(star)
                self._stars[(layer, side)] = star

    def refresh(self) -> None:
        self._refresh_timer.setInterval(0)
        entry = self.session.models.current
        network = entry.network if entry is not None else None
        if network is None or not planes(network):
            self._show_message(NO_PLANE)
            return
        report = self.session.units.report  # any report carries the test set
        if report is None:
            self.session.units.request(network)  # reads the test set once, in the background
        if report is None or report.images is None or report.labels is None:
            self._show_message(report.error if report is not None and report.error else WAITING)
            return
        self._last_draw = time.perf_counter()
        layers, classes = planes(network), entry.classes
        output = len(network.weights) - 1
        key = (tuple(layers), classes, output)
        if key != self._key:
            self._build(layers, classes, output)
            self._key = key
        images, labels = self._test_points(report, classes)
        points = plane_points(network, images)
        net_input = self.session.drawing.input
        drawing = None if net_input.empty else plane_points(network, net_input.image[None])
        for layer, pair in points.items():
            for side, xy in enumerate(pair):
                for index, digit in enumerate(classes):
                    scatter = self._scatters.get((layer, side, index))
                    if scatter is not None:
                        chosen = xy[labels == digit]
                        scatter.setData(x=chosen[:, 0], y=chosen[:, 1])
                star = self._stars.get((layer, side))
                if star is not None:
                    spot = drawing[layer][side][0] if drawing else None
                    star.setData(x=[] if spot is None else [spot[0]],
                                 y=[] if spot is None else [spot[1]])  # fmt: skip
        self.pages.setCurrentWidget(self.canvas)

    def _test_points(self, report, classes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """The test digits of the model's classes as float inputs, made once per test set and
        class subset (the conversion cost a fifth of every redraw)."""
        key = (id(report.images), classes)
        if self._points_key != key:
            wanted = np.isin(report.labels, classes)
            chosen = report.images[wanted][:POINTS]
            self._points = (
                chosen.reshape(len(chosen), -1) / np.float32(255),
                report.labels[wanted][:POINTS],
            )
            self._points_key = key
        return self._points

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def shown_points(self, layer: int, side: int = 0) -> np.ndarray:
        """All points on show in one panel, (N, 2) (for tests)."""
        parts = [
            np.column_stack(scatter.getData())
            for (each, at, _), scatter in self._scatters.items()
            if each == layer and at == side and len(scatter.getData()[0])
        ]
        return np.concatenate(parts) if parts else np.empty((0, 2))


if __name__ == "__main__":
    sys.exit(run_alone(BottleneckView, size=(600, 460)))
