"""The robustness and drawing-offsets views, on a session with the tiny test set."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QApplication

from digitlab.session import Session
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.offsets import PENS, OffsetsView, holds_within
from digitlab.ui.views.robustness import RobustnessView
from tests.conftest import make_tiny_dataset


@pytest.fixture
def tiny_session(qapp):
    session = Session(QtDispatcher(), test_set=lambda: make_tiny_dataset().test)
    yield session
    session.close()


def shown(qtbot, view, size=(700, 600)):
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_sweep_of_the_ticked_model_fills_the_figure(tiny_session, qtbot) -> None:
    view = shown(qtbot, RobustnessView(tiny_session))
    assert view.chosen_keys() == ["robust", "mlp", "linear"]  # the shipped ones, at first
    view.choose(["linear"])
    view.preprocessing.setCurrentText("preprocessing on")
    with qtbot.waitSignal(tiny_session.robustness.finished, timeout=60_000) as finished:
        view.run_or_cancel()
        assert view.run_button.text() == "Cancel"
    result = finished.args[0]
    assert result.models == ["Shipped 1-layer"] and result.preprocessing == (True,)
    assert view.run_button.text() == "Run sweep" and "done" in view.progress.format()
    rotation = view.figure.curves["rotation"].listDataItems()
    assert len(rotation) == 1
    x, y = rotation[0].getData()
    assert list(x) == [-45, -30, -15, 0, 15, 30, 45]
    assert np.allclose(y, 100 * result.curve(0, True, "rotation")[1])
    numbers = view._numbers().splitlines()
    assert len(numbers) == 1 + 84 and numbers[1].startswith("Shipped 1-layer\ton\tshift")
    heatmap = view.figure.heatmaps[True]
    assert heatmap.plot.isVisible() and not view.figure.heatmaps[False].plot.isVisible()
    centre = result.value(0, True, next(c for c in result.conditions if c.is_clean))
    assert heatmap._labels[24].toPlainText() == f"{100 * centre:.0f}"


def test_cancel_stops_the_sweep_and_says_so(tiny_session, qtbot) -> None:
    view = shown(qtbot, RobustnessView(tiny_session))
    finished, after_cancel = [], []
    tiny_session.robustness.finished.connect(finished.append)
    view.run_or_cancel()
    [job] = tiny_session.jobs.running("robustness")
    view.run_or_cancel()
    assert view.run_button.text() == "Run sweep" and view.progress.format() == "cancelled"
    tiny_session.robustness.partial.connect(after_cancel.append)
    tiny_session.robustness.progress.connect(after_cancel.append)
    qtbot.waitUntil(lambda: job.finished, timeout=60_000)  # the worker itself stops
    QApplication.processEvents()  # whatever the job posted before it stopped arrives now
    assert job.cancelled and not finished and not after_cancel
    assert view.run_button.text() == "Run sweep" and view.progress.format() == "cancelled"


def test_no_model_ticked_is_a_message_not_a_run(tiny_session, qtbot) -> None:
    view = shown(qtbot, RobustnessView(tiny_session))
    view.choose([])
    view.run_or_cancel()
    assert "at least one model" in view.progress.format()
    assert view.models.item(0).checkState() == Qt.CheckState.Unchecked


def off_centre_drawing() -> np.ndarray:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[40:200, 60:80] = 255  # a "1" on the left
    return canvas


def test_offsets_show_the_answer_at_every_place(loaded_session, qtbot) -> None:
    view = shown(qtbot, OffsetsView(loaded_session), (460, 480))
    loaded_session.drawing.set_options(fit=False, centre=False)
    with qtbot.waitSignal(loaded_session.offsets.changed, timeout=60_000):
        loaded_session.drawing.set_canvas(off_centre_drawing())
    qtbot.waitUntil(lambda: view.grid is not None, timeout=5000)
    grid = view.grid
    assert grid.digit_at(0, 0) == loaded_session.prediction.top
    digits = [str(d) for d in grid.predicted.ravel()]
    assert [label.toPlainText() for label in view._labels] == digits
    reach = holds_within(grid)
    assert "holds within" in view.summary.text() or "wherever" in view.summary.text()
    assert reach < 6  # without the recipe, moving a "1" far enough changes the answer


def test_a_thicker_pen_asks_for_a_new_grid(loaded_session, qtbot) -> None:
    view = shown(qtbot, OffsetsView(loaded_session), (460, 480))
    with qtbot.waitSignal(loaded_session.offsets.changed, timeout=60_000):
        loaded_session.drawing.set_canvas(off_centre_drawing())
    with qtbot.waitSignal(loaded_session.offsets.changed, timeout=60_000) as changed:
        view.pen.setCurrentText("pen 16 px thicker")
    assert changed.args[0].pen == PENS["pen 16 px thicker"] == 16
    loaded_session.drawing.set_canvas(None)
    qtbot.waitUntil(lambda: view.grid is None, timeout=5000)
    assert "Draw a digit" in view.summary.text()


@pytest.mark.parametrize("size", [(620, 560), (1000, 800)])
def test_the_shift_heatmap_labels_each_read_alone(tiny_session, qtbot, size) -> None:
    """At the view's default size the x labels ran together ('-6420246'): fewer, spaced."""
    view = shown(qtbot, RobustnessView(tiny_session), size)
    heatmap = view.figure.heatmaps[True]
    values = [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0]
    heatmap.set_grid(values, np.full((7, 7), 0.9))
    qtbot.wait(50)  # the layout
    heatmap._fit_labels()
    bottom = heatmap.plot.getAxis("bottom")
    metrics = QFontMetricsF(bottom.style.get("tickFont") or QFont())
    shown_ticks = bottom._tickLevels[0]  # what the axis draws
    vb = heatmap.plot.vb
    spans = []
    for index, text in shown_ticks:
        centre = vb.mapViewToScene(QPointF(index, 0)).x()
        half = metrics.horizontalAdvance(text) / 2
        spans.append((centre - half, centre + half))
    assert all(right + 4 <= left for (_, right), (left, _) in zip(spans, spans[1:]))
    xs, ys = heatmap.tick_labels()
    assert [text for _, text in shown_ticks] == xs
    assert "0" in xs and "0" in ys and len(xs) >= 2
    if size[0] >= 1000:
        assert len(xs) == 7  # room for every label: all of them
