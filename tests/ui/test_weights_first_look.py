"""The Weights view's first look: the hidden units the answer listens to most, titled and
explained, until the user asks for all of them; and a hidden view that catches up."""

from __future__ import annotations

import numpy as np

from digitlab.session.selection import UnitRef
from digitlab.ui.plots.style import Scale
from digitlab.ui.plots.tile_choice import TOP_UNITS
from digitlab.ui.views.weights import WeightsView
from tests.ui.weights_helpers import click, settle, tile_of


def test_the_first_look_is_the_units_the_answer_listens_to_titled_and_explained(
    loaded_session, make_weights_view, qtbot
):
    view = make_weights_view(loaded_session, units=None)  # a new user's view: nothing stored
    weights = loaded_session.models.current.network.weights
    panel = view.panels["weights0"]
    assert view.show_combo.choice() == "top" and view.show_combo.isEnabled()
    say = np.linalg.norm(weights[1], axis=0)
    expected = np.sort(np.argsort(-say)[:TOP_UNITS])
    np.testing.assert_array_equal(panel.shown, expected)
    assert say[expected].min() >= np.sort(say)[-TOP_UNITS]  # no unit left out has more say
    assert panel.title_texts() == [str(u) for u in expected]
    assert panel.tile_px(panel.columns, panel.title_rows, *panel.room()) >= 36  # large, titled
    view.set_scale(Scale.MAXIMUM)
    view.refresh()
    unit = int(expected[5])
    np.testing.assert_array_equal(tile_of(panel, unit), weights[0][unit].reshape(28, 28))
    caption = view.caption.text()
    assert f"{TOP_UNITS} of 256 hidden units" in caption and "red" in caption
    assert "blue" in caption and view.caption.isVisible()
    assert view.describe(panel.centre(unit)).startswith(f"unit {unit} ← pixel")
    click(qtbot, view, panel.centre(unit))  # a click selects the real unit, not the tile's slot
    assert loaded_session.selection.unit == UnitRef(0, unit)
    settle(qtbot, view)
    assert panel.highlight.isVisible()
    hidden = int(np.argmin(say))  # a unit not on show: its detail opens, no tile is outlined
    loaded_session.selection.select_unit(UnitRef(0, hidden))
    settle(qtbot, view)
    assert view.detail.isVisible() and not panel.highlight.isVisible()


def test_the_users_choice_of_all_units_is_kept(loaded_session, make_weights_view, qtbot):
    view = make_weights_view(loaded_session, units=None)
    view.apply_view_settings({"units": "all"})
    settle(qtbot, view)
    panel = view.panels["weights0"]
    np.testing.assert_array_equal(panel.shown, np.arange(256))
    assert view.caption.text().startswith("All 256 hidden units.")
    assert view.view_settings()["units"] == "all"
    view.apply_view_settings({"units": "bogus"})  # untrusted values change nothing
    assert view.show_combo.choice() == "all"


def test_a_hidden_view_draws_a_new_model_a_moment_after_it_came(session, qtbot) -> None:
    """So the first switch to a workspace that shows the weights only has to paint them."""
    view = WeightsView(session)  # never shown: another workspace is in front
    qtbot.addWidget(view)
    session.models.select("linear")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    assert view.stale and not view.panels
    qtbot.waitUntil(lambda: not view.stale, timeout=3000)
    assert view.panels["weights0"].plan.title == "Class templates"
