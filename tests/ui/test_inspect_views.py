"""The look-inside views: they show the answering model's insides for the drawing."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.evidence import evidence
from digitlab.ui.views.activations import NO_HIDDEN, NO_INPUT, ActivationsView
from digitlab.ui.views.evidence import EvidenceView
from tests.session.test_models_and_prediction import seven
from tests.ui.conftest import show_widget, train


def shown(qtbot, widget, size=(480, 300)):
    return show_widget(qtbot, widget, size)


def test_activations_follow_the_drawing_with_the_shipped_model(qtbot, loaded_session) -> None:
    view = shown(qtbot, ActivationsView(loaded_session))
    assert view.shown_inputs() == [] and view.message.text() == NO_INPUT
    loaded_session.drawing.set_canvas(seven())
    network = loaded_session.models.current.network
    (shown_inputs,) = view.shown_inputs()
    expected = network.pre_activations(loaded_session.drawing.input.image[None])[0][0]
    np.testing.assert_allclose(shown_inputs, expected, rtol=1e-5)
    assert len(shown_inputs) == 256 and (shown_inputs < 0).any() and (shown_inputs > 0).any()
    loaded_session.drawing.set_canvas(None)
    assert view.shown_inputs() == []


def test_activations_of_a_live_run_and_of_a_net_without_hidden_units(qtbot, session) -> None:
    view = shown(qtbot, ActivationsView(session))
    session.drawing.set_canvas(seven())
    train(session, qtbot, hidden=(8, 4))
    qtbot.waitUntil(lambda: len(view.shown_inputs()) == 2, timeout=5000)
    assert [len(z) for z in view.shown_inputs()] == [8, 4]
    session.run.reset()
    train(session, qtbot, hidden=())
    qtbot.waitUntil(lambda: view.message.text() == NO_HIDDEN and view.shown_inputs() == [])


def assert_maps_add_up(view: EvidenceView, network, session) -> int:
    """The maps on show for the top class and the runner-up, plus the bias, make their logits;
    returns the runner-up."""
    image = session.drawing.input.image
    logits = network.logits(image[None])[0]
    top, runner_up = np.argsort(-logits)[:2]
    for_top, for_other, _ = view.shown_maps()
    bias = evidence(network, image).bias
    assert for_top.sum() + bias[top] == pytest.approx(logits[top], abs=1e-3)
    assert for_other.sum() + bias[runner_up] == pytest.approx(logits[runner_up], abs=1e-3)
    return int(runner_up)


def test_evidence_maps_add_up_to_the_logits_and_follow_the_chosen_class(qtbot, loaded_session):
    view = shown(qtbot, EvidenceView(loaded_session), (600, 320))
    assert view.shown_maps() == []
    loaded_session.drawing.set_canvas(seven())
    runner_up = assert_maps_add_up(view, loaded_session.models.current.network, loaded_session)
    for_top, for_other, difference = view.shown_maps()
    np.testing.assert_allclose(difference, for_top - for_other, atol=1e-5)
    assert view.titles[1].text == f"for {runner_up}" and "difference" in view.totals.text()
    view.against.setCurrentIndex(view.against.findData(4))  # compare with a 4
    qtbot.waitUntil(lambda: view.titles[1].text == "for 4")
    loaded_session.drawing.set_canvas(None)
    assert view.shown_maps() == []


def test_probes_run_in_the_background_and_show_every_layer(qtbot, qapp) -> None:
    from digitlab.core.training import LocalTrainer
    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.views.probes import ProbesView
    from tests.session.conftest import tiny_cache

    session = Session(
        QtDispatcher(),
        trainer_factory=lambda: LocalTrainer(tiny_cache()),
        probe_datasets=tiny_cache(),
    )
    try:
        view = shown(qtbot, ProbesView(session), (700, 400))
        train(session, qtbot, hidden=(8, 4))
        assert view.run_button.isEnabled() and view.accuracies_shown() == []
        view.run_button.click()
        qtbot.waitUntil(lambda: len(view.accuracies_shown()) == 4, timeout=20_000)
        report = session.probes.result
        assert [r.layer for r in report.results] == ["pixels", "hidden 1", "hidden 2", "output"]
        assert view.accuracies_shown() == [r.test_accuracy for r in report.results]
        assert report.projections["hidden 1"].shape == (128, 3)  # the tiny test set
        assert view.layer_combo.currentText() == "hidden 1"
        ticks = view.bars_plot.getAxis("bottom")._tickLevels[0]
        assert [text for _, text in ticks] == ["pixels", "hidden 1", "hidden 2", "output"]
        layout = view.canvas.ci.layout
        view.resize(380, 560)  # a narrow dock: the plane goes under the bars, names shorten
        qtbot.waitUntil(lambda: layout.itemAt(1, 0) is view.scatter_plot)
        ticks = view.bars_plot.getAxis("bottom")._tickLevels[0]
        assert [text for _, text in ticks] in (
            ["px", "h1", "h2", "out"],
            ["pixels", "hidden 1", "hidden 2", "output"],
        )
        view.resize(700, 400)
        qtbot.waitUntil(lambda: layout.itemAt(0, 1) is view.scatter_plot)
        view.run_button.click()
        view.cancel_button.click()  # cancelled at once: the old results stay
        assert not session.probes.running and view.run_button.isEnabled()
    finally:
        session.close()


def test_evidence_of_a_live_run_adds_up_to_its_logits(qtbot, session) -> None:
    view = shown(qtbot, EvidenceView(session), (600, 320))
    session.drawing.set_canvas(seven())
    train(session, qtbot, hidden=(8, 4))
    network = session.run.network
    qtbot.waitUntil(lambda: session.models.current.network is network)
    qtbot.waitUntil(lambda: len(view.shown_maps()) == 3)
    assert_maps_add_up(view, network, session)


@pytest.mark.parametrize("shipped, layers", [("mlp", 3), ("linear", 2)])
def test_probes_and_the_bottleneck_with_a_shipped_model(qtbot, qapp, shipped, layers) -> None:
    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher
    from digitlab.ui.views.bottleneck import NO_PLANE, BottleneckView
    from digitlab.ui.views.probes import ProbesView
    from tests.session.conftest import tiny_cache

    session = Session(QtDispatcher(), probe_datasets=tiny_cache())
    try:
        session.start(shipped)
        qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
        probes = shown(qtbot, ProbesView(session), (700, 400))
        bottleneck = shown(qtbot, BottleneckView(session), (500, 400))
        assert bottleneck.message.text() == NO_PLANE and bottleneck.drawn is None
        probes.run_button.click()
        qtbot.waitUntil(lambda: len(probes.accuracies_shown()) == layers, timeout=20_000)
        accuracies = probes.accuracies_shown()
        assert accuracies[0] > 0.9  # the pixels of the tiny classes, read by a fresh probe
    finally:
        session.close()


def plot_rects(view: ActivationsView) -> list[tuple]:
    """(title, data area) of each layer's plot, in canvas scene coordinates."""
    return [(plot.titleLabel.sceneBoundingRect(), plot.getViewBox().sceneBoundingRect())
            for plot in view._plots]  # fmt: skip


