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
        self._buffers: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def __len__(self) -> int:
        return len(self.labels)

    def _gathered(self, index: torch.Tensor) -> torch.Tensor:
        """Those samples' bytes, made floats (0–255) in the buffer kept for their number."""
        size = index.shape[0]  # not len(index): a Python call on the per-step path
        buffers = self._buffers.get(size)
        if buffers is None:
            raw = self.images.new_empty((size, self.images.shape[1]))
            buffers = raw, torch.empty(raw.shape, device=raw.device, dtype=self.dtype)
            self._buffers[size] = buffers
        raw, floats = buffers
        torch.index_select(self.images, 0, index, out=raw)
        return floats.copy_(raw)

    def take_bytes(self, index: torch.Tensor) -> torch.Tensor:
        """(len(index), inputs) floats 0–255, the bytes' values: 255 × `take(index)`, a third
        of its cost (`core.fast_step` scales them in its first matmul). Overwritten by the next
        take of that size."""
        return self._gathered(index)

    def take(self, index: torch.Tensor) -> torch.Tensor:
        """(len(index), inputs) floats in [0, 1]; overwritten by the next take of that size."""
        return self._gathered(index).div_(255.0)  # in the model's dtype, as `.float() / 255`
