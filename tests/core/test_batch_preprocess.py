"""The batched preprocessing gives what the window's `to_mnist` gives, image by image."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from digitlab.core import distort
from digitlab.core.batch_preprocess import ink_boxes, to_mnist_batch
from digitlab.core.preprocess import PreprocessOptions, ink_box, to_mnist


def scribbles(n: int, seed: int = 0) -> torch.Tensor:
    """Digit-like strokes of random size, place, width and blur: every crop and scale case."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(n):
        canvas = Image.new("L", (112, 112))
        draw = ImageDraw.Draw(canvas)
        points = [tuple(rng.integers(8, 104, 2).tolist()) for _ in range(rng.integers(2, 6))]
        draw.line(points, fill=255, width=int(rng.integers(4, 14)), joint="curve")
        images.append(np.asarray(canvas.resize((28, 28), Image.Resampling.BOX)))
    batch = torch.from_numpy(np.stack(images)).float() / 255
    return distort.affine(
        batch,
        dx=torch.from_numpy(rng.uniform(-5, 5, n)).float(),
        dy=torch.from_numpy(rng.uniform(-5, 5, n)).float(),
        scale=torch.from_numpy(rng.uniform(0.4, 1.6, n)).float(),
        degrees=torch.from_numpy(rng.uniform(-60, 60, n)).float(),
    ).clamp(0, 1)


OPTIONS = [
    PreprocessOptions(invert=False),
    PreprocessOptions(fit=False, invert=False),
    PreprocessOptions(centre=False, invert=False),
    PreprocessOptions(fit=False, centre=False, invert=False),
]


@pytest.mark.parametrize("options", OPTIONS, ids=["fit+centre", "centre", "fit", "neither"])
def test_equals_to_mnist_image_by_image(options: PreprocessOptions) -> None:
    images = scribbles(300)
    batched = to_mnist_batch(images, options).numpy()
    one_by_one = np.stack([to_mnist(image, options) for image in images.numpy()])
    assert np.abs(batched - one_by_one).max() < 1e-5


def test_real_digits_under_distortion_equal_to_mnist(mnist) -> None:
    digits = torch.from_numpy(mnist.test.images[:300]).float() / 255
    for distorted in (distort.rotate(digits, 30), distort.rescale(digits, 1.4), digits):
        batched = to_mnist_batch(distorted).numpy()
        one_by_one = np.stack([to_mnist(d, OPTIONS[0]) for d in distorted.numpy()])
        assert np.abs(batched - one_by_one).max() < 1e-5


def test_empty_images_stay_empty_among_others() -> None:
    images = scribbles(4)
    images[1] = 0
    out = to_mnist_batch(images)
    assert not out[1].any() and all(out[i].any() for i in (0, 2, 3))


def test_ink_boxes_are_to_mnists_boxes() -> None:
    images = scribbles(50, seed=3)
    boxes = ink_boxes(images).tolist()
    assert boxes == [list(ink_box(image)) for image in images.numpy()]


def test_rejects_other_sizes() -> None:
    with pytest.raises(ValueError, match="28, 28"):
        to_mnist_batch(torch.zeros(2, 280, 280))
