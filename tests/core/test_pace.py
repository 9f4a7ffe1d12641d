"""The pace: at most so many steps a second, changeable mid-run, every step shown when slow, and
never in the way of a cancel."""

from __future__ import annotations

import math
import statistics
import threading
import time

import pytest

from digitlab.core.data import Dataset
from digitlab.core.model import new_model
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import EVERY_STEP_PACE, RunState, SnapshotStatus, TrainConfig
from digitlab.core.training import train

# The tiny dataset has 512 training images: batch 64 is 8 steps an epoch.
STEPS = 8


def paced_run(dataset: Dataset, state: RunState, **config):
    net = new_model(ModelSpec(), seed=0)
    return train(net, dataset, TrainConfig(**{"epochs": 1, "batch_size": 64, **config}), state)


def test_a_paced_run_keeps_its_pace_and_shows_every_step(tiny_dataset: Dataset) -> None:
    state = RunState()
    state.set_pace(20)
    began = time.perf_counter()
    snaps = list(paced_run(tiny_dataset, state, snapshot_seconds=60))
    took = time.perf_counter() - began
    assert [s.step for s in snaps] == list(range(1, STEPS + 1))  # a snapshot after each step
    assert snaps[-1].status is SnapshotStatus.DONE
    assert took >= (STEPS - 1) / 20
    assert snaps[-1].elapsed_s < 0.5 * took  # the waits are not counted as training time
    rates = [s.samples_per_s for s in snaps[1:-1]]  # after a wait of 1/20 s each
    assert statistics.median(rates) < 1.3 * 64 * 20, rates  # the speed shown is the pace's


def test_above_the_every_step_pace_the_usual_refresh_holds(tiny_dataset: Dataset) -> None:
    state = RunState()
    state.set_pace(2.5 * EVERY_STEP_PACE)
    snaps = list(paced_run(tiny_dataset, state, snapshot_seconds=60))
    assert [s.step for s in snaps] == [STEPS]  # only the epoch's end: no refresh was due


def test_the_pace_can_change_while_a_run_goes(tiny_dataset: Dataset) -> None:
    state = RunState()
    state.set_pace(2)  # 31 waits of 0.5 s: 15 s at this pace
    run = paced_run(tiny_dataset, state, batch_size=16)
    assert next(run).step == 1
    began = time.perf_counter()
    assert next(run).step == 2  # this one waits its 0.5 s
    assert time.perf_counter() - began >= 0.45
    state.set_pace(0)
    began = time.perf_counter()
    rest = list(run)
    assert time.perf_counter() - began < 2.0 and rest[-1].status is SnapshotStatus.DONE


def test_a_faster_pace_cuts_a_wait_short(tiny_dataset: Dataset) -> None:
    state = RunState()
    state.set_pace(0.5)  # 2 s a step
    run = paced_run(tiny_dataset, state)
    next(run)
    threading.Timer(0.2, state.set_pace, (0,)).start()
    began = time.perf_counter()
    assert next(run).step == 2
    assert time.perf_counter() - began < 1.0  # not the 2 s the old pace asked for
    run.close()


def test_cancel_during_a_slow_pace_returns_at_once(tiny_dataset: Dataset) -> None:
    state = RunState()
    state.set_pace(0.2)  # 5 s a step
    run = paced_run(tiny_dataset, state)
    next(run)
    threading.Timer(0.1, state.cancel).start()
    began = time.perf_counter()
    last = next(run)
    assert time.perf_counter() - began < 0.5
    assert last.status is SnapshotStatus.CANCELLED and last.step == 1


def test_pause_during_a_paced_wait_holds_the_next_step(tiny_dataset: Dataset) -> None:
    state = RunState()
    state.set_pace(5)
    run = paced_run(tiny_dataset, state)
    next(run)
    state.pause()
    threading.Timer(0.6, state.resume).start()
    began = time.perf_counter()
    assert next(run).step == 2
    assert time.perf_counter() - began >= 0.55  # the pause, not the 0.2 s of the pace
    run.close()


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_a_pace_must_be_a_rate(bad: float) -> None:
    state = RunState()
    with pytest.raises(ValueError, match="pace"):
        state.set_pace(bad)
    assert state.pace == 0.0 and not state.shows_every_step


def test_every_step_is_shown_from_the_every_step_pace_down() -> None:
    from digitlab.core.hyperparams import HYPERPARAMS

    assert f"{EVERY_STEP_PACE:g} steps/s or slower" in HYPERPARAMS["pace"].help  # says so
    state = RunState()
    for pace, every in ((0, False), (0.5, True), (EVERY_STEP_PACE, True), (30, False)):
        state.set_pace(pace)
        assert state.shows_every_step is every, pace
