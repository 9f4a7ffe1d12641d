"""The MNIST recipe (crop, fit 20 px, centre by mass) and the batch probe transforms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from digitlab.core.distort import Augmentation, affine, pen, rescale, rotate, shift
from digitlab.core.preprocess import PreprocessOptions, centre_of_mass, ink_box, to_mnist


def paste(digit: np.ndarray, scale: int, top: int, left: int, size: int = 280) -> np.ndarray:
    """A 28×28 uint8 digit enlarged `scale` times and placed on a size×size black canvas."""
    big = np.asarray(Image.fromarray(digit).resize((28 * scale, 28 * scale), Image.BILINEAR))
    canvas = np.zeros((size, size), np.uint8)
    canvas[top : top + big.shape[0], left : left + big.shape[1]] = big
    return canvas


def best_shift_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of a and b, allowing a one-pixel shift (centring rounds to whole pixels)."""
    best = -1.0
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            moved = np.roll(np.roll(a, dy, 0), dx, 1)
            best = max(best, float(np.corrcoef(moved.ravel(), b.ravel())[0, 1]))
    return best


def synthetic_seven() -> np.ndarray:
    """A 7-like digit drawn the MNIST way: 20 px tall, centred by mass."""
    canvas = np.zeros((280, 280), np.uint8)
    canvas[60:80, 70:210] = 255  # the bar
    for row in range(80, 240):  # the slanted stem
        col = 200 - (row - 80) // 2
        canvas[row, col - 10 : col + 10] = 255
    return to_mnist(canvas)


PLACES = [(10, 0, 0), (4, 150, 20), (6, 30, 100), (3, 190, 190)]  # scale, top, left


@pytest.mark.parametrize(("scale", "top", "left"), PLACES)
def test_pasted_digit_comes_back_close_to_itself(scale: int, top: int, left: int) -> None:
    original = (synthetic_seven() * 255).astype(np.uint8)
    out = to_mnist(paste(original, scale, top, left))
    # Tolerance: mean absolute pixel error below 0.05 and (±1 px) correlation above 0.9.
    assert np.abs(out - original / 255.0).mean() < 0.05
    assert best_shift_correlation(out, original / 255.0) > 0.9


def test_real_mnist_digits_survive_any_place_and_size(mnist) -> None:
    """Every one of 100 test digits, at 4 places/sizes on a 280×280 pad, comes back to within
    mean |error| < 0.1 and ±1 px correlation > 0.8; the median correlation is above 0.95."""
    correlations = []
    recipe = PreprocessOptions(normalise_pen=False)  # MNIST's own steps: fit and centre
    for digit in mnist.test.images[:100]:
        for scale, top, left in PLACES:
            out = to_mnist(paste(digit, scale, top, left), recipe)
            assert np.abs(out - digit / 255.0).mean() < 0.1
            correlations.append(best_shift_correlation(out, digit / 255.0))
    assert min(correlations) > 0.8
    assert np.median(correlations) > 0.95


def test_output_is_28x28_in_unit_range_with_mass_at_centre() -> None:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[10:60, 200:215] = 255  # a small "1" in the top right corner
    out = to_mnist(canvas)
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    top, bottom, left, right = ink_box(out)
    assert max(bottom - top, right - left) == 20
    cy, cx = centre_of_mass(out)
    assert abs(cy - 14.0) <= 0.5 and abs(cx - 14.0) <= 0.5


def test_dark_ink_on_light_paper_is_inverted() -> None:
    light = np.zeros((280, 280), np.uint8)
    light[80:200, 120:160] = 255
    dark = 255 - light
    assert np.allclose(to_mnist(dark), to_mnist(light), atol=1e-6)
    # Told the polarity is already light-on-dark, the white paper itself is the "ink".
    paper = to_mnist(dark, PreprocessOptions(invert=False, normalise_pen=False))
    assert paper.mean() > 0.4


def test_float_rgb_and_grey_paper_inputs() -> None:
    gray = np.full((100, 80), 0.8, np.float32)  # light grey paper
    gray[20:80, 30:40] = 0.1  # dark stroke
    rgb = np.stack([gray] * 3, axis=2)
    out_gray, out_rgb = to_mnist(gray), to_mnist(rgb)
    assert out_gray.max() == pytest.approx(1.0)
    assert np.allclose(out_gray, out_rgb, atol=1e-6)
    assert out_gray[0].sum() == 0 and out_gray[:, 0].sum() == 0  # the paper became black


