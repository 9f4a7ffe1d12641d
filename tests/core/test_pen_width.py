"""Normalise pen: the stroke-width estimate and the step that brings a pen toward MNIST's."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from digitlab.core import distort
from digitlab.core.batch_preprocess import to_mnist_batch
from digitlab.core.pen_width import MNIST_STROKE_WIDTH, normalise_pen, stroke_width
from digitlab.core.preprocess import PreprocessOptions, to_mnist
from digitlab.session.drawing import Drawing

FITTED = PreprocessOptions(invert=False, centre=False, normalise_pen=False)
NORMALISED = PreprocessOptions(invert=False, centre=False, normalise_pen=True)


def four(pen: int) -> np.ndarray:
    """A '4' drawn on a 200 px pad with a pen `pen` px wide, light ink on black."""
    image = Image.new("L", (200, 200))
    draw = ImageDraw.Draw(image)
    for line in (((60, 20), (30, 120), (150, 120)), ((120, 40), (120, 185))):
        draw.line(line, fill=255, width=pen, joint="curve")
    return np.asarray(image)


def test_the_width_of_a_bar_is_measured_in_pixels() -> None:
    for width in (1, 2, 4):
        bar = np.zeros((28, 28), np.float32)
        bar[4:24, 10 : 10 + width] = 1.0
        # 2 × area / perimeter of a 20 px bar: its two ends count as edges too
        assert stroke_width(bar) == pytest.approx(width * 20 / (20 + width), abs=0.05)
    assert stroke_width(np.zeros((28, 28), np.float32)) == 0.0
    assert stroke_width(np.zeros((3, 28, 28), np.float32)).shape == (3,)


def test_a_thin_and_a_thick_pen_come_out_nearer_in_width() -> None:
    thin, thick = to_mnist(four(4), FITTED), to_mnist(four(34), FITTED)
    before = stroke_width(thick) - stroke_width(thin)
    assert stroke_width(thin) < 1.8 < 3.0 < stroke_width(thick)  # outside MNIST's band
    thin_n, thick_n = to_mnist(four(4), NORMALISED), to_mnist(four(34), NORMALISED)
    assert stroke_width(thin_n) > stroke_width(thin)
    assert stroke_width(thick_n) < stroke_width(thick)
    assert 0 < stroke_width(thick_n) - stroke_width(thin_n) < 0.7 * before
    for image in (thin_n, thick_n):
        assert image.max() == pytest.approx(1.0)
        assert ((image > 0.05) & (image < 0.95)).any()  # anti-aliasing stays grey


def test_an_mnist_width_pen_and_the_switch_off_change_nothing() -> None:
    usual = to_mnist(four(20), FITTED)
    assert 2.0 < stroke_width(usual) < 3.0
    assert abs(stroke_width(usual) - MNIST_STROKE_WIDTH) < 0.7
    np.testing.assert_array_equal(normalise_pen(usual), usual)
    drawn = four(4)
    assert PreprocessOptions().normalise_pen  # on unless switched off
    assert not np.array_equal(
        to_mnist(drawn, PreprocessOptions(invert=False)),
        to_mnist(drawn, PreprocessOptions(invert=False, normalise_pen=False)),
    )
    # Without the fit there is no MNIST size to measure a width at: the step does nothing.
    np.testing.assert_array_equal(
        to_mnist(drawn, PreprocessOptions(invert=False, fit=False)),
        to_mnist(drawn, PreprocessOptions(invert=False, fit=False, normalise_pen=False)),
    )
    blank = np.zeros((28, 28), np.float32)
    np.testing.assert_array_equal(normalise_pen(blank), blank)


def pen_changed(image: np.ndarray, amount: float) -> np.ndarray:
    """A fitted digit drawn `amount` px thicker (thinner) on each side, as the robustness
    sweep and the benchmark draw them."""
    return distort.pen(torch.from_numpy(image)[None], amount).clamp(0.0, 1.0)[0].numpy()


@pytest.mark.parametrize("pen", [13, 16, 20])
def test_a_digit_drawn_a_pixel_thinner_gets_its_width_back(pen: int) -> None:
    """1 px off each side leaves a third of an MNIST-width stroke (faint where it was thin);
    the step brings it back near MNIST's width."""
    digit = to_mnist(four(pen), FITTED)
    thin = pen_changed(digit, -1.0)
    assert stroke_width(thin) < 1.1
    back = stroke_width(normalise_pen(thin))
    assert abs(back - MNIST_STROKE_WIDTH) < 0.45
    assert abs(back - stroke_width(digit)) < 0.8


@pytest.mark.parametrize("pen", [13, 16, 20])
def test_a_digit_drawn_two_pixels_thicker_comes_out_thinner(pen: int) -> None:
    digit = to_mnist(four(pen), FITTED)
    thick = pen_changed(digit, 2.0)
    assert stroke_width(thick) > 4.5
    assert stroke_width(thick) - stroke_width(normalise_pen(thick)) > 0.4


