"""Activation patching in the window: A kept, B drawn, a layer or the selected unit copied."""

from __future__ import annotations

import numpy as np

from digitlab.core.interventions import patched_probabilities
from digitlab.session import Session
from digitlab.session.selection import UnitRef
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.patching import HINT, SELECTED_UNIT, PatchingView
from tests.conftest import make_tiny_dataset
from tests.ui.conftest import show_widget


def test_a_patched_layer_makes_b_read_as_a(qapp, qtbot) -> None:
    test = make_tiny_dataset().test
    session = Session(QtDispatcher(), test_set=lambda: test)
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    view = show_widget(qtbot, PatchingView(session), (560, 340))
    said = []
    session.notices.posted.connect(lambda notice: said.append(notice.text))
    view.keep_button.click()  # nothing drawn: nothing kept
    assert view.kept is None and "Draw a digit first" in said[-1]
    session.drawing.set_canvas(test.images[4])
    view.keep_button.click()
    a = view.kept.copy()
    session.drawing.set_canvas(test.images[9])
    qtbot.waitUntil(lambda: "B with hidden layer 1 from A" in view.summary.text())
    network = session.models.current.network
    b = np.asarray(session.drawing.input.image, np.float32)
    np.testing.assert_allclose(view.bars["B patched"].opts["height"],
                               network.probabilities(a[None])[0], rtol=1e-5)  # fmt: skip
    np.testing.assert_allclose(view.bars["B"].opts["height"], network.probabilities(b[None])[0])
    view.what.setCurrentIndex(view.what.findData(SELECTED_UNIT))
    qtbot.waitUntil(lambda: "Select a unit" in view.summary.text())
    session.selection.select_unit(UnitRef(0, 17))
    qtbot.waitUntil(lambda: "unit 17 of hidden layer 1" in view.summary.text())
    np.testing.assert_allclose(view.bars["B patched"].opts["height"],
                               patched_probabilities(network, a, b, 0, [17]))  # fmt: skip
    session.close()


def test_the_hint_before_a_is_kept(qapp, qtbot) -> None:
    session = Session(QtDispatcher(), test_set=lambda: make_tiny_dataset().test)
    view = show_widget(qtbot, PatchingView(session), (560, 340))
    assert view.summary.text() == HINT
    session.close()
