"""Evidence maps: for one input, pixel maps plus the effective bias are the logits, exactly."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.choices import ACTIVATIONS
from digitlab.core.evidence import evidence, unit_gains
from digitlab.core.network import ModelSpec, Network, activate


def random_network(hidden, activation="relu", seed=0) -> Network:
    rng = np.random.default_rng(seed)
    spec = ModelSpec(hidden=hidden, activation=activation)
    weights = [rng.normal(0, 0.1, shape).astype(np.float32) for shape in spec.layer_shapes]
    biases = [rng.normal(0, 0.1, shape[0]).astype(np.float32) for shape in spec.layer_shapes]
    return Network.from_arrays(spec, weights, biases)


def test_a_one_layer_net_is_input_times_template() -> None:
    net = random_network(())
    image = np.random.default_rng(1).random(784).astype(np.float32)
    found = evidence(net, image)
    np.testing.assert_allclose(found.templates, net.weights[0], rtol=1e-6)
    np.testing.assert_allclose(found.maps, net.weights[0] * image, rtol=1e-6)
    np.testing.assert_allclose(found.bias, net.biases[0], rtol=1e-6)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", [(16,), (32, 8), (2, 2, 2, 2)])
def test_maps_and_bias_sum_to_the_logits(hidden, activation) -> None:
    net = random_network(hidden, activation)
    images = np.random.default_rng(2).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    for image, logits in zip(images, net.logits(images)):
        found = evidence(net, image)
        np.testing.assert_allclose(found.maps.sum(axis=1) + found.bias, logits, atol=2e-5)
        np.testing.assert_allclose(found.logits, logits, atol=2e-5)


def test_a_hand_made_relu_net_by_hand() -> None:
    """Two units: one sees pixel 0, one pixel 1 (off for this input); class 0 reads unit 0 × 2."""
    spec = ModelSpec(hidden=(2,), num_classes=2)
    w1 = np.zeros((2, 784), np.float32)
    w1[0, 0], w1[1, 1] = 1.0, -1.0
    w2 = np.array([[2.0, 5.0], [0.0, 1.0]], np.float32)
    net = Network.from_arrays(
        spec, [w1, w2], [np.zeros(2, np.float32), np.array([0.5, 0], np.float32)]
    )
    image = np.zeros(784, np.float32)
    image[0], image[1] = 0.75, 0.5  # unit 1's input is −0.5: off
    found = evidence(net, image)
    assert found.maps[0, 0] == pytest.approx(1.5) and found.maps[0, 1] == 0.0
    assert found.logits[0] == pytest.approx(2.0) and found.bias[0] == pytest.approx(0.5)
    assert found.versus(0, 1)[0] == pytest.approx(1.5)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_unit_gains_reproduce_the_activation(activation) -> None:
    z = np.array([-3.0, -1e-9, 0.0, 1e-9, 0.2, 4.0])
    gain, offset = unit_gains(activation, z)
    np.testing.assert_allclose(gain * z + offset, activate(activation, z), atol=1e-9)
