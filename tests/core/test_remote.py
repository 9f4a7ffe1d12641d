"""Training in a child process: same snapshots as in-process, and pause/cancel/errors cross over."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from digitlab.core.live import LiveSettings
from digitlab.core.model import new_model, to_network
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import (
    DataRequest,
    ExtraSamples,
    RunState,
    Snapshot,
    SnapshotStatus,
    Stage,
    TrainConfig,
    TrainJob,
)
from digitlab.core.remote import TrainerProcess, TrainingProcessError
from digitlab.core.training import train
from tests.conftest import write_mnist_files


@pytest.fixture(scope="module")
def trainer():
    """One child for the module: spawning imports torch, which takes seconds."""
    process = TrainerProcess()
    assert process.start(wait_s=60)
    yield process
    process.close()


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> DataRequest:
    """The tiny dataset as IDX files: the child loads its data itself."""
    return DataRequest("mnist", str(write_mnist_files(tmp_path_factory.mktemp("data"))))


def snapshots(items) -> list[Snapshot]:
    return list(each_snapshot(items))


def each_snapshot(items):
    """The snapshots of a run as they come (the stages before them skipped)."""
    return (item for item in items if isinstance(item, Snapshot))


def job(data: DataRequest, hidden=(), **config) -> TrainJob:
    return TrainJob(ModelSpec(hidden=hidden), data, TrainConfig(**config))


def test_child_gives_the_same_run_as_in_process(trainer, data, tiny_dataset) -> None:
    config = TrainConfig(epochs=2, snapshot_every=8, seed=1)
    expected = list(train(new_model(ModelSpec(hidden=(8,)), seed=1), tiny_dataset, config))
    items = list(trainer.train(TrainJob(ModelSpec(hidden=(8,)), data, config)))
    assert Stage.TRAINING in items and Stage.STARTING_TRAINER not in items  # it was warm
    got = snapshots(items)
    assert [s.step for s in got] == [s.step for s in expected]
    assert [s.status for s in got] == [s.status for s in expected]
    assert got[-1].test_accuracy == pytest.approx(expected[-1].test_accuracy)
    assert np.allclose(got[-1].weights[0], expected[-1].weights[0], atol=1e-5)


def test_a_run_can_start_from_given_weights(trainer, data) -> None:
    start = to_network(new_model(ModelSpec(), seed=5))
    config = TrainConfig(epochs=1, lr=1e-12, snapshot_every=1)
    extra = ExtraSamples(np.zeros((4, 28, 28), np.uint8), np.arange(4))  # pickled to the child
    got = snapshots(trainer.train(TrainJob(ModelSpec(), data, config, start, extra=extra)))
    np.testing.assert_allclose(got[0].weights[0], start.weights[0], atol=1e-6)
    assert got[-1].train_size == 512 + 4 * extra.copies(512)  # the extras joined the split


def test_cancel_reaches_the_child(trainer, data) -> None:
    state = RunState()
    seen = []
    for snap in each_snapshot(trainer.train(job(data, epochs=500), state)):
        seen.append(snap)
        state.cancel()
    assert seen[-1].status is SnapshotStatus.CANCELLED
    assert seen[-1].samples_seen < seen[-1].total_samples


def test_pause_holds_the_child(trainer, data) -> None:
    state = RunState()
    steps: list[int] = []

    def consume() -> None:
        for snap in each_snapshot(
            trainer.train(job(data, epochs=500, snapshot_seconds=0.01), state)
        ):
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


def test_paced_child_waits_for_the_caller(trainer, data) -> None:
    run = trainer.train(job(data, epochs=50, batch_size=8, snapshot_every=1))
    first = next(item for item in run if isinstance(item, Snapshot))
    time.sleep(0.3)  # a free-running child would be hundreds of steps further by now
    second = next(run)
    assert second.step == first.step + 1
    run.close()  # abandoning a run leaves the child ready for the next


def test_the_pace_reaches_the_child_and_follows_changes(trainer, data) -> None:
    """Set before the run: every step is shown at its pace (and the handshake that waits for
    the display does not stall it); changed mid-run: the child speeds up at once."""
    state = RunState()
    state.set_pace(20)
    began = time.perf_counter()
    paced = snapshots(trainer.train(job(data, epochs=1, batch_size=64), state))
    assert [s.step for s in paced] == list(range(1, 9))  # 512 images: 8 steps, each shown
    assert time.perf_counter() - began >= 7 / 20
    state.set_pace(1)  # 31 s for the 32 steps of batch 16
    run = each_snapshot(trainer.train(job(data, epochs=1, batch_size=16), state))
    assert next(run).step == 1
    state.set_pace(0)
    began = time.perf_counter()
    assert list(run)[-1].status is SnapshotStatus.DONE
    assert time.perf_counter() - began < 3.0


def test_live_settings_reach_the_child_at_its_next_step(trainer, data) -> None:
    """A new batch size and one more epoch, posted between two shown steps: the child's very
    next step takes them (they are copied over before it is let go)."""
    state = RunState()
    config = TrainConfig(epochs=1, batch_size=16, snapshot_every=1)
    run = each_snapshot(trainer.train(TrainJob(ModelSpec(), data, config), state))
    first = next(run)
    assert (first.samples_seen, first.total_samples) == (16, 512)
    state.set_live(replace(LiveSettings.of(config), batch_size=64, lr=0.0, extra_epochs=1))
    after = next(run)
    assert after.samples_seen - first.samples_seen == 64 and after.total_samples == 1024
    assert [c.text for c in after.changes] == ["lr 0.001 → 0, batch 16 → 64, +1 epoch"]
    rest = list(run)
    assert rest[-1].status is SnapshotStatus.DONE and rest[-1].samples_seen == 1024
    np.testing.assert_array_equal(rest[-1].weights[0], first.weights[0])  # lr 0: frozen


def test_errors_in_the_child_are_raised_here(trainer, data, tmp_path) -> None:
    pid = trainer._channel.child.pid
    missing = DataRequest("mnist", str(tmp_path / "nothing-here"))
    with pytest.raises(TrainingProcessError, match="MNIST is missing"):
        list(trainer.train(TrainJob(ModelSpec(), missing, TrainConfig(epochs=1))))
    assert not (tmp_path / "nothing-here").exists()  # a failed download creates nothing
    # and the same child serves the next run
    assert snapshots(trainer.train(job(data, epochs=1)))[-1].status is SnapshotStatus.DONE
    assert trainer._channel.child.pid == pid


def test_prepare_loads_the_data_ahead(trainer, tmp_path) -> None:
    """A trainer told to prepare loads the data then: it trains even after the files are
    gone."""
    import shutil

    root = write_mnist_files(tmp_path / "data")
    request = DataRequest("mnist", str(root))
    trainer.prepare(request)
    assert trainer.start(wait_s=60)
    time.sleep(1.0)  # the tiny files load in milliseconds once the child has the message
    shutil.rmtree(root)
    assert snapshots(trainer.train(job(request, epochs=1)))[-1].status is SnapshotStatus.DONE


def test_prepare_never_downloads(trainer, data, tmp_path) -> None:
    trainer.prepare(DataRequest("mnist", str(tmp_path / "empty")))
    # The child takes messages in order: once a run after it is done, the prepare was handled.
    assert snapshots(trainer.train(job(data, epochs=1)))[-1].status is SnapshotStatus.DONE
    assert not (tmp_path / "empty").exists()  # not even a folder: downloads wait for Start


def test_the_child_dies_with_its_parent(tmp_path) -> None:
    """Kill a parent that owns a trainer: the trainer must not outlive it."""
    import os
    import signal
    import subprocess
    import sys

    script = (
        "import time; from digitlab.core.remote import TrainerProcess\n"
        "t = TrainerProcess(); t.start(wait_s=60)\n"
        "print(t._channel.child.pid, flush=True); time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child_pid, signal.SIGKILL)
    pytest.fail("the trainer outlived its parent")


def test_a_cold_child_says_so_and_a_dead_one_is_a_clear_error(data) -> None:
    trainer = TrainerProcess()
    run = trainer.train(job(data, epochs=100_000))
    assert next(run) is Stage.STARTING_TRAINER  # a cold child says so first
    next(item for item in run if isinstance(item, Snapshot))
    trainer._channel.child.kill()
    with pytest.raises(TrainingProcessError, match="stopped unexpectedly"):
        list(run)
    trainer.close()


def _send_half_a_message_and_die(writer) -> None:
    """A child killed while sending a snapshot: a header promising a megabyte, a kilobyte sent."""
    import os
    import struct

    os.write(writer.fileno(), struct.pack("!i", 1_000_000) + b"x" * 1000)
    os._exit(9)


def test_a_child_killed_mid_message_is_a_clear_error_not_a_wait_forever() -> None:
    import multiprocessing as mp

    from digitlab.core.remote import _Channel

    ctx = mp.get_context("spawn")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_send_half_a_message_and_die, args=(writer,), daemon=True)
    child.start()
    writer.close()  # as TrainerProcess does: the child holds the only writer
    channel = _Channel(child, None, reader, *[None] * 6)
    outcome: list[BaseException | object] = []

    def receive_until_something() -> None:
        try:
            while (message := channel.receive()) is None:
                pass
            outcome.append(message)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            outcome.append(exc)

    reader_thread = threading.Thread(target=receive_until_something, daemon=True)
    reader_thread.start()
    reader_thread.join(20)
    assert not reader_thread.is_alive(), "the parent waits forever for the rest of the message"
    assert isinstance(outcome[0], TrainingProcessError)
    assert "stopped unexpectedly (exit code 9)" in str(outcome[0])
