"""Colour bars read in their real unit: no automatic SI prefix (issue 22, item 6)."""

from __future__ import annotations

import numpy as np

from digitlab.ui.plots import style
from digitlab.ui.views.evidence import EvidenceView
from tests.session.test_models_and_prediction import seven
from tests.ui.conftest import show_widget
from tests.ui.weights_helpers import answer_with, random_network


def test_the_evidence_bar_shows_plain_numbers_in_the_real_unit(qtbot, session) -> None:
    answer_with(session, random_network(784, 10, seed=3))  # small weights: a limit below 1
    view = show_widget(qtbot, EvidenceView(session), (600, 320))
    session.drawing.set_canvas(seven())
    qtbot.waitUntil(lambda: len(view.shown_maps()) == 3)
    low, high = view.bar.levels()
    assert 0 < high < 1 and low == -high
    axis = view.bar.axis
    assert axis.autoSIPrefixScale == 1.0 and axis.labelUnitPrefix == ""
    assert axis.labelString().count("push on the logit") == 1 and "x0.001" not in axis.labelString()
    strings = axis.tickStrings([-high, high], axis.autoSIPrefixScale * axis.scale, high)
    assert all(abs(float(s)) < 1 for s in strings)  # ±0.5, not ±500


def test_every_colour_bar_is_made_without_si_prefixes(qtbot) -> None:
    bar = style.colour_bar(style.diverging_colormap())
    style.set_bar_levels(bar, 0.004, "Δw")
    assert bar.axis.autoSIPrefixScale == 1.0 and "x0.001" not in bar.axis.labelString()
    assert np.isclose(bar.levels()[1], 0.004)
