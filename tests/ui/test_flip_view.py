"""What would flip it: the direction map, the slider's answer, and the nearest training digits."""

from __future__ import annotations

import numpy as np

from digitlab.core.interventions import flip_path, pushed
from digitlab.session import Session
from digitlab.session.neighbours import Neighbours
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.flip import NO_INPUT, FlipView
from tests.conftest import make_tiny_dataset
from tests.ui.conftest import show_widget


def test_the_slider_pushes_the_drawing_toward_the_target(qapp, qtbot) -> None:
    data = make_tiny_dataset()
    session = Session(QtDispatcher(), test_set=lambda: data.test, train_set=lambda: data.train)
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    view = show_widget(qtbot, FlipView(session), (520, 560))
    assert view.pages.message.text() == NO_INPUT
    session.drawing.set_canvas(data.test.images[3])
    qtbot.waitUntil(lambda: view._path is not None)
    view.target.setCurrentIndex(view.target.findData(9))
    qtbot.waitUntil(lambda: view._path.target == 9)
    network, image = session.models.current.network, session.drawing.input.image
    expected = flip_path(network, image, 9)
    np.testing.assert_allclose(view.direction.image, expected.direction)
    view.amount.setValue(60)
    shown = pushed(np.asarray(image, np.float32), expected.direction, 0.6)
    np.testing.assert_allclose(view.pushed_image.image, shown)
    answer = session.models.current.classes[int(network.probabilities(shown[None])[0].argmax())]
    assert f"the net says <b>{answer}</b>" in view.answer.text()
    qtbot.waitUntil(lambda: len(view.near_hidden.shown_indices()) == 8, timeout=20_000)
    found = session.neighbours.get(session.models.current, session.drawing.input)
    assert isinstance(found, Neighbours)
    train = data.train.images.reshape(len(data.train.images), -1).astype(np.float64) / 255
    distances = ((train - np.asarray(image, np.float64).ravel()) ** 2).sum(axis=1)
    assert list(found.pixels) == list(np.argsort(distances, kind="stable")[:8])
    hidden = network.activations(data.train.images)[0]
    mine = network.activations(np.asarray(image)[None])[0][0]
    closest = np.argsort(((hidden - mine) ** 2).sum(axis=1), kind="stable")[:8]
    assert set(found.hidden) == set(closest)
    assert list(view.near_pixels.shown_indices()) == list(found.pixels)
    session.close()
