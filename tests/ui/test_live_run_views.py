"""Changing a going run from the window: the live fields stay editable, "+1 epoch" extends it,
and the curves mark each change."""

from __future__ import annotations

import pytest

from digitlab.core.hyperparams import FORM_OPTIONS
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings
from digitlab.ui.views.curves import CurvesView
from digitlab.ui.views.run_controls import RunView
from digitlab.ui.views.training_form import TrainingFormView
from tests.ui.conftest import show_widget

# Every step shown, and the run waits for the views: 32 steps of batch 16 on the tiny data.
STEPWISE = RunSettings(hidden=(16,), epochs=1, lr=1e-2, batch_size=16, refresh_every=1)


def start(qtbot, session, settings: RunSettings = STEPWISE) -> list:
    updates: list = []
    session.run.updated.connect(updates.append)
    session.run.set_settings(settings)
    assert session.run.start()
    qtbot.waitUntil(lambda: len(updates) >= 1, timeout=30_000)
    return updates


def test_the_live_fields_stay_editable_and_change_the_run(qtbot, session) -> None:
    form = show_widget(qtbot, TrainingFormView(session), (300, 500))
    curves = show_widget(qtbot, CurvesView(session), (500, 200))
    session.run.set_settings(STEPWISE.replaced(optimizer="sgd", momentum=0.5))
    updates = start(qtbot, session, session.run.settings)
    for option in FORM_OPTIONS:
        field = form.fields[option.name]
        assert field.isEnabled() == option.live, option.name
        assert ("next Start" in field.toolTip()) != option.live
    form.lr.setValue(0.05)
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=30_000)
    assert updates[-1].snapshot.live.lr == pytest.approx(0.05)
    qtbot.waitUntil(lambda: len(curves.mark_lines) == 1)
    loss_line, accuracy_line = curves.mark_lines[0]
    (mark,) = session.run.curves.marks()
    assert loss_line.value() == accuracy_line.value() == pytest.approx(mark.epoch)
    assert loss_line.label.toPlainText() == "lr 0.01 → 0.05"
    assert all(f.isEnabled() for f in form.fields.values())  # the run ended: all editable
    curves.refresh()  # redrawn: the mark stays, drawn once
    assert curves.mark_lines == [(loss_line, accuracy_line)]
    session.run.reset()
    qtbot.waitUntil(lambda: curves.mark_lines == [])
    assert loss_line.scene() is None  # removed from the plot


def test_adam_keeps_momentum_off_during_a_run(qtbot, session) -> None:
    form = show_widget(qtbot, TrainingFormView(session), (300, 500))
    start(qtbot, session)
    assert form.lr.isEnabled() and not form.momentum.isEnabled()  # Adam has no momentum
    session.run.stop()
    qtbot.waitUntil(lambda: not session.run.phase.busy, timeout=30_000)


def test_one_more_epoch_from_the_run_view(qtbot, session) -> None:
    view = show_widget(qtbot, RunView(session), (300, 300))
    assert not view.more_button.isEnabled()  # nothing to extend yet
    start(qtbot, session)
    assert view.more_button.isEnabled()
    view.more_button.click()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=30_000)
    assert session.run.epochs_trained == pytest.approx(2.0)
    assert view.progress.format().startswith("epoch 2/2")
    assert view.more_button.isEnabled()  # a finished run: one more epoch trains on
