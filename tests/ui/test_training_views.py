"""The training side: the form edits the session's settings, the run view drives the run, the
curves draw what the session recorded."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from digitlab.core.checkpoint import load_checkpoint
from digitlab.session.run import RunPhase
from digitlab.session.run_settings import RunSettings
from digitlab.ui.views.curves import CurvesView
from digitlab.ui.views.run_controls import RunView, format_duration
from digitlab.ui.views.training_form import TrainingFormView
from tests.ui.conftest import show_widget, train


def shown(qtbot, widget, size=(300, 500)):
    return show_widget(qtbot, widget, size)


def test_the_form_edits_the_sessions_settings(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    assert form.hidden.text() == "100" and form.epochs.value() == 3
    form.hidden.setText("2, 2,2")
    form.classes.setText("0-2")
    form.epochs.setValue(7)
    form.refresh_every.setCurrentIndex(form.refresh_every.findData(1))
    settings = session.run.settings
    assert settings.hidden == (2, 2, 2) and settings.classes == (0, 1, 2)
    assert settings.epochs == 7 and settings.refresh_every == 1
    assert session.run.settings_problem is None


def test_the_form_offers_every_augmentation_recipe(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    offered = [form.augment.itemData(i) for i in range(form.augment.count())]
    assert offered == ["", "light", "robust"] and form.augment.currentText() == "none"
    form.augment.setCurrentIndex(form.augment.findData("robust"))
    assert session.run.settings.augment == "robust"
    assert session.run.settings.config().augment == "robust"  # what the run is given
    session.run.set_settings(RunSettings(augment="light"))
    assert form.augment.currentData() == "light"


def test_colour_pictures_train_without_the_digit_distortions(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    form.augment.setCurrentIndex(form.augment.findData("light"))
    dataset = form.fields["dataset"]
    dataset.setCurrentIndex(dataset.findData("cifar10"))
    assert session.run.settings.dataset == "cifar10" and session.run.settings.augment == ""
    assert not form.augment.isEnabled() and session.run.settings_problem is None
    dataset.setCurrentIndex(dataset.findData("mnist"))
    assert form.augment.isEnabled()


def test_the_form_has_a_row_per_window_option_with_its_bounds(qtbot, session) -> None:
    """The rows are the table's: the same choices, bounds and defaults as the command line."""
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from digitlab.core.hyperparams import FORM_OPTIONS, GROUPS

    form = shown(qtbot, TrainingFormView(session))
    assert [box.title() for box in form.groups] == list(GROUPS)
    assert "Run" not in GROUPS  # the Run view sits below the form: a box of that name misleads
    assert set(form.fields) == {o.name for o in FORM_OPTIONS} and "pace" not in form.fields
    defaults = RunSettings()
    for option in FORM_OPTIONS:
        field = form.fields[option.name]
        if isinstance(field, QLineEdit):
            assert option.parse_for_window(field.text()) == getattr(defaults, option.name)
        elif isinstance(field, QComboBox):
            offered = tuple(field.itemData(i) for i in range(field.count()))
            assert offered == (option.choices or tuple(option.labels)), option.name
            assert field.currentData() == getattr(defaults, option.name)
        else:
            assert (field.minimum(), field.maximum()) == pytest.approx(option.bounds), option.name
            assert field.value() == pytest.approx(getattr(defaults, option.name)), option.name


