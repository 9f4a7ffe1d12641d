"""The robustness view sweeps with Normalise pen on, off, or both (each model twice)."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.session import Session
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.views.robustness import RobustnessView
from tests.conftest import make_tiny_dataset


@pytest.fixture
def tiny_session(qapp):
    session = Session(QtDispatcher(), test_set=lambda: make_tiny_dataset().test)
    yield session
    session.close()


def test_the_pen_setting_reaches_the_sweep_and_is_remembered(tiny_session, qtbot) -> None:
    view = RobustnessView(tiny_session)
    qtbot.addWidget(view)
    assert view.pen.currentText() == "pen normalised on"  # as the window reads a drawing
    view.choose(["linear"])
    view.preprocessing.setCurrentText("preprocessing on")
    view.pen.setCurrentText("pen normalised on and off")
    with qtbot.waitSignal(tiny_session.robustness.finished, timeout=60_000) as finished:
        view.run_or_cancel()
    result = finished.args[0]
    assert result.models == ["Shipped 1-layer", "Shipped 1-layer pen off"]
    pens = [i for i, c in enumerate(result.conditions) if c.kind == "pen" and c.value != 0]
    # the same network, with and without the step: the pens' answers differ, the clean ones not
    assert not np.array_equal(result.accuracy[0, 0, pens], result.accuracy[1, 0, pens])
    clean = [i for i, c in enumerate(result.conditions) if c.kind == "rotation" and c.is_clean]
    assert np.array_equal(result.accuracy[0, 0, clean], result.accuracy[1, 0, clean])
    settings = view.view_settings()
    assert settings["normalise_pen"] == "on and off"
    fresh = RobustnessView(tiny_session)
    qtbot.addWidget(fresh)
    fresh.apply_view_settings(settings)
    assert fresh.pen.currentText() == "pen normalised on and off"
