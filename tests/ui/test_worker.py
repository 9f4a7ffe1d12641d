"""TrainingWorker: snapshots arrive as signals, pause/stop/back-pressure work, errors surface."""

from __future__ import annotations

import threading
import time

import pytest

from digitlab.core.model import ModelSpec, new_model
from digitlab.core.training import Snapshot, TrainConfig
from digitlab.ui import worker as worker_module
from digitlab.ui.worker import ACK_TIMEOUT_S, TrainingWorker, _AckGate


@pytest.fixture
def worker(qtbot):
    w = TrainingWorker()
    assert w.warm_up(wait_s=30)  # the trainer process imports torch once, before the clock runs
    yield w
    assert w.close(wait_ms=2000)


def fast_config(**overrides) -> TrainConfig:
    values = dict(epochs=1, batch_size=16, snapshot_seconds=0.02)
    values.update(overrides)
    return TrainConfig(**values)


def test_emits_snapshots_then_finished(qtbot, worker, tiny_dataset):
    model = new_model(ModelSpec(), seed=0)
    received: list[Snapshot] = []
    worker.snapshot.connect(received.append)
    with qtbot.waitSignal(worker.finished, timeout=5000) as blocker:
        worker.start(model, tiny_dataset, fast_config(epochs=2))
    last = blocker.args[0]
    assert last.status == "done" and last.test_accuracy is not None
    assert received and received[-1] is last
    assert all(s.weights[0].shape == (10, 784) for s in received)
    assert received[0].samples_seen < last.samples_seen == 2 * len(tiny_dataset.train)
    qtbot.waitUntil(lambda: not worker.is_running(), timeout=1000)


def test_start_twice_is_refused(qtbot, worker, tiny_dataset):
    worker.start(new_model(ModelSpec()), tiny_dataset, fast_config(epochs=50))
    with pytest.raises(RuntimeError):
        worker.start(new_model(ModelSpec()), tiny_dataset, fast_config())


def test_pause_stops_progress_and_resume_continues(qtbot, worker, tiny_dataset):
    seen: list[int] = []
    worker.snapshot.connect(lambda s: seen.append(s.samples_seen))
    with qtbot.waitSignal(worker.snapshot, timeout=5000):
        worker.start(new_model(ModelSpec()), tiny_dataset, fast_config(epochs=50, batch_size=4))
    worker.pause()
    qtbot.wait(100)  # let snapshots already queued arrive
    frozen = len(seen)
    qtbot.wait(200)
    assert len(seen) == frozen and worker.is_paused() and worker.is_running()
    worker.resume()
    qtbot.waitUntil(lambda: len(seen) > frozen, timeout=2000)
    assert not worker.is_paused()


def test_stop_ends_promptly_and_joins_the_thread(qtbot, worker, tiny_dataset):
    finished: list[Snapshot] = []
    worker.finished.connect(finished.append)
    with qtbot.waitSignal(worker.snapshot, timeout=5000):
        worker.start(new_model(ModelSpec((64,))), tiny_dataset, fast_config(epochs=50))
    t0 = time.perf_counter()
    assert worker.stop(wait_ms=1000)
    assert time.perf_counter() - t0 < 0.5
    assert not worker.is_running() and worker._thread.isFinished()
    qtbot.waitUntil(lambda: bool(finished), timeout=1000)
    assert finished[0].status == "cancelled"


def test_stop_while_paused(qtbot, worker, tiny_dataset):
    with qtbot.waitSignal(worker.snapshot, timeout=5000):
        worker.start(new_model(ModelSpec()), tiny_dataset, fast_config(epochs=50))
    worker.pause()
    assert worker.stop(wait_ms=1000)


def test_step_mode_waits_for_acknowledge(qtbot, worker, tiny_dataset):
    steps: list[int] = []
    worker.snapshot.connect(lambda s: steps.append(s.step))
    with qtbot.waitSignal(worker.snapshot, timeout=5000):
        worker.start(new_model(ModelSpec()), tiny_dataset, fast_config(snapshot_every=1))
    qtbot.wait(300)  # without an acknowledgement the producer holds still
    assert steps == [1]
    for expected in (2, 3, 4):
        with qtbot.waitSignal(worker.snapshot, timeout=1000):
            worker.acknowledge()
        assert steps[-1] == expected
    assert worker.stop(wait_ms=1000)  # cancel wakes a producer that waits for an acknowledgement


def test_time_mode_never_waits_for_acknowledge(qtbot, worker, tiny_dataset):
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start(new_model(ModelSpec()), tiny_dataset, fast_config(batch_size=4))


def test_exception_in_training_emits_failed(qtbot, worker, tiny_dataset):
    wrong_shape = new_model(ModelSpec(input_size=100))  # the data has 784 inputs
    finished: list[Snapshot] = []
    worker.finished.connect(finished.append)
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start(wrong_shape, tiny_dataset, fast_config())
    assert "RuntimeError" in blocker.args[0]
    qtbot.wait(50)
    assert not finished and not worker.is_running()


def test_restart_after_a_run(qtbot, worker, tiny_dataset):
    model = new_model(ModelSpec())
    for _ in range(2):
        with qtbot.waitSignal(worker.finished, timeout=5000):
            worker.start(model, tiny_dataset, fast_config())


@pytest.mark.own_trainer
def test_stop_all_workers_joins_every_running_thread(qtbot, tiny_dataset):
    workers = [TrainingWorker() for _ in range(2)]
    assert all(w.warm_up(wait_s=60) for w in workers)
    for w in workers:
        with qtbot.waitSignal(w.snapshot, timeout=5000):
            w.start(new_model(ModelSpec()), tiny_dataset, fast_config(epochs=50))
    assert worker_module.stop_all_workers(wait_ms=1000)
    assert not any(w.is_running() for w in workers)


def test_ack_gate_times_out_and_opens_without_qt():
    gate = _AckGate()
    gate.arm()
    t0 = time.perf_counter()
    assert not gate.wait(0.05)
    assert time.perf_counter() - t0 < ACK_TIMEOUT_S
    threading.Timer(0.02, gate.open).start()
    assert gate.wait(1.0)


@pytest.mark.own_trainer
def test_closing_while_the_trainer_still_starts_is_clean(qtbot, tiny_dataset):
    """Start pressed right after launch, window closed at once: no hang, no crash."""
    worker = TrainingWorker()
    failures: list[str] = []
    worker.failed.connect(failures.append)
    worker.start(new_model(ModelSpec()), tiny_dataset, fast_config(epochs=50))
    started = time.perf_counter()
    assert worker.close(wait_ms=500)
    assert time.perf_counter() - started < 2.0
    assert not worker.is_running()
