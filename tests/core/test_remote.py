"""Training in a child process: same snapshots as in-process, and pause/cancel/errors cross over."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from digitlab.core.model import ModelSpec, new_model
from digitlab.core.remote import TrainerProcess, TrainingProcessError
from digitlab.core.training import RunState, TrainConfig, train


@pytest.fixture(scope="module")
def trainer():
    """One child for the module: spawning imports torch, which takes seconds."""
    process = TrainerProcess()
    process.start()
    yield process
    process.close()


def test_child_gives_the_same_run_as_in_process(trainer, tiny_dataset) -> None:
    config = TrainConfig(epochs=2, snapshot_every=8, seed=1)
    local = new_model(ModelSpec(hidden=(8,)), seed=0)
    remote = new_model(ModelSpec(hidden=(8,)), seed=0)
    expected = list(train(local, tiny_dataset, config))
    got = list(trainer.train(remote, tiny_dataset, config))
    assert [s.step for s in got] == [s.step for s in expected]
    assert [s.status for s in got] == [s.status for s in expected]
    assert got[-1].test_accuracy == pytest.approx(expected[-1].test_accuracy)
    assert np.allclose(got[-1].weights[0], expected[-1].weights[0], atol=1e-5)
    # the caller's model holds the trained weights afterwards
    assert np.array_equal(remote.layers[0].weight.detach().numpy(), got[-1].weights[0])


def test_cancel_reaches_the_child(trainer, tiny_dataset) -> None:
    state = RunState()
    seen = []
    for snap in trainer.train(new_model(ModelSpec()), tiny_dataset, TrainConfig(epochs=500), state):
        seen.append(snap)
        state.cancel()
    assert seen[-1].status == "cancelled"
    assert seen[-1].samples_seen < seen[-1].total_samples


def test_pause_holds_the_child(trainer, tiny_dataset) -> None:
    state = RunState()
    config = TrainConfig(epochs=500, snapshot_seconds=0.01)
    steps: list[int] = []

    def consume() -> None:
        for snap in trainer.train(new_model(ModelSpec()), tiny_dataset, config, state):
            steps.append(snap.step)

    worker = threading.Thread(target=consume)
    worker.start()
    deadline = time.time() + 10
    while len(steps) < 3 and time.time() < deadline:
        time.sleep(0.01)
    state.pause()
    time.sleep(0.3)
    frozen = len(steps)
    time.sleep(0.3)
    assert len(steps) <= frozen + 1  # one snapshot may have been on its way
    state.cancel()
    worker.join(timeout=5)
    assert not worker.is_alive()


def test_paced_child_waits_for_the_caller(trainer, tiny_dataset) -> None:
    config = TrainConfig(epochs=50, batch_size=8, snapshot_every=1)
    run = trainer.train(new_model(ModelSpec()), tiny_dataset, config)
    first = next(run)
    time.sleep(0.3)  # a free-running child would be hundreds of steps further by now
    second = next(run)
    assert second.step == first.step + 1
    run.close()  # abandoning a run leaves the child ready for the next


def test_errors_in_the_child_are_raised_here(trainer, tiny_dataset) -> None:
    pid = trainer._channel.child.pid
    wrong_shape = new_model(ModelSpec(input_size=100))
    started = time.perf_counter()
    with pytest.raises(TrainingProcessError, match="RuntimeError"):
        list(trainer.train(wrong_shape, tiny_dataset, TrainConfig(epochs=1)))
    assert time.perf_counter() - started < 1.5  # reported at once, not after a time-out
    # and the same child serves the next run
    assert list(trainer.train(new_model(ModelSpec()), tiny_dataset, TrainConfig(epochs=1)))
    assert trainer._channel.child.pid == pid


def test_a_dead_child_is_a_clear_error(tiny_dataset) -> None:
    trainer = TrainerProcess()
    run = trainer.train(new_model(ModelSpec()), tiny_dataset, TrainConfig(epochs=100_000))
    next(run)
    trainer._channel.child.kill()
    with pytest.raises(TrainingProcessError, match="stopped unexpectedly"):
        list(run)
    trainer.close()
