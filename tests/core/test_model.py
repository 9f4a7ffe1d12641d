"""The torch MLP used for training: shapes, seeds, and copying weights in and out."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from digitlab.core.model import MLP, load_arrays, model_arrays, new_model
from digitlab.core.network import ModelSpec


@pytest.mark.parametrize(
    ("hidden", "parameters"),
    [((), 784 * 10 + 10), ((100,), 784 * 100 + 100 + 100 * 10 + 10), ((2, 2), 1570 + 6 + 30)],
)
def test_spec_builds_the_right_layers(hidden, parameters) -> None:
    net = MLP(ModelSpec(hidden=hidden))
    assert sum(p.numel() for p in net.parameters()) == parameters == net.spec.parameter_count
    assert net(torch.rand(5, 28, 28)).shape == (5, 10)
    activations = net.activations(torch.rand(5, 784))
    assert [a.shape[1] for a in activations] == [*hidden, 10]


def test_probabilities_sum_to_one() -> None:
    probs = new_model(ModelSpec(hidden=(8,), num_classes=3), seed=0).probabilities(
        torch.rand(4, 784)
    )
    assert probs.shape == (4, 3)
    assert torch.allclose(probs.sum(1), torch.ones(4))


def test_seeded_models_are_identical_and_leave_global_rng_alone() -> None:
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a, b = new_model(ModelSpec(hidden=(5,)), seed=7), new_model(ModelSpec(hidden=(5,)), seed=7)
    assert torch.equal(torch.rand(1), expected_next)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_arrays_in_and_out() -> None:
    net = new_model(ModelSpec(hidden=(4,)), seed=0)
    weights, biases = model_arrays(net)
    weights[0][:] = 0
    assert float(net.layers[0].weight.detach().abs().sum()) > 0  # copies, not views
    load_arrays(net, weights, biases)
    assert float(net.layers[0].weight.detach().abs().sum()) == 0
    assert np.array_equal(model_arrays(net)[1][1], biases[1])
    with pytest.raises(ValueError):
        load_arrays(net, weights[:1], biases)
