"""The whole window: panes wired together, shortcuts, settings, clean shutdown mid-training."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

from digitlab.core.model import model_from_arrays
from digitlab.core.preprocess import to_mnist
from digitlab.ui.main_window import MainWindow
from digitlab.ui.settings import SETTINGS_VERSION

SEVEN = [[(80, 60), (200, 60), (120, 230)]]


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "digitlab.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings, tiny_mnist_dir, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DATA", str(tiny_mnist_dir))
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.training.shutdown()


def shortcuts(window: MainWindow) -> dict[str, str]:
    return {
        action.shortcut().toString(QKeySequence.SequenceFormat.PortableText): action.text()
        for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu()))
        for action in menu.actions()
        if not action.shortcut().isEmpty()
    }


def test_menus_carry_the_shortcuts(window) -> None:
    keys = shortcuts(window)
    for key in ("Ctrl+O", "Ctrl+S", "Space", "Ctrl+Q"):
        assert key in keys


def test_drawing_predicts_with_the_shipped_model(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.drawing.source() == "mlp", timeout=5000)
    for stroke in SEVEN:
        window.drawing.canvas.add_stroke(stroke)
    qtbot.waitUntil(lambda: window.drawing.probabilities() is not None, timeout=3000)
    assert int(np.argmax(window.drawing.probabilities())) == 7
    assert "shipped 2-layer" in window.model_label.text()


def test_space_trains_and_the_pad_follows_the_training_run(qtbot, window) -> None:
    window.training.set_hyperparameters({"layers": 1, "epochs": 3, "batch_size": 16})
    updates: list[object] = []
    window.training.modelUpdated.connect(lambda *args: updates.append(args))
    window.start_action.trigger()  # Space
    qtbot.waitUntil(lambda: window.training.run_state() == "finished", timeout=20000)
    assert updates
    window.drawing.select_source("training")
    for stroke in SEVEN:
        window.drawing.canvas.add_stroke(stroke)
    qtbot.waitUntil(lambda: window.drawing.probabilities() is not None, timeout=3000)
    spec, classes, weights, biases = updates[-1]
    assert window.drawing.source() == "training" and weights[0].shape == (10, 784)
    # the pad's confidence is exactly what the last trained weights say about its drawing
    options = window.drawing.preprocess_options()
    pixels = torch.from_numpy(to_mnist(window.drawing.canvas.image(), options))[None]
    expected = model_from_arrays(spec, weights, biases).probabilities(pixels)[0].numpy()
    assert np.allclose(window.drawing.probabilities(), expected, atol=1e-5)


def test_closing_mid_training_stops_the_run_quickly(qtbot, window) -> None:
    window.training.set_hyperparameters({"layers": 2, "hidden": 10, "epochs": 50})
    with qtbot.waitSignal(window.training.modelUpdated, timeout=10000):
        window.start_action.trigger()
    assert window.training.worker().is_running()
    start = time.perf_counter()
    window.close()
    assert time.perf_counter() - start < 1.5
    assert not window.training.worker().is_running()


def test_settings_are_remembered(qtbot, settings, window) -> None:
    window.drawing.pen_slider.setValue(31)  # as a user would drag it
    window.training.set_hyperparameters({"hidden": 42, "epochs": 7})
    window.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.drawing.settings()["pen_width"] == 31
    assert again.training.hyperparameters()["hidden"] == 42
    assert again.training.hyperparameters()["epochs"] == 7
    again.training.shutdown()


def test_settings_of_another_version_are_ignored(qtbot, settings) -> None:
    settings.setValue("version", SETTINGS_VERSION + 1)
    settings.setValue("training", '{"hidden": 42}')
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    assert win.training.hyperparameters()["hidden"] != 42
    win.training.shutdown()


def test_screenshot_grab_is_not_blank(qtbot, window, tmp_path) -> None:
    for stroke in SEVEN:
        window.drawing.canvas.add_stroke(stroke)
    window.resize(1400, 860)
    qtbot.wait(100)
    image = window.grab().toImage()
    assert image.width() >= 1150
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)
    }
    assert len(colours) > 20
