"""Hidden-unit statistics, checked against counts made by hand on a constructed net."""

from __future__ import annotations

import numpy as np
import pytest

from digitlab.core.network import ModelSpec, Network
from digitlab.core.units import layer_units


def three_unit_net() -> Network:
    """Unit 0 reads pixel 0; unit 1 reads pixel 1 with bias −2 (never on for 0..1 inputs: dead);
    unit 2 is pixel 0 minus pixel 1. Outgoing weights of sizes 3, 0 and 4."""
    spec = ModelSpec(hidden=(3,), num_classes=2)
    w1 = np.zeros((3, 784), np.float32)
    w1[0, 0], w1[1, 1], w1[2, 0], w1[2, 1] = 1.0, 1.0, 1.0, -1.0
    b1 = np.array([0.0, -2.0, 0.0], np.float32)
    w2 = np.array([[3.0, 0.0, 0.0], [0.0, 0.0, 4.0]], np.float32)
    return Network.from_arrays(spec, [w1, w2], [b1, np.zeros(2, np.float32)])


def images_with(pixel0, pixel1) -> np.ndarray:
    images = np.zeros((len(pixel0), 784), np.float32)
    images[:, 0], images[:, 1] = pixel0, pixel1
    return images


def test_dead_units_firing_and_importance_by_hand() -> None:
    images = images_with([0.0, 0.5, 1.0, 0.2], [1.0, 0.1, 0.0, 0.6])
    (layer,) = layer_units(three_unit_net(), images)
    np.testing.assert_array_equal(layer.dead, [False, True, False])
    assert layer.dead_count == 1
    np.testing.assert_allclose(layer.firing, [0.75, 0.0, 0.5])  # unit 2: 0.4, 1.0 > 0
    np.testing.assert_allclose(layer.importance, [3.0, 0.0, 4.0])
    np.testing.assert_array_equal(layer.order("importance"), [2, 0, 1])
    np.testing.assert_array_equal(layer.order("firing"), [0, 2, 1])
    np.testing.assert_array_equal(layer.top_images[0], [2, 1, 3, 0])  # pixel 0, largest first
    np.testing.assert_array_equal(layer.top_images[2], [2, 1, 3, 0])  # 1.0, 0.4, −0.4, −1.0
    counts, edges = layer.histogram(0, bins=2)
    assert counts.sum() == 4 and edges[0] == 0.0 and edges[-1] == 1.0


def test_pre_activations_are_the_layers_inputs() -> None:
    net = three_unit_net()
    images = np.random.default_rng(0).random((300, 784)).astype(np.float32)
    (layer,) = layer_units(net, images)
    np.testing.assert_allclose(layer.pre_activations, net.pre_activations(images)[0])
    assert layer.top_images.shape == (3, 16)


def test_no_hidden_layer_no_units_and_a_bad_order_is_named() -> None:
    spec = ModelSpec()
    net = Network.from_arrays(spec, [np.zeros((10, 784), np.float32)], [np.zeros(10, np.float32)])
    assert layer_units(net, np.zeros((5, 784), np.float32)) == []
    (layer,) = layer_units(three_unit_net(), images_with([0.1], [0.2]))
    assert layer.top_images.shape == (3, 1)
    with pytest.raises(ValueError, match="importance"):
        layer.order("size")
