"""The numpy network the window predicts with gives torch's numbers, for every activation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from digitlab.core.model import MLP, from_network, new_model, to_network
from digitlab.core.network import ModelSpec, Network, softmax


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("hidden", [(), (16,), (8, 2, 3)])
def test_numpy_forward_matches_torch(activation: str, hidden: tuple[int, ...]) -> None:
    model = new_model(ModelSpec(hidden=hidden, activation=activation, num_classes=4), seed=3)
    network = to_network(model)
    x = np.random.default_rng(0).random((32, 784), dtype=np.float32)
    with torch.no_grad():
        expected = [a.numpy() for a in model.activations(torch.from_numpy(x))]
    got = network.activations(x)
    assert len(got) == len(expected) == len(hidden) + 1
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        network.probabilities(x), model.probabilities(torch.from_numpy(x)).numpy(), atol=1e-6
    )


def test_uint8_images_are_scaled_like_floats() -> None:
    network = to_network(new_model(ModelSpec(hidden=(5,)), seed=0))
    images = np.random.default_rng(1).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    np.testing.assert_allclose(
        network.logits(images), network.logits(images.astype(np.float32) / 255.0), atol=1e-5
    )


def test_pre_activations_are_what_the_nonlinearity_gets() -> None:
    network = to_network(new_model(ModelSpec(hidden=(6,)), seed=0))
    x = np.random.default_rng(2).random((4, 784), dtype=np.float32)
    z = network.pre_activations(x)
    np.testing.assert_allclose(z[0], x @ network.weights[0].T + network.biases[0], rtol=1e-6)
    np.testing.assert_allclose(network.activations(x)[0], np.maximum(z[0], 0))


def test_arrays_are_frozen_copies() -> None:
    weights = [np.zeros((10, 784), np.float32)]
    network = Network.from_arrays(ModelSpec(), weights, [np.zeros(10, np.float32)])
    weights[0][:] = 1.0
    assert not network.weights[0].any()
    with pytest.raises(ValueError):
        network.weights[0][0, 0] = 1.0


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        Network.from_arrays(ModelSpec(), [np.zeros((10, 100))], [np.zeros(10)])
    with pytest.raises(ValueError, match="layers"):
        Network.from_arrays(ModelSpec(hidden=(4,)), [np.zeros((10, 784))], [np.zeros(10)])


def test_round_trip_through_torch() -> None:
    network = to_network(new_model(ModelSpec(hidden=(4,), activation="tanh"), seed=5))
    back = to_network(from_network(network))
    assert all(np.array_equal(a, b) for a, b in zip(network.weights, back.weights))
    assert isinstance(from_network(network), MLP)


def test_softmax_is_stable_and_normalised() -> None:
    probs = softmax(np.array([[1000.0, 0.0], [-1000.0, -1000.0]]))
    assert np.isfinite(probs).all()
    np.testing.assert_allclose(probs.sum(1), 1.0)
    assert probs[0, 0] == pytest.approx(1.0)


def test_predict_in_chunks_agrees_with_one_pass() -> None:
    network = to_network(new_model(ModelSpec(hidden=(8,)), seed=0))
    x = np.random.default_rng(3).random((50, 784), dtype=np.float32)
    top, confidence = network.predict(x, chunk=7)
    probs = network.probabilities(x)
    assert np.array_equal(top, probs.argmax(1))
    np.testing.assert_allclose(confidence, probs.max(1), rtol=1e-6)


def test_spec_describes_itself() -> None:
    spec = ModelSpec(hidden=(100, 2))
    assert spec.describe() == "784→100→2→10 relu"
    assert spec.layer_shapes == [(100, 784), (2, 100), (10, 2)]
    assert spec.parameter_count == 784 * 100 + 100 + 2 * 100 + 2 + 10 * 2 + 10


@pytest.mark.parametrize("bad", [dict(activation="swish"), dict(hidden=(0,)), dict(num_classes=1)])
def test_bad_specs_are_rejected(bad) -> None:
    with pytest.raises(ValueError):
        ModelSpec(**bad)


def test_pre_activations_can_stop_at_a_layer() -> None:
    network = to_network(new_model(ModelSpec(hidden=(6, 4, 3)), seed=1))
    x = np.random.default_rng(3).random((5, 784), dtype=np.float32)
    every = network.pre_activations(x)
    for upto in range(4):
        some = network.pre_activations(x, upto=upto)
        assert len(some) == upto + 1
        for a, b in zip(some, every):
            np.testing.assert_array_equal(a, b)
    assert len(network.pre_activations(x, upto=99)) == 4


def test_a_sparse_batch_gives_the_dense_numbers() -> None:
    from scipy.sparse import csr_matrix

    network = to_network(new_model(ModelSpec(hidden=(6, 2)), seed=2))
    x = np.random.default_rng(4).random((5, 784), dtype=np.float32)
    x[x < 0.8] = 0  # mostly blank, like a digit
    for a, b in zip(network.pre_activations(csr_matrix(x)), network.pre_activations(x)):
        assert isinstance(a, np.ndarray)
        np.testing.assert_allclose(a, b, atol=1e-5)
    with pytest.raises(ValueError, match="expected 784 inputs"):
        network.pre_activations(csr_matrix(x[:, :100]))
