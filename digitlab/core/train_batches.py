"""The training split as the loop draws it: bytes on the device, made floats one batch at a time.

Turning all 60 000 MNIST images into floats up front takes a quarter of a second on a slow CPU
(and four times the memory); a batch of 64 takes microseconds, into a buffer kept for its size.
The values are the same: `byte / 255` in float32.
"""

from __future__ import annotations

import torch

from digitlab.core.data import Split


class Batches:
    """`take(index)`: the float images of those samples; `labels` for the epoch's targets."""

    SCALE = 1.0 / 255.0  # `take_bytes` × SCALE = `take`

    def __init__(
        self, split: Split, device: torch.device, dtype: torch.dtype = torch.float32
    ) -> None:
        """`dtype`: the model's (float64 where tests hold the fast step to autograd)."""
        self.dtype = dtype
        self.images = torch.from_numpy(split.images).to(device).reshape(len(split), -1)
        self.labels = torch.from_numpy(split.labels).to(device)
        self._buffers: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}

    def __len__(self) -> int:
        return len(self.labels)

    def _buffers_of(self, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        buffers = self._buffers.get(size)
        if buffers is None:
            raw = self.images.new_empty((size, self.images.shape[1]))
            floats = torch.empty(raw.shape, device=raw.device, dtype=self.dtype)
            buffers = raw, floats, torch.empty_like(floats)
            self._buffers[size] = buffers
        return buffers

    def take_bytes(self, index: torch.Tensor) -> torch.Tensor:
        """(len(index), inputs) floats 0–255, the bytes' values: 255 × `take(index)`, a third
        of its cost (`core.fast_step` scales them in its first matmul). Overwritten by the next
        take of that size."""
        raw, floats, _ = self._buffers_of(index.shape[0])
        torch.index_select(self.images, 0, index, out=raw)
        return floats.copy_(raw)

    def take(self, index: torch.Tensor) -> torch.Tensor:
        """(len(index), inputs) floats in [0, 1]; overwritten by the next take of that size."""
        raw, _, scaled = self._buffers_of(index.shape[0])
        torch.index_select(self.images, 0, index, out=raw)
        return scaled.copy_(raw).div_(255.0)  # in the model's dtype, as `.float() / 255`
