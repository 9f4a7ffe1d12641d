"""The drawing side: pad → session → preview and bars; the model chooser; each view alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt

from digitlab.core.checkpoint import load_checkpoint, percent_text, save_checkpoint
from digitlab.core.preprocess import centre_of_mass, ink_box, to_mnist
from digitlab.core.resources import shipped_model_path
from digitlab.session import Answer
from digitlab.ui.views.model_chooser import OPEN_FILE, ModelView
from digitlab.ui.views.pad import SAMPLE_THREE, PadView, draw_sample
from digitlab.ui.views.prediction import ConfidenceBars, PredictionView
from digitlab.ui.views.preview import MIN_STEP_PX, PreviewView, plan_layout
from tests.ui.conftest import show_widget
from tests.ui.test_canvas import drag

SMALL_CORNER_DIGIT = [(30.0, 30.0), (70.0, 30.0), (50.0, 80.0)]


def shown(qtbot, widget, size=(320, 420)):
    return show_widget(qtbot, widget, size)


def test_a_drag_on_the_pad_reaches_the_preview_and_the_bars(qtbot, loaded_session) -> None:
    pad = shown(qtbot, PadView(loaded_session))
    preview = shown(qtbot, PreviewView(loaded_session), (240, 300))
    bars = shown(qtbot, PredictionView(loaded_session), (320, 240))
    assert "draw a digit" in bars.bars.title_text()
    side = min(pad.canvas.width(), pad.canvas.height())
    drag(
        qtbot, pad.canvas, [(side * 0.3, side * 0.2), (side * 0.7, side * 0.2), (side * 0.45, side)]
    )
    qtbot.waitUntil(lambda: loaded_session.prediction.state is Answer.READY, timeout=2000)
    probabilities = loaded_session.prediction.probabilities
    np.testing.assert_allclose(bars.bars.probabilities(), probabilities, rtol=1e-6)
    top = int(np.argmax(probabilities))
    assert bars.bars.title_text().endswith(percent_text(probabilities[top]))
    np.testing.assert_array_equal(preview.input.image(), loaded_session.drawing.input.image)
    assert preview.input.image().max() == pytest.approx(1.0)
    pad.clear_button.click()
    qtbot.waitUntil(lambda: loaded_session.prediction.state is Answer.EMPTY, timeout=2000)
    assert bars.bars.probabilities() is None and "draw a digit" in bars.bars.title_text()
    assert preview.input.image().max() == 0


def test_the_headline_never_rounds_a_near_certain_answer_up_to_100(qtbot) -> None:
    bars = show_widget(qtbot, ConfidenceBars(), (300, 220))
    near = np.full(10, 0.0003 / 9)
    near[4] = 0.9997
    bars.set_probabilities(near)
    assert bars.title_text() == "<b>4</b> · 99.9\u00a0%"  # not "100.0 %": it is not certain
    certain = np.zeros(10)
    certain[2] = 1.0
    bars.set_probabilities(certain)
    assert bars.title_text() == "<b>2</b> · 100.0\u00a0%"


def test_the_preprocessing_toggles_change_what_the_net_sees(qtbot, session) -> None:
    pad = shown(qtbot, PadView(session))
    preview = shown(qtbot, PreviewView(session), (240, 300))
    pad.canvas.add_stroke(SMALL_CORNER_DIGIT)
    pad.push()
    fitted = preview.input.image()
    top, bottom, left, right = ink_box(fitted)
    assert max(bottom - top, right - left) in (20, 21)  # scaled up into the 20 px box
    assert centre_of_mass(fitted) == pytest.approx((14, 14), abs=0.6)
    preview.fit_box.setChecked(False)
    preview.centre_box.setChecked(False)
    raw = preview.input.image()
    assert session.drawing.options.fit is False and session.drawing.options.centre is False
    assert centre_of_mass(raw)[0] < 7  # stays in the top-left corner where it was drawn
    assert preview.view_settings() == {"fit": False, "centre": False, "pen_normalised": True}


def test_the_normalise_pen_switch_thickens_a_thin_pen_and_is_remembered(qtbot, session) -> None:
    from digitlab.core.pen_width import stroke_width

    pad = shown(qtbot, PadView(session))
    preview = shown(qtbot, PreviewView(session), (240, 300))
    pad.canvas.set_pen_width(4)
    pad.canvas.add_stroke([(40.0, 30.0), (60.0, 250.0)])  # a thin pen, fitted: thinner still
    pad.push()
    assert preview.pen_box.isChecked()  # on from the start: the default model expects it
    preview.pen_box.setChecked(False)
    plain = preview.input.image()
    preview.pen_box.setChecked(True)
    assert session.drawing.options.normalise_pen is True
    assert stroke_width(preview.input.image()) > stroke_width(plain)
    assert preview.view_settings()["pen_normalised"] is True
    session.drawing.set_options(normalise_pen=False)  # the switch follows the session
    assert not preview.pen_box.isChecked()
    preview.apply_view_settings({"pen_normalised": True})
    assert preview.pen_box.isChecked() and session.drawing.options.normalise_pen
    preview.fit_box.setChecked(False)  # without the fit the step does nothing: greyed, kept
    assert not preview.pen_box.isEnabled() and preview.pen_box.isChecked()
    preview.fit_box.setChecked(True)
    assert preview.pen_box.isEnabled()
    preview.apply_view_settings({"pen_normalised": "yes"})  # not a bool: left as it is
    assert session.drawing.options.normalise_pen
    preview.apply_view_settings({"normalise_pen": False})  # stored when off was the default
    assert session.drawing.options.normalise_pen


@pytest.mark.parametrize("room", [(218, 540), (394, 300), (388, 140), (218, 260), (150, 140)])
def test_the_input_and_its_steps_fill_the_room_without_overlapping(room) -> None:
    width, height = room
    plan = plan_layout(width, height, caption=16)
    rects = [plan.main, *plan.steps]
    bounds = QRect(0, 0, width, height)
    assert all(bounds.contains(r) for r in rects)
    assert all(not a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    assert plan.main.width() == plan.main.height() >= 0.7 * min(width, height)  # square, large
    side = min(width, height)
    if plan.steps:
        assert all(r.width() >= MIN_STEP_PX for r in plan.steps)
        used = sum(r.width() * r.height() for r in rects)
        assert used > 1.15 * side * side  # the room the square leaves is put to use
    else:
        assert plan.main.width() == side  # no room for steps: the input takes it all
    assert bool(plan.steps) == (room not in ((218, 260), (150, 140)))


def test_a_tall_preview_shows_the_steps_that_made_the_input(qtbot, session) -> None:
    pad = shown(qtbot, PadView(session))
    preview = shown(qtbot, PreviewView(session), (240, 600))
    pad.canvas.add_stroke(SMALL_CORNER_DIGIT)
    pad.push()
    area = preview.area
    assert area.steps_shown() and preview.input.width() >= area.width() - 2  # the full width
    drawn, fitted = preview.step_images()
    canvas = session.drawing.canvas
    options = session.drawing.options
    np.testing.assert_allclose(drawn, to_mnist(canvas, replace(options, fit=False, centre=False)))
    np.testing.assert_allclose(fitted, to_mnist(canvas, replace(options, centre=False)))
    assert centre_of_mass(drawn)[0] < 7  # as drawn: in the corner, small
    preview.fit_box.setChecked(False)
    assert preview.steps[1].caption.text().endswith("(off)")
    preview.resize(240, 330)  # no room for them: they go, and cost nothing
    qtbot.waitUntil(lambda: not area.steps_shown())
    assert preview.step_images() == [] and preview.input.width() >= area.width() - 2


def test_pen_offset_and_undo_reach_the_session(qtbot, session) -> None:
    pad = shown(qtbot, PadView(session))
    draw_sample(pad)
    before = session.drawing.canvas.copy()
    pad.pen_spin.setValue(40)
    pad.push()
    thick = session.drawing.canvas.copy()
    assert (thick > 127).sum() > (before > 127).sum() * 1.5
    pad.offset_buttons["right"].click()
    pad.push()
    assert "x +1" in pad.offset_label.text()
    np.testing.assert_array_equal(session.drawing.canvas[:, 10:], thick[:, :-10])  # 1 MNIST px
    for _ in SAMPLE_THREE:
        pad.undo_button.click()
    pad.push()
    assert session.drawing.canvas is None and session.drawing.input.empty


def test_the_pad_moves_by_whole_pixels_and_clear_resets_and_undoes(qtbot, session) -> None:
    pad = shown(qtbot, PadView(session))
    pad.activateWindow()
    qtbot.waitUntil(pad.isActiveWindow)  # for the Ctrl+Z shortcut
    pad.canvas.setFocus()
    side = min(pad.canvas.width(), pad.canvas.height())
    drag(qtbot, pad.canvas, [(side * 0.3, side * 0.3), (side * 0.6, side * 0.5)])
    right = Qt.MouseButton.RightButton
    drag(qtbot, pad.canvas, [(side * 0.5, side * 0.5), (side * 0.7, side * 0.43)], button=right)
    assert "x +6, y -2" in pad.offset_label.text()  # whole MNIST pixels, never "x +5.6"
    pad.push()
    moved = session.drawing.canvas.copy()
    pad.clear_button.click()
    pad.push()
    assert session.drawing.canvas is None and "x +0, y +0" in pad.offset_label.text()
    qtbot.keyClick(pad.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    pad.push()
    assert "x +6, y -2" in pad.offset_label.text()  # the cleared drawing is back, still moved
    np.testing.assert_array_equal(session.drawing.canvas, moved)
    pad.offset_buttons["reset"].click()
    assert "x +0, y +0" in pad.offset_label.text()


def test_pad_settings_are_validated(qtbot, session) -> None:
    pad = shown(qtbot, PadView(session))
    for bad in (1e999, float("nan"), "12", None, True, -5):
        pad.apply_view_settings({"pen_width": bad, "dark_on_light": "yes"})
        assert 4 <= pad.pen_spin.value() <= 48
    pad.apply_view_settings({"pen_width": 30, "dark_on_light": True})
    assert pad.view_settings() == {"pen_width": 30, "dark_on_light": True}


def test_the_bars_follow_the_models_classes(qtbot, session, tmp_path: Path) -> None:
    bars = shown(qtbot, PredictionView(session), (320, 240))
    checkpoint = load_checkpoint(shipped_model_path("mlp"))
    from digitlab.core.network import ModelSpec, Network

    spec = ModelSpec(hidden=(4,), num_classes=3)
    rng = np.random.default_rng(0)
    network = Network.from_arrays(
        spec,
        [rng.normal(size=s).astype(np.float32) for s in spec.layer_shapes],
        [np.zeros(s[0], np.float32) for s in spec.layer_shapes],
    )
    path = save_checkpoint(tmp_path / "three.safetensors", network, {"classes": [3, 5, 8]})
    session.models.open_file(path)
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=5000)
    assert bars.bars.classes() == (3, 5, 8)
    session.drawing.set_canvas(np.pad(np.full((100, 30), 255, np.uint8), 90))
    assert bars.bars.probabilities().shape == (3,)
    assert checkpoint.spec.num_classes == 10


def test_the_chooser_lists_models_and_opens_files(qtbot, session, tmp_path, monkeypatch) -> None:
    view = shown(qtbot, ModelView(session), (260, 120))
    labels = [view.combo.itemText(i) for i in range(view.combo.count())]
    assert labels[:4] == [
        "Shipped robust 3-layer",
        "Shipped 2-layer",
        "Shipped 1-layer",
        "Training run (live)",
    ]
    run_item = view.combo.model().item(view.combo.findData("run"))
    assert not run_item.isEnabled()  # no run yet
    view.combo.activated.emit(view.combo.findData("linear"))
    qtbot.waitUntil(lambda: session.models.current is not None, timeout=5000)
    assert session.models.current.key == "linear" and "784→10" in view.description.text()
    path = save_checkpoint(
        tmp_path / "mine.safetensors", load_checkpoint(shipped_model_path("mlp")).network, {}
    )
    monkeypatch.setattr("digitlab.ui.views.model_chooser.ask_model_file", lambda parent: str(path))
    view.combo.activated.emit(view.combo.findData(OPEN_FILE))
    qtbot.waitUntil(lambda: session.models.current.key == str(path), timeout=5000)
    assert view.combo.currentText() == "mine.safetensors"


def test_a_hidden_view_does_no_work_until_shown(qtbot, loaded_session) -> None:
    preview = PreviewView(loaded_session)
    qtbot.addWidget(preview)
    loaded_session.drawing.set_canvas(np.pad(np.full((100, 30), 255, np.uint8), 90))
    assert preview.stale and preview.input.image().max() == 0  # nothing drawn while hidden
    preview.show()
    qtbot.waitUntil(lambda: preview.input.image().max() > 0, timeout=2000)
    assert not preview.stale


def test_a_failing_view_handler_becomes_a_notice(qtbot, session) -> None:
    bars = shown(qtbot, PredictionView(session), (320, 240))
    notices = []
    session.notices.posted.connect(notices.append)

    def broken() -> None:
        raise ValueError("boom")

    bars.refresh = broken
    session.drawing.set_canvas(np.pad(np.full((100, 30), 255, np.uint8), 90))  # no raise here
    assert notices and "boom" in notices[-1].text


def test_step_captions_are_never_cut_short(qtbot, session) -> None:
    """At 1024×640 the steps were 56 px wide under captions 75 px long ("· as draw")."""
    preview = show_widget(qtbot, PreviewView(session), (310, 300))
    area = preview.input.parent()
    shown = 0
    for width, height in ((310, 300), (240, 330), (420, 260), (330, 420)):
        preview.resize(width, height)
        qtbot.wait(10)
        for step in area.steps:
            if step.isVisible():
                shown += 1
                label = step.caption
                assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    assert shown  # some of these rooms do show the steps
