"""Snapshot history: bounded memory, dense near now, the first and the epoch ends kept."""

from __future__ import annotations

import numpy as np

from digitlab.core.network import ModelSpec, Network
from digitlab.session.history import HistoryEntry, SnapshotHistory

SPEC = ModelSpec(hidden=(2,), num_classes=2)
NET = Network.from_arrays(
    SPEC,
    [np.zeros(s, np.float32) for s in SPEC.layer_shapes],
    [np.zeros(s[0], np.float32) for s in SPEC.layer_shapes],
)
SIZE = sum(a.nbytes for a in (*NET.weights, *NET.biases))


def entry(step: int, epoch_end: bool = False) -> HistoryEntry:
    return HistoryEntry(step, step * 10, step / 100, 1.0, 0.5, None, NET, epoch_end)


def test_memory_stays_under_the_cap_and_order_is_kept() -> None:
    history = SnapshotHistory(max_bytes=50 * SIZE)
    for step in range(1000):
        history.add(entry(step))
        assert history.nbytes <= history.max_bytes
    steps = [e.step for e in history.entries]
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 999
    assert 20 <= len(history) <= 50
    assert history.nbytes == len(history) * SIZE


def test_the_start_and_the_recent_part_stay_denser_than_the_middle() -> None:
    """The early steps change the weights most (the write-ups' videos are all about them); the
    newest part is where a live timeline is."""
    history = SnapshotHistory(max_bytes=64 * SIZE)
    for step in range(5000):
        history.add(entry(step))
    steps = np.array([e.step for e in history.entries])
    assert ((steps > 0) & (steps <= 250)).sum() >= 8  # the first 5 % of the run: many moments
    assert ((steps > 2000) & (steps <= 2250)).sum() <= 2  # the same span mid-run: few
    gaps = np.diff(steps)
    assert gaps[-5:].mean() < gaps[len(gaps) // 2 : -len(gaps) // 4].mean()


def test_epoch_ends_survive_thinning() -> None:
    history = SnapshotHistory(max_bytes=40 * SIZE)
    for step in range(600):
        history.add(entry(step, epoch_end=step % 100 == 99))
    kept = {e.step for e in history.entries}
    assert {99, 199, 299, 399, 499, 599} <= kept


def test_an_entry_count_cap_works_too() -> None:
    history = SnapshotHistory(max_bytes=10**9, max_entries=10)
    for step in range(100):
        history.add(entry(step))
    assert len(history) <= 10 and history.entries[-1].step == 99


def test_clear() -> None:
    history = SnapshotHistory()
    history.add(entry(1))
    history.clear()
    assert len(history) == 0 and history.nbytes == 0
