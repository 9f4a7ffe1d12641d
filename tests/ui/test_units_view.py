"""The hidden-units view: cards for every unit, dead ones counted, a click opens the unit."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.units import layer_units
from digitlab.session import Session
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.plots.unit_cards import (
    BAR_HEIGHT,
    DEAD_MARK,
    MIN_SCALE,
    card_image,
    columns_for_room,
    layout_for,
)
from digitlab.ui.views.hidden_units import NO_HIDDEN, HiddenUnitsView
from tests.conftest import make_tiny_dataset, mnist_root
from tests.ui.conftest import show_widget, train


def shown(qtbot, widget, size=(700, 460)):
    return show_widget(qtbot, widget, size)


def test_cards_place_each_unit_and_cross_out_the_dead() -> None:
    incoming = np.zeros((3, 784), np.float32)
    incoming[1, :] = 1.0
    outgoing = np.array([[1.0, -1.0, 0.0]] * 10, np.float32)
    grid = layout_for(3, 784, columns=2)
    lookup = np.stack([np.arange(256)] * 3, axis=1).astype(np.uint8)  # grey ramp
    order = np.array([2, 0, 1])
    image = card_image(incoming, outgoing, lookup, 1.0, grid, order, np.array([True, False, False]))
    assert image.shape == (2 * (grid.card_h + 2), 2 * (grid.card_w + 2), 3)
    assert grid.unit_at(5, 5, order) == 2 and grid.unit_at(35, 5, order) == 0
    assert grid.unit_at(5, grid.card_h + 5, order) == 1 and grid.unit_at(35, 60, order) is None
    second = image[:, 30:58]  # unit 0 (dead): crossed out
    np.testing.assert_array_equal(second[0, 0], DEAD_MARK)
    third = image[grid.card_h + 2 :, :28]  # unit 1: all weights at +limit, the top of the ramp
    assert (third[:28, :28] == 255).all()


@pytest.mark.skipif(mnist_root() is None, reason="needs MNIST (DIGITLAB_DATA)")
def test_the_shipped_model_shows_its_units_and_a_click_opens_one(qtbot, loaded_session) -> None:
    view = shown(qtbot, HiddenUnitsView(loaded_session))
    qtbot.waitUntil(lambda: "dead" in view.header.text(), timeout=60_000)
    report = loaded_session.units.latest
    dead = report.layers[0].dead_count
    assert view.header.text().startswith(f"256 units · {dead} dead")
    view.sort_combo.setCurrentIndex(view.sort_combo.findData("importance"))
    qtbot.waitUntil(lambda: view._order[0] == int(np.argmax(report.layers[0].importance)))
    view.choose(int(view._order[0]))
    assert view.detail.isVisible() and "importance" in view.detail.unit.stats.text()
    assert view.detail.top.image.shape[0] >= 4 * 28
    votes = loaded_session.models.current.network.weights[1][:, int(view._order[0])]
    np.testing.assert_allclose(view.detail.unit.outgoing(), votes)  # as the Weights view shows


def test_vote_bars_stay_readable_with_many_units() -> None:
    columns = columns_for_room(256, 784, (330, 480))  # 256 cards beside an open detail
    scale = 330 / (columns * (layout_for(256, 784, columns).card_w + 2))
    assert scale >= MIN_SCALE and (BAR_HEIGHT // 2) * scale >= 12  # a full vote: 12 px or more
    big = layout_for(16, 784, columns_for_room(16, 784, (600, 500)))
    assert 600 / (big.columns * (big.card_w + 2)) > MIN_SCALE  # few units: as large as fits


def units_session(qapp) -> Session:
    from digitlab.core.training import LocalTrainer
    from tests.session.conftest import tiny_cache

    tiny = make_tiny_dataset()
    return Session(
        QtDispatcher(),
        trainer_factory=lambda: LocalTrainer(tiny_cache()),
        test_set=lambda: tiny.test,
    )


def test_cards_scroll_rather_than_shrink_and_the_detail_shows_the_votes(qtbot, qapp) -> None:
    session = units_session(qapp)
    try:
        view = shown(qtbot, HiddenUnitsView(session), (590, 530))
        train(session, qtbot, hidden=(64,))
        qtbot.waitUntil(lambda: "dead" in view.header.text(), timeout=60_000)
        view.choose(5)
        qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 0)
        qtbot.wait(50)
        assert view.card_scale() >= MIN_SCALE * 0.99  # on screen, not only in the arithmetic
        assert (BAR_HEIGHT // 2) * view.card_scale() >= 12
        detail = view.detail.unit
        np.testing.assert_allclose(detail.outgoing(), session.run.network.weights[1][:, 5])
        plot = detail.outgoing_plot
        assert plot.scene() is detail.canvas.scene() and plot.isVisible()
        assert plot.getViewBox().sceneBoundingRect().height() >= 40
        ticks = plot.getAxis("bottom")._tickLevels[0]
        assert [text for _, text in ticks] == [str(c) for c in range(10)]  # a bar per class
        assert detail.outgoing_header.note == "to 10 classes"
        detail.close_button.click()
        assert view.detail.isHidden() and view._chosen is None
    finally:
        session.close()


def test_a_live_run_and_a_net_without_hidden_units(qtbot, qapp) -> None:
    from digitlab.core.training import LocalTrainer
    from tests.session.conftest import tiny_cache

    tiny = make_tiny_dataset()
    session = Session(
        QtDispatcher(),
        trainer_factory=lambda: LocalTrainer(tiny_cache()),
        test_set=lambda: tiny.test,
    )
    try:
        view = shown(qtbot, HiddenUnitsView(session))
        train(session, qtbot, hidden=(8, 4))
        qtbot.waitUntil(lambda: "dead" in view.header.text(), timeout=60_000)
        assert view.layer_combo.count() == 2 and view.header.text().startswith("8 units")
        expected = layer_units(session.run.network, tiny.test.images)[0]
        assert view.header.text().startswith(f"8 units · {expected.dead_count} dead")
        view.layer_combo.setCurrentIndex(1)
        qtbot.waitUntil(lambda: view.header.text().startswith("4 units"))
        session.run.reset()
        train(session, qtbot, hidden=())
        qtbot.waitUntil(lambda: view.header.text() == NO_HIDDEN)
    finally:
        session.close()


def test_the_bottleneck_shows_the_test_digits_in_each_plane(qtbot, qapp) -> None:
    from digitlab.core.bottleneck import plane_points
    from digitlab.core.training import LocalTrainer
    from digitlab.ui.views.bottleneck import NO_PLANE, BottleneckView
    from tests.session.conftest import tiny_cache
    from tests.session.test_models_and_prediction import seven

    tiny = make_tiny_dataset()
    session = Session(
        QtDispatcher(),
        trainer_factory=lambda: LocalTrainer(tiny_cache()),
        test_set=lambda: tiny.test,
    )
    try:
        view = shown(qtbot, BottleneckView(session), (600, 460))
        assert view.message.text() == NO_PLANE
        session.drawing.set_canvas(seven())
        train(session, qtbot, hidden=(2, 2), classes=(0, 1, 2))
        qtbot.waitUntil(lambda: len(view.shown_points(0)) > 0, timeout=60_000)
        wanted = np.isin(tiny.test.labels, (0, 1, 2))
        before, after = plane_points(session.run.network, tiny.test.images[wanted])[1]
        shown_before = view.shown_points(1, 0)
        assert len(shown_before) == wanted.sum()
        # the same points (grouped by class on screen): compare as sorted sets
        np.testing.assert_allclose(
            np.sort(shown_before, axis=0), np.sort(before, axis=0), rtol=1e-5
        )
        np.testing.assert_allclose(np.sort(view.shown_points(1, 1), axis=0), np.sort(after, axis=0))
        assert (after >= 0).all()  # ReLU: the positive quadrant
        assert len(view._stars[(0, 0)].getData()[0]) == 1  # the drawing
    finally:
        session.close()


@pytest.mark.parametrize("hidden", [(2,), ()], ids=["784-2-2", "784-2"])
def test_a_two_class_net_draws_its_output_plane(qtbot, qapp, hidden) -> None:
    """0 vs 1: the output layer is a plane too, with one plot (its logits); the view raised
    KeyError (1, 1, 0) on every refresh for it."""
    from digitlab.core.bottleneck import plane_points
    from digitlab.core.training import LocalTrainer
    from digitlab.ui.views.bottleneck import BottleneckView
    from tests.session.conftest import tiny_cache

    tiny = make_tiny_dataset()
    session = Session(
        QtDispatcher(), trainer_factory=lambda: LocalTrainer(tiny_cache()),
        test_set=lambda: tiny.test,
    )  # fmt: skip
    try:
        view = shown(qtbot, BottleneckView(session), (600, 460))
        train(session, qtbot, hidden=hidden, classes=(0, 1))
        output = len(hidden)
        qtbot.waitUntil(lambda: len(view.shown_points(output)) > 0, timeout=60_000)
        wanted = np.isin(tiny.test.labels, (0, 1))
        logits = plane_points(session.run.network, tiny.test.images[wanted])[output][0]
        np.testing.assert_allclose(
            np.sort(view.shown_points(output), axis=0), np.sort(logits, axis=0), rtol=1e-5
        )
        assert len(view.shown_points(output, 1)) == 0  # one plot for the output plane
    finally:
        session.close()