def test_stored_refresh_rates_the_list_lacks_are_shown(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    session.run.set_settings(RunSettings(refresh_every=25))
    assert form.refresh_every.currentText() == "every 25 steps"
    assert session.run.settings.refresh_every == 25


def test_an_invalid_field_blocks_start_and_says_why(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    run = shown(qtbot, RunView(session), (300, 280))
    form.classes.setText("3,12")
    assert "Classes" in form.problem.text() and form.problem.isVisible()
    assert session.run.settings_problem is not None and not run.start_button.isEnabled()
    form.classes.setText("3,8")
    assert not form.problem.isVisible() and run.start_button.isEnabled()


def test_switching_the_optimizer_switches_its_usual_rate(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    form.optimizer.setCurrentText("sgd")
    assert session.run.settings.lr == pytest.approx(0.1) and form.momentum.isEnabled()
    form.lr.setValue(0.03)  # the user's own rate survives a switch
    form.optimizer.setCurrentText("adam")
    assert session.run.settings.lr == pytest.approx(0.03)


def test_settings_set_elsewhere_show_in_the_form(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    session.run.set_settings(RunSettings(hidden=(), optimizer="sgd", lr=0.05, seed=9))
    assert form.hidden.text() == "" and form.optimizer.currentText() == "sgd"
    assert form.lr.value() == pytest.approx(0.05) and form.seed.value() == 9


def test_a_run_from_the_buttons_to_the_end(qtbot, session, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(
        "digitlab.ui.views.run_controls.confirm_reset",
        lambda parent, epochs: asked.append(epochs) or True,
    )
    session.run.set_settings(RunSettings(hidden=(16,), epochs=2, lr=1e-2, batch_size=32))
    form = shown(qtbot, TrainingFormView(session))
    view = shown(qtbot, RunView(session), (300, 280))
    curves = shown(qtbot, CurvesView(session), (500, 200))
    assert view.start_button.text() == "Start" and not view.save_button.isEnabled()
    view.start_button.click()
    assert not form.hidden.isEnabled()  # no new net while it runs
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=30_000)
    assert view.message.text().startswith("Finished: test accuracy")
    assert view.progress.value() == 1000 and view.values["Test accuracy"].text().endswith("%")
    assert view.start_button.text() == "Continue" and view.save_button.isEnabled()
    assert form.hidden.isEnabled()
    qtbot.waitUntil(lambda: not curves.stale and curves.loss.getData()[0] is not None)
    x, loss = curves.loss.getData()
    expected_x, expected_loss = session.run.curves.loss()
    np.testing.assert_allclose(x, expected_x)
    np.testing.assert_allclose(loss, expected_loss)
    assert len(curves.test_accuracy.getData()[0]) == 2
    view.reset_button.click()
    assert asked == [pytest.approx(2.0)]  # Reset asked before forgetting two trained epochs
    qtbot.waitUntil(lambda: curves.loss.getData()[0] is None or len(curves.loss.getData()[0]) == 0)
    assert view.start_button.text() == "Start" and view.progress.format() == "not started"


def test_pause_and_stop_from_the_buttons(qtbot, session) -> None:
    session.run.set_settings(RunSettings(hidden=(16,), epochs=500, lr=1e-2))
    view = shown(qtbot, RunView(session), (300, 280))
    view.start_button.click()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.RUNNING, timeout=60_000)
    view.pause_button.click()
    assert session.run.phase is RunPhase.PAUSED and view.pause_button.text() == "Resume"
    assert view.message.text() == "Paused"
    assert view.start_button.text() == "Start" and not view.start_button.isEnabled()  # first run
    view.pause_button.click()
    assert view.pause_button.text() == "Pause"
    view.stop_button.click()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=60_000)
    assert view.message.text().startswith("Stopped after")
    assert view.start_button.text() == "Continue"
    assert view.start_button.toolTip().startswith("Train on to the 500 epochs set")


def test_continue_after_stop_shows_the_progress_towards_the_epochs_set(qtbot, session) -> None:
    session.run.set_settings(RunSettings(hidden=(16,), epochs=2, lr=1e-2, refresh_every=1))
    view = shown(qtbot, RunView(session), (300, 280))
    view.start_button.click()
    qtbot.waitUntil(lambda: session.run.epochs_trained > 0.3, timeout=60_000)
    view.stop_button.click()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=60_000)
    view.start_button.click()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=20_000)
    assert view.progress.format() == "epoch 2/2 · 1,024 / 1,024" and view.progress.value() == 1000
    assert view.message.text().endswith("after 2 epochs")
    assert view.start_button.toolTip().startswith("Train the current weights 2 more epochs")


def test_save_writes_the_trained_model(qtbot, session, tmp_path, monkeypatch) -> None:
    view = shown(qtbot, RunView(session), (300, 280))
    train(session, qtbot)
    target = tmp_path / "trained.safetensors"
    monkeypatch.setattr("digitlab.ui.dialogs.ask_save_path", lambda *a: str(target))
    with qtbot.waitSignal(session.run.saved, timeout=5000):
        view.save_button.click()
    np.testing.assert_array_equal(
        load_checkpoint(target).network.weights[0], session.run.network.weights[0]
    )


def test_pointing_at_the_training_views_warms_the_trainer(qtbot, session, monkeypatch) -> None:
    prepared = []
    monkeypatch.setattr(session.run, "prepare", lambda: prepared.append(1))
    form = shown(qtbot, TrainingFormView(session))
    QApplication.sendEvent(form, QEvent(QEvent.Type.Enter))
    run = shown(qtbot, RunView(session), (300, 280))
    QApplication.sendEvent(run, QEvent(QEvent.Type.Enter))
    assert len(prepared) == 2


