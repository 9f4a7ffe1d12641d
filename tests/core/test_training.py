"""The trainer: it learns, reports honest snapshots, and obeys cancel, pause and divergence."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

from digitlab.core.data import Dataset, DatasetCache
from digitlab.core.model import new_model
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
from digitlab.core.training import LocalTrainer, accuracy, run_job, train, with_extra
from tests.conftest import make_tiny_dataset


def run(dataset: Dataset, hidden=(), state=None, **config):
    net = new_model(ModelSpec(hidden=hidden, num_classes=dataset.num_classes), seed=0)
    snaps = list(train(net, dataset, TrainConfig(**config), state))
    return net, snaps


@pytest.mark.parametrize("hidden", [(), (16,)])
def test_learns_the_tiny_dataset(tiny_dataset: Dataset, hidden) -> None:
    net, snaps = run(tiny_dataset, hidden, epochs=3, lr=3e-3)
    assert snaps[-1].status is SnapshotStatus.DONE and snaps[-1].finished
    assert snaps[-1].test_accuracy > 0.95
    test = tiny_dataset.test
    images, labels = torch.from_numpy(test.as_float()), torch.from_numpy(test.labels)
    assert accuracy(net, images, labels) == snaps[-1].test_accuracy


def test_sgd_learns_too(tiny_dataset: Dataset) -> None:
    _, snaps = run(tiny_dataset, optimizer="sgd", lr=0.1, epochs=3)
    assert snaps[-1].test_accuracy > 0.9


def test_snapshots_count_samples_and_epochs(tiny_dataset: Dataset) -> None:
    _, snaps = run(tiny_dataset, epochs=2, batch_size=32, snapshot_every=4)
    steps_per_epoch = 512 // 32
    assert snaps[-1].step == 2 * steps_per_epoch
    assert snaps[-1].samples_seen == snaps[-1].total_samples == 1024
    assert [s.status for s in snaps].count(SnapshotStatus.EPOCH) == 1
    assert all(s.test_accuracy is not None for s in snaps if s.status.evaluated)
    running = [s for s in snaps if s.status is SnapshotStatus.RUNNING]
    assert all(s.step % 4 == 0 for s in running)
    assert [s.step for s in snaps] == sorted(s.step for s in snaps)


def test_a_sample_budget_ends_the_run_exactly_and_measures_the_test_set(tiny_dataset) -> None:
    _, snaps = run(tiny_dataset, epochs=8, batch_size=30, samples=700, snapshot_every=5)
    last = snaps[-1]
    assert last.status is SnapshotStatus.DONE and last.samples_seen == last.total_samples == 700
    assert last.epochs == 2 and last.test_accuracy is not None  # 512 + 188 samples
    assert [s.status for s in snaps].count(SnapshotStatus.EPOCH) == 1


def test_deltas_are_the_change_between_snapshots(tiny_dataset: Dataset) -> None:
    net = new_model(ModelSpec(hidden=(8,)), seed=0)
    initial = [layer.weight.detach().numpy().copy() for layer in net.layers]
    snaps = list(train(net, tiny_dataset, TrainConfig(epochs=1, snapshot_every=1, batch_size=64)))
    assert np.allclose(snaps[0].deltas[0], snaps[0].weights[0] - initial[0], atol=1e-6)
    for before, after in zip(snaps, snaps[1:]):
        for layer in range(2):
            expected = after.weights[layer] - before.weights[layer]
            assert np.allclose(after.deltas[layer], expected, atol=1e-6)
    assert np.abs(snaps[1].deltas[0]).max() > 0
    assert snaps[-1].weights[0].shape == (8, 784) and snaps[-1].biases[1].shape == (10,)


def test_snapshot_arrays_are_copies(tiny_dataset: Dataset) -> None:
    net = new_model(ModelSpec(), seed=0)
    first = next(train(net, tiny_dataset, TrainConfig(epochs=1, snapshot_every=1)))
    first.weights[0][:] = 123.0
    assert float(net.layers[0].weight.detach().abs().max()) < 100


def test_same_seed_same_run(tiny_dataset: Dataset) -> None:
    _, a = run(tiny_dataset, epochs=1, seed=3, augment=True)
    _, b = run(tiny_dataset, epochs=1, seed=3, augment=True)
    _, c = run(tiny_dataset, epochs=1, seed=4, augment=True)
    assert np.array_equal(a[-1].weights[0], b[-1].weights[0])
    assert not np.array_equal(a[-1].weights[0], c[-1].weights[0])


def test_cancel_stops_at_once(tiny_dataset: Dataset) -> None:
    state = RunState()
    net = new_model(ModelSpec(), seed=0)
    seen = []
    for snap in train(net, tiny_dataset, TrainConfig(epochs=50, snapshot_every=2), state):
        seen.append(snap)
        if len(seen) == 3:
            state.cancel()
    assert seen[-1].status is SnapshotStatus.CANCELLED
    assert seen[-1].step == 6  # the step after the cancel never ran
    assert len(seen) == 4


def test_pause_holds_the_loop_until_resumed(tiny_dataset: Dataset) -> None:
    state = RunState()
    net = new_model(ModelSpec(), seed=0)
    steps: list[int] = []

    def consume() -> None:
        for snap in train(net, tiny_dataset, TrainConfig(epochs=20, snapshot_every=1), state):
            steps.append(snap.step)

    state.pause()
    worker = threading.Thread(target=consume)
    worker.start()
    time.sleep(0.2)
    assert steps == []  # paused before the first step
    state.resume()
    deadline = time.time() + 5
    while len(steps) < 3 and time.time() < deadline:
        time.sleep(0.01)
    state.pause()
    time.sleep(0.1)
    frozen = len(steps)
    time.sleep(0.2)
    assert len(steps) == frozen
    state.cancel()  # cancel also wakes a paused loop
    worker.join(timeout=5)
    assert not worker.is_alive()


def test_a_diverging_run_stops_and_keeps_good_weights(tiny_dataset: Dataset) -> None:
    net, snaps = run(tiny_dataset, hidden=(16,), optimizer="sgd", lr=1e4, snapshot_every=1)
    last = snaps[-1]
    assert last.status is SnapshotStatus.DIVERGED
    assert "diverged" in last.message and "learning rate" in last.message
    assert all(torch.isfinite(p).all() for p in net.parameters())
    good = [s for s in snaps if s.status is SnapshotStatus.RUNNING]
    assert good, "a good snapshot came before the blow-up"
    assert np.array_equal(net.layers[0].weight.detach().numpy(), good[-1].weights[0])
    assert np.array_equal(last.weights[0], good[-1].weights[0])


def test_class_subset_trains_a_smaller_head() -> None:
    from digitlab.core.data import _select

    full = make_tiny_dataset()
    subset = Dataset("tiny", _select(full.train, (0, 1)), _select(full.test, (0, 1)), (0, 1))
    net, snaps = run(subset, epochs=2)
    assert net.spec.num_classes == 2 and snaps[-1].weights[0].shape == (2, 784)
    assert snaps[-1].test_accuracy > 0.95


def test_l1_makes_weights_sparser(tiny_dataset: Dataset) -> None:
    _, plain = run(tiny_dataset, epochs=2)
    _, sparse = run(tiny_dataset, epochs=2, l1=1e-2)
    assert np.abs(sparse[-1].weights[0]).sum() < 0.7 * np.abs(plain[-1].weights[0]).sum()


def test_a_strong_l1_penalty_is_not_mistaken_for_divergence(tiny_dataset: Dataset) -> None:
    _, snaps = run(tiny_dataset, hidden=(100,), epochs=1, l1=0.2, snapshot_every=1)
    assert snaps[-1].status is SnapshotStatus.DONE
    assert snaps[0].loss < 3.0  # the reported loss is the cross-entropy, without the penalty


def test_cosine_schedule_runs(tiny_dataset: Dataset) -> None:
    _, snaps = run(tiny_dataset, epochs=2, schedule="cosine", lr=3e-3)
    assert snaps[-1].test_accuracy > 0.9


@pytest.mark.parametrize(
    "bad", [dict(lr=0), dict(lr=float("nan")), dict(epochs=0), dict(optimizer="rmsprop")]
)
def test_bad_configs_are_rejected(bad) -> None:
    with pytest.raises(ValueError):
        TrainConfig(**bad)


@pytest.mark.mnist
def test_one_epoch_on_real_mnist_reaches_90_percent(mnist) -> None:
    torch.set_num_threads(1)
    _, snaps = run(mnist, epochs=1)
    assert snaps[-1].test_accuracy >= 0.90


def _cache_of(dataset: Dataset) -> DatasetCache:
    return DatasetCache(lambda name, root=None, classes=None, **_: dataset)


def test_a_job_loads_its_data_then_trains(tiny_dataset: Dataset, tmp_path) -> None:
    from tests.conftest import write_mnist_files

    root = write_mnist_files(tmp_path)
    job = TrainJob(ModelSpec(hidden=(4,)), DataRequest("mnist", str(root)), TrainConfig(epochs=1))
    items = list(run_job(job, RunState(), DatasetCache()))
    assert items[:2] == [Stage.LOADING_DATA, Stage.TRAINING]
    assert all(isinstance(item, Snapshot) for item in items[2:])
    assert items[-1].status is SnapshotStatus.DONE and items[-1].train_size == 512


def test_a_job_starts_from_given_weights_or_from_its_seed(tiny_dataset: Dataset) -> None:
    from digitlab.core.model import to_network

    spec = ModelSpec(hidden=(4,))
    config = TrainConfig(epochs=1, seed=9, lr=1e-12, snapshot_every=1)
    trainer = LocalTrainer(_cache_of(tiny_dataset))
    fresh = [i for i in trainer.train(TrainJob(spec, DataRequest(), config), RunState())]
    seeded = to_network(new_model(spec, seed=9))
    np.testing.assert_allclose(fresh[2].weights[0], seeded.weights[0], atol=1e-6)  # lr ≈ 0
    start = to_network(new_model(spec, seed=1))
    resumed = list(trainer.train(TrainJob(spec, DataRequest(), config, start), RunState()))
    np.testing.assert_allclose(resumed[2].weights[0], start.weights[0], atol=1e-6)


def test_a_job_must_fit_its_data() -> None:
    with pytest.raises(ValueError, match="2 classes"):
        TrainJob(ModelSpec(), DataRequest(classes=(0, 1)), TrainConfig())


def test_a_status_is_an_enum_that_pickles_by_value() -> None:
    """The trainer process sends snapshots pickled; a status arrives as the same member."""
    import pickle

    status = pickle.loads(pickle.dumps(SnapshotStatus.EPOCH))
    assert status is SnapshotStatus.EPOCH and status.evaluated and not status.finished
    assert SnapshotStatus.DONE.evaluated and SnapshotStatus.DIVERGED.finished
    snap = Snapshot(0, 0, 1, 0, 1, 0.0, 0.0, 0.0, [], [], [], status="cancelled")  # type: ignore[arg-type]
    assert snap.status is SnapshotStatus.CANCELLED and snap.finished


def test_extra_samples_join_the_training_split_to_their_share(tiny_dataset: Dataset) -> None:
    images = np.full((10, 28, 28), 90, np.uint8)
    extra = ExtraSamples(images, np.array([0, 1] * 4 + [7, 7]))
    assert extra.copies(512) == round(0.1 / 0.9 * 512 / 10)  # 6: about a tenth of an epoch
    cache = DatasetCache(lambda name, root=None, classes=None, **_: tiny_dataset)
    job = TrainJob(ModelSpec(), DataRequest(), TrainConfig(epochs=2), extra=extra)
    snaps = [s for s in run_job(job, RunState(), cache) if isinstance(s, Snapshot)]
    assert snaps[-1].train_size == 512 + 60 and snaps[-1].samples_seen == 2 * 572
    pair = Dataset("tiny", tiny_dataset.train, tiny_dataset.test, (0, 7))  # labels 0, 1: 0 and 7
    mixed = with_extra(pair, extra)
    copies = ExtraSamples(images[:6], np.zeros(6)).copies(512)  # 9, of the six it keeps
    assert len(mixed.train) == 512 + 6 * copies  # the 1s have no output: left out
    assert mixed.train.labels[512:].tolist() == [0, 0, 0, 0, 1, 1] * copies
    with pytest.raises(ValueError, match="uint8"):
        ExtraSamples(images.astype(np.float32), np.zeros(10))
