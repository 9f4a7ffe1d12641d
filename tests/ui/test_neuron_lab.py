"""The neuron lab in the window: act on the selected unit, see the edits and what they cost;
the activation view's bars select units for it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from digitlab.core.training import LocalTrainer
from digitlab.session import Session
from digitlab.session.edits import EDITED_KEY
from digitlab.session.models import RUN_KEY
from digitlab.session.selection import UnitRef
from digitlab.ui.dispatch import QtDispatcher
from digitlab.ui.unit_menu import is_hidden
from digitlab.ui.views.activations import ActivationsView
from digitlab.ui.views.neuron_lab import NO_EDITS, NO_UNIT, NeuronLabView
from tests.conftest import make_tiny_dataset
from tests.session.conftest import tiny_cache
from tests.ui.conftest import show_widget, train


@pytest.fixture
def lab_session(qapp, qtbot):
    """The shipped 2-layer model answering, a 3 drawn, the tiny test split for the effect."""
    test = make_tiny_dataset().test
    session = Session(QtDispatcher(), test_set=lambda: test)
    session.start("mlp")
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=60_000)
    session.drawing.set_canvas(test.images[3])
    yield session
    session.close()


def test_switch_off_clamp_restore_and_the_cost(lab_session, qtbot) -> None:
    session = lab_session
    view = show_widget(qtbot, NeuronLabView(session), (440, 480))
    assert view.unit_label.text() == NO_UNIT and not view.off_button.isEnabled()
    assert view.effect_label.text() == NO_EDITS
    original = session.models.current
    session.selection.select_unit(UnitRef(0, 7))
    qtbot.waitUntil(lambda: view.off_button.isEnabled())
    view.off_button.click()
    assert session.models.current.key == EDITED_KEY
    qtbot.waitUntil(lambda: "switched off" in view.unit_label.text())
    view.value.setValue(3.5)
    session.selection.select_unit(UnitRef(0, 9))
    qtbot.waitUntil(lambda: "as trained" in view.unit_label.text())
    view.clamp_button.click()
    qtbot.waitUntil(lambda: view.edits_list.count() == 2)
    assert view.edits_list.item(1).text() == "layer 1 unit 9 clamped to 3.5"
    qtbot.waitUntil(lambda: "Test accuracy" in view.effect_label.text(), timeout=20_000)
    effect = session.edit_effect.get(session.models.current, session.edits.original)
    np.testing.assert_allclose(view.bars.opts["height"], 100 * effect.change)
    view.restore_button.click()  # unit 9 is selected: its clamp goes
    qtbot.waitUntil(lambda: view.edits_list.count() == 1)
    view.undo_button.click()
    qtbot.waitUntil(lambda: view.edits_list.count() == 0)
    assert session.models.current.ref == original.ref
    assert view.effect_label.text() == NO_EDITS and not view.undo_button.isEnabled()


def test_only_hidden_units_take_edits(lab_session) -> None:
    assert is_hidden(lab_session, UnitRef(0, 255))
    assert not is_hidden(lab_session, UnitRef(0, 256))
    assert not is_hidden(lab_session, UnitRef(1, 3))  # an output unit


def test_a_bar_of_the_activations_names_its_unit(lab_session, qtbot) -> None:
    view = show_widget(qtbot, ActivationsView(lab_session), (500, 300))
    qtbot.waitUntil(lambda: len(view._plots) == 1)
    box = view._plots[0].getViewBox()
    point = box.mapViewToScene(QPointF(42.0, 0.0))
    assert view.unit_at(point) == UnitRef(0, 42)
    assert view.unit_at(QPointF(-500.0, -500.0)) is None


def test_switching_off_the_units_that_matter_for_a_digit(qapp, qtbot) -> None:
    test = make_tiny_dataset().test
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(tiny_cache()),
                      test_set=lambda: test)  # fmt: skip
    train(session, qtbot, hidden=(4,), epochs=3)  # few units: each one matters
    session.models.select(RUN_KEY)
    view = show_widget(qtbot, NeuronLabView(session), (440, 620))
    panel = view.ablation
    qtbot.waitUntil(lambda: panel.layer.count() == 1 and panel.digit.currentData() == 7)
    panel.rank_button.click()
    qtbot.waitUntil(lambda: panel.table() is not None, timeout=20_000)
    table = panel.table()
    digit = max(range(10), key=lambda d: table.per_class_drop[:, d].max())  # the most fragile
    ranked = table.matters_for(digit, 3)
    assert ranked and ranked[0][1] == table.per_class_drop[:, digit].max() > 0
    panel.digit.setCurrentIndex(panel.digit.findData(digit))
    assert panel.result.item(0).text().startswith(f"unit {ranked[0][0]}:")
    panel.count.setValue(3)
    panel.off_button.click()
    assert [(e.layer, e.unit) for e in session.edits.edits] == [(0, u) for u, _ in ranked]
    assert session.models.current.key == EDITED_KEY
    qtbot.waitUntil(lambda: panel.result.count() > 0)  # the original's ranking stays on show
    assert panel.table() is table
    session.close()


def test_a_wheel_passing_over_the_clamp_value_scrolls_the_lab_and_changes_nothing(
    qtbot, session
) -> None:
    """Every scrolling view's fields take the wheel only when focused: scrolling the lab turned
    the Clamp value under the pointer 5.00 → 6.50."""
    from tests.ui.test_training_views import _wheel

    view = show_widget(qtbot, NeuronLabView(session), (320, 200))  # short: the view scrolls
    view.value.setEnabled(True)  # as once a unit is chosen
    before = view.value.value()
    _wheel(view.value, notches=3)
    assert view.value.value() == before
    view.value.setFocus()
    qtbot.waitUntil(view.value.hasFocus, timeout=5000)
    _wheel(view.value, notches=1)
    assert view.value.value() == before + view.value.singleStep()
