"""How much memory training a net needs, checked before anything is allocated.

A typo such as `--hidden 10000000` asks for 31 GB of weights; torch then fails deep inside with
an allocator message from C++. Checking first turns that into one line that says how much.
"""

from __future__ import annotations

import os

from digitlab.core.errors import DigitlabError
from digitlab.core.network import ModelSpec

BYTES_PER_FLOAT = 4
# Weights, gradients, Adam's two moments, the last snapshot's weights (for the deltas) and the
# copy sent out with a snapshot.
COPIES_WHILE_TRAINING = 6
# Per example and unit: the layer's output, its activation and their gradients.
ACTIVATION_COPIES = 4


class NotEnoughMemory(DigitlabError):
    """The net asked for cannot be trained in this machine's memory."""


def training_bytes(spec: ModelSpec, batch_size: int) -> int:
    """An estimate of the memory that training `spec` takes, on top of the dataset."""
    weights = spec.parameter_count * COPIES_WHILE_TRAINING
    activations = batch_size * sum(spec.sizes) * ACTIVATION_COPIES
    return (weights + activations) * BYTES_PER_FLOAT


def available_bytes() -> int | None:
    """Memory the system can give without swapping (Linux: MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None  # macOS and Windows: let the allocation itself tell


def format_bytes(count: float) -> str:
    """1.5e9 → '1.5 GB' (decimal units, as the system monitors show them)."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if count < 1000:
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def too_large(spec: ModelSpec, needed: int | None = None) -> NotEnoughMemory:
    """The one-line error for a net that does not fit (`needed` None: its weights alone)."""
    what = "training it needs" if needed is not None else "its weights alone need"
    needed = needed if needed is not None else spec.parameter_count * BYTES_PER_FLOAT
    free = available_bytes()
    has = f", and {format_bytes(free)} is free" if free is not None else ""
    return NotEnoughMemory(
        f"a {spec.describe()} net has {spec.parameter_count:,} weights: {what} "
        f"about {format_bytes(needed)} of memory{has}; use fewer or smaller hidden layers"
    )


def check_trainable(spec: ModelSpec, batch_size: int) -> None:
    """Raise NotEnoughMemory when training `spec` would not fit in the free memory."""
    needed = training_bytes(spec, batch_size)
    free = available_bytes()
    if free is not None and needed > free:
        raise too_large(spec, needed)
