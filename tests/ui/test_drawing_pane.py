"""The drawing pane: strokes reach the bars, toggles reach the net's input, models come and go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from digitlab.core.model import ModelSpec, new_model, save_checkpoint
from digitlab.core.preprocess import centre_of_mass, ink_box
from digitlab.ui.drawing_pane import SAMPLE_SEVEN, DrawingPane
from digitlab.ui.tasks import wait_for_background_jobs
from tests.ui.test_canvas import drag

SMALL_CORNER_DIGIT = [(30.0, 30.0), (70.0, 30.0), (50.0, 80.0)]


def write_model(path: Path, seed: int = 0, hidden: tuple[int, ...] = (16,), **meta) -> str:
    return str(save_checkpoint(path, new_model(ModelSpec(hidden=hidden), seed=seed), meta))


def weights_of(model) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(weights, biases) as a training snapshot carries them."""
    weights = [layer.weight.detach().numpy().copy() for layer in model.layers]
    biases = [layer.bias.detach().numpy().copy() for layer in model.layers]
    return weights, biases


@pytest.fixture
def pane(qtbot):
    widget = DrawingPane(initial_source=None)
    qtbot.addWidget(widget)
    yield widget
    wait_for_background_jobs()


def open_model(qtbot, pane: DrawingPane, path: str) -> None:
    with qtbot.waitSignal(pane.modelChanged, timeout=5000) as blocker:
        pane.open_model_file(path)
    assert blocker.args == [path]


def draw_sample(pane: DrawingPane) -> None:
    for stroke in SAMPLE_SEVEN:
        pane.canvas.add_stroke(stroke)
    pane.refresh()


def test_a_mouse_drag_updates_preview_and_bars(qtbot, pane, tmp_path):
    open_model(qtbot, pane, write_model(tmp_path / "m.pt", test_accuracy=0.931))
    assert "784→16→10 relu" in pane.model_label.text() and "93.1 %" in pane.model_label.text()
    assert pane.probabilities() is None and "draw a digit" in pane.bars.title_text()
    pane.show()
    qtbot.waitExposed(pane)

    canvas = pane.canvas
    side = min(canvas.width(), canvas.height())
    drag(qtbot, canvas, [(side * 0.3, side * 0.2), (side * 0.7, side * 0.2), (side * 0.45, side)])
    qtbot.waitUntil(lambda: pane.probabilities() is not None, timeout=2000)

    probabilities = pane.probabilities()
    assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    top = int(np.argmax(probabilities))
    assert pane.bars.title_text().endswith(f"{100 * probabilities[top]:.1f} %")
    assert pane.preview.image().max() == pytest.approx(1.0)

    pane.canvas.clear()
    qtbot.waitUntil(lambda: pane.probabilities() is None, timeout=2000)
    assert pane.preview.image().max() == 0 and "draw a digit" in pane.bars.title_text()


def test_preprocessing_toggles_change_what_the_net_sees(pane):
    pane.canvas.add_stroke(SMALL_CORNER_DIGIT)
    pane.refresh()
    fitted = pane.preview.image()
    top, bottom, left, right = ink_box(fitted)
    assert max(bottom - top, right - left) in (20, 21)  # scaled up into the 20 px box
    assert centre_of_mass(fitted) == pytest.approx((14, 14), abs=0.6)

    pane.fit_box.setChecked(False)
    pane.centre_box.setChecked(False)
    pane.refresh()
    raw = pane.preview.image()
    top, bottom, left, right = ink_box(raw)
    assert max(bottom - top, right - left) <= 8  # small, as drawn
    row, col = centre_of_mass(raw)
    assert row < 7 and col < 7  # and still in the top-left corner
    assert pane.preprocess_options().invert is False


def test_a_corrupt_model_file_warns_and_the_previous_model_keeps_predicting(qtbot, pane, tmp_path):
    good = write_model(tmp_path / "good.pt")
    open_model(qtbot, pane, good)
    draw_sample(pane)
    before = pane.probabilities()

    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"this is not a model")
    with qtbot.waitSignal(pane.error, timeout=5000) as blocker:
        pane.open_model_file(str(corrupt))
    assert "corrupt.pt" in blocker.args[0]
    assert pane.last_error_box is not None and pane.last_error_box.isVisible()
    pane.last_error_box.close()

    assert pane.source() == good
    assert pane.model_combo.currentData() == good
    pane.canvas.add_stroke([(200.0, 200.0), (230.0, 240.0)])
    pane.refresh()
    after = pane.probabilities()
    assert after is not None and not np.allclose(after, before)  # still predicting

    Path(good).write_bytes(b"damaged since")  # re-opening the model in use, now broken
    with qtbot.waitSignal(pane.error, timeout=5000):
        pane.open_model_file(good)
    pane.last_error_box.close()
    assert pane.source() == good
    np.testing.assert_allclose(pane.probabilities(), after)


def test_open_model_file_entry_uses_the_dialog_and_adds_the_file(
    qtbot, pane, tmp_path, monkeypatch
):
    path = write_model(tmp_path / "picked.pt")
    monkeypatch.setattr(
        "digitlab.ui.drawing_pane.QFileDialog.getOpenFileName",
        lambda *args, **kwargs: (path, "digitlab models (*.pt *.pth)"),
    )
    with qtbot.waitSignal(pane.modelChanged, timeout=5000):
        pane.model_combo.activated.emit(pane.model_combo.findData("open-file…"))
    assert pane.source() == path and pane.model_combo.currentText() == "picked.pt"
    assert pane.model_combo.findData(path) < pane.model_combo.findData("open-file…")


