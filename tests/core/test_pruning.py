"""Magnitude pruning, the pruning curve, and retraining with the pruned weights held at zero."""

from __future__ import annotations

import math

import numpy as np
import pytest

from digitlab.core.network import ModelSpec, Network
from digitlab.core.pruning import accuracy_on, prune, pruning_curve, weight_ranks, zero_fraction
from tests.conftest import make_tiny_dataset, random_network


def test_layer_scope_removes_the_fraction_of_each_layer_smallest_first() -> None:
    network = random_network((16, 8), seed=1, bias=0.2)
    pruned, masks = prune(network, 0.25, "layer")
    for before, after, mask in zip(network.weights, pruned.weights, masks):
        assert mask.shape == before.shape and mask.dtype == bool
        assert np.count_nonzero(~mask) == round(0.25 * before.size)
        assert np.abs(before[~mask]).max() <= np.abs(before[mask]).min()
        np.testing.assert_array_equal(after, np.where(mask, before, 0))
    for before, after in zip(network.biases, pruned.biases):
        np.testing.assert_array_equal(before, after)  # biases are kept
    assert network.weights[0].flags.writeable is False and np.all(network.weights[0] != 0)


def test_global_scope_ranks_all_weights_together() -> None:
    rng = np.random.default_rng(2)
    spec = ModelSpec(hidden=(16, 8))
    magnitudes = [(0.001, 0.01), (0.1, 1.0), (0.1, 1.0)]  # the first layer's weights are smallest
    weights = [
        rng.uniform(low, high, shape) * rng.choice([-1, 1], shape)
        for (low, high), shape in zip(magnitudes, spec.layer_shapes)
    ]
    network = Network.from_arrays(spec, weights, [np.zeros(out) for out, _ in spec.layer_shapes])
    total = sum(w.size for w in network.weights)
    pruned, masks = prune(network, 0.5, "global")
    removed = [int(np.count_nonzero(~m)) for m in masks]
    assert removed == [round(0.5 * total), 0, 0]  # all of it from the small first layer
    assert prune(network, 0.5, "layer")[1][2].sum() == 40  # per layer: half of each
    kept = np.concatenate([np.abs(w[m]) for w, m in zip(network.weights, masks)])
    gone = np.concatenate([np.abs(w[~m]) for w, m in zip(network.weights, masks)])
    assert gone.max() <= kept.min()
    assert zero_fraction(pruned) == pytest.approx(0.5, abs=1 / total)


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_ranks_kept_prune_as_ranking_afresh(scope) -> None:
    network = random_network((16, 8), seed=3)
    ranks = weight_ranks(network, scope)
    for fraction in (0.0, 0.3, 0.9):
        fresh, fresh_masks = prune(network, fraction, scope)
        kept, kept_masks = prune(network, fraction, scope, ranks)
        for a, b, m, n in zip(fresh.weights, kept.weights, fresh_masks, kept_masks):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(m, n)
    with pytest.raises(ValueError, match="another net"):
        prune(network, 0.5, scope, weight_ranks(random_network((4,)), scope))
    with pytest.raises(ValueError, match="scope"):
        weight_ranks(network, "rows")


def test_nothing_pruned_at_zero_and_never_all_weights() -> None:
    network = random_network((4,), seed=3)
    same, masks = prune(network, 0.0)
    assert all(m.all() for m in masks)
    for a, b in zip(network.weights, same.weights):
        np.testing.assert_array_equal(a, b)
    spec = ModelSpec((1,), num_classes=2, input_size=1)
    tiny = Network.from_arrays(spec, [[[1.0]], [[2.0], [3.0]]], [[0.0], [0.0, 0.0]])
    _, masks = prune(tiny, 0.9, "layer")
    assert [int(m.sum()) for m in masks] == [1, 1]  # a 1-weight layer keeps its weight


