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

    def take(self, index: torch.Tensor) -> torch.Tensor:
        """(len(index), inputs) floats in [0, 1]; overwritten by the next take of that size."""
        size = len(index)
        buffers = self._buffers.get(size)
        if buffers is None:
            raw = self.images.new_empty((size, self.images.shape[1]))
            buffers = raw, torch.empty(raw.shape, device=raw.device, dtype=self.dtype)
            self._buffers[size] = buffers
        raw, batch = buffers
        torch.index_select(self.images, 0, index, out=raw)
        return torch.div(raw, 255.0, out=batch)