@pytest.mark.parametrize(
    ("seconds", "text"), [(7, "0:07"), (750, "12:30"), (3723, "1:02:03"), (float("inf"), "–")]
)
def test_format_duration(seconds, text) -> None:
    assert format_duration(seconds) == text


def test_reset_asks_first_and_cancel_keeps_the_model(qtbot, session, monkeypatch) -> None:
    view = shown(qtbot, RunView(session), (300, 280))
    train(session, qtbot)
    monkeypatch.setattr("digitlab.ui.views.run_controls.confirm_reset", lambda *a: False)
    view.reset_button.click()
    assert session.run.network is not None and session.run.epochs_trained == pytest.approx(1)


def test_the_buttons_never_keep_the_focus(qtbot, session) -> None:
    """Else a button that disables itself passes the focus on, and Space presses the next."""
    view = shown(qtbot, RunView(session), (300, 280))
    for button in (view.start_button, view.pause_button, view.stop_button, view.reset_button):
        assert button.focusPolicy() == Qt.FocusPolicy.TabFocus


def test_a_run_paused_while_starting_still_says_paused(qtbot, session) -> None:
    from digitlab.core.protocol import Stage

    view = shown(qtbot, RunView(session), (300, 280))
    session.run.set_settings(RunSettings(hidden=(8,), epochs=50))
    session.run.start()
    session.run.pause()
    session.run.stage_changed.emit(Stage.TRAINING)  # a stage arriving while paused
    assert view.message.text() == "Paused"
    session.run.stop()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=60_000)


def _wheel(widget, notches: int = -1) -> None:
    """A mouse-wheel turn over `widget`'s centre, as the window system delivers it."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_settings_and_changes_only_a_focused_field(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session), (300, 260))  # short: the pane scrolls
    bar = form.findChild(QScrollArea).verticalScrollBar()
    assert bar.maximum() > 0
    lr, epochs = form.lr.value(), form.epochs.value()
    _wheel(form.lr)
    _wheel(form.epochs)
    assert form.lr.value() == lr and form.epochs.value() == epochs  # no field under the pointer
    assert bar.value() > 0  # the pane scrolled instead
    form.epochs.setFocus()
    qtbot.waitUntil(form.epochs.hasFocus, timeout=5000)
    _wheel(form.epochs, notches=1)
    assert form.epochs.value() == epochs + 1  # a focused field takes the wheel


def test_the_pace_list_sets_the_sessions_pace_and_follows_it(qtbot, session) -> None:
    view = shown(qtbot, RunView(session), (280, 300))
    offered = [view.pace.itemData(i) for i in range(view.pace.count())]
    assert offered == [0.0, 100.0, 30.0, 10.0, 3.0, 1.0, 0.5]
    assert view.pace.currentText() == "full speed" and session.run.pace == 0.0
    view.pace.setCurrentIndex(view.pace.findData(3.0))
    assert session.run.pace == 3.0 and session.run.settings.pace == 3.0
    session.run.set_pace(0.5)  # a lesson, or restored settings
    assert view.pace.currentText() == "0.5 steps/s (slow motion)"
    session.run.set_pace(2)  # a pace the list lacks is shown as it is, in its place
    assert view.pace.currentText() == "2 steps/s" and session.run.pace == 2.0
    listed = [view.pace.itemData(i) for i in range(view.pace.count())]
    assert listed == [0.0, 100.0, 30.0, 10.0, 3.0, 2.0, 1.0, 0.5]
    _wheel(view.pace)  # not focused: a wheel passing over it changes nothing
    assert session.run.pace == 2.0


def test_the_pace_changes_a_going_run_and_survives_form_edits(qtbot, session) -> None:
    form = shown(qtbot, TrainingFormView(session))
    view = shown(qtbot, RunView(session), (280, 300))
    form.batch_size.setValue(16)
    form.epochs.setValue(1)
    view.pace.setCurrentIndex(view.pace.findData(1.0))
    form.seed.setValue(4)  # a form edit keeps the pace it does not show
    assert session.run.pace == 1.0 and session.run.settings.seed == 4
    updates = []
    session.run.updated.connect(updates.append)
    view.start_button.click()
    qtbot.waitUntil(lambda: len(updates) >= 1, timeout=30_000)
    assert view.pace.isEnabled() and not form.seed.isEnabled()
    view.pace.setCurrentIndex(view.pace.findData(0.0))  # 32 steps: half a minute at 1/s
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=5_000)
    assert session.run.epochs_trained == pytest.approx(1.0)