@pytest.mark.parametrize("fraction", [1.0, -0.1, 1.5, math.nan, math.inf, "half"])
def test_a_fraction_outside_zero_to_one_is_one_clear_line(fraction) -> None:
    with pytest.raises(ValueError, match="fraction to prune must be") as caught:
        prune(random_network((4,)), fraction)
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="scope"):
        prune(random_network((4,)), 0.5, "row")


def test_the_curve_is_the_accuracy_of_each_pruned_net() -> None:
    network = random_network((16,), seed=4, bias=0.2)
    test = make_tiny_dataset(n_train=10, n_test=200, seed=5).test
    fractions = [0.0, 0.3, 0.6, 0.9]
    for scope in ("layer", "global"):
        curve = pruning_curve(network, test.images, test.labels, range(10), fractions, scope)
        expected = [
            accuracy_on(prune(network, f, scope)[0], test.images, test.labels, range(10))
            for f in fractions
        ]
        np.testing.assert_array_equal(curve, expected)
    with pytest.raises(ValueError, match="fraction"):
        pruning_curve(network, test.images, test.labels, range(10), [0.5, 1.0])


def test_accuracy_scores_a_class_subset_by_output_index() -> None:
    network = random_network((8,), num_classes=2, seed=6, bias=0.3)
    test = make_tiny_dataset(n_train=10, n_test=200, seed=7).test
    keep = np.isin(test.labels, (8, 3))
    predicted = network.logits(test.images[keep]).argmax(axis=1)
    expected = np.mean(predicted == (test.labels[keep] == 3))  # output 1 stands for 3
    assert accuracy_on(network, test.images, test.labels, (8, 3)) == expected


def test_a_masked_retrain_keeps_pruned_weights_at_zero_and_recovers() -> None:
    from digitlab.core.model import from_network, new_model, to_network
    from digitlab.core.protocol import TrainConfig
    from digitlab.core.training import train

    data = make_tiny_dataset()
    model = new_model(ModelSpec(hidden=(16,)), seed=0)
    for _ in train(model, data, TrainConfig(epochs=2, lr=1e-2)):
        pass
    trained = to_network(model)
    test = data.test
    pruned, masks = prune(trained, 0.8, "layer")
    pruned_accuracy = accuracy_on(pruned, test.images, test.labels, range(10))
    assert pruned_accuracy < accuracy_on(trained, test.images, test.labels, range(10))
    # momentum and weight decay would move a zero weight; the mask must put it back each step
    config = TrainConfig(epochs=2, lr=1e-2, optimizer="sgd", momentum=0.9, weight_decay=1e-3)
    retrained_model = from_network(pruned)
    snapshots = list(train(retrained_model, data, config, masks=masks))
    for snap in snapshots:
        for weights, mask in zip(snap.weights, masks):
            assert np.all(weights[~mask] == 0.0)
    retrained = to_network(retrained_model)
    assert all(np.all(w[~m] == 0.0) and np.any(w[m] != p[m])
               for w, m, p in zip(retrained.weights, masks, pruned.weights))  # fmt: skip
    assert accuracy_on(retrained, test.images, test.labels, range(10)) > pruned_accuracy + 0.2


def test_a_train_job_carries_masks_to_the_trainer(tiny_mnist_dir) -> None:
    from digitlab.core.protocol import DataRequest, RunState, Snapshot, TrainConfig, TrainJob
    from digitlab.core.training import LocalTrainer

    spec = ModelSpec(hidden=(8,))
    pruned, masks = prune(random_network((8,), seed=8), 0.7, "global")
    config = TrainConfig(epochs=1, lr=1e-2)
    job = TrainJob(spec, DataRequest(root=str(tiny_mnist_dir)), config, pruned, masks)
    snaps = [s for s in LocalTrainer().train(job, RunState()) if isinstance(s, Snapshot)]
    assert snaps[-1].finished
    assert all(np.all(w[~m] == 0.0) for s in snaps for w, m in zip(s.weights, masks))
    with pytest.raises(ValueError, match="masks of shapes"):
        TrainJob(spec, DataRequest(), config, pruned, masks[:1])
