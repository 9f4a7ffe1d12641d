"""The 2-D bottleneck: test digits in the plane of every layer that is two units wide.

A 784→2→10 net (or 784→2→2→2→2, or a net trained on two classes, whose output is a plane)
squeezes each digit to a point. Here are the 10 000 test digits in each such plane, coloured
by class, before the nonlinearity and after it (ReLU folds everything into the positive
quadrant), with the drawing as a large star. The points move while the net trains: the
classes pull apart; for the run's versions (live or a moment on the timeline) the axes only ever
grow, so across the run the points move, not the axes. The planes are computed in the
background (`session.planes`); this view only asks for them and draws the newest.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout

from digitlab.core.bottleneck import plane_points, planes
from digitlab.session import Session
from digitlab.session.analysis import failed_or_none
from digitlab.session.models import RUN_KEY, ModelEntry
from digitlab.session.planes import PlanesReport
from digitlab.ui.plots import style
from digitlab.ui.plots.point_cloud import PointCloud, settle
from digitlab.ui.view import View, run_alone
from digitlab.ui.widgets.view_body import EmptyState

MIN_INTERVAL_S = 0.1  # a net in training changes ~10×/s: ask for its planes at most 10×/s
NO_PLANE = (
    "No layer of this model is two units wide. Train one to see the test digits in its plane: "
    "hidden layers 2 (or 2,2,2,2), or classes 0,1 (a two-class net's output is a plane)."
)
WAITING = "Reading the test set…"


class BottleneckView(View):
    view_id = "bottleneck"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.canvas = pg.GraphicsLayoutWidget()
        background, self._text, self._faint = style.colours(self)
        self.canvas.setBackground(background)
        self.pages = EmptyState(self.canvas, NO_PLANE)
        self.message = self.pages.message
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        self._key: tuple = ()
        self._scatters: dict[tuple[int, int, int], PointCloud] = {}  # (layer, side, class)
        self._stars: dict[tuple[int, int], pg.ScatterPlotItem] = {}
        self._plots: dict[tuple[int, int], pg.PlotItem] = {}  # (layer, side)
        self._ranges: dict[tuple[int, int], tuple] = {}  # (layer, side) → (x range, y range)
        self._last_request = 0.0
        self._request_timer = QTimer(self, singleShot=True)
        self._request_timer.timeout.connect(self.schedule_refresh)
        self._drawn: PlanesReport | None = None
        self._star_report: PlanesReport | None = None  # the stars were placed for these
        self._star_input = None
        self.subscribe(session.models.current_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.planes.updated, self.schedule_refresh)
        self.subscribe(session.prediction_changed, lambda _: self.schedule_refresh())
        self.subscribe(session.run.cleared, lambda: self._ranges.clear())  # a new run: new axes
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(560, 420)

    def _build(self, layers: list[int], classes: tuple[int, ...], output: int) -> None:
        self.canvas.clear()
        self._scatters, self._stars, self._plots, self._ranges = {}, {}, {}, {}
        for row, layer in enumerate(layers):
            is_output = layer == output
            for side, name in enumerate(("",) if is_output else ("before", "after")):
                plot = self.canvas.addPlot(row=row, col=side)
                plot.disableAutoRange()  # steady ranges, set in _fit_ranges
                self._plots[(layer, side)] = plot
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
        entry = self.session.models.current
        network = entry.network if entry is not None else None
        if network is None or not planes(network):
            self._drawn = None
            self.pages.show_message(NO_PLANE)
            return
        outcome = self.session.planes.get(entry)  # this version's (a moment scrubbed back to)
        if outcome is None:
            self._ask_for_planes(entry)
        # else the newest, maybe for an older version, until this one's arrives
        report = outcome if outcome is not None else self.session.planes.latest
        if not isinstance(report, PlanesReport) or not report.points:
            if self._drawn is None:  # keep the last planes on show until the new ones come
                failed = failed_or_none(report)
                self.pages.show_message(failed.message if failed is not None else WAITING)
            return
        if report is not self._drawn:
            self._draw_points(report)
        self._draw_drawing(report)
        self.pages.show_content()

    def awaiting(self) -> bool:
        return super().awaiting() or self._request_timer.isActive()

    def _ask_for_planes(self, entry: ModelEntry) -> None:
        """Ask `session.planes` for this network's planes, at most every MIN_INTERVAL_S (a net
        in training changes ~10×/s); a request held back is made when the interval is up."""
        wait_s = MIN_INTERVAL_S - (time.perf_counter() - self._last_request)
        if wait_s > 0:
            if not self._request_timer.isActive():
                self._request_timer.start(int(1000 * wait_s) + 1)
            return
        self._last_request = time.perf_counter()
        self.session.planes.request(entry)

    def _draw_points(self, report: PlanesReport) -> None:
        network, classes = report.network, report.classes
        layers, output = list(report.points), len(network.weights) - 1
        key = (tuple(layers), classes, output)
        if key != self._key:
            self._build(layers, classes, output)
            self._key = key
        starts = np.searchsorted(report.labels, classes)
        stops = np.searchsorted(report.labels, classes, side="right")
        for layer, pair in report.points.items():
            # The output plane has one plot: its "before" and "after" are the same logits.
            for side, xy in enumerate(pair[:1] if layer == output else pair):
                for index, (start, stop) in enumerate(zip(starts, stops)):
                    chosen = xy[start:stop]
                    self._scatters[(layer, side, index)].setData(x=chosen[:, 0], y=chosen[:, 1])
        self._drawn = report

    def _draw_drawing(self, report: PlanesReport) -> None:
        """The drawing as a star, placed by the same network as the points. (Only when either
        changed: moving a star repaints its whole plot, all 10 000 points.)"""
        net_input = self.session.drawing.input
        if report is self._star_report and net_input is self._star_input:
            return
        self._star_report, self._star_input = report, net_input
        spots = None if net_input.empty else plane_points(report.network, net_input.image[None])
        for (layer, side), star in self._stars.items():
            spot = spots[layer][side][0] if spots and layer in spots else None
            star.setData(x=[] if spot is None else [spot[0]], y=[] if spot is None else [spot[1]])
        self._fit_ranges(report, spots or {})

    def _fit_ranges(self, report: PlanesReport, spots: dict) -> None:
        """Each plot's range around its points and the star, kept while it still fits them well
        (`steady_range`), and applied before the paint (`settle`)."""
        for (layer, side), plot in self._plots.items():
            xy = report.points[layer][side]
            if layer in spots:
                xy = np.vstack([xy, spots[layer][side]])
            xy = xy[np.isfinite(xy).all(axis=1)]
            if not len(xy):
                continue
            previous = self._ranges.get((layer, side), (None, None))
            fit = style.grown_range if report.ref.key == RUN_KEY else style.steady_range
            ranges = tuple(
                fit(previous[axis], float(xy[:, axis].min()), float(xy[:, axis].max()))
                for axis in (0, 1)
            )
            if ranges != previous:
                self._ranges[(layer, side)] = ranges
                plot.setRange(xRange=ranges[0], yRange=ranges[1], padding=0)
                settle(plot.getViewBox())

    @property
    def drawn(self) -> PlanesReport | None:
        """The planes on screen (None while a message shows instead)."""
        return self._drawn if self.pages.showing_content else None

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
