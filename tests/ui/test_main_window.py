"""The window: one dock per registered view, fits small and large screens, remembers the user's
arrangement and settings (and survives bad ones), and keeps Space for focused controls."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image
from PySide6.QtCore import QMargins, QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QMenu

from digitlab.session.run import RunPhase
from digitlab.ui import dialogs
from digitlab.ui.main_window import SHORTCUTS, MainWindow
from digitlab.ui.view import View
from digitlab.ui.views import VIEWS
from digitlab.ui.views.weights import Scale
from digitlab.ui.workspaces import WORKSPACES
from tests.ui.conftest import open_main_window, settings_file

ini = settings_file
open_window = open_main_window


def visible_docks(window: MainWindow):
    return [d for d in window.docks.values() if d.isVisible() and not d.visibleRegion().isEmpty()]


def test_every_registered_view_gets_a_dock_and_a_menu_entry(qtbot, session, tmp_path) -> None:
    window = open_window(qtbot, session, ini(tmp_path))
    assert list(window.docks) == [spec.id for spec in VIEWS]
    for spec in VIEWS:
        view = window.view(spec.id)
        assert isinstance(view, View) and view.view_id == spec.id
        assert window.docks[spec.id].objectName() == spec.id
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    titles = [a.text() for a in menu.actions() if a.text()]
    assert [spec.title for spec in VIEWS] == titles[: len(VIEWS)]


def test_the_arrangement_and_settings_come_back(qtbot, session, tmp_path) -> None:
    settings = ini(tmp_path)
    window = open_window(qtbot, session, settings)
    window.docks["prediction"].close()
    window.tabifyDockWidget(window.docks["model"], window.docks["preview"])
    window.view("pad").pen_spin.setValue(30)
    window.view("training").hidden.setText("32,16")
    window.view("preview").fit_box.setChecked(False)
    window.view("weights").set_scale(Scale.EACH_UNIT)
    before = window.docks["evidence"].height()
    window.resizeDocks([window.docks["evidence"]], [before - 80], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: window.docks["evidence"].height() < before - 10)  # a splitter moved
    geometry, evidence = window.docks["pad"].geometry(), window.docks["evidence"].geometry()
    window.close()

    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher

    again = Session(QtDispatcher())
    try:
        second = open_window(qtbot, again, ini(tmp_path))
        assert not second.docks["prediction"].isVisible()
        assert second.docks["evidence"].geometry() == evidence
        assert second.docks["preview"] in second.tabifiedDockWidgets(second.docks["model"])
        assert second.docks["pad"].geometry() == geometry
        assert second.view("pad").pen_spin.value() == 30
        assert again.run.settings.hidden == (32, 16)
        assert again.drawing.options.fit is False
        assert second.view("weights").scale() is Scale.EACH_UNIT
    finally:
        again.close()


def test_bad_stored_settings_never_stop_the_window(qtbot, session, tmp_path) -> None:
    settings = ini(tmp_path)
    settings.setValue("version", 2)
    settings.setValue("window/geometry", "not base64 at all")
    settings.setValue("window/workspace", "draw")
    settings.setValue("workspaces/draw", "AAAA")
    settings.setValue("views/pad", '{"pen_width": 1e999, "dark_on_light": "yes"}')
    settings.setValue("views/preview", "[1, 2")
    settings.setValue("session/run", '{"epochs": 3000000000, "lr": "inf", "hidden": [1]}')
    settings.sync()
    window = open_window(qtbot, session, ini(tmp_path))
    assert window.view("pad").pen_spin.value() == 48
    assert session.run.settings.epochs == 1000 and session.run.settings.hidden == (100,)
    from digitlab.ui.workspaces import workspace

    fronts = [c.views[0] for column in workspace("draw").columns for c in column.cells]
    assert sorted(d.objectName() for d in visible_docks(window)) == sorted(fronts)


def test_settings_of_digitlab_0_1_are_migrated(qtbot, session, tmp_path) -> None:
    settings = ini(tmp_path)
    settings.setValue("version", 1)
    settings.setValue("drawing", '{"pen_width": 25, "fit": false, "source": "linear"}')
    settings.setValue("training", '{"layers": 2, "hidden": 16, "epochs": 8, "refresh": "10"}')
    settings.sync()
    window = open_window(qtbot, session, ini(tmp_path))
    assert window.view("pad").pen_spin.value() == 25
    assert session.drawing.options.fit is False and window.remembered_model() == "linear"
    assert session.run.settings.hidden == (16,) and session.run.settings.refresh_every == 10
    assert window.settings.value("version") in (2, "2")


def test_a_model_file_that_is_gone_falls_back_to_the_shipped_one(qtbot, session, tmp_path):
    settings = ini(tmp_path)
    settings.setValue("session/model", str(tmp_path / "deleted.safetensors"))
    settings.sync()
    window = open_window(qtbot, session, ini(tmp_path))
    messages = []
    session.notices.posted.connect(lambda notice: messages.append(notice.text))
    session.start(window.remembered_model())
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=5000)
    assert session.models.current.key == "robust"  # the default
    assert any("deleted.safetensors" in text for text in messages)
    assert "deleted.safetensors" in window.statusBar().currentMessage()


def test_space_belongs_to_a_focused_control_and_starts_training_otherwise(qtbot, session, tmp_path):
    window = open_window(qtbot, session, ini(tmp_path))
    fit = window.view("preview").fit_box
    fit.setFocus()
    qtbot.waitUntil(fit.hasFocus)
    qtbot.keyClick(fit, Qt.Key.Key_Space)
    assert not fit.isChecked() and session.run.phase is RunPhase.IDLE
    canvas = window.view("pad").canvas
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus)
    session.run.set_settings(session.run.settings.replaced(hidden=(8,), epochs=1))
    qtbot.keyClick(canvas, Qt.Key.Key_Space)
    assert session.run.phase.busy
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=30_000)
    assert isinstance(fit, QCheckBox)


def test_a_failed_model_file_shows_one_line_in_a_dialog(qtbot, session, tmp_path) -> None:
    window = open_window(qtbot, session, ini(tmp_path))
    bad = tmp_path / "notes.safetensors"
    bad.write_text("shopping list")
    session.models.open_file(bad)
    qtbot.waitUntil(lambda: getattr(window, "last_error_box", None) is not None, timeout=5000)
    text = window.last_error_box.text()
    assert "is not a digitlab model" in text and "\n" not in text
    assert "weights_only" not in text
    window.last_error_box.close()


def test_a_view_shows_alone_with_demo_data(qtbot) -> None:
    """`python -m digitlab.ui.views.X` works: the demo session answers the drawn 7."""
    from digitlab.ui.view import demo_session
    from digitlab.ui.views.prediction import PredictionView

    session = demo_session()
    try:
        view = PredictionView(session)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: session.prediction.top == 7, timeout=5000)
        qtbot.waitUntil(lambda: view.bars.title_text().startswith("<b>7</b>"), timeout=2000)
    finally:
        session.close()


def test_space_after_clicking_stop_continues_and_never_resets(qtbot, session, tmp_path) -> None:
    window = open_window(qtbot, session, ini(tmp_path))
    run_view = window.view("run")
    session.run.set_settings(session.run.settings.replaced(hidden=(8,), epochs=500))
    qtbot.mouseClick(run_view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.RUNNING, timeout=20_000)
    qtbot.mouseClick(run_view.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=20_000)
    trained = session.run.epochs_trained
    assert trained > 0
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Space)
    assert session.run.phase.busy and session.run.network is not None  # continued, not reset
    updates = []
    session.run.updated.connect(updates.append)
    qtbot.waitUntil(lambda: len(updates) > 0, timeout=20_000)
    session.run.stop()
    qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=20_000)
    assert session.run.epochs_trained > trained


def test_the_live_run_of_0_1_is_not_taken_for_a_model_file(qtbot, session, tmp_path) -> None:
    settings = ini(tmp_path)
    settings.setValue("version", 1)
    settings.setValue("drawing", '{"source": "training"}')
    settings.sync()
    window = open_window(qtbot, session, ini(tmp_path))
    assert window.remembered_model() == "robust"  # the default


def test_settings_of_a_newer_digitlab_are_not_read(qtbot, session, tmp_path) -> None:
    settings = ini(tmp_path)
    settings.setValue("version", 99)
    settings.setValue("session/run", '{"epochs": 42}')
    settings.sync()
    open_window(qtbot, session, ini(tmp_path))
    assert session.run.settings.epochs == 3


def test_a_failed_run_says_why_in_full(qtbot, tmp_path) -> None:
    from digitlab.core.data import DatasetCache, load_dataset
    from digitlab.core.training import LocalTrainer
    from digitlab.session import Session
    from digitlab.ui.dispatch import QtDispatcher

    empty = tmp_path / "no-data"
    cache = DatasetCache(lambda name, root=None, classes=None, **_: load_dataset(
        name, root=empty, classes=classes, download_missing=False))  # fmt: skip
    session = Session(QtDispatcher(), trainer_factory=lambda: LocalTrainer(cache))
    try:
        window = open_window(qtbot, session, ini(tmp_path))
        session.run.start()
        qtbot.waitUntil(lambda: session.run.phase is RunPhase.FINISHED, timeout=60_000)
        text = window.last_error_box.text()
        assert text.startswith("Training failed: MNIST is missing: put train-images-idx3-ubyte")
        assert str(empty / "MNIST" / "raw") in text
        window.last_error_box.close()
    finally:
        session.close()


def test_a_view_in_a_tab_behind_another_waits_until_its_tab_is_raised(
    qtbot, session, tmp_path
) -> None:
    window = open_window(qtbot, session, ini(tmp_path))
    behind = [
        view
        for view_id, view in window.views.items()
        if isinstance(view, View)
        and window.tabifiedDockWidgets(window.docks[view_id])
        and window.docks[view_id].visibleRegion().isEmpty()
    ]
    assert behind, "the default arrangement has tabs"
    view = behind[0]
    assert view.isVisible() and not view.on_screen()  # Qt calls a tab behind another visible
    refreshes = []
    view.refresh = lambda: refreshes.append(1)
    view.schedule_refresh()
    qtbot.wait(50)
    assert view.stale and refreshes == []
    window.docks[view.view_id].raise_()
    qtbot.waitUntil(lambda: refreshes == [1])
    assert view.on_screen() and not view.stale


def test_a_view_behind_a_tab_refreshes_when_its_dock_is_floated(qtbot, session, tmp_path) -> None:
    window = open_window(qtbot, session, ini(tmp_path))
    view_id, view = next(
        (view_id, view)
        for view_id, view in window.views.items()
        if isinstance(view, View) and window.docks[view_id].visibleRegion().isEmpty()
        and window.tabifiedDockWidgets(window.docks[view_id])
    )  # fmt: skip
    refreshes = []
    view.refresh = lambda: refreshes.append(1)
    view.schedule_refresh()
    qtbot.wait(50)
    assert view.stale and refreshes == []
    window.docks[view_id].setFloating(True)
    qtbot.waitUntil(lambda: refreshes == [1])
    assert view.on_screen() and not view.stale


def test_at_first_start_the_frame_fits_the_screen_and_uses_it(qtbot, session, tmp_path) -> None:
    """A window manager's title bar is added outside the window: the first size leaves room for
    one, and once the frame is known the window is fitted to the screen's free area (on
    1366×768 the status bar sat below the screen's edge)."""
    window = MainWindow(session, ini(tmp_path))  # no stored geometry: a first start
    qtbot.addWidget(window)
    free = window.screen().availableGeometry()
    assert window.height() <= free.height() - 48 or window.height() == 860
    # A title bar and borders, as a window manager adds them: pos() is the frame's corner.
    window.frameGeometry = lambda: QRect(window.pos(), window.size().grownBy(QMargins(4, 30, 4, 4)))
    window._fit_frame_into_screen()
    assert window.height() == min(860, free.height() - 34)
    assert window.width() == min(1400, free.width() - 8)
    assert free.contains(window.frameGeometry())