@pytest.mark.parametrize(
    "image", [np.zeros((280, 280), np.uint8), np.full((50, 50), 255, np.uint8)]
)
def test_empty_image_gives_zeros_not_nan(image: np.ndarray) -> None:
    out = to_mnist(image)
    assert out.shape == (28, 28) and not np.isnan(out).any() and out.sum() == 0


def test_nan_pixels_do_not_leak() -> None:
    image = np.zeros((50, 50), np.float32)
    image[10:40, 20:25] = 1.0
    image[0, 0] = np.nan
    assert np.isfinite(to_mnist(image)).all()


def test_one_pixel_of_ink_is_centred() -> None:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[5, 270] = 255
    out = to_mnist(canvas)
    assert np.isfinite(out).all() and out.max() == pytest.approx(1.0)
    assert centre_of_mass(out) == pytest.approx((14.0, 14.0), abs=0.5)


def test_huge_image() -> None:
    canvas = np.zeros((4000, 3000), np.uint8)
    canvas[1000:3000, 1400:1700] = 255
    out = to_mnist(canvas)
    top, bottom, left, right = ink_box(out)
    assert bottom - top == 20 and right - left == 3


def test_without_fit_a_small_digit_stays_small() -> None:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[100:150, 100:110] = 255  # 50 px tall: 5 px at 1/10 scale
    top, bottom, _, _ = ink_box(to_mnist(canvas, PreprocessOptions(fit=False)))
    assert bottom - top in (5, 6)
    top, bottom, _, _ = ink_box(to_mnist(canvas))
    assert bottom - top == 20


def test_without_centring_an_off_centre_digit_stays_off_centre() -> None:
    canvas = np.zeros((280, 280), np.uint8)
    canvas[20:120, 20:40] = 255  # top left
    raw = to_mnist(canvas, PreprocessOptions(fit=False, centre=False))
    cy, cx = centre_of_mass(raw)
    assert cy < 8 and cx < 5
    centred = to_mnist(canvas, PreprocessOptions(fit=False, centre=True))
    assert centre_of_mass(centred) == pytest.approx((14.0, 14.0), abs=0.5)


def test_rejects_non_images() -> None:
    with pytest.raises(ValueError):
        to_mnist(np.zeros(10))


# --- batch transforms ----------------------------------------------------------------------------


def blob_batch() -> torch.Tensor:
    images = torch.zeros(3, 28, 28)
    images[:, 10:18, 12:16] = 1.0
    return images


def test_shift_moves_the_centre_of_mass() -> None:
    images = blob_batch()
    moved = shift(images, dx=3, dy=-2)
    before = centre_of_mass(images[0].numpy())
    after = centre_of_mass(moved[0].numpy())
    assert after[0] - before[0] == pytest.approx(-2, abs=0.05)
    assert after[1] - before[1] == pytest.approx(3, abs=0.05)


def test_rotations_compose_to_identity_and_keep_mass() -> None:
    images = blob_batch()
    turned = rotate(rotate(images, 90), -90)
    assert torch.allclose(turned, images, atol=1e-4)
    assert float(rotate(images, 37).sum()) == pytest.approx(float(images.sum()), rel=0.05)


def test_rescale_grows_and_shrinks_the_ink() -> None:
    images = blob_batch()
    area = float((images > 0.5).sum())
    assert float((rescale(images, 2.0) > 0.5).sum()) > 3 * area
    assert float((rescale(images, 0.5) > 0.5).sum()) < area / 2


def test_pen_thickens_and_thins() -> None:
    images = blob_batch()
    ink = float(images.sum())
    assert float(pen(images, 1.0).sum()) > ink * 1.5
    assert float(pen(images, -1.0).sum()) < ink * 0.5
    assert torch.equal(pen(images, 0.0), images)


def test_per_image_parameters() -> None:
    images = blob_batch()
    moved = affine(images, dx=torch.tensor([0.0, 2.0, -2.0]))
    assert torch.allclose(moved[0], images[0], atol=1e-5)
    assert not torch.allclose(moved[1], moved[2])


def test_augmentation_is_seeded_and_stays_in_range() -> None:
    images = blob_batch().reshape(3, -1)
    first = Augmentation()(images, torch.Generator().manual_seed(1))
    again = Augmentation()(images, torch.Generator().manual_seed(1))
    other = Augmentation()(images, torch.Generator().manual_seed(2))
    assert first.shape == (3, 28, 28)
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert float(first.min()) >= 0.0 and float(first.max()) <= 1.0
