"""A run's past snapshots, within a memory cap: dense at its start and near now.

Each entry holds a network (weights and biases, no deltas: those follow from neighbours). When
the entries outgrow the cap, entries of the older part are dropped where they are closest on a
logarithmic scale of samples trained (the first, the newest quarter and epoch ends are kept as
long as possible): a long run keeps a record of its whole life, densest at the start where the
weights change fastest. The default cap, 64 MB, holds about 200 snapshots of 784→100→10
(318 KB each) and 40 of 784→400→200→10 (1.6 MB each). A timeline scrubs through it.
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
        """Drop a quarter of the entries between the first and the newest quarter: those whose
        neighbours are closest on a logarithmic scale of samples trained, so the early part of
        a run, where the weights change fastest, stays dense (and epoch ends go last). False
        when nothing could be dropped."""
        entries = self._entries
        recent = max(1, len(entries) // 4)
        middle = range(1, len(entries) - recent)
        candidates = [i for i in middle if not entries[i].epoch_end] or list(middle)
        if not candidates:
            return False
        where = np.log1p([max(e.samples, 0) for e in entries])
        closest = sorted(candidates, key=lambda i: (where[i + 1] - where[i - 1], i))
        drop: set[int] = set()
        for i in closest:  # never two neighbours at once: a gap opens at most one entry wide
            if len(drop) >= max(1, len(candidates) // 4):
                break
            if i - 1 not in drop and i + 1 not in drop:
                drop.add(i)
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
        RunMoment(
            e.step, e.samples, e.epoch, e.loss, e.accuracy, e.test_accuracy, e.epoch_end, e.network
        )  # fmt: skip
        for e in history.entries
    )
    return RunFile(spec, tuple(classes), moments, settings, train_curve, test_curve)
