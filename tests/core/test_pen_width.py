"""Normalise pen: the stroke-width estimate and the step that brings a pen toward MNIST's."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from digitlab.core.batch_preprocess import to_mnist_batch
from digitlab.core.pen_width import MNIST_STROKE_WIDTH, normalise_pen, stroke_width
from digitlab.core.preprocess import PreprocessOptions, to_mnist
from digitlab.session.drawing import Drawing

FITTED = PreprocessOptions(invert=False, centre=False)
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
    usual = to_mnist(four(16), FITTED)
    assert 1.8 < stroke_width(usual) < 3.0
    assert abs(stroke_width(usual) - MNIST_STROKE_WIDTH) < 0.7
    np.testing.assert_array_equal(normalise_pen(usual), usual)
    drawn = four(4)
    np.testing.assert_array_equal(
        to_mnist(drawn, PreprocessOptions(invert=False)),
        to_mnist(drawn, PreprocessOptions(invert=False, normalise_pen=False)),
    )
    blank = np.zeros((28, 28), np.float32)
    np.testing.assert_array_equal(normalise_pen(blank), blank)


def test_the_batch_recipe_normalises_as_to_mnist_does() -> None:
    digits = np.stack([to_mnist(four(pen), FITTED) for pen in (4, 16, 34)])
    options = PreprocessOptions(invert=False, normalise_pen=True)
    batch = to_mnist_batch(torch.from_numpy(digits), options).numpy()
    one_by_one = np.stack([to_mnist(d, options) for d in digits])
    np.testing.assert_allclose(batch, one_by_one, atol=1e-4)


def test_the_session_switches_normalise_pen() -> None:
    drawing = Drawing()
    seen: list[PreprocessOptions] = []
    drawing.options_changed.connect(seen.append)
    drawing.set_canvas(four(4))
    plain = drawing.input.image.copy()
    drawing.set_options(normalise_pen=True)
    assert drawing.options.normalise_pen and drawing.options.fit  # the others stay as they were
    assert seen == [drawing.options]
    assert stroke_width(drawing.input.image) > stroke_width(plain)
    drawing.set_options(normalise_pen=True)  # no change, no signal
    assert len(seen) == 1


def test_predict_normalises_the_pen_when_asked(tmp_path, capsys) -> None:
    import json

    from digitlab.cli import main

    path = tmp_path / "thin.png"
    Image.fromarray(four(4)).save(path)
    answers = []
    for extra in ([], ["--normalise-pen"]):
        assert main(["predict", *extra, str(path)]) == 0
        answers.append(json.loads(capsys.readouterr().out)["probs"])
    assert answers[0] != answers[1]