def test_switching_between_model_files_via_the_chooser(qtbot, pane, tmp_path):
    first = write_model(tmp_path / "first.pt", seed=1)
    second = write_model(tmp_path / "second.pt", seed=2, hidden=())
    open_model(qtbot, pane, first)
    open_model(qtbot, pane, second)
    draw_sample(pane)
    linear_answer = pane.probabilities()
    assert pane.model_combo.findData(first) >= 0 and pane.model_combo.findData(second) >= 0

    with qtbot.waitSignal(pane.modelChanged, timeout=2000):
        pane.model_combo.activated.emit(pane.model_combo.findData(first))  # as a user pick
    assert pane.source() == first and "784→16→10" in pane.model_label.text()
    assert not np.allclose(pane.probabilities(), linear_answer)


def test_a_live_training_update_switches_predictions(qtbot, pane, tmp_path):
    training_item = pane.model_combo.model().item(pane.model_combo.findData("training"))
    assert not training_item.isEnabled()
    pane.select_source("training")  # nothing to train with yet: ignored
    assert pane.source() is None
    draw_sample(pane)

    spec = ModelSpec(hidden=(16,))
    with qtbot.waitSignal(pane.modelChanged, timeout=1000):  # no other model: the run takes over
        pane.update_training_model(spec, range(10), *weights_of(new_model(spec, seed=3)))
    assert training_item.isEnabled() and pane.source() == "training"
    assert pane.model_combo.currentData() == "training"
    first = pane.probabilities()
    assert first is not None
    live_model = pane._live.model

    pane.update_training_model(spec, range(10), *weights_of(new_model(spec, seed=4)))
    qtbot.waitUntil(lambda: not np.allclose(pane.probabilities(), first), timeout=2000)
    assert pane._live.model is live_model  # updated in place

    with qtbot.waitSignal(pane.modelChanged, timeout=5000):  # a file takes over ...
        pane.open_model_file(write_model(tmp_path / "file.pt"))
    file_answer = pane.probabilities()
    pane.update_training_model(spec, range(10), *weights_of(new_model(spec, seed=6)))
    qtbot.wait(20)
    np.testing.assert_allclose(pane.probabilities(), file_answer)  # ... and snapshots leave it
    pane.select_source("training")

    subset = ModelSpec(hidden=(16,), num_classes=3)
    pane.update_training_model(subset, (3, 5, 8), *weights_of(new_model(subset, seed=5)))
    qtbot.waitUntil(lambda: pane.probabilities().shape == (3,), timeout=2000)
    assert pane.bars.classes() == (3, 5, 8)
    assert pane.bars.title_text().startswith(f"<b>{(3, 5, 8)[np.argmax(pane.probabilities())]}")


def test_a_missing_shipped_model_leaves_no_model_and_no_dialog(qtbot, pane, tmp_path, monkeypatch):
    monkeypatch.setattr(
        "digitlab.ui.drawing_pane.shipped_model_path", lambda name: tmp_path / f"{name}.pt"
    )
    with qtbot.waitSignal(pane.status, timeout=5000) as blocker:
        pane.select_source("mlp")
    assert "No shipped model" in blocker.args[0]
    assert pane.source() is None and pane.last_error_box is None
    assert "No model loaded" in pane.model_label.text()
    draw_sample(pane)
    assert pane.probabilities() is None and "no model" in pane.bars.title_text()
    assert pane.preview.image().max() > 0  # the input is still shown


def test_shortcuts_and_buttons_edit_the_drawing(qtbot, pane):
    pane.show()
    pane.activateWindow()
    qtbot.waitActive(pane)  # shortcuts only fire in the active window
    pane.canvas.setFocus()
    qtbot.waitUntil(pane.canvas.hasFocus)
    pane.canvas.add_stroke(SAMPLE_SEVEN[0])
    pane.canvas.add_stroke(SAMPLE_SEVEN[1])
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(pane.canvas.strokes()) == 1
    qtbot.mouseClick(pane.offset_buttons["left"], Qt.MouseButton.LeftButton)
    assert pane.canvas.offset() == (-10, 0) and "x -1" in pane.offset_label.text()
    qtbot.mouseClick(pane.offset_buttons["reset"], Qt.MouseButton.LeftButton)
    assert pane.canvas.offset() == (0, 0)
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Escape)
    assert pane.canvas.is_empty()
    pane.canvas.add_stroke(SAMPLE_SEVEN[0])
    qtbot.mouseClick(pane.clear_button, Qt.MouseButton.LeftButton)
    assert pane.canvas.is_empty()


def test_pen_controls_and_settings_round_trip(qtbot, pane, tmp_path):
    pane.pen_slider.setValue(30)
    assert pane.pen_spin.value() == 30 and pane.canvas.pen_width() == 30

    model = write_model(tmp_path / "saved.pt")
    with qtbot.waitSignal(pane.modelChanged, timeout=5000):
        pane.apply_settings(
            {
                "pen_width": "12",
                "dark_on_light": "true",
                "fit": "false",
                "centre": True,
                "source": model,
            }
        )
    assert pane.canvas.pen_width() == 12 and pane.canvas.dark_on_light()
    assert pane.settings() == {
        "pen_width": 12,
        "dark_on_light": True,
        "fit": False,
        "centre": True,
        "source": model,
    }
    pane.apply_settings({"pen_width": "oops", "source": "training"})  # odd values: ignored
    assert pane.canvas.pen_width() == 12 and pane.source() == model
