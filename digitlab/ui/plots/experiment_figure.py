"""An experiment's figure: its panels in a grid (up to four a row), one colour per line, data
as points, decision regions as an image under them. The panels always span the widget's width.

`digitlab experiment run --out DIR` renders it offscreen and saves it with pyqtgraph's exporter;
the window's Experiments view shows the same widget.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen

from digitlab.core.experiments import ExperimentResult, Heatmap, Panel
from digitlab.ui.plots import style

COLOURS = ("#2f81f7", "#d29922", "#3fb950", "#d1242f", "#a371f7", "#db61a2", "#8b949e",
           "#1f9e9e", "#7d5c1e", "#3b4a8c")  # fmt: skip
PER_ROW = 4
PANEL_SIZE = (380, 330)  # a panel's size in a saved figure
PLOT_MIN_WIDTH = (
    160  # a panel may be this narrow in a small dock: the figure never scrolls sideways
)


def grid_shape(panels: int, per_row: int = PER_ROW) -> tuple[int, int]:
    """(rows, columns) for `panels`: balanced rows of at most `per_row`."""
    rows = max(1, math.ceil(panels / max(per_row, 1)))
    return rows, max(1, math.ceil(panels / rows))


def figure_size(result: ExperimentResult) -> tuple[int, int]:
    rows, columns = grid_shape(len(result.panels))
    return PANEL_SIZE[0] * columns, PANEL_SIZE[1] * rows


# Offsets of pyqtgraph's legend for each corner: positive from the left or top, negative from
# the right or bottom. In order of preference when corners are equally free.
CORNERS = {"top left": (4, 4), "top right": (-4, 4), "bottom right": (-4, -4),
           "bottom left": (4, -4)}  # fmt: skip


def legend_offset(panel: Panel, plot_px: tuple[int, int] = (320, 250)) -> tuple[int, int]:
    """The corner whose legend-sized box covers the fewest data (lines sampled along their
    segments, points as they are), so the legend hides as little of the curves as it can."""
    xs, ys = [], []
    for line in panel.lines:
        x, y = np.asarray(line.x, float), np.asarray(line.y, float)
        if panel.log_y:
            y = np.log10(np.where(y > 0, y, np.nan))
        if not line.points and len(x) > 1:  # the segments between the points count too
            t = np.linspace(0, 1, 12)[:, None]
            x, y = (x[:-1] + t * np.diff(x)).ravel(), (y[:-1] + t * np.diff(y)).ravel()
        xs.append(x)
        ys.append(y)
    x, y = (np.concatenate(v) if v else np.zeros(0) for v in (xs, ys))
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if not len(x):
        return CORNERS["top left"]
    x = (x - x.min()) / max(np.ptp(x), 1e-12)
    y = (y - y.min()) / max(np.ptp(y), 1e-12)
    longest = max(len(line.name) for line in panel.lines)
    width = min(0.95, (36 + 6 * longest) / plot_px[0])
    height = min(0.95, (8 + 17 * len(panel.lines)) / plot_px[1])
    left, bottom = x < width, y < height
    right, top = x > 1 - width, y > 1 - height
    covered = {
        "top left": np.sum(left & top), "top right": np.sum(right & top),
        "bottom right": np.sum(right & bottom), "bottom left": np.sum(left & bottom),
    }  # fmt: skip
    return CORNERS[min(CORNERS, key=lambda corner: covered[corner])]


class ExperimentFigure(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._background, self._text, self._faint = style.colours(self)
        self.setBackground(self._background)

    def show_result(self, result: ExperimentResult | None, per_row: int = PER_ROW) -> None:
        self.clear()
        if result is None:
            return
        _, columns = grid_shape(len(result.panels), per_row)
        for index, panel in enumerate(result.panels):
            plot = self.addPlot(row=index // columns, col=index % columns, title=panel.title)
            plot.setMinimumWidth(PLOT_MIN_WIDTH)  # its axes and title would ask for more
            self._draw(plot, panel)
        self.ci.setGeometry(self.range)  # else the new layout grows to its preferred width

    def _draw(self, plot: pg.PlotItem, panel: Panel) -> None:
        style.style_axes(plot, self._text, self._faint)
        style.quiet_plot(plot)
        plot.setLabel("bottom", panel.x_label)
        plot.setLabel("left", panel.y_label)
        plot.setLogMode(y=panel.log_y)
        plot.showGrid(x=True, y=True, alpha=0.2)
        if panel.heatmap is not None and panel.heatmap.values and panel.heatmap.values[0]:
            plot.addItem(self._regions(panel.heatmap))  # (an empty one has nothing to draw)
        if len(panel.lines) > 1:
            # Curves stay visible under the legend's backdrop, faintly; decision regions get
            # none, so the legend never hides a part of them.
            backdrop = QColor(self._background)
            backdrop.setAlpha(210)
            plot.addLegend(offset=legend_offset(panel), labelTextSize="8pt",
                           labelTextColor=self._text,
                           brush=None if panel.heatmap else backdrop)  # fmt: skip
        curves = [line for line in panel.lines if not line.points and line.colour is None]
        for line in panel.lines:
            x, y = np.asarray(line.x, float), np.asarray(line.y, float)
            if line.points:
                brush = self._text if line.colour is None else self._colour(line.colour)
                plot.plot(x, y, pen=None, symbol="o", symbolSize=5, symbolBrush=brush,
                          symbolPen=None, name=line.name)  # fmt: skip
                continue
            index = curves.index(line) if line.colour is None else line.colour
            pen = QPen(self._colour(index), 2)
            pen.setCosmetic(True)
            if line.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            plot.plot(x, y, pen=pen, name=line.name)

    @staticmethod
    def _colour(index: int) -> QColor:
        return QColor(COLOURS[index % len(COLOURS)])

    def _regions(self, heatmap: Heatmap) -> pg.ImageItem:
        """Values from the low level (class 0's colour, faded) to the high (class 1's)."""
        low, high = (self._faded(QColor(COLOURS[i])) for i in (0, 1))
        colormap = pg.ColorMap([0.0, 0.5, 1.0], [low, self._background, high])
        image = pg.ImageItem(np.asarray(heatmap.values, np.float32), levels=heatmap.levels)
        image.setColorMap(colormap)
        (x0, x1), (y0, y1) = heatmap.x_range, heatmap.y_range
        image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        image.setZValue(-10)
        return image

    def _faded(self, colour: QColor) -> QColor:
        """`colour` two thirds of the way to the background: regions stay behind the points."""
        b = self._background
        return QColor(*((c + 2 * d) // 3 for c, d in zip(colour.getRgb()[:3], b.getRgb()[:3])))
