"""Changing a going run: new settings reach the loop at its next step, in-process."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from digitlab.core import training
from digitlab.core.data import Dataset
from digitlab.core.hyperparams import LIVE_FIELDS
from digitlab.core.live import LiveBox, LiveSettings
from digitlab.core.live_run import LiveRun
from digitlab.core.model import new_model
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import RunState, SnapshotStatus, TrainConfig
from digitlab.core.training import make_optimizer, train

# The tiny dataset has 512 training images: batch 64 is 8 steps an epoch.


def stepwise(dataset: Dataset, state: RunState, **config):
    """A run that reports after every step, so a test can change it between two steps."""
    net = new_model(ModelSpec(hidden=(8,)), seed=0)
    config = TrainConfig(**{"epochs": 1, "batch_size": 64, "snapshot_every": 1, **config})
    return train(net, dataset, config, state), config


def post(state: RunState, config: TrainConfig, **changes) -> None:
    state.set_live(dataclasses.replace(LiveSettings.of(config), **changes))


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_learning_rate_of_zero_from_step_k_freezes_the_weights(tiny_dataset, optimizer):
    state = RunState()
    run, config = stepwise(tiny_dataset, state, optimizer=optimizer, lr=0.05, weight_decay=1e-3)
    first, second = next(run), next(run)
    assert np.abs(second.deltas[0]).max() > 0  # it learns
    post(state, config, lr=0.0)
    rest = list(run)
    assert rest[-1].status is SnapshotStatus.DONE and rest[-1].step == 8
    for snap in rest:
        np.testing.assert_array_equal(snap.weights[0], second.weights[0])
    assert rest[0].live.lr == 0.0 and first.live.lr == 0.05
    (change,) = rest[0].changes
    assert change.text == "lr 0.05 → 0" and change.samples == 128  # after the second step
    assert all(not s.changes for s in rest[1:])  # each change is reported once


def test_a_new_batch_size_takes_the_next_batch_and_the_epoch_still_ends_at_its_end(
    tiny_dataset,
) -> None:
    state = RunState()
    run, config = stepwise(tiny_dataset, state)
    snaps = [next(run), next(run)]
    post(state, config, batch_size=16)
    snaps += list(run)
    seen = [s.samples_seen for s in snaps]
    assert np.diff(seen).tolist() == [64] + [16] * 24  # 128 + 24 × 16 = 512
    assert snaps[-1].status is SnapshotStatus.DONE and snaps[-1].step == 26
    assert {s.epoch for s in snaps} == {0} and snaps[-1].test_accuracy is not None
    assert snaps[2].changes[0].text == "batch 64 → 16" and snaps[-1].live.batch_size == 16


def test_a_larger_batch_mid_epoch_takes_what_is_left_of_it(tiny_dataset) -> None:
    state = RunState()
    run, config = stepwise(tiny_dataset, state, epochs=2, batch_size=100)
    first = next(run)
    post(state, config, batch_size=300)
    snaps = [first, *run]
    assert [s.samples_seen for s in snaps] == [100, 400, 512, 812, 1024]
    assert [s.status for s in snaps].count(SnapshotStatus.EPOCH) == 1


def test_one_more_epoch_moves_the_end_and_is_reported(tiny_dataset) -> None:
    state = RunState()
    run, config = stepwise(tiny_dataset, state, epochs=1)
    assert next(run).total_samples == 512
    post(state, config, extra_epochs=1)
    snaps = list(run)
    assert snaps[0].total_samples == 1024 and snaps[0].epochs == 2
    assert snaps[0].changes[0].text == "+1 epoch"
    assert [s.status for s in snaps if s.status.evaluated] == [
        SnapshotStatus.EPOCH,
        SnapshotStatus.DONE,
    ]
    assert snaps[-1].samples_seen == 1024 and snaps[-1].step == 16


def test_one_more_epoch_asked_during_the_last_step_still_counts(tiny_dataset, monkeypatch):
    state = RunState()
    config = TrainConfig(epochs=1, snapshot_seconds=60)
    measured = training.accuracy

    def while_measuring(*args, **kwargs):  # the run is at its end: its last step is done
        if state.live.version == 0:
            post(state, config, extra_epochs=1)
        return measured(*args, **kwargs)

    monkeypatch.setattr(training, "accuracy", while_measuring)
    snaps = list(train(new_model(ModelSpec(), seed=0), tiny_dataset, config, state))
    assert [s.status for s in snaps] == [SnapshotStatus.EPOCH, SnapshotStatus.DONE]
    assert snaps[-1].samples_seen == 1024


def test_switching_the_augmentation_changes_only_the_batches_after(tiny_dataset) -> None:
    runs = []
    for switch in (False, True):
        state = RunState()
        run, config = stepwise(tiny_dataset, state)
        snaps = [next(run), next(run)]
        if switch:
            post(state, config, augment="light")
        runs.append(snaps + list(run))
    plain, switched = runs
    np.testing.assert_array_equal(plain[1].weights[0], switched[1].weights[0])
    assert not np.allclose(plain[2].weights[0], switched[2].weights[0])
    assert switched[-1].live.augment == "light" and plain[-1].live.augment == ""
    assert switched[2].changes[0].text == "augment none → light"


def test_posting_the_same_settings_changes_nothing(tiny_dataset) -> None:
    state = RunState()
    run, config = stepwise(tiny_dataset, state)
    next(run)
    post(state, config)
    assert all(not s.changes for s in run)


def test_the_optimizer_groups_follow_and_adam_ignores_momentum(tiny_dataset) -> None:
    for name, schedule in (("sgd", "constant"), ("adam", "cosine")):
        config = TrainConfig(optimizer=name, lr=0.1, momentum=0.0, schedule=schedule)
        optimizer = make_optimizer(new_model(ModelSpec(), seed=0), config)
        live, state = LiveRun(config, optimizer, 512, 1024), RunState()
        for _ in range(3 if live.scheduler else 0):
            optimizer.step()  # no gradients: nothing moves, but the schedule counts
            live.scheduler.step()
        post(state, config, lr=0.01, momentum=0.9, weight_decay=0.5)
        assert live.follow(state, seen=192, step=3)
        factor = live._cosine(3) if schedule == "cosine" else 1.0
        for group in optimizer.param_groups:
            assert group["lr"] == pytest.approx(0.01 * factor)
            assert group["weight_decay"] == 0.5
            assert group.get("momentum", "none") == (0.9 if name == "sgd" else "none")
        if live.scheduler is not None:
            live.scheduler.step()
            assert optimizer.param_groups[0]["lr"] == pytest.approx(0.01 * live._cosine(4))
        assert not live.follow(state, seen=256, step=4)  # nothing new


def test_sgd_momentum_switched_on_mid_run_takes_effect(tiny_dataset) -> None:
    runs = []
    for momentum in (0.0, 0.9):
        state = RunState()
        run, config = stepwise(tiny_dataset, state, optimizer="sgd", lr=0.05, momentum=0.0)
        next(run)
        post(state, config, momentum=momentum)
        runs.append(list(run))
    np.testing.assert_array_equal(runs[0][0].weights[0], runs[1][0].weights[0])  # not yet used
    assert not np.allclose(runs[0][-1].weights[0], runs[1][-1].weights[0])


def test_live_settings_are_the_live_options_and_cross_a_box_whole() -> None:
    names = [f.name for f in dataclasses.fields(LiveSettings)]
    assert sorted(names) == sorted([*LIVE_FIELDS, "extra_epochs"])
    box = LiveBox()
    assert box.take(0) == (0, None)
    live = LiveSettings(lr=0.01, momentum=0.5, weight_decay=0.0, l1=1e-5, batch_size=16,
                        augment="robust", extra_epochs=2)  # fmt: skip
    box.put(live)
    assert box.take(0) == (1, live) and box.take(1) == (1, None)
    box.clear()
    assert box.take(1) == (0, None)


BAD = [
    {"lr": -1.0},
    {"l1": float("nan")},
    {"batch_size": 0},
    {"augment": "wild"},
    {"extra_epochs": -1},
]


@pytest.mark.parametrize("bad", BAD)
def test_impossible_live_settings_are_refused(bad) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(LiveSettings.of(TrainConfig()), **bad)
