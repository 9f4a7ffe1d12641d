"""The curves view in a small dock: a legend that covers nothing and is not cut, every point
drawn whole, and plots that stay readable when the dock is short or tall."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect

from digitlab.ui.views.curves import CurvesView, padded
from tests.ui.conftest import show_widget, train

SYMBOL_RADIUS = 4  # the test marker: 7 px and its rim


def in_view(view: CurvesView, widget, rect: QRect) -> QRect:
    """`rect` of `widget` in the view's coordinates."""
    return QRect(widget.mapTo(view, rect.topLeft()), rect.size())


def box_in_view(view: CurvesView, plot_widget) -> QRect:
    """The plot's data area (its view box) in the view's coordinates."""
    scene = plot_widget.getPlotItem().getViewBox().sceneBoundingRect()
    return in_view(view, plot_widget, plot_widget.mapFromScene(scene).boundingRect())


def data_points(view: CurvesView, plot_widget, items) -> list[QPoint]:
    """Each drawn point of `items`, in the view's coordinates."""
    box = plot_widget.getPlotItem().getViewBox()
    points = []
    for item in items:
        xs, ys = item.getData()
        for x, y in zip(xs, ys):
            scene = box.mapViewToScene(QPointF(float(x), float(y)))
            points.append(plot_widget.mapTo(view, plot_widget.mapFromScene(scene)))
    return points


@pytest.fixture
def trained(session, qtbot):
    train(session, qtbot, epochs=2)
    return session


@pytest.mark.parametrize("size", [(590, 190), (500, 150), (300, 300), (590, 530)])
def test_the_legend_covers_no_data_and_every_point_shows_whole(qtbot, trained, size) -> None:
    view = show_widget(qtbot, CurvesView(trained), size)
    qtbot.waitUntil(lambda: view.test_accuracy.getData()[0] is not None)
    assert len(view.test_accuracy.getData()[0]) == 2
    qtbot.wait(50)  # the ranges follow the plots' final size
    legend = in_view(view, view.legend, view.legend.rect())
    text = view.legend.text()
    assert "train" in text and "test" in text
    assert view.rect().contains(legend)  # the whole legend is in the view…
    assert view.legend.heightForWidth(view.legend.width()) <= view.legend.height()  # …unclipped
    for plot, items in ((view.loss_plot, [view.loss]),
                        (view.accuracy_plot, [view.accuracy, view.test_accuracy])):  # fmt: skip
        box = box_in_view(view, plot)
        assert box.height() >= 60, f"plot area only {box.height()} px high at {size}"
        assert not box.intersects(legend)  # the legend is outside every plot's data area
        inner = box.adjusted(SYMBOL_RADIUS, SYMBOL_RADIUS, -SYMBOL_RADIUS, -SYMBOL_RADIUS)
        points = data_points(view, plot, items)
        assert points and all(inner.contains(p) for p in points)  # the last dot is not cut


def test_wide_docks_put_the_plots_side_by_side_and_tall_ones_stack_them(qtbot, session) -> None:
    view = show_widget(qtbot, CurvesView(session), (590, 190))
    assert not view.stacked()
    loss, accuracy = (box_in_view(view, w) for w in (view.loss_plot, view.accuracy_plot))
    assert loss.right() < accuracy.left()
    view.resize(300, 320)
    qtbot.waitUntil(view.stacked)
    qtbot.wait(20)
    loss, accuracy = (box_in_view(view, w) for w in (view.loss_plot, view.accuracy_plot))
    assert loss.bottom() < accuracy.top() and accuracy.width() > 200


def test_the_epoch_label_gives_way_in_a_short_dock(qtbot, session) -> None:
    view = show_widget(qtbot, CurvesView(session), (590, 260))
    assert view.loss_plot.getPlotItem().getAxis("bottom").label.isVisible()
    view.resize(590, 140)
    qtbot.waitUntil(lambda: not view.loss_plot.getPlotItem().getAxis("bottom").label.isVisible())


def test_padding_is_in_pixels() -> None:
    low, high = padded(0.0, 2.0, 208.0, margin=4)
    assert (low, high) == pytest.approx((-0.04, 2.04))
    assert np.isfinite(padded(5.0, 5.0, 100.0)).all()  # one value: a range around it
