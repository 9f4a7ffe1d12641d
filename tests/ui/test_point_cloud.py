"""PointCloud: every finite point is a dot where the plot puts it, nothing else is painted."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor

from digitlab.ui.plots.point_cloud import PointCloud, settle

RED = QColor(220, 0, 0)


def plot_with(qtbot, x, y) -> tuple[pg.PlotWidget, PointCloud]:
    plot = pg.PlotWidget(background="w")
    qtbot.addWidget(plot)
    plot.resize(300, 300)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    cloud = PointCloud(RED, size=6)
    cloud.setData(np.asarray(x, float), np.asarray(y, float))
    plot.addItem(cloud)
    plot.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    plot.show()
    qtbot.waitExposed(plot)
    return plot, cloud


def red_pixels(plot: pg.PlotWidget) -> np.ndarray:
    image = plot.grab().toImage().convertToFormat(pg.QtGui.QImage.Format.Format_RGB32)
    rgb = pg.imageToArray(image, transpose=True)[..., :3].astype(int)  # (rows, cols, BGR)
    b, g, r = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (r > 150) & (g < 100) & (b < 100)


def test_dots_land_where_the_view_maps_the_points(qtbot) -> None:
    points = [(2.0, 3.0), (7.0, 8.0), (5.0, 5.0)]
    plot, cloud = plot_with(qtbot, [p[0] for p in points], [p[1] for p in points])
    mask = red_pixels(plot)
    box = plot.getPlotItem().getViewBox()
    for x, y in points:
        centre = plot.mapFromScene(box.mapViewToScene(pg.Point(x, y)))
        row, col = centre.y(), centre.x()
        assert mask[row - 1 : row + 2, col - 1 : col + 2].all(), (x, y)
    rows, cols = np.nonzero(mask)
    assert len(rows) < 3 * 7 * 7  # three dots of 6 px, nothing else red
    assert (cols.min(), cols.max()) == pytest.approx((300 * 0.2, 300 * 0.7), abs=6)


def test_points_that_are_not_finite_are_skipped_and_the_bounds_ignore_them(qtbot) -> None:
    x = np.array([1.0, np.nan, 4.0, np.inf, 9.0])
    y = np.array([2.0, 5.0, -3.0, 1.0, np.nan])
    plot, cloud = plot_with(qtbot, x, y)
    assert cloud.dataBounds(0) == (1.0, 4.0) and cloud.dataBounds(1) == (-3.0, 2.0)
    got_x, got_y = cloud.getData()
    np.testing.assert_array_equal(got_x, x)  # the data is kept as given
    assert red_pixels(plot).any()  # the finite dot at (1, 2) is painted


def test_no_points_paints_nothing_and_has_no_bounds(qtbot) -> None:
    plot, cloud = plot_with(qtbot, [np.nan], [np.nan])
    assert cloud.dataBounds(0) == (None, None)
    assert not red_pixels(plot).any()
    cloud.setData(np.array([5.0]), np.array([5.0]))
    qtbot.wait(20)
    assert red_pixels(plot).any()


def test_mismatched_coordinates_are_refused() -> None:
    with pytest.raises(ValueError, match="alike"):
        PointCloud(RED).setData(np.zeros(3), np.zeros(4))


class CountingCloud(PointCloud):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.paints = 0

    def paint(self, *args) -> None:
        self.paints += 1
        super().paint(*args)


def test_settling_the_range_before_the_paint_paints_new_data_once(qtbot) -> None:
    plot, _ = plot_with(qtbot, [np.nan], [np.nan])
    cloud = CountingCloud(RED)
    plot.addItem(cloud)
    plot.getPlotItem().enableAutoRange()
    cloud.setData(np.array([1.0]), np.array([1.0]))
    qtbot.waitUntil(lambda: cloud.paints > 0)
    qtbot.wait(60)
    cloud.paints = 0
    cloud.setData(np.array([0.0, 8.0]), np.array([0.0, 8.0]))  # a new range
    settle(plot.getPlotItem().getViewBox())  # without it: 2 paints (pyqtgraph 0.13/0.14)
    qtbot.wait(60)
    assert cloud.paints == 1
    assert plot.getPlotItem().getViewBox().viewRange()[0][1] >= 8.0