def test_two_units_get_whole_unit_indices(qtbot, session) -> None:
    view = shown(qtbot, ActivationsView(session), (590, 160))
    session.drawing.set_canvas(seven())
    train(session, qtbot, hidden=(2,))
    qtbot.waitUntil(lambda: len(view.shown_inputs()) == 1, timeout=5000)
    assert view.unit_tick_labels(0) == ["0", "1"]  # no "0.5" between two units


def test_two_hidden_layers_in_a_squeezed_dock_are_both_readable(qtbot, session) -> None:
    view = shown(qtbot, ActivationsView(session), (590, 160))
    session.drawing.set_canvas(seven())
    train(session, qtbot, hidden=(8, 4))
    qtbot.waitUntil(lambda: [len(z) for z in view.shown_inputs()] == [8, 4], timeout=5000)
    qtbot.wait(50)
    rects = plot_rects(view)
    viewport = view.canvas.mapToScene(view.scroll.viewport().rect()).boundingRect()
    for title, area in rects:  # wide and short: side by side, both whole on screen
        assert area.height() >= 40 and viewport.contains(area) and viewport.contains(title)
        assert not title.intersects(area)
    (title_1, area_1), (title_2, area_2) = rects
    assert not area_1.intersects(area_2) and not title_1.intersects(title_2)
    assert all("." not in label for label in view.unit_tick_labels(0) + view.unit_tick_labels(1))
    view.resize(300, 200)  # narrow and short: stacked, each at its readable height, scrolling
    qtbot.waitUntil(lambda: view._grid == (2, 1))
    qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 0)
    (title_1, area_1), (title_2, area_2) = plot_rects(view)
    assert area_1.bottom() <= title_2.top() and min(area_1.height(), area_2.height()) >= 40
