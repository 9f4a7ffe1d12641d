"""Distort batches of digits on purpose: shift, scale, rotation and pen thickness, in torch.

These serve training-time augmentation and robustness sweeps over whole test sets, so they work on
(N, 28, 28) tensors at once and take per-image parameters. The single-image MNIST recipe that the
window runs on every stroke is in `core.preprocess` (numpy, no torch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from digitlab.core.choices import AUGMENT_NAMES, augment_recipe
from digitlab.core.preprocess import SIZE


def _base_grid() -> torch.Tensor:
    """(784, 3) rows of (x, y, 1) in [-1, 1] over the 28×28 grid, as affine_grid builds them."""
    axis = torch.linspace(-1.0, 1.0, SIZE)
    y, x = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([x.reshape(-1), y.reshape(-1), torch.ones(SIZE * SIZE)], dim=1)


_BASE_GRID = _base_grid()


def _as_batch(images: torch.Tensor) -> torch.Tensor:
    if images.ndim == 2:
        images = images.reshape(-1, SIZE, SIZE)
    if images.ndim != 3:
        raise ValueError(f"expected (N, 28, 28) or (N, 784) images, got {tuple(images.shape)}")
    return images.float()


def _per_sample(value: float | torch.Tensor, n: int, device: torch.device) -> torch.Tensor:
    tensor = torch.as_tensor(value, dtype=torch.float32, device=device)
    return tensor.expand(n) if tensor.ndim == 0 else tensor


def affine(
    images: torch.Tensor,
    dx: float | torch.Tensor = 0.0,
    dy: float | torch.Tensor = 0.0,
    scale: float | torch.Tensor = 1.0,
    degrees: float | torch.Tensor = 0.0,
) -> torch.Tensor:
    """Shift (pixels, +x right, +y down), scale about the centre and rotate (degrees,
    counter-clockwise) a batch; each parameter is a number or one value per image.
    """
    batch = _as_batch(images)
    n, device = batch.shape[0], batch.device
    # One transform for the whole batch (a sweep's condition): one grid, shared by every image.
    same = all(not isinstance(v, torch.Tensor) or v.ndim == 0 for v in (dx, dy, scale, degrees))
    n = 1 if same else n
    dx, dy = _per_sample(dx, n, device), _per_sample(dy, n, device)
    scale, angle = _per_sample(scale, n, device), _per_sample(degrees, n, device) * math.pi / 180
    # affine_grid maps output coordinates to input ones, so invert the forward transform.
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    half = (SIZE - 1) / 2.0
    tx, ty = dx / half, dy / half
    theta = torch.stack(
        [
            torch.stack([cos, -sin, -(cos * tx - sin * ty)], dim=1),
            torch.stack([sin, cos, -(sin * tx + cos * ty)], dim=1),
        ],
        dim=1,
    )
    # base @ theta^T is F.affine_grid, without its per-call overhead (4× slower on a CPU).
    grid = (_BASE_GRID.to(batch.device) @ theta.transpose(1, 2)).view(n, SIZE, SIZE, 2)
    grid = grid.expand(batch.shape[0], SIZE, SIZE, 2)
    out = F.grid_sample(batch.unsqueeze(1), grid, mode="bilinear", align_corners=True)
    return out.squeeze(1)


def shift(images: torch.Tensor, dx: float, dy: float) -> torch.Tensor:
    """Move every image by (dx, dy) pixels."""
    return affine(images, dx=dx, dy=dy)


def rescale(images: torch.Tensor, factor: float) -> torch.Tensor:
    """Grow (factor > 1) or shrink every image about the centre."""
    return affine(images, scale=factor)


def rotate(images: torch.Tensor, degrees: float) -> torch.Tensor:
    """Rotate every image counter-clockwise about the centre."""
    return affine(images, degrees=degrees)


def _dilate(batch: torch.Tensor) -> torch.Tensor:
    """3×3 max filter as two separable passes over slices: ~20× faster than CPU max_pool2d."""
    padded = F.pad(batch, (1, 1, 1, 1))
    rows = torch.maximum(torch.maximum(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])
    return torch.maximum(torch.maximum(rows[..., :-2], rows[..., 1:-1]), rows[..., 2:])


def _erode(batch: torch.Tensor) -> torch.Tensor:
    return -_dilate(-batch)


def pen(images: torch.Tensor, amount: float | torch.Tensor) -> torch.Tensor:
    """Thicken (amount > 0) or thin (amount < 0) strokes by `amount` pixels on each side, so the
    stroke grows by twice that: 1 is one 3×3 max filter, 0.5 blends half of one, 1.5 is one and
    a half. Per-image amounts are allowed (augmentation)."""
    batch = _as_batch(images)
    amount = _per_sample(amount, batch.shape[0], batch.device).view(-1, 1, 1)
    whole = int(amount.abs().max().ceil()) if batch.shape[0] else 0
    for step in range(whole):  # step k applies what of the amount lies in (k, k+1]
        part = (amount.abs() - step).clamp(0.0, 1.0)
        if not bool((part > 0).any()):
            break
        grow, shrink = part * (amount > 0), part * (amount < 0)
        change = torch.zeros_like(batch)
        if bool((grow > 0).any()):
            change += grow * (_dilate(batch) - batch)
        if bool((shrink > 0).any()):
            change += shrink * (_erode(batch) - batch)
        batch = batch + change
    return batch


@dataclass(frozen=True)
class Augmentation:
    """Random drawing variation for training: shift, scale, rotation and pen, per image.

    `keep_fraction` of the images are left as they are (a net trained only on distorted digits
    loses some accuracy on clean ones); with `preprocess`, every image then goes through the
    window's MNIST recipe, so the net learns from exactly what it will be shown: a digit moved
    until ink falls off the pad, then cropped and centred again.
    """

    max_shift: float = 2.0
    scale_range: tuple[float, float] = (0.85, 1.1)
    max_degrees: float = 12.0
    pen_range: tuple[float, float] = (-0.6, 0.6)  # pixels on each side of a stroke
    thin_share: float = 0.0  # > 0: this share thinner (low…0), the rest thicker (0…high)
    keep_fraction: float = 0.0
    preprocess: bool = False
    normalise_pen: bool = False  # with `preprocess`: the recipe's Normalise pen step too

    def __call__(
        self, images: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        batch = _as_batch(images)
        n = batch.shape[0]

        def uniform(low: float, high: float) -> torch.Tensor:
            return torch.rand(n, generator=generator).mul_(high - low).add_(low).to(batch.device)

        keep = uniform(0.0, 1.0) < self.keep_fraction if self.keep_fraction else None

        def drawn(low: float, high: float, identity: float = 0.0) -> torch.Tensor:
            values = uniform(low, high)
            return values if keep is None else torch.where(keep, identity, values)

        moved = affine(
            batch,
            dx=drawn(-self.max_shift, self.max_shift),
            dy=drawn(-self.max_shift, self.max_shift),
            scale=drawn(*self.scale_range, identity=1.0),
            degrees=drawn(-self.max_degrees, self.max_degrees),
        )
        low, high = self.pen_range
        amount = drawn(low, high)
        if self.thin_share:  # thin strokes are the hard case: give them their own share
            thin = uniform(0.0, 1.0) < self.thin_share
            amount = torch.where(thin, drawn(low, 0.0), drawn(0.0, high))
        out = pen(moved, amount).clamp_(0.0, 1.0)
        if self.preprocess:
            from digitlab.core.batch_preprocess import to_mnist_batch
            from digitlab.core.preprocess import PreprocessOptions

            options = PreprocessOptions(invert=False, normalise_pen=self.normalise_pen)
            out = to_mnist_batch(out, options)
        return out


# `digitlab train --augment NAME`: "light" keeps digits recognisable as MNIST's; "robust" is what
# people do on a pad (turned, moved off the edge, drawn thin or thick), seen through the recipe.
# The numbers live in `core.choices`, so `train --help` describes exactly these.
AUGMENTATIONS = {
    name: Augmentation(**augment_recipe(name))  # type: ignore[arg-type]
    for name in AUGMENT_NAMES
}
