"""The Weights view after a switch or a Stop (issue 22): the hover line and the change panels."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.protocol import SnapshotStatus
from digitlab.ui.views.weights import HELD_TITLE, HOVER_HINT, NO_CHANGE
from tests.ui.conftest import train
from tests.ui.weights_helpers import answer_with, random_network, settle


def test_hover_line_returns_to_its_hint_when_the_model_changes(session, make_weights_view, qtbot):
    answer_with(session, random_network(784, 16, 10, seed=1))
    view = make_weights_view(session)
    view._on_mouse_moved(view.panels["weights0"].centre(1))  # as the canvas reports a hover
    assert view.hover.text().startswith("unit 1 ← pixel")
    answer_with(session, random_network(784, 10, seed=2))  # another model answers
    settle(qtbot, view)
    assert view.hover.text() == HOVER_HINT and not view.hover.isEnabled()


def stopped_without_a_step(session) -> None:
    """The last snapshot of a Stop that came before any new step: every change is zero."""
    snapshot = session.run.latest.snapshot
    snapshot.deltas = [np.zeros_like(d) for d in snapshot.deltas]
    snapshot.status = SnapshotStatus.CANCELLED


@pytest.fixture
def trained_view(session, make_weights_view, qtbot):
    train(session, qtbot)
    return make_weights_view(session)


def test_stop_keeps_the_last_change_on_its_scale(session, trained_view):
    view = trained_view
    panel = view.panels["deltas0"]
    shown, limit, label = panel.values.copy(), panel.limit, panel.label
    assert np.abs(shown).max() > 0 and limit < 1.0
    stopped_without_a_step(session)
    view.refresh()
    assert panel.limit == limit and panel.label == label  # not blank on ±1
    np.testing.assert_array_equal(panel.values, shown)
    assert panel.header.title == HELD_TITLE
    assert view.describe(panel.centre(3)).startswith("unit 3 ← pixel (14, 14): Δw = ")
    view.refresh()  # a second refresh of the same snapshot holds it too
    assert panel.limit == limit and panel.header.title == HELD_TITLE


def test_a_change_of_zero_says_so_on_the_last_scale(session, trained_view):
    view = trained_view
    panel = view.panels["deltas1"]
    limit = panel.limit
    snapshot = session.run.latest.snapshot
    snapshot.deltas = [np.zeros_like(d) for d in snapshot.deltas]
    view.refresh()  # a running snapshot with no change: nothing to hold, and it says so
    assert panel.label == NO_CHANGE and panel.limit == limit
    assert panel.header.title == "Change since last refresh"