def test_the_batch_recipe_normalises_as_to_mnist_does() -> None:
    digits = np.stack([to_mnist(four(pen), FITTED) for pen in (4, 16, 34)])
    options = PreprocessOptions(invert=False, normalise_pen=True)
    batch = to_mnist_batch(torch.from_numpy(digits), options).numpy()
    one_by_one = np.stack([to_mnist(d, options) for d in digits])
    np.testing.assert_allclose(batch, one_by_one, atol=1e-4)


def test_the_session_switches_normalise_pen() -> None:
    drawing = Drawing()
    assert drawing.options.normalise_pen  # on from the start, as the default model expects
    seen: list[PreprocessOptions] = []
    drawing.options_changed.connect(seen.append)
    drawing.set_canvas(four(4))
    normalised = drawing.input.image.copy()
    drawing.set_options(normalise_pen=False)
    assert not drawing.options.normalise_pen and drawing.options.fit  # the others stay
    assert seen == [drawing.options]
    assert stroke_width(drawing.input.image) < stroke_width(normalised)
    drawing.set_options(normalise_pen=False)  # no change, no signal
    assert len(seen) == 1


def test_predict_normalises_the_pen_unless_told_not_to(tmp_path, capsys) -> None:
    import json

    from digitlab.cli import main

    path = tmp_path / "thin.png"
    Image.fromarray(four(4)).save(path)
    answers = []
    notes = []
    for extra in ([], ["--normalise-pen"], ["--no-normalise-pen"]):
        assert main(["predict", *extra, str(path)]) == 0
        out, err = capsys.readouterr()
        answers.append(json.loads(out)["probs"])
        notes.append(err)
    assert answers[0] == answers[1] != answers[2]
    assert notes[:2] == ["", ""] and "trained with Normalise pen on" in notes[2]  # robust's


def test_the_robust_training_sees_what_normalise_pen_makes() -> None:
    """`--augment robust` puts each digit through the window's recipe, the step included, so
    the shipped model learns from what it is shown."""
    from digitlab.core.distort import AUGMENTATIONS, Augmentation

    assert AUGMENTATIONS["robust"].normalise_pen and AUGMENTATIONS["robust"].preprocess
    digits = np.stack([to_mnist(four(pen), FITTED) for pen in (16, 20, 34)])
    digits = distort.pen(torch.from_numpy(digits), -1.0).clamp(0, 1)
    unchanged = {"keep_fraction": 1.0, "preprocess": True}  # every digit kept as it is
    seen = Augmentation(**unchanged, normalise_pen=True)(digits, torch.Generator().manual_seed(0))
    expected = to_mnist_batch(digits, PreprocessOptions(invert=False, normalise_pen=True))
    np.testing.assert_allclose(seen.numpy(), expected.numpy(), atol=1e-3)
    without = Augmentation(**unchanged)(digits, torch.Generator().manual_seed(0))
    assert stroke_width(seen[0].numpy()) > stroke_width(without[0].numpy()) + 0.5


def test_noise_is_not_taken_for_a_thin_pen() -> None:
    """Speckles measure thin; lifting them would fill the image with ink (the sweep's noise
    0.2 fell from 58 % to 13 % before the step learned to tell them apart)."""
    digit = to_mnist(four(16), FITTED)
    noise = np.random.default_rng(0).standard_normal(digit.shape)
    noisy = np.clip(digit + 0.2 * noise, 0.0, 1.0).astype(np.float32)
    assert stroke_width(noisy) < 1.6  # as thin as a thin pen by the measure…
    np.testing.assert_array_equal(normalise_pen(noisy), noisy)  # …and left alone


def test_the_default_model_says_it_was_trained_through_the_step() -> None:
    from digitlab.core.checkpoint import load_checkpoint
    from digitlab.core.pen_width import expects_normalised_pen
    from digitlab.core.resources import shipped_model_path

    assert expects_normalised_pen(load_checkpoint(shipped_model_path("robust")).meta)
    assert not expects_normalised_pen(load_checkpoint(shipped_model_path("mlp")).meta)
    assert not expects_normalised_pen({"normalise_pen": "yes"})  # only a JSON true counts


def test_a_model_trained_through_the_step_says_so_in_its_file() -> None:
    from digitlab.core.pen_width import expects_normalised_pen, pen_meta
    from digitlab.session.run_save import checkpoint_meta
    from digitlab.session.run_settings import RunSettings

    assert pen_meta("robust") == {"normalise_pen": True} and pen_meta("") == {}
    window = checkpoint_meta(RunSettings(augment="robust"), tuple(range(10)), 1.0, 10, 0.5)
    assert expects_normalised_pen(window)
    assert not expects_normalised_pen(checkpoint_meta(RunSettings(), tuple(range(10)), 1, 1, 0.5))
