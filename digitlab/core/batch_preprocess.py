"""The app's MNIST preprocessing (`core.preprocess.to_mnist`) for whole batches, in torch.

A robustness sweep pushes 10 000 distorted test digits through the same recipe the window applies
to a drawing, about seventy times; one image at a time that is minutes, as batched tensor work a
fraction of a second per condition. Every step is a per-image matrix product: resampling the ink
box to 20 px (PIL's box filter when shrinking, its triangle filter when growing, as `to_mnist`
calls Pillow) and pasting it centred is `R_rows @ image @ R_cols.T`; the whole-pixel shift that
centres the mass is the same product with 0/1 matrices. The tests hold it to `to_mnist`.
"""

from __future__ import annotations

import torch

from digitlab.core.pen_width import normalise_pen
from digitlab.core.preprocess import BOX, CENTRE, INK_THRESHOLD, SIZE, PreprocessOptions


def _ink_extent(mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """First and one-past-last index where (N, L) `mask` is true (0, 0 for none)."""
    length = mask.shape[1]
    any_ink = mask.any(dim=1)
    first = mask.float().argmax(dim=1)
    last = length - mask.flip(1).float().argmax(dim=1)
    return torch.where(any_ink, first, 0), torch.where(any_ink, last, 0)


def ink_boxes(images: torch.Tensor) -> torch.Tensor:
    """(N, 4) top, bottom, left, right of each image's ink (ends exclusive; zeros if none), as
    `core.preprocess.ink_box` finds them."""
    # Sums of the 0/1 mask along each axis: several times faster than `any` along a dim.
    mask = (images > INK_THRESHOLD).float()
    top, bottom = _ink_extent(mask.sum(dim=2) > 0)
    left, right = _ink_extent(mask.sum(dim=1) > 0)
    return torch.stack([top, bottom, left, right], dim=1)


def _resample_matrices(
    start: torch.Tensor, length: torch.Tensor, out_length: torch.Tensor, grow: torch.Tensor
) -> torch.Tensor:
    """(N, 28, L_in) matrices taking input pixels [start, start+length) to `out_length` pixels
    pasted centred in 28, the way Pillow resamples (box filter when shrinking, triangle when
    growing, support widened by the scale when shrinking)."""
    # float64 and Pillow's order of operations: taps at exactly ±0.5 fall on the same side.
    n, device, f64 = start.shape[0], start.device, torch.float64
    source = torch.arange(SIZE, device=device, dtype=f64).view(1, 1, SIZE)
    target = torch.arange(SIZE, device=device, dtype=f64).view(1, SIZE, 1)
    start, length = start.to(f64).view(n, 1, 1), length.to(f64).view(n, 1, 1)
    out_length = out_length.to(f64).view(n, 1, 1)
    offset = torch.div(SIZE - out_length, 2, rounding_mode="floor")
    scale = length / out_length  # input pixels per output pixel
    inverse_support = 1.0 / scale.clamp(min=1.0)
    centre = (target - offset + 0.5) * scale  # in pixels from the crop's edge, as Pillow has it
    distance = (source - start - centre + 0.5) * inverse_support
    box = ((distance > -0.5) & (distance <= 0.5)).to(f64)  # Pillow: (-0.5, 0.5]
    triangle = (1.0 - distance.abs()).clamp(min=0.0)
    weights = torch.where(grow.view(n, 1, 1), triangle, box)
    # Pillow's taps: [trunc(centre - support + 0.5), trunc(centre + support + 0.5)) in the crop.
    support = torch.where(grow, 1.0, 0.5).to(f64).view(n, 1, 1) / inverse_support
    first = torch.trunc(centre - support + 0.5).clamp(min=0)
    end = torch.minimum(torch.trunc(centre + support + 0.5), length)
    inside = (source - start >= first) & (source - start < end)
    pasted = (target >= offset) & (target < offset + out_length)
    weights = weights * inside * pasted
    total = weights.sum(dim=2, keepdim=True)
    return (weights / torch.where(total > 0, total, 1.0)).float()


def _shift_matrices(shift: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """(N, 28, 28) 0/1 matrices M with (M @ x)[i] = x[i - shift], zeros coming in; all zeros
    where `keep` is false (an image without ink becomes blank in the same product)."""
    index = torch.arange(SIZE, device=shift.device)
    every = torch.arange(-SIZE + 1, SIZE, device=shift.device)  # the 55 shifts there are
    table = (index.view(1, SIZE, 1) - every.view(-1, 1, 1) == index.view(1, 1, SIZE)).float()
    table = torch.cat([table, torch.zeros(1, SIZE, SIZE, device=shift.device)])
    chosen = shift.clamp(-SIZE + 1, SIZE - 1) + SIZE - 1
    return table[torch.where(keep, chosen, len(every))]


def _resample_each(
    start: torch.Tensor, length: torch.Tensor, out_length: torch.Tensor, grow: torch.Tensor
) -> torch.Tensor:
    """`_resample_matrices` per image, computed once per distinct crop (a few hundred in
    10 000 digits): building them is elementwise work 28×28 per image, the product is not."""
    key = ((start * (SIZE + 1) + length) * (BOX + 1) + out_length.long()) * 2 + grow.long()
    distinct, which = torch.unique(key, return_inverse=True)
    rest, grows = distinct // 2, distinct % 2 > 0
    rest, out_lengths = rest // (BOX + 1), rest % (BOX + 1)
    starts, lengths = rest // (SIZE + 1), rest % (SIZE + 1)
    matrices = _resample_matrices(starts, lengths, out_lengths, grows)
    return matrices[which]


def _centre_of_mass(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(row, col) of each image's intensity-weighted centre; the image centre when empty."""
    index = torch.arange(SIZE, device=images.device, dtype=torch.float64)
    rows, cols = images.sum(dim=2).double(), images.sum(dim=1).double()
    total = rows.sum(dim=1)
    empty = total <= 0
    safe = torch.where(empty, 1.0, total)
    middle = (SIZE - 1) / 2.0
    cy = torch.where(empty, middle, (rows @ index) / safe)
    cx = torch.where(empty, middle, (cols @ index) / safe)
    return cy, cx


LIGHT_INK = PreprocessOptions(invert=False)


def to_mnist_batch(images: torch.Tensor, options: PreprocessOptions = LIGHT_INK) -> torch.Tensor:
    """(N, 28, 28) light-on-dark images in [0, 1] → what `to_mnist` makes of each, batched.

    Only 28×28 input (the test digits, distorted): polarity is taken as given (light ink), and
    without `fit` the image already has the size `to_mnist` would scale it to.
    """
    if images.ndim != 3 or tuple(images.shape[1:]) != (SIZE, SIZE):
        raise ValueError(f"expected (N, 28, 28) images, got {tuple(images.shape)}")
    out = images.float().clamp(0.0, 1.0)
    top, bottom, left, right = ink_boxes(out).unbind(dim=1)
    has_ink = bottom > top
    if options.fit:
        height, width = (bottom - top).clamp(min=1), (right - left).clamp(min=1)
        longer = torch.maximum(height, width).float()
        # Python's round() as in to_mnist: half to even, which torch.round does too.
        out_h = torch.round(height * BOX / longer).clamp(1, BOX)
        out_w = torch.round(width * BOX / longer).clamp(1, BOX)
        grow = ~((out_h <= height) & (out_w <= width))  # to_mnist: box only if both shrink
        rows = _resample_each(top, height, out_h, grow)
        cols = _resample_each(left, width, out_w, grow)
        out = (rows @ out @ cols.transpose(1, 2)).clamp_(0.0, 1.0)
        peak = out.amax(dim=(1, 2), keepdim=True)
        out = out / torch.where((peak > 0) & (peak < 1.0), peak, 1.0)  # a faded pen: full white
    if options.fit and options.normalise_pen:  # numpy, the very function `to_mnist` runs
        out = torch.from_numpy(normalise_pen(out.cpu().numpy())).to(out.device)
    if options.centre:
        cy, cx = _centre_of_mass(out)
        dy = torch.round(CENTRE - cy).long()
        dx = torch.round(CENTRE - cx).long()
        return _shift_matrices(dy, has_ink) @ out @ _shift_matrices(dx, has_ink).transpose(1, 2)
    return out * has_ink.view(-1, 1, 1)
