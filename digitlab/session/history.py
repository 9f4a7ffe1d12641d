"""A run's past snapshots, within a memory cap: dense near now, thinned further back.

Each entry holds a network (weights and biases, no deltas: those follow from neighbours). When
the entries outgrow the cap, every second entry of the older part is dropped (the first, the
newest and epoch ends are kept as long as possible), so a long run keeps a record of its whole
life at ever coarser steps. The timeline view scrubs through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitlab.core.network import ModelSpec, Network
from digitlab.core.run_file import RunFile, RunMoment
from digitlab.session.models import ModelRef

DEFAULT_MAX_BYTES = 64 * 2**20  # ~200 snapshots of a 784→100→10 net
DEFAULT_MAX_ENTRIES = 4000


@dataclass(frozen=True, eq=False)
class HistoryEntry:
    step: int
    samples: int  # samples trained on since the model was created
    epoch: float  # the same, in epochs
    loss: float
    accuracy: float
    test_accuracy: float | None
    network: Network
    epoch_end: bool = False
    ref: ModelRef | None = None  # the run's version this snapshot was (what a timeline selects)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (*self.network.weights, *self.network.biases))


class SnapshotHistory:
    def __init__(
        self, max_bytes: int = DEFAULT_MAX_BYTES, max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._entries: list[HistoryEntry] = []
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> tuple[HistoryEntry, ...]:
        return tuple(self._entries)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def add(self, entry: HistoryEntry) -> None:
        self._entries.append(entry)
        self._bytes += entry.nbytes
        while self._over() and len(self._entries) > 2:
            if not self._thin():
                break
        while self._over() and len(self._entries) > 1:  # entries too big for any thinning
            self._bytes -= self._entries.pop(0).nbytes

    def _over(self) -> bool:
        return self._bytes > self.max_bytes or len(self._entries) > self.max_entries

    def _thin(self) -> bool:
        """Drop every second entry between the first and the newest quarter (epoch ends last).
        False when nothing could be dropped."""
        entries = self._entries
        recent = max(1, len(entries) // 4)
        middle = range(1, len(entries) - recent)
        droppable = [i for i in middle if not entries[i].epoch_end][1::2]
        if not droppable:
            droppable = list(middle)[1::2] or list(middle)
        if not droppable:
            return False
        drop = set(droppable)
        self._bytes -= sum(entries[i].nbytes for i in drop)
        self._entries = [e for i, e in enumerate(entries) if i not in drop]
        return True


def as_run_file(
    history: SnapshotHistory,
    spec: ModelSpec,
    classes: tuple[int, ...],
    settings: dict,
    train_curve: np.ndarray,
    test_curve: np.ndarray,
) -> RunFile:
    """The history with its curves and settings, as a run file holds them."""
    moments = tuple(
        RunMoment(e.step, e.samples, e.epoch, e.loss, e.accuracy, e.test_accuracy, e.epoch_end,
                  e.network)  # fmt: skip
        for e in history.entries
    )
    return RunFile(spec, tuple(classes), moments, settings, train_curve, test_curve)