def test_file_open_run_replays_it_and_save_run_writes_one(qtbot, session, tmp_path, monkeypatch):
    from digitlab.core.run_file import RunFile, load_run, save_run
    from tests.core.test_run_file import SPEC, moment

    rng = np.random.default_rng(3)
    moments = tuple(moment(i, rng) for i in range(1, 6))
    saved = save_run(tmp_path / "in.safetensors", RunFile(SPEC, (0, 1, 7), moments))
    window = open_window(qtbot, session, ini(tmp_path))
    monkeypatch.setattr("digitlab.ui.main_window.ask_run_file", lambda parent: str(saved))
    window.open_run()
    run = session.run
    qtbot.waitUntil(lambda: run.phase is RunPhase.FINISHED and run.model is not None)
    np.testing.assert_array_equal(session.run.model.network.weights[1],
                                  load_run(saved).moments[-1].network.weights[1])  # fmt: skip
    out = tmp_path / "out.safetensors"
    monkeypatch.setattr("digitlab.ui.main_window.ask_save_path", lambda *args: str(out))
    window.save_run()
    qtbot.waitUntil(out.exists)
    assert len(load_run(out).moments) == 5


def menu_actions(window: MainWindow) -> dict[str, QAction]:
    """Every action of the menu bar's menus, by shortcut (those without one left out)."""
    actions = (a for menu in window.menuBar().findChildren(QMenu) for a in menu.actions())
    return {a.shortcut().toString(): a for a in actions if not a.shortcut().isEmpty()}


