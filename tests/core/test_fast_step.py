"""The hand-written step (core.fast_step) against autograd, its reference: the same gradients and
the same weights, step after step, for every activation, optimiser, penalty and schedule.

Trajectories under Adam are compared in float64: Adam divides each gradient by its own size, so
a weight whose gradient and decay cancel to ~1e-9 turns float32 rounding (the two paths multiply
in different orders) into a visible difference at its first step. In float64 the paths agree to
1e-7; float32 is held to 1e-5 gradient by gradient, and under SGD step by step."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from digitlab.core import training
from digitlab.core.data import Dataset
from digitlab.core.fast_step import FastStep, covers
from digitlab.core.live import LiveSettings
from digitlab.core.model import MLP, new_model
from digitlab.core.network import ModelSpec
from digitlab.core.protocol import RunState, SnapshotStatus, TrainConfig
from digitlab.core.training import make_optimizer, train

ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity")


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny matmuls on a busy 2-core machine: a second OpenMP thread only waits for a core."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


TOLERANCE = 1e-5  # float32
TOLERANCE_64 = 1e-7  # 100× tighter than float32 asks: the same arithmetic, not just close


def both_paths(dataset: Dataset, spec: ModelSpec, double: bool = False, **config):
    """The snapshots of one run per path (fast, autograd), from the same weights and seed."""
    runs = []
    for autograd in (False, True):
        net = new_model(spec, seed=0)
        net = net.double() if double else net
        run = train(net, dataset, TrainConfig(**config), autograd=autograd)
        runs.append((net, list(run)))
    return runs


def assert_same_run(fast, reference, tolerance: float = TOLERANCE) -> None:
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference):
        assert (a.step, a.samples_seen, a.status) == (b.step, b.samples_seen, b.status)
        for x, y in zip(a.weights + a.biases, b.weights + b.biases):
            np.testing.assert_allclose(x, y, rtol=0, atol=tolerance)
        assert a.loss == pytest.approx(b.loss, abs=tolerance)
        assert a.accuracy == b.accuracy and a.test_accuracy == b.test_accuracy


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_one_step_has_autograds_gradients(tiny_dataset: Dataset, activation: str) -> None:
    spec = ModelSpec(hidden=(16, 8), activation=activation)
    images = torch.from_numpy(tiny_dataset.train.as_float()[:32])
    labels = torch.from_numpy(tiny_dataset.train.labels[:32])
    config = TrainConfig(lr=1e-12)  # the gradients are the point, not the step
    reference = new_model(spec, seed=1)
    loss = F.cross_entropy(reference(images), labels)
    loss = loss + 0.01 * sum(layer.weight.abs().sum() for layer in reference.layers)
    loss.backward()
    net = new_model(spec, seed=1)
    fast = FastStep(net, make_optimizer(net, config))
    fast.begin_epoch(labels)
    logits = torch.empty(10, 32)
    fast.step(images, logits, 0, l1=0.01)
    np.testing.assert_allclose(logits.t().numpy(), reference(images).detach().numpy(), atol=1e-5)
    for mine, theirs in zip(net.parameters(), reference.parameters()):
        assert mine.grad is not None and theirs.grad is not None
        np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=0, atol=1e-6)
        assert float(theirs.grad.abs().max()) > 1e-4  # a gradient that could differ


REGULARISED = [dict(l1=0.0, weight_decay=0.0), dict(l1=1e-3, weight_decay=0.0),
               dict(l1=1e-3, weight_decay=1e-2)]  # fmt: skip
OPTIMISERS = [dict(optimizer="adam", lr=3e-3), dict(optimizer="sgd", lr=0.1, momentum=0.9),
              dict(optimizer="sgd", lr=0.1, momentum=0.0)]  # fmt: skip


@pytest.mark.parametrize(
    "activation, optimiser, schedule",
    list(itertools.product(ACTIVATIONS, OPTIMISERS, ("constant", "cosine"))),
    ids=lambda value: (
        value.get("optimizer", "") + str(value.get("momentum", ""))
        if isinstance(value, dict)
        else str(value)
    ),
)
def test_every_step_matches_autograd(tiny_dataset, activation, optimiser, schedule) -> None:
    """Ten steps over two epochs (short batches at the ends), each reported: the same weights,
    loss and hits at every one, with and without L1 and weight decay."""
    spec = ModelSpec(hidden=(16, 8), activation=activation)
    for regularised in REGULARISED:
        config = dict(epochs=2, batch_size=60, samples=550, snapshot_every=1, schedule=schedule,
                      **optimiser, **regularised)  # fmt: skip
        (_, fast), (_, reference) = both_paths(tiny_dataset, spec, double=True, **config)
        assert fast[-1].status is SnapshotStatus.DONE and fast[-1].step == 10
        assert_same_run(fast, reference, TOLERANCE_64)
        if optimiser["optimizer"] == "sgd":  # float32 too: no division by the gradient's size
            (_, fast), (_, reference) = both_paths(tiny_dataset, spec, **config)
            assert_same_run(fast, reference)


@pytest.mark.parametrize("optimizer, lr", [("adam", 1e-3), ("sgd", 0.05)])
def test_a_one_layer_net_and_a_long_run_stay_with_autograd(tiny_dataset, optimizer, lr) -> None:
    config = dict(epochs=3, batch_size=16, snapshot_every=7, l1=1e-4, weight_decay=1e-3,
                  optimizer=optimizer, lr=lr)  # fmt: skip
    (net, fast), (ref, reference) = both_paths(tiny_dataset, ModelSpec(), double=True, **config)
    assert_same_run(fast, reference, TOLERANCE_64)
    assert fast[-1].test_accuracy > 0.9
    assert torch.equal(net.layers[0].weight.detach(), torch.from_numpy(fast[-1].weights[0]))


def test_live_changes_reach_the_fast_step_as_they_reach_autograd(tiny_dataset: Dataset) -> None:
    """Momentum switched on mid-run (SGD makes its buffers then), a new learning rate, decay
    and batch size: both paths follow them at the same step."""
    config = TrainConfig(epochs=2, batch_size=32, optimizer="sgd", lr=0.05, momentum=0.0,
                         snapshot_every=1)  # fmt: skip
    changed = dataclasses.replace(
        LiveSettings.of(config), momentum=0.9, lr=0.02, weight_decay=1e-3, l1=1e-4, batch_size=48
    )
    runs = []
    for autograd in (False, True):
        state, net = RunState(), new_model(ModelSpec(hidden=(12,)), seed=0)
        snaps = []
        for snap in train(net, tiny_dataset, config, state, autograd=autograd):
            snaps.append(snap)
            if snap.step == 3:
                state.set_live(changed)
        runs.append(snaps)
    fast, reference = runs
    assert any(s.changes for s in fast) and fast[-1].samples_seen == 1024
    assert_same_run(fast, reference)


def test_augmented_batches_train_alike(tiny_dataset: Dataset) -> None:
    """Augmented images reach the fast step as floats in [0, 1], the autograd path's batches."""
    config = dict(epochs=1, batch_size=64, optimizer="sgd", lr=0.05, augment="light",
                  snapshot_every=2)  # fmt: skip
    (_, fast), (_, reference) = both_paths(tiny_dataset, ModelSpec(hidden=(8,)), **config)
    assert_same_run(fast, reference)


