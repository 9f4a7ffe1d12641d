"""The drawing's offset grid: the window's own answer at every offset, computed the quick way."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitlab.core.drawing_grid import change_pen, offset_grid
from digitlab.core.preprocess import PreprocessOptions, shift_image, to_mnist
from tests.conftest import random_network

OPTIONS = [PreprocessOptions(fit=f, centre=c, invert=False) for f in (True, False)
           for c in (True, False)]  # fmt: skip


def pad_drawing(top: int = 50, left: int = 90, size: int = 150) -> np.ndarray:
    canvas = Image.new("L", (280, 280))
    ImageDraw.Draw(canvas).line(
        [(left, top), (left + size // 2, top + size // 3), (left + 10, top + size)],
        fill=255, width=18, joint="curve",
    )  # fmt: skip
    return np.asarray(canvas)


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: f"fit={o.fit},centre={o.centre}")
def test_every_cell_is_what_the_pad_would_show_moved_there(options) -> None:
    network = random_network(hidden=(32,), seed=3, bias=0.5)
    canvas = pad_drawing()
    grid = offset_grid(network, canvas, options, offsets=(-6, -3, 0, 2, 5))
    for i, dy in enumerate(grid.offsets):
        for j, dx in enumerate(grid.offsets):
            moved = to_mnist(shift_image(canvas, dy * 10, dx * 10), options)
            probabilities = network.probabilities(moved[None])[0]
            assert grid.predicted[i, j] == probabilities.argmax()
            assert grid.confidence[i, j] == pytest.approx(probabilities.max(), abs=1e-6)


def test_the_centre_cell_is_the_drawings_answer_and_far_moves_change_it() -> None:
    network = random_network(hidden=(32,), seed=5, bias=0.5)
    options = PreprocessOptions(fit=False, centre=False, invert=False)
    canvas = pad_drawing()
    grid = offset_grid(network, canvas, options)
    own = network.probabilities(to_mnist(canvas, options)[None])[0].argmax()
    assert grid.digit_at(0, 0) == own
    assert len(np.unique(grid.confidence)) > 50  # without the recipe every place differs


def test_pen_changes_the_stroke_width_by_that_many_pixels() -> None:
    line = np.zeros((60, 60), np.float32)
    line[10:50, 30] = 1.0
    assert int((change_pen(line, 8)[30] > 0).sum()) == 9
    assert int((change_pen(change_pen(line, 8), -4)[30] > 0).sum()) == 5
    assert np.array_equal(change_pen(line, 0), line)