def test_help_lists_every_menu_shortcut_and_file_open_image_reaches_the_pad(
    qtbot, loaded_session, tmp_path, monkeypatch
) -> None:
    """Help → Keyboard shortcuts is a table written by hand: every key a menu answers to must
    be in it (it said Ctrl+1 … Ctrl+6 after the seventh workspace came)."""
    window = open_main_window(qtbot, loaded_session, settings_file(tmp_path))
    listed = " / ".join(keys for _, keys in SHORTCUTS)
    assert f"Ctrl+1 … Ctrl+{len(WORKSPACES)}" in listed
    actions = menu_actions(window)
    for keys, action in actions.items():
        if not re.fullmatch(r"Ctrl\+\d", keys):  # the workspaces: the range above
            assert keys in listed, (action.text(), keys)
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 13:16] = 255  # a 1, written dark on white as on paper
    Image.fromarray(255 - np.kron(digit, np.ones((8, 8), np.uint8))).save(tmp_path / "one.png")
    monkeypatch.setattr(dialogs.QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(tmp_path / "one.png"), ""))  # fmt: skip
    actions["Ctrl+I"].trigger()  # File → Open image…
    qtbot.waitUntil(window.view("pad").canvas.has_digit, timeout=5000)
    assert loaded_session.prediction.top == 1