def test_pruned_weights_stay_zero_on_the_fast_path(tiny_dataset: Dataset) -> None:
    spec = ModelSpec(hidden=(8,))
    rng = np.random.default_rng(0)
    masks = [(rng.random(shape) > 0.5).astype(np.float32) for shape in spec.layer_shapes]
    net = new_model(spec, seed=0)
    snaps = list(train(net, tiny_dataset, TrainConfig(epochs=1, batch_size=32), masks=masks))
    for weights, mask in zip(snaps[-1].weights, masks):
        assert np.count_nonzero(weights) == np.count_nonzero(mask)
        assert np.all(weights[mask == 0] == 0)


class _Subclass(MLP):
    """A net of another kind: the fast step does not know what its forward does."""


def test_nets_it_does_not_cover_train_by_autograd(tiny_dataset: Dataset, monkeypatch) -> None:
    assert covers(new_model(ModelSpec(hidden=(4,)), seed=0))
    assert not covers(new_model(ModelSpec(hidden=(4,)), seed=0).half())
    net = _Subclass(ModelSpec(hidden=(4,)))
    assert not covers(net)
    with pytest.raises(ValueError, match="MLP"):
        FastStep(net, make_optimizer(net, TrainConfig()))
    monkeypatch.setattr(training, "FastStep", None)  # calling it would fail the run
    before = net.layers[0].weight.detach().clone()
    snaps = list(train(net, tiny_dataset, TrainConfig(epochs=1, lr=3e-3)))
    assert snaps[-1].status is SnapshotStatus.DONE and snaps[-1].step == 8
    assert not torch.equal(before, net.layers[0].weight.detach())  # autograd trained it


def test_the_optimiser_kernels_are_called_directly_only_where_step_would_call_them() -> None:
    from digitlab.core.fast_step import _AdamUpdate, _SgdUpdate

    def update_of(optimizer_of):
        net = new_model(ModelSpec(hidden=(4,)), seed=0)
        optimizer = optimizer_of(net.parameters())
        return FastStep(net, optimizer)._update, optimizer

    assert isinstance(update_of(lambda p: torch.optim.Adam(p, fused=True))[0], _AdamUpdate)
    assert isinstance(update_of(lambda p: torch.optim.SGD(p, lr=0.1, fused=True))[0], _SgdUpdate)
    for unfused in (lambda p: torch.optim.Adam(p), lambda p: torch.optim.Adam(p, amsgrad=True,
                    fused=True), lambda p: torch.optim.SGD(p, lr=0.1, maximize=True, fused=True),
                    lambda p: torch.optim.AdamW(p, fused=True)):  # fmt: skip
        update, optimizer = update_of(unfused)
        assert update == optimizer.step
